//! Spans, errors and the one renderer that prints every error a user sees.

use std::fmt::{self, Write as _};
use std::io;

/// A byte range in a query source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span holding both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The same span moved `by` bytes to the right (a statement inside a longer source).
    pub fn shift(self, by: usize) -> Span {
        Span { start: self.start + by, end: self.end + by }
    }
}

/// An error in a query, at a place in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub span: Span,
    /// Said under the caret (`did you mean CC6.1?`).
    pub label: Option<String>,
    /// A line of advice after the snippet.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { message: message.into(), span, label: None, help: None }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn shift(mut self, by: usize) -> Diagnostic {
        self.span = self.span.shift(by);
        self
    }
}

/// A problem in a data file (catalog, mapping set, Statement of Applicability).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct DataError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: u32,
    pub message: String,
}

impl DataError {
    pub fn new(file: &str, line: u32, message: impl Into<String>) -> DataError {
        DataError { file: file.to_string(), line, message: message.into() }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Every failure the program reports; each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query that does not parse or names something that does not exist.
    #[error("{}", .0.message)]
    Query(Diagnostic),
    /// The database, or a file a query reads, has errors.
    #[error("{} data error(s)", .0.len())]
    Data(Vec<DataError>),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

impl Error {
    pub fn io(path: impl Into<String>, source: io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// The process exit code for this kind of failure (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Query(_) => exit::QUERY,
            Error::Data(_) => exit::DATA,
            Error::Io { .. } => exit::IO,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::Query(d)
    }
}

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// A query failed to parse or to evaluate.
    pub const QUERY: u8 = 1;
    /// The command line was wrong (unknown option, missing argument).
    pub const USAGE: u8 = 2;
    /// The database or an input file (a Statement of Applicability) has errors.
    pub const DATA: u8 = 3;
    /// A file could not be read or written.
    pub const IO: u8 = 4;
}

/// Renders an error for a terminal or a log: `name` is the source's name
/// (`query`, a file path), `source` its text.
pub fn render(err: &Error, name: &str, source: &str) -> String {
    match err {
        Error::Query(d) => render_diagnostic(d, name, source),
        Error::Data(errors) => {
            let mut out = String::new();
            for e in errors {
                let _ = writeln!(out, "error: {e}");
            }
            out
        }
        Error::Io { path, source } => format!("error: {path}: {}\n", io_message(source)),
    }
}

fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            // io::Error's Display appends "(os error N)", which helps nobody.
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Line (1-based), column (1-based, in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Characters of a source line an error shows.
const SNIPPET: usize = 100;

fn render_diagnostic(d: &Diagnostic, name: &str, source: &str) -> String {
    let (line, col) = line_col(source, d.span.start);
    let start = floor_char_boundary(source, d.span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
    let text = source[line_start..line_end].trim_end_matches('\r');
    let end = floor_char_boundary(source, d.span.end.clamp(start, line_end.max(start)));
    let width = source[start..end].chars().count().clamp(1, SNIPPET / 2);
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    // A very long line is shown as a window around the error.
    let chars: Vec<char> = text.chars().collect();
    let from = (col - 1).saturating_sub(SNIPPET / 2).min(chars.len());
    let to = (from + SNIPPET).min(chars.len());
    let text: String = format!(
        "{}{}{}",
        if from > 0 { "..." } else { "" },
        chars[from..to].iter().collect::<String>(),
        if to < chars.len() { "..." } else { "" }
    );
    let lead = if from > 0 { 3 } else { 0 };
    let indent: String = " ".repeat(lead)
        + &chars[from..col - 1].iter().map(|&c| if c == '\t' { '\t' } else { ' ' }).collect::<String>();

    let mut out = String::new();
    let _ = writeln!(out, "error: {}", d.message);
    let _ = writeln!(out, "{pad}--> {name}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {text}");
    let _ = write!(out, "{pad} | {indent}{}", "^".repeat(width));
    match &d.label {
        Some(label) => {
            let _ = writeln!(out, " {label}");
        }
        None => out.push('\n'),
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let src = "frameworks\nmap soc2:CC61 -> iso27001";
        let d =
            Diagnostic::new("unknown control `CC61` in soc2", Span::new(20, 24)).with_label("did you mean `CC6.1`?");
        let out = render(&Error::Query(d), "query", src);
        assert_eq!(
            out,
            "error: unknown control `CC61` in soc2\n --> query:2:10\n  |\n2 | map soc2:CC61 -> iso27001\n  |          ^^^^ did you mean `CC6.1`?\n"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_the_error() {
        let src = format!("list {}iso2701", "(".repeat(300));
        let d = Diagnostic::new("unknown framework `iso2701`", Span::new(305, 312));
        let out = render(&Error::Query(d), "query", &src);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[3].starts_with("1 | ...((((") && lines[3].ends_with("iso2701"), "{out}");
        assert!(lines[3].len() < 120);
        let caret = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret..caret + 7], "iso2701");
    }

    #[test]
    fn span_at_end_of_input_gets_one_caret() {
        let src = "map soc2:CC6.1 ->";
        let d = Diagnostic::new("expected a framework", Span::new(17, 17));
        let out = render(&Error::Query(d), "query", src);
        assert!(out.ends_with("  |                  ^\n"), "{out}");
    }
}

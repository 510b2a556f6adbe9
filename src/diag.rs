//! Spans, errors and the one renderer that prints every error a user sees.

use std::borrow::Cow;
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

/// A problem in a data file (catalog, mapping set, Statement of Applicability, imported mapping file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct DataError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole (or is placed by `path`).
    pub line: u32,
    /// 1-based column on `line`; 0 when not known.
    #[serde(skip_serializing_if = "is_zero")]
    pub column: u32,
    /// Where in a JSON or YAML file the problem is (`$.mapping-collection.mappings[0].maps[3]`); empty for text files.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub message: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl DataError {
    pub fn new(file: &str, line: u32, message: impl Into<String>) -> DataError {
        DataError { file: file.to_string(), line, column: 0, path: String::new(), message: message.into() }
    }

    /// A problem at a line and column (a JSON syntax error).
    pub fn at(file: &str, line: u32, column: u32, message: impl Into<String>) -> DataError {
        DataError { column, ..DataError::new(file, line, message) }
    }

    /// A problem at a place in a structured file, named by its path (`$.mappings[0].maps[3].relationship`).
    pub fn in_doc(file: &str, path: &str, message: impl Into<String>) -> DataError {
        DataError { path: path.to_string(), ..DataError::new(file, 0, message) }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
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
/// (`query`, a file path), `source` its text. Control characters of the
/// input are shown escaped (`\u{1b}`), so an error never drives the terminal.
pub fn render(err: &Error, name: &str, source: &str) -> String {
    match err {
        Error::Query(_) => render_at(err, name, source, &Lines::new(source)),
        _ => render_at(err, name, source, &Lines::default()),
    }
}

/// [`render`] with the source's lines already indexed: a run reporting many
/// errors in one long source indexes it once.
pub fn render_at(err: &Error, name: &str, source: &str, lines: &Lines) -> String {
    match err {
        Error::Query(d) => render_diagnostic(d, name, source, lines),
        Error::Data(errors) => {
            let mut out = String::new();
            for e in errors {
                let _ = writeln!(out, "error: {}", visible(&e.to_string()));
            }
            out
        }
        Error::Io { path, source } => format!("error: {}: {}\n", visible(path), visible(&io_message(source))),
    }
}

/// An I/O error in a user's words, without the "(os error N)" of its `Display`.
pub fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            // io::Error's Display appends "(os error N)", which helps nobody.
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => &s[..i],
                None => &s,
            };
            // The system's messages are capitalised sentences; ours continue a line.
            let mut chars = s.chars();
            chars.next().map_or(String::new(), |c| c.to_lowercase().chain(chars).collect())
        }
    }
}

/// Whether a character is shown escaped: it could move the cursor, recolour or
/// retitle a terminal, reorder the text around it, or not show at all (a
/// zero-width space, a byte-order mark). Tabs are kept.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{61c}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}')
}

/// A piece of input as it may be shown on a terminal: control characters (line
/// breaks included) written as Rust's `escape_debug` writes them (`\u{1b}`, `\n`).
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Output text as it may be shown on a terminal: like [`visible`], but line
/// breaks (`\n`, `\r\n`) are kept.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| hidden(c) && c != '\n' && c != '\r') && !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\n' || (c == '\r' && chars.peek() == Some(&'\n'));
        if hidden(c) && !line_end {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Where each line of a source starts, so that a line and column are found
/// without counting from the start of the source each time.
#[derive(Debug, Default, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(source: &str) -> Lines {
        let breaks = source.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1);
        Lines { starts: std::iter::once(0).chain(breaks).collect() }
    }

    /// Line (1-based) and column (1-based, in characters) of a byte offset.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        (line, source[start..offset].chars().count() + 1)
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

/// Columns a character of a snippet takes once shown.
fn shown_width(c: char) -> usize {
    if hidden(c) {
        c.escape_debug().count()
    } else {
        1
    }
}

/// A source line as an error shows it, a window around column `col` when the
/// line is long, and the blanks that put a caret under that column.
fn window(text: &str, col: usize) -> (String, String) {
    let chars: Vec<char> = text.chars().collect();
    let from = (col - 1).saturating_sub(SNIPPET / 2).min(chars.len());
    let to = (from + SNIPPET).min(chars.len());
    let shown: String = chars[from..to].iter().collect();
    let (lead, tail) = (if from > 0 { "..." } else { "" }, if to < chars.len() { "..." } else { "" });
    let before = &chars[from..(col - 1).min(chars.len())];
    let blanks = before.iter().map(|&c| if c == '\t' { "\t".to_string() } else { " ".repeat(shown_width(c)) });
    (format!("{lead}{}{tail}", visible(&shown)), " ".repeat(lead.len()) + &blanks.collect::<String>())
}

fn render_diagnostic(d: &Diagnostic, name: &str, source: &str, lines: &Lines) -> String {
    let (line, col) = lines.line_col(source, d.span.start);
    let start = floor_char_boundary(source, d.span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
    let text = source[line_start..line_end].trim_end_matches('\r');
    let end = floor_char_boundary(source, d.span.end.clamp(start, line_end.max(start)));
    let width = source[start..end].chars().map(shown_width).sum::<usize>().clamp(1, SNIPPET / 2);
    let pad = " ".repeat(line.to_string().len());
    let (text, indent) = window(text, col);

    let mut out = String::new();
    let _ = writeln!(out, "error: {}", visible(&d.message));
    let _ = writeln!(out, "{pad}--> {}:{line}:{col}", visible(name));
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {text}");
    let _ = write!(out, "{pad} | {indent}{}", "^".repeat(width));
    match &d.label {
        Some(label) => {
            let _ = writeln!(out, " {}", visible(label));
        }
        None => out.push('\n'),
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {}", visible(help));
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

    #[test]
    fn control_characters_of_the_input_are_shown_escaped() {
        let src = "show soc2:\u{1b}]0;owned\u{7}x";
        let d = Diagnostic::new("unknown control `\u{1b}]0;owned\u{7}x` in soc2", Span::new(10, 20))
            .with_label("did you mean `\u{1b}[31m`?");
        let out = render(&Error::Query(d), "q\u{1b}.cwq", src);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(out.starts_with("error: unknown control `\\u{1b}]0;owned\\u{7}x` in soc2\n --> q\\u{1b}.cwq:1:11\n"));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[3], "1 | show soc2:\\u{1b}]0;owned\\u{7}x");
        // The caret sits under the escaped text and spans it.
        assert_eq!(lines[4].find('^'), lines[3].find('\\'));
        assert_eq!(lines[4].matches('^').count(), "\\u{1b}]0;owned\\u{7}".len());
        let data = Error::Data(vec![DataError::new("a\rb.csv", 2, "unknown control `\u{9b}31m`")]);
        assert_eq!(render(&data, "", ""), "error: a\\rb.csv:2: unknown control `\\u{9b}31m`\n");
        assert_eq!(visible_lines("a\u{1b}b\r\nc\rd\n\te"), "a\\u{1b}b\r\nc\\rd\n\te");
        assert_eq!(visible("right-to-left \u{202e} override"), "right-to-left \\u{202e} override");
    }

    #[test]
    fn lines_are_found_from_an_index() {
        let src = "ab\n\ncd\u{e9}f\n";
        let lines = Lines::new(src);
        for offset in 0..=src.len() + 2 {
            assert_eq!(lines.line_col(src, offset), line_col(src, offset), "offset {offset}");
        }
    }
}

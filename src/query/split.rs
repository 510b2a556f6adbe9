//! Source text before the grammar sees it: split into statements, checked for size, open brackets found.

use crate::diag::{Diagnostic, Span};

/// Where one statement sits in a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
}

/// What a character of a source is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Code,
    /// The quote that opens or closes a string.
    Quote,
    String,
    Comment,
}

/// Walks a source one character at a time, knowing whether it is in a
/// string (with `\` escapes) or a comment. A string or comment ends at the
/// end of its line.
#[derive(Default)]
struct Scanner {
    string_start: Option<usize>,
    comment: bool,
    escaped: bool,
}

impl Scanner {
    fn step(&mut self, i: usize, c: char) -> Place {
        // An escaped line break stays in its string, as the grammar reads it (`"\\" ~ ANY`).
        if c == '\n' && !(self.string_start.is_some() && self.escaped) {
            (self.comment, self.string_start, self.escaped) = (false, None, false);
            return Place::Code;
        }
        if self.comment {
            return Place::Comment;
        }
        if self.string_start.is_none() {
            return match c {
                '"' => {
                    self.string_start = Some(i);
                    Place::Quote
                }
                '#' => {
                    self.comment = true;
                    Place::Comment
                }
                _ => Place::Code,
            };
        }
        if self.escaped {
            self.escaped = false;
        } else if c == '\\' {
            self.escaped = true;
        } else if c == '"' {
            self.string_start = None;
            return Place::Quote;
        }
        Place::String
    }
}

/// The statements of a source, split at newlines and `;` that are outside
/// strings, brackets and comments. A `\` at the end of a line continues the
/// statement. Blank and comment-only statements are dropped. The flag tells
/// whether the source ends inside a string, a bracket or after a `\` (the
/// REPL then asks for more).
pub fn split(src: &str) -> (Vec<Chunk>, bool) {
    let (mut chunks, mut start, mut depth) = (Vec::new(), 0, 0i32);
    let mut scanner = Scanner::default();
    let push = |chunks: &mut Vec<Chunk>, s: usize, e: usize| {
        let text = &src[s..e];
        if has_content(text) {
            let lead = text.len() - text.trim_start().len();
            chunks.push(Chunk { start: s + lead, end: s + text.trim_end().len() });
        }
    };
    // The last character before a line break that is not a `\r`: a `\` there continues the statement.
    let mut last = '\n';
    for (i, c) in src.char_indices() {
        let place = scanner.step(i, c);
        let continued = last == '\\';
        if c != '\r' {
            last = c;
        }
        if place != Place::Code {
            continue;
        }
        let ends_statement = match c {
            '\n' => depth <= 0 && !continued,
            ';' => depth <= 0,
            '{' | '(' => {
                depth += 1;
                false
            }
            '}' | ')' => {
                depth -= 1;
                false
            }
            _ => false,
        };
        if ends_statement {
            push(&mut chunks, start, i);
            start = i + 1;
            depth = 0;
        }
    }
    push(&mut chunks, start, src.len());
    let open = scanner.string_start.is_some() || depth > 0 || src.trim_end_matches(['\r', '\n']).ends_with('\\');
    (chunks, open)
}

/// Whether a piece of source holds anything but blanks and comments.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        !l.is_empty() && !l.starts_with('#') && l != "\\"
    })
}

/// Deepest nesting of brackets and `not` a statement may have.
pub const MAX_DEPTH: usize = 64;
/// Longest statement, in bytes.
pub const MAX_STATEMENT_BYTES: usize = 64 * 1024;

/// Refuses statements so long or nested so deep that parsing them would
/// exhaust the stack, before the grammar sees them. The scanner reads strings
/// and comments as the grammar does, so every bracket and `not` the grammar
/// would nest on is counted. No real query comes near these limits.
pub fn check_size(text: &str) -> Result<(), Diagnostic> {
    if text.len() > MAX_STATEMENT_BYTES {
        let first = text.find(char::is_whitespace).unwrap_or(text.len()).min(40);
        let first = (0..=first).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let msg =
            format!("the statement is {} bytes long; statements are limited to {MAX_STATEMENT_BYTES}", text.len());
        let help = "build the set in steps with `let`, or read the controls from a file with `soa(\"FILE\")`";
        return Err(Diagnostic::new(msg, Span::new(0, first)).with_help(help));
    }
    let (mut depth, mut nots) = (0usize, 0usize);
    let (mut scanner, mut word) = (Scanner::default(), String::new());
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        let code = scanner.step(i, c) == Place::Code;
        if code && c.is_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            nots += usize::from(word == "not");
            word.clear();
        }
        if code {
            match c {
                '(' | '{' => depth += 1,
                ')' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth > MAX_DEPTH || nots > MAX_DEPTH {
            let msg = format!("the statement nests more than {MAX_DEPTH} levels deep");
            let at = Span::new(i, i + c.len_utf8());
            return Err(Diagnostic::new(msg, at).with_help("name the inner parts with `let` and combine the names"));
        }
    }
    Ok(())
}

/// A string or bracket left open: the place it opened is the place to fix.
pub fn unclosed(text: &str) -> Option<Diagnostic> {
    let (mut scanner, mut stack) = (Scanner::default(), Vec::new());
    for (i, c) in text.char_indices() {
        if scanner.step(i, c) == Place::Code {
            match c {
                '{' | '(' => stack.push((i, c)),
                '}' | ')' => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    // In a file, a statement goes on while a bracket or string is open: say which lines it took.
    let swallowed = |i: usize| match text[i..].trim_end().matches('\n').count() {
        0 => String::new(),
        1 => "; the line after it was read into this statement".to_string(),
        n => format!("; the {n} lines after it were read into this statement"),
    };
    if let Some(i) = scanner.string_start {
        let d = Diagnostic::new("this string is never closed", Span::new(i, i + 1));
        return Some(d.with_help(format!("end it with a double quote: \"text\"{}", swallowed(i))));
    }
    let (i, c) = stack.pop()?;
    let close = if c == '{' { '}' } else { ')' };
    let d = Diagnostic::new(format!("this `{c}` is never closed"), Span::new(i, i + 1));
    Some(d.with_help(format!("add `{close}` where the list ends{}", swallowed(i))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_newlines_and_semicolons_outside_brackets_and_strings() {
        let src = "frameworks; show iso27001:8.24\nlist iso27001{5.1,\n 5.2}\nsearch \"a;b\\\"(\" # c;d\n\n# only a comment\nlist csf \\\n where function = PR";
        let (chunks, open) = split(src);
        let texts: Vec<&str> = chunks.iter().map(|c| &src[c.start..c.end]).collect();
        assert_eq!(
            texts,
            [
                "frameworks",
                "show iso27001:8.24",
                "list iso27001{5.1,\n 5.2}",
                "search \"a;b\\\"(\" # c;d",
                "list csf \\\n where function = PR"
            ]
        );
        assert!(!open);
        assert!(split("list iso27001{5.1,").1);
        assert!(split("search \"abc").1);
        assert!(split("list csf \\").1);
    }

    #[test]
    fn sizes_count_code_only() {
        assert!(check_size(&format!("search \"{}\"", "((((|||| and ".repeat(100))).is_ok());
        assert!(check_size(&format!("list {}x", "(".repeat(65))).is_err());
        assert!(check_size(&format!("list {}x", "not ".repeat(65))).is_err());
        assert!(check_size(&format!("list x{}", " | y".repeat(20_000))).is_err(), "too long");
        // The grammar keeps an escaped line break inside its string; so does the scanner.
        assert!(check_size(&format!("search \"a\\\n\" in {}x", "(".repeat(65))).is_err());
    }

    #[test]
    fn an_escaped_line_break_continues_a_string_and_its_statement() {
        let src = "search \"a\\\nb\" in csf\nframeworks";
        let (chunks, open) = split(src);
        assert_eq!(chunks.len(), 2);
        assert_eq!(&src[chunks[0].start..chunks[0].end], "search \"a\\\nb\" in csf");
        assert!(!open);
    }

    #[test]
    fn the_opening_place_of_what_is_left_open() {
        assert_eq!(unclosed("list iso27001{5.1, (").map(|d| d.span.start), Some(19));
        assert_eq!(unclosed("search \"a\\\"b").map(|d| d.span.start), Some(7));
        assert_eq!(unclosed("list (iso27001) # ("), None);
        let d = unclosed("coverage iso27001{5.1 -> soc2\nshow soc2:CC6.1\nlist csf\n").unwrap();
        assert_eq!(
            d.help.as_deref(),
            Some("add `}` where the list ends; the 2 lines after it were read into this statement")
        );
    }
}

//! Markdown: tables and lists that paste into a report or a ticket.

use std::fmt::Write as _;

use super::Block;

pub fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        match block {
            Block::Heading(h) => {
                let _ = writeln!(out, "### {}", escape(h));
            }
            Block::Text(t) => {
                let _ = writeln!(out, "{}", escape(t));
            }
            Block::Fields(fields) => {
                for (name, value) in fields {
                    let _ = writeln!(out, "- **{}**: {}", escape(name), escape(value));
                }
            }
            Block::Table(t) => {
                let header: Vec<String> = t.columns.iter().map(|c| escape(&c.name)).collect();
                let _ = writeln!(out, "| {} |", header.join(" | "));
                let _ = writeln!(out, "|{}|", t.columns.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
            }
        }
    }
    out
}

/// Keeps text from being read as Markdown syntax or breaking a table row.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

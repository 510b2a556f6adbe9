//! Rendering results: every [`Output`] as a table, CSV, JSON or Markdown; exports to files.
//!
//! Human formats (table, Markdown) render [`Block`]s; CSV renders each
//! output's one data table ([`data_table`]); JSON is the report types as
//! serde writes them.

mod blocks;
pub mod csv;
mod data;
pub mod export;
pub mod html;
pub mod json;
pub mod markdown;
pub mod table;
pub mod xlsx;

use std::fmt;
use std::str::FromStr;

pub use blocks::blocks;
pub(crate) use blocks::summary_table;
pub use data::{data_table, matrix_table, COVERAGE_COLUMNS, MAPPING_COLUMNS};

use crate::report::*;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// RFC 4180 CSV, one data table per statement.
    Csv,
    /// JSON, one document per statement.
    Json,
    /// Markdown tables, for reports and tickets.
    Markdown,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "table" | "text" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!("unknown format `{other}`; formats: table, csv, json, markdown")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "markdown",
        })
    }
}

/// Renders one statement's output. `width` is the terminal width for tables (`None`: no wrapping).
pub fn render(out: &Output, format: Format, width: Option<usize>) -> String {
    match format {
        Format::Table => table::render(&blocks(out), width),
        Format::Markdown => markdown::render(&blocks(out)),
        Format::Csv => match out {
            Output::Message(m) => format!("{}\n", m.text),
            _ => csv::render(&data_table(out), false),
        },
        Format::Json => json::render(out),
    }
}

/// [`render`], appending to `buf`: a session renders every statement into the same buffer.
pub fn render_to(buf: &mut String, out: &Output, format: Format, width: Option<usize>) {
    match format {
        Format::Table => table::render_to(buf, &blocks(out), width),
        _ => buf.push_str(&render(out, format, width)),
    }
}

/// A piece of a human-readable result.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Text(String),
    /// Name and value pairs.
    Fields(Vec<(String, String)>),
    Table(Table),
}

/// Columns and rows of text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// Long text that may wrap to fit the terminal.
    pub wrap: bool,
    /// What the cells hold, for formats that type them (XLSX).
    pub kind: Kind,
}

/// What a column's cells hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Text,
    /// A whole number.
    Count,
    /// A percentage written with one decimal (`41.7`).
    Percent,
    /// A coverage state: `full`, `partial`, `none`, `n/a`.
    State,
    /// A matrix cell: relationships, each perhaps naming a part.
    Relationship,
}

impl Table {
    pub(crate) fn new(columns: &[(&str, bool)]) -> Table {
        Table {
            columns: columns.iter().map(|&(n, wrap)| Column { name: n.to_string(), wrap, kind: Kind::Text }).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Sets what the named columns hold.
    pub(crate) fn kinds(mut self, names: &[&str], kind: Kind) -> Table {
        for c in self.columns.iter_mut().filter(|c| names.contains(&c.name.as_str())) {
            c.kind = kind;
        }
        self
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn frameworks_table(f: &FrameworkList, full: bool) -> Table {
    let t = if full {
        Table::new(&[
            ("key", false),
            ("name", false),
            ("version", false),
            ("publisher", false),
            ("aliases", false),
            ("controls", false),
            ("mapped_to", false),
        ])
    } else {
        Table::new(&[("key", false), ("name", true), ("version", true), ("controls", false), ("mapped to", true)])
    };
    let mut t = t.kinds(&["controls"], Kind::Count);
    for fw in &f.frameworks {
        let mut row = vec![fw.key.clone(), fw.name.clone(), fw.version.clone()];
        if full {
            row.push(fw.publisher.clone());
            row.push(fw.aliases.join(";"));
        }
        row.push(fw.controls.to_string());
        row.push(fw.mapped_to.join(if full { ";" } else { ", " }));
        t.push(row);
    }
    t
}

/// A line of a crosswalk: a mapping row, or a source control that has none.
pub(crate) enum CrosswalkLine<'a> {
    Row(&'a MappingRow),
    Unmapped(&'a ControlInfo),
}

/// The lines of a mapping list: its rows, and for a crosswalk every source
/// control without a mapping in its place among them. A row with several
/// sources (`5.1 + 5.37`) stands where its first source does.
pub(crate) fn crosswalk_lines(m: &MappingList) -> Vec<CrosswalkLine<'_>> {
    if !m.every_source || m.unmapped.is_empty() {
        return m.rows.iter().map(CrosswalkLine::Row).collect();
    }
    let place: std::collections::HashMap<(&str, &str), usize> =
        m.source_controls.iter().enumerate().map(|(i, c)| ((c.framework.as_str(), c.id.as_str()), i)).collect();
    let first_source = |r: &MappingRow| r.source_id.split(" + ").next().unwrap_or_default().to_string();
    let row_place = |r: &MappingRow| place.get(&(r.source_framework.as_str(), first_source(r).as_str())).copied();
    let mut unmapped: Vec<(usize, &ControlInfo)> =
        m.unmapped.iter().filter_map(|c| place.get(&(c.framework.as_str(), c.id.as_str())).map(|&i| (i, c))).collect();
    unmapped.sort_by_key(|(i, _)| *i);
    let mut waiting = unmapped.into_iter().peekable();
    let mut out = Vec::with_capacity(m.rows.len() + m.unmapped.len());
    for r in &m.rows {
        let at = row_place(r).unwrap_or(usize::MAX);
        while let Some((_, c)) = waiting.next_if(|(i, _)| *i < at) {
            out.push(CrosswalkLine::Unmapped(c));
        }
        out.push(CrosswalkLine::Row(r));
    }
    out.extend(waiting.map(|(_, c)| CrosswalkLine::Unmapped(c)));
    out
}

/// Why a target is short of full: the rationales of what partly covers it, joined by `sep`.
pub(crate) fn shortfall(r: &CoverageRow, sep: &str) -> String {
    if r.covered_by.is_empty() {
        return "no source control maps here".to_string();
    }
    let mut why: Vec<String> = Vec::new();
    for c in &r.covered_by {
        let line = format!("{}: {}", c.source.qualified(), c.rationale);
        if !why.contains(&line) {
            why.push(line);
        }
    }
    why.join(sep)
}

/// `6/8`, or empty for an atomic target.
pub(crate) fn parts_cell(r: &CoverageRow) -> String {
    r.parts.as_ref().map(|p| format!("{}/{}", p.full, p.total)).unwrap_or_default()
}

/// An open part as one line: `CC6.1.3 Title (none, closable)`.
pub(crate) fn open_line(p: &OpenPart) -> String {
    let mut notes = vec![p.state.to_string()];
    if let Some(k) = p.kind {
        notes.push(k.as_str().to_string());
    }
    format!("{} {} ({})", p.part.id, p.part.title, notes.join(", "))
}

/// What is left of a target: its open parts, or, for an atomic one, why what reaches it falls short.
pub(crate) fn what_is_open(r: &CoverageRow, sep: &str) -> String {
    if r.parts.is_some() {
        r.open.iter().map(open_line).collect::<Vec<_>>().join(sep)
    } else {
        shortfall(r, sep)
    }
}

/// The gap's kind and the controls that would add to it: those that make
/// something full each on a line, then those that add only in part, together.
pub(crate) fn closing_text(r: &CoverageRow, sep: &str) -> String {
    let Some(gap) = &r.gap else { return String::new() };
    let head = match gap.kind {
        GapKind::Closable => "closable".to_string(),
        GapKind::Beyond => format!("beyond {}", gap.frameworks.join(" + ")),
    };
    let mut lines = vec![head];
    lines.extend(gap.closing.iter().filter(|k| k.gives_full()).map(|k| k.short(&r.target.id)));
    let partial: Vec<String> = gap.closing.iter().filter(|k| !k.gives_full()).map(|k| k.name()).collect();
    if !partial.is_empty() {
        lines.push(format!("in part: {}", partial.join(", ")));
    }
    lines.join(sep)
}

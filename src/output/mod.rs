//! Rendering results: every [`Output`] as a table, CSV, JSON or Markdown; exports to files.
//!
//! Human formats (table, Markdown) render [`Block`]s; CSV renders each
//! output's one data table ([`data_table`]); JSON is the report types as
//! serde writes them.

pub mod csv;
pub mod export;
pub mod json;
pub mod markdown;
pub mod table;
pub mod xlsx;

use std::fmt;
use std::str::FromStr;

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
}

impl Table {
    fn new(columns: &[(&str, bool)]) -> Table {
        Table {
            columns: columns.iter().map(|&(n, wrap)| Column { name: n.to_string(), wrap }).collect(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The blocks a human format shows for an output.
pub fn blocks(out: &Output) -> Vec<Block> {
    match out {
        Output::Frameworks(f) => vec![Block::Table(frameworks_table(f, false))],
        Output::Control(c) => control_blocks(c),
        Output::Controls(l) => {
            if l.controls.is_empty() {
                return vec![Block::Text("no controls".into())];
            }
            let mut t = Table::new(&[("control", false), ("title", true), ("level", false)]);
            for c in &l.controls {
                t.push(vec![format!("{}:{}", c.framework, c.id), c.title.clone(), c.level.clone()]);
            }
            vec![Block::Table(t), Block::Text(plural(l.controls.len(), "control", "controls"))]
        }
        Output::Mappings(m) => mapping_blocks(m),
        Output::Coverage(c) => coverage_blocks(c),
        Output::Paths(p) => path_blocks(p),
        Output::Explain(e) => explain_blocks(e),
        Output::Message(m) => vec![Block::Text(m.text.clone())],
    }
}

fn frameworks_table(f: &FrameworkList, full: bool) -> Table {
    let mut t = if full {
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

fn control_blocks(c: &ControlDetail) -> Vec<Block> {
    let mut fields = vec![
        ("control".to_string(), format!("{} {}", c.control.qualified(), c.control.title)),
        ("level".to_string(), c.level.clone()),
    ];
    if !c.parents.is_empty() {
        let path: Vec<String> = c.parents.iter().map(|p| format!("{} {}", p.id, p.title)).collect();
        fields.push(("in".to_string(), path.join(" > ")));
    }
    for (name, values) in &c.attributes {
        fields.push((name.clone(), values.join(", ")));
    }
    if !c.aliases.is_empty() {
        fields.push(("aliases".to_string(), c.aliases.join(", ")));
    }
    if !c.children.is_empty() {
        let kids: Vec<&str> = c.children.iter().map(|k| k.id.as_str()).collect();
        fields.push(("contains".to_string(), kids.join(", ")));
    }
    fields.push(("description".to_string(), c.description.clone()));
    let mut out = vec![Block::Fields(fields)];
    if c.mappings.is_empty() {
        if c.mappable {
            out.push(Block::Text("no mappings".into()));
        }
        return out;
    }
    let mut t = Table::new(&[
        ("relationship", false),
        ("control", false),
        ("title", true),
        ("provenance", false),
        ("rationale", true),
    ]);
    for m in &c.mappings {
        t.push(vec![
            m.relationship.to_string(),
            format!("{}:{}", m.target_framework, m.target_id),
            m.target_title.clone(),
            m.provenance.clone(),
            m.rationale.clone(),
        ]);
    }
    out.push(Block::Heading(format!("mappings ({})", c.mappings.len())));
    out.push(Block::Table(t));
    out
}

fn mapping_blocks(m: &MappingList) -> Vec<Block> {
    let mut out = Vec::new();
    if let Some(note) = &m.note {
        out.push(Block::Text(format!("note: {note}")));
    }
    if !m.rows.is_empty() {
        let mut t = Table::new(&[
            ("source", false),
            ("relationship", false),
            ("target", false),
            ("title", true),
            ("provenance", false),
            ("rationale", true),
        ]);
        for r in &m.rows {
            t.push(vec![
                format!("{}:{}", r.source_framework, r.source_id),
                r.relationship.to_string(),
                format!("{}:{}", r.target_framework, r.target_id),
                r.target_title.clone(),
                r.provenance.clone(),
                r.rationale.clone(),
            ]);
        }
        out.push(Block::Table(t));
    }
    let mut summary = plural(m.rows.len(), "mapping", "mappings");
    // With no mapping set at all, listing every source control as unmapped says nothing new.
    if !m.unmapped.is_empty() && m.note.is_none() {
        let ids: Vec<String> = m.unmapped.iter().map(|c| c.qualified()).collect();
        summary.push_str(&format!("; no mapping to {}: {}", m.target, ids.join(", ")));
    }
    out.push(Block::Text(summary));
    out
}

fn covered_by(r: &CoverageRow) -> String {
    r.covered_by.iter().map(Contribution::short).collect::<Vec<_>>().join("; ")
}

/// Why a target is short of full: the rationales of what partly covers it, joined by `sep`.
fn shortfall(r: &CoverageRow, sep: &str) -> String {
    if r.state == crate::model::Strength::None {
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

fn coverage_blocks(c: &CoverageReport) -> Vec<Block> {
    let mut out = Vec::new();
    let what = if c.gaps_only { "gaps" } else { "coverage" };
    out.push(Block::Text(format!(
        "{what} of {} from {} ({}); routes: {}",
        c.target,
        c.source,
        plural(c.source_controls, "control", "controls"),
        c.routes
    )));
    if let Some(note) = &c.note {
        out.push(Block::Text(format!("note: {note}")));
    }
    let mut t = if c.gaps_only {
        Table::new(&[
            ("target", false),
            ("title", true),
            ("state", false),
            ("covered by", true),
            ("what is missing", true),
        ])
    } else {
        Table::new(&[("target", false), ("title", true), ("state", false), ("covered by", true)])
    };
    for r in &c.rows {
        let by: Vec<String> = r.covered_by.iter().map(Contribution::short).collect();
        let mut row = vec![r.target.qualified(), r.target.title.clone(), r.state.to_string(), by.join("\n")];
        if c.gaps_only {
            row.push(shortfall(r, "\n"));
        }
        t.push(row);
    }
    if c.rows.is_empty() {
        out.push(Block::Text(if c.gaps_only {
            "no gaps: every target is fully covered".into()
        } else {
            "no targets".into()
        }));
    } else {
        out.push(Block::Table(t));
    }
    out.push(Block::Heading("summary".into()));
    out.push(Block::Table(summary_table(&c.summary)));
    out
}

pub(crate) fn summary_table(s: &Summary) -> Table {
    let mut t = Table::new(&[
        ("group", true),
        ("total", false),
        ("full", false),
        ("partial", false),
        ("none", false),
        ("full %", false),
        ("partial %", false),
    ]);
    let mut row = |name: String, total: usize, full: usize, partial: usize, none: usize| {
        t.push(vec![
            name,
            total.to_string(),
            full.to_string(),
            partial.to_string(),
            none.to_string(),
            percent(full, total),
            percent(partial, total),
        ]);
    };
    row("all".to_string(), s.total, s.full, s.partial, s.none);
    for g in &s.groups {
        row(format!("{}: {}", g.by, g.group), g.total, g.full, g.partial, g.none);
    }
    t
}

fn path_blocks(p: &PathReport) -> Vec<Block> {
    let mut out = vec![Block::Text(format!("routes from {} to {} ({})", p.from.qualified(), p.target, p.routes))];
    if p.rows.is_empty() {
        out.push(Block::Text("no route".into()));
        return out;
    }
    let mut t = Table::new(&[("target", false), ("title", true), ("relationship", false), ("route", true)]);
    for r in &p.rows {
        t.push(vec![r.target.qualified(), r.target.title.clone(), r.relationship_text().to_string(), r.route_text()]);
    }
    out.push(Block::Table(t));
    out.push(Block::Text(plural(p.rows.len(), "route", "routes")));
    out
}

fn explain_blocks(e: &ExplainReport) -> Vec<Block> {
    let mut out = vec![Block::Fields(vec![
        ("target".into(), format!("{} {}", e.target.qualified(), e.target.title)),
        ("from".into(), e.source.clone()),
        ("routes".into(), e.routes.clone()),
        ("state".into(), e.state.to_string()),
    ])];
    if e.rows.is_empty() {
        out.push(Block::Text("no route from the set reaches this control".into()));
        return out;
    }
    let mut t =
        Table::new(&[("source", false), ("result", false), ("counts", true), ("step", true), ("rationale", true)]);
    for r in &e.rows {
        let counts = if r.superseded {
            "no (a direct mapping wins)".to_string()
        } else if r.relationship.is_none() {
            "no (unknown)".to_string()
        } else if r.partial_source {
            format!("{} (partial source)", r.gives)
        } else {
            r.gives.to_string()
        };
        for (i, s) in r.steps.iter().enumerate() {
            let (source, result, counts) = if i == 0 {
                (r.source.qualified(), r.relationship_text().to_string(), counts.clone())
            } else {
                (String::new(), String::new(), String::new())
            };
            t.push(vec![
                source,
                result,
                counts,
                format!("{} {} {}", s.from.qualified(), s.relationship, s.to.qualified()),
                s.rationale.clone(),
            ]);
        }
    }
    out.push(Block::Table(t));
    out
}

/// The one table CSV shows for an output: its data, one row per item.
pub fn data_table(out: &Output) -> Table {
    match out {
        Output::Frameworks(f) => frameworks_table(f, true),
        Output::Control(c) => mapping_table(&c.mappings),
        Output::Controls(l) => controls_table(l),
        Output::Mappings(m) => mapping_table(&m.rows),
        Output::Coverage(c) => coverage_table(c),
        Output::Paths(p) => routes_table(&p.rows),
        Output::Explain(e) => routes_table(&e.rows),
        Output::Message(m) => {
            let mut t = Table::new(&[("message", true)]);
            t.push(vec![m.text.clone()]);
            t
        }
    }
}

/// The columns of a crosswalk, in the documented order.
pub const MAPPING_COLUMNS: [&str; 9] = [
    "source_framework",
    "source_id",
    "source_title",
    "relationship",
    "target_framework",
    "target_id",
    "target_title",
    "provenance",
    "rationale",
];

fn mapping_table(rows: &[MappingRow]) -> Table {
    let mut t = Table::new(&MAPPING_COLUMNS.map(|c| (c, true)));
    for r in rows {
        t.push(vec![
            r.source_framework.clone(),
            r.source_id.clone(),
            r.source_title.clone(),
            r.relationship.to_string(),
            r.target_framework.clone(),
            r.target_id.clone(),
            r.target_title.clone(),
            r.provenance.clone(),
            r.rationale.clone(),
        ]);
    }
    t
}

fn controls_table(l: &ControlList) -> Table {
    let mut attrs: Vec<&str> = Vec::new();
    for c in &l.controls {
        for name in c.attributes.keys() {
            if !attrs.contains(&name.as_str()) {
                attrs.push(name);
            }
        }
    }
    let mut cols: Vec<(&str, bool)> = vec![
        ("framework", false),
        ("id", false),
        ("title", true),
        ("level", false),
        ("group", true),
        ("description", true),
    ];
    cols.extend(attrs.iter().map(|a| (*a, true)));
    let mut t = Table::new(&cols);
    for c in &l.controls {
        let mut row = vec![
            c.framework.clone(),
            c.id.clone(),
            c.title.clone(),
            c.level.clone(),
            c.group.clone(),
            c.description.clone(),
        ];
        row.extend(attrs.iter().map(|a| c.attributes.get(*a).map(|v| v.join(";")).unwrap_or_default()));
        t.push(row);
    }
    t
}

/// The columns of coverage and gaps, in the documented order.
pub const COVERAGE_COLUMNS: [&str; 7] =
    ["target_framework", "target_id", "target_title", "state", "covered_by", "group", "rationale"];

fn coverage_table(c: &CoverageReport) -> Table {
    let mut t = Table::new(&COVERAGE_COLUMNS.map(|c| (c, true)));
    for r in &c.rows {
        let rationale = if r.state == crate::model::Strength::Full {
            r.covered_by
                .iter()
                .find(|k| k.gives == crate::model::Strength::Full)
                .map(|k| k.rationale.clone())
                .unwrap_or_default()
        } else {
            shortfall(r, " | ")
        };
        t.push(vec![
            r.target.framework.clone(),
            r.target.id.clone(),
            r.target.title.clone(),
            r.state.to_string(),
            covered_by(r),
            r.group.clone(),
            rationale,
        ]);
    }
    t
}

fn routes_table(rows: &[RouteRow]) -> Table {
    let mut t = Table::new(&[
        ("source_framework", false),
        ("source_id", false),
        ("target_framework", false),
        ("target_id", false),
        ("target_title", true),
        ("relationship", false),
        ("gives", false),
        ("direct", false),
        ("route", true),
        ("rationale", true),
    ]);
    for r in rows {
        let rationale: Vec<&str> = r.steps.iter().map(|s| s.rationale.as_str()).collect();
        t.push(vec![
            r.source.framework.clone(),
            r.source.id.clone(),
            r.target.framework.clone(),
            r.target.id.clone(),
            r.target.title.clone(),
            r.relationship_text().to_string(),
            r.gives.to_string(),
            r.direct.to_string(),
            r.route_text(),
            rationale.join(" / then: "),
        ]);
    }
    t
}

/// The matrix view of a crosswalk or a coverage: source controls as rows,
/// target controls as columns, the relationship in the cell. `None` for
/// outputs that have no matrix.
pub fn matrix_table(out: &Output) -> Option<Table> {
    // (source, target, relationship) of each filled cell.
    type Cells = Vec<(String, String, String)>;
    let (sources, targets, cells): (Vec<ControlInfo>, Vec<ControlInfo>, Cells) = match out {
        Output::Mappings(m) => {
            let cells = m
                .rows
                .iter()
                .map(|r| {
                    (
                        format!("{}:{}", r.source_framework, r.source_id),
                        format!("{}:{}", r.target_framework, r.target_id),
                        r.relationship.to_string(),
                    )
                })
                .collect();
            (m.source_controls.clone(), m.target_controls.clone(), cells)
        }
        Output::Coverage(c) => {
            let mut sources: Vec<ControlInfo> = Vec::new();
            let mut cells = Vec::new();
            for r in &c.rows {
                for k in &r.covered_by {
                    if !sources.contains(&k.source) {
                        sources.push(k.source.clone());
                    }
                    let rel = if k.via.is_some() {
                        format!("{} (derived)", k.relationship)
                    } else {
                        k.relationship.to_string()
                    };
                    cells.push((k.source.qualified(), r.target.qualified(), rel));
                }
            }
            (sources, c.rows.iter().map(|r| r.target.clone()).collect(), cells)
        }
        _ => return None,
    };
    let mut t = Table {
        columns: vec![Column { name: "source".into(), wrap: false }, Column { name: "title".into(), wrap: true }],
        rows: Vec::new(),
    };
    t.columns.extend(targets.iter().map(|c| Column { name: c.qualified(), wrap: false }));
    let index: std::collections::HashMap<String, usize> =
        targets.iter().enumerate().map(|(i, c)| (c.qualified(), i)).collect();
    for s in &sources {
        let q = s.qualified();
        let mut row = vec![q.clone(), s.title.clone()];
        row.extend(std::iter::repeat_n(String::new(), targets.len()));
        for (src, tgt, rel) in cells.iter().filter(|(src, _, _)| *src == q) {
            if let Some(&i) = index.get(tgt) {
                let cell = &mut row[2 + i];
                if !cell.is_empty() {
                    cell.push_str("; ");
                }
                cell.push_str(rel);
                let _ = src;
            }
        }
        t.push(row);
    }
    Some(t)
}

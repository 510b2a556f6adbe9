//! The human views of each result: the blocks that table and Markdown output render.

use super::{frameworks_table, plural, shortfall, Block, Table};
use crate::report::*;

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
    // Rows stored the other way round are shown reversed, so say which way to read them.
    let reading = format!("each read \"{} RELATIONSHIP control\"", c.control.qualified());
    out.push(Block::Heading(format!("mappings ({}), {reading}", c.mappings.len())));
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
    let unknown = p.rows.iter().filter(|r| r.relationship.is_none()).count();
    let mut summary = plural(p.rows.len(), "route", "routes");
    if unknown > 0 {
        summary.push_str(&format!("; {unknown} unknown: their composition proves nothing, and they never count"));
    }
    out.push(Block::Text(summary));
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

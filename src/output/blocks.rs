//! The human views of each result: the blocks that table and Markdown output render.

use super::{closing_text, frameworks_table, parts_cell, plural, what_is_open, Block, Kind, Table};
use crate::report::*;

/// The blocks a human format shows for an output.
pub fn blocks(out: &Output) -> Vec<Block> {
    match out {
        Output::Frameworks(f) => vec![Block::Table(frameworks_table(f, false))],
        Output::Control(c) => control_blocks(c),
        Output::Controls(l) => {
            if l.controls.is_empty() {
                return vec![Block::Text(l.note.clone().unwrap_or_else(|| "no controls".into()))];
            }
            let mut t = Table::new(&[("control", false), ("title", true), ("level", false)]);
            for c in &l.controls {
                t.push(vec![format!("{}:{}", c.framework, c.id), c.title.clone(), c.level.clone()]);
            }
            // Named after their level when they share one (`13 points`, `106 subcategories`).
            let n = l.controls.len();
            let level = &l.controls[0].level;
            let count = if l.controls.iter().all(|c| &c.level == level) {
                if n == 1 {
                    format!("1 {level}")
                } else {
                    format!("{n} {}", plural_level(level))
                }
            } else {
                plural(n, "item", "items")
            };
            vec![Block::Table(t), Block::Text(count)]
        }
        Output::Mappings(m) => mapping_blocks(m),
        Output::Coverage(c) => coverage_blocks(c),
        Output::Paths(p) => path_blocks(p),
        Output::Explain(e) => explain_blocks(e),
        Output::Plan(p) => plan_blocks(p),
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
    // A control whose statement is all in its items (SP 800-53's AC-2) has no text of its own.
    if !c.description.is_empty() {
        fields.push(("description".to_string(), c.description.clone()));
    }
    if let Some(reason) = &c.not_applicable {
        fields.push(("n/a".to_string(), format!("places no duty on an organisation: {reason}")));
    }
    let mut out = vec![Block::Fields(fields)];
    if c.mappings.is_empty() {
        if c.mappable && !c.children.is_empty() {
            let q = c.control.qualified();
            out.push(Block::Text(format!("no mappings of its own; `map {q} <- KEY` lists those of its parts")));
        } else if c.mappable {
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
        // A row whose sources hold it together: this control alone does not.
        let others: Vec<&str> = m.source_id.split(" + ").filter(|id| *id != c.control.id).collect();
        let relationship = if m.source_id.contains(" + ") && others.len() < m.source_id.split(" + ").count() {
            format!("{} together with {}", m.relationship, others.join(", "))
        } else {
            m.relationship.to_string()
        };
        t.push(vec![
            relationship,
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
    let lines = super::crosswalk_lines(m);
    if !lines.is_empty() {
        let mut t = Table::new(&[
            ("source", false),
            ("relationship", false),
            ("target", false),
            ("title", true),
            ("provenance", false),
            ("rationale", true),
        ]);
        for line in lines {
            t.push(match line {
                super::CrosswalkLine::Row(r) => vec![
                    format!("{}:{}", r.source_framework, r.source_id),
                    r.relationship.to_string(),
                    format!("{}:{}", r.target_framework, r.target_id),
                    r.target_title.clone(),
                    r.provenance.clone(),
                    r.rationale.clone(),
                ],
                super::CrosswalkLine::Unmapped(s) => {
                    vec![s.qualified(), "no mapping".into(), String::new(), String::new(), String::new(), String::new()]
                }
            });
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
    let with_parts = c.rows.iter().any(|r| r.parts.is_some());
    let mut columns = vec![("target", false), ("title", true), ("state", false)];
    if with_parts {
        columns.push(("parts", false));
    }
    if c.gaps_only {
        columns.extend([("what is open", true), ("gap", true)]);
    } else {
        columns.push(("covered by", true));
    }
    let mut t = Table::new(&columns);
    for r in &c.rows {
        let target = match &r.part_of {
            Some(_) => format!("· {}", r.target.id),
            None => r.target.qualified(),
        };
        let mut row = vec![target, r.target.title.to_string(), r.state.to_string()];
        if with_parts {
            row.push(parts_cell(r));
        }
        if c.gaps_only {
            row.push(what_is_open(r, "\n"));
            row.push(closing_text(r, "\n"));
        } else {
            row.push(r.covered_by.iter().map(Contribution::short).collect::<Vec<_>>().join("\n"));
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
    if c.summary.counts.na > 0 && !c.gaps_only {
        out.push(Block::Text(format!(
            "n/a: {} place no duty on an organisation and are left out of the totals (`show KEY:ID` says why; `with n/a` counts them)",
            plural(c.summary.counts.na, "item", "items")
        )));
    }
    out.push(Block::Heading("summary".into()));
    out.push(Block::Table(summary_table(&c.summary, false)));
    out
}

/// The summary of a coverage; `full` keeps every column (exports), otherwise
/// the `n/a` column shows only when some item is `n/a`.
pub(crate) fn summary_table(s: &Summary, full: bool) -> Table {
    let na = full || s.counts.na > 0;
    let mut columns = vec![("group", true), ("total", false), ("full", false), ("partial", false), ("none", false)];
    if na {
        columns.push(("n/a", false));
    }
    columns.extend([("closable", false), ("beyond", false), ("full %", false), ("partial %", false)]);
    let counts = ["total", "full", "partial", "none", "n/a", "closable", "beyond"];
    let mut t = Table::new(&columns).kinds(&counts, Kind::Count).kinds(&["full %", "partial %"], Kind::Percent);
    let mut row = |name: String, c: &Counts| {
        let Counts { total, full, partial, none, na: not_applicable, closable, beyond } = *c;
        let mut cells = vec![name, total.to_string(), full.to_string(), partial.to_string(), none.to_string()];
        if na {
            cells.push(not_applicable.to_string());
        }
        cells.extend([closable.to_string(), beyond.to_string(), percent(full, total), percent(partial, total)]);
        t.push(cells);
    };
    row("all".to_string(), &s.counts);
    for g in &s.groups {
        row(format!("{}: {}", g.by, g.group), &g.counts);
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
        t.push(vec![
            r.target.qualified(),
            r.target.title.to_string(),
            r.relationship_text().to_string(),
            r.route_text(),
        ]);
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
    let mut fields = vec![
        ("target".into(), format!("{} {}", e.target.qualified(), e.target.title)),
        ("from".into(), e.source.clone()),
        ("routes".into(), e.routes.clone()),
        ("state".into(), e.state.to_string()),
    ];
    if let Some(p) = &e.part_count {
        fields.push(("parts".into(), parts_sentence(p)));
    }
    let mut out = vec![Block::Fields(fields)];
    if !e.parts.is_empty() {
        let mut t = Table::new(&[("part", false), ("state", false), ("title", true), ("reached by", true)]);
        for p in &e.parts {
            let indent = "· ".repeat(p.depth);
            t.push(vec![
                format!("{indent}{}", p.part.id),
                p.state.to_string(),
                p.part.title.to_string(),
                p.by.join("\n"),
            ]);
        }
        out.push(Block::Table(t));
    }
    if e.rows.is_empty() {
        out.push(Block::Text("no route from the set reaches this control or its parts".into()));
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
                (group_name(&r.source, &r.together_with), r.relationship_text().to_string(), counts.clone())
            } else {
                (String::new(), String::new(), String::new())
            };
            let from = if i == 0 { group_name(&s.from, &r.together_with) } else { s.from.qualified() };
            t.push(vec![
                source,
                result,
                counts,
                format!("{from} {} {}", s.relationship, s.to.qualified()),
                s.rationale.clone(),
            ]);
        }
    }
    out.push(Block::Table(t));
    out
}

/// `6 of 8 points met, 1 partial, 1 open`
pub(crate) fn parts_sentence(p: &PartCount) -> String {
    let mut s = format!("{} of {} {} met", p.full, p.total, p.noun);
    if p.partial > 0 {
        s.push_str(&format!(", {} partial", p.partial));
    }
    if p.none > 0 {
        s.push_str(&format!(", {} not reached", p.none));
    }
    s
}

fn plan_blocks(p: &PlanReport) -> Vec<Block> {
    let n = p.steps.iter().map(|s| 1 + s.together_with.len()).sum();
    let mut out = vec![Block::Text(format!(
        "plan for {} from {} ({}): add {} of {} ({}){}",
        p.target,
        p.source,
        plural(p.source_controls, "control", "controls"),
        plural(n, "control", "controls"),
        p.frameworks.join(" + "),
        p.method,
        p.except.as_ref().map(|x| format!(", except {x}")).unwrap_or_default()
    ))];
    if let Some(note) = &p.note {
        out.push(Block::Text(format!("note: {note}")));
    }
    let totals =
        |t: &PlanTotals| format!("{} of {} full; parts: {} of {} met", t.full, t.targets, t.parts_full, t.parts);
    out.push(Block::Fields(vec![("now".into(), totals(&p.before)), ("after".into(), totals(&p.after))]));
    if !p.steps.is_empty() {
        let mut t = Table::new(&[
            ("step", false),
            ("add", false),
            ("title", true),
            ("makes full", true),
            ("parts", false),
            ("then full", false),
        ]);
        for (i, s) in p.steps.iter().enumerate() {
            t.push(vec![
                (i + 1).to_string(),
                group_name(&s.add, &s.together_with),
                s.titles(" + "),
                s.makes_full.join(", "),
                format!("+{}", s.parts_full),
                format!("{} of {}", s.then.full, s.then.targets),
            ]);
        }
        out.push(Block::Table(t));
        out.push(Block::Text(format!("the set to add: {}", p.set)));
        if !p.finish.is_empty() {
            let ids: Vec<String> = p.finish.iter().map(|c| c.qualified()).collect();
            out.push(Block::Text(format!(
                "of these, {} in the set only partly implemented, to finish: {}",
                if ids.len() == 1 { "1 is".to_string() } else { format!("{} are", ids.len()) },
                ids.join(", ")
            )));
        }
    }
    if !p.left_short.is_empty() {
        let ids: Vec<&str> = p.left_short.iter().map(|c| c.id.as_str()).collect();
        out.push(Block::Text(format!(
            "short of full even then ({}; beyond {}): {}",
            ids.len(),
            p.frameworks.join(" + "),
            ids.join(", ")
        )));
    }
    out
}

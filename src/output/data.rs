//! The data view of each result: the one table CSV and exports write, and the matrix of a crosswalk.

use super::{frameworks_table, shortfall, what_is_open, Column, Kind, Table};
use crate::model::{State, Strength};
use crate::report::*;

/// The one table CSV shows for an output: its data, one row per item.
pub fn data_table(out: &Output) -> Table {
    match out {
        Output::Frameworks(f) => frameworks_table(f, true),
        Output::Control(c) => mapping_table(&c.mappings),
        Output::Controls(l) => controls_table(l),
        Output::Mappings(m) => crosswalk_table(m),
        Output::Coverage(c) => coverage_table(c),
        Output::Paths(p) => routes_table(&p.rows),
        Output::Explain(e) => routes_table(&e.rows),
        Output::Plan(p) => plan_table(p),
        Output::Message(m) => {
            let mut t = Table::new(&[("message", true)]);
            t.push(vec![m.text.clone()]);
            t
        }
    }
}

/// The columns of a crosswalk, in the documented order.
pub const MAPPING_COLUMNS: [&str; 10] = [
    "source_framework",
    "source_id",
    "source_title",
    "relationship",
    "target_framework",
    "target_id",
    "target_title",
    "provenance",
    "rationale",
    "strength",
];

fn mapping_table(rows: &[MappingRow]) -> Table {
    let (source_attrs, target_attrs) = (
        attribute_names(rows.iter().map(|r| &r.source_attributes)),
        attribute_names(rows.iter().map(|r| &r.target_attributes)),
    );
    let mut t = mapping_columns(&source_attrs, &target_attrs);
    for r in rows {
        t.push(mapping_cells(r, &source_attrs, &target_attrs));
    }
    t
}

/// The documented columns, then `source_NAME` and `target_NAME` for each
/// summary attribute a side's catalog has (HIPAA's designation).
fn mapping_columns(source_attrs: &[&str], target_attrs: &[&str]) -> Table {
    let extra: Vec<String> = (source_attrs.iter().map(|a| format!("source_{a}")))
        .chain(target_attrs.iter().map(|a| format!("target_{a}")))
        .collect();
    let mut cols: Vec<(&str, bool)> = MAPPING_COLUMNS.map(|c| (c, true)).to_vec();
    cols.extend(extra.iter().map(|c| (c.as_str(), true)));
    Table::new(&cols)
}

fn mapping_cells(r: &MappingRow, source_attrs: &[&str], target_attrs: &[&str]) -> Vec<String> {
    let mut row = vec![
        r.source_framework.clone(),
        r.source_id.clone(),
        r.source_title.clone(),
        r.relationship.to_string(),
        r.target_framework.clone(),
        r.target_id.clone(),
        r.target_title.clone(),
        r.provenance.clone(),
        r.rationale.clone(),
        if r.marginal { "marginal" } else { "" }.to_string(),
    ];
    row.extend(attribute_cells(&r.source_attributes, source_attrs));
    row.extend(attribute_cells(&r.target_attributes, target_attrs));
    row
}

/// The attribute names the maps hold, in the order first met.
fn attribute_names<'a, V: 'a>(maps: impl Iterator<Item = &'a indexmap::IndexMap<String, V>>) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for name in maps.flat_map(|m| m.keys()) {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    names
}

fn attribute_cells<'a>(
    values: &'a indexmap::IndexMap<String, String>,
    names: &'a [&str],
) -> impl Iterator<Item = String> + 'a {
    names.iter().map(|n| values.get(*n).cloned().unwrap_or_default())
}

/// A mapping list's rows; a crosswalk also has a row for each source control
/// without a mapping, its target columns empty and its rationale saying so.
fn crosswalk_table(m: &MappingList) -> Table {
    let source_attrs =
        attribute_names(m.rows.iter().map(|r| &r.source_attributes).chain(m.unmapped_attributes.values()));
    let target_attrs = attribute_names(m.rows.iter().map(|r| &r.target_attributes));
    let mut t = mapping_columns(&source_attrs, &target_attrs);
    let none = indexmap::IndexMap::new();
    for line in super::crosswalk_lines(m) {
        match line {
            super::CrosswalkLine::Row(r) => t.push(mapping_cells(r, &source_attrs, &target_attrs)),
            super::CrosswalkLine::Unmapped(s) => {
                let mut row = vec![s.framework.clone(), s.id.to_string(), s.title.to_string()];
                row.extend([String::new(), m.target.clone(), String::new(), String::new(), String::new()]);
                row.extend([format!("no mapping to {}", m.target), String::new()]);
                row.extend(attribute_cells(m.unmapped_attributes.get(&s.qualified()).unwrap_or(&none), &source_attrs));
                row.extend(target_attrs.iter().map(|_| String::new()));
                t.push(row);
            }
        }
    }
    t
}

fn controls_table(l: &ControlList) -> Table {
    let attrs = attribute_names(l.controls.iter().map(|c| &c.attributes));
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
pub const COVERAGE_COLUMNS: [&str; 16] = [
    "target_framework",
    "target_id",
    "target_title",
    "level",
    "part_of",
    "group",
    "state",
    "parts_met",
    "parts_total",
    "covered_by",
    "rationale",
    "open_parts",
    "gap_kind",
    "closable_by",
    "source_status",
    "source_justification",
];

fn coverage_table(c: &CoverageReport) -> Table {
    // Then one column per summary attribute of the target catalog (HIPAA's designation).
    let attrs = attribute_names(c.rows.iter().map(|r| &r.attributes));
    let mut cols: Vec<(&str, bool)> = COVERAGE_COLUMNS.map(|c| (c, true)).to_vec();
    cols.extend(attrs.iter().map(|a| (*a, true)));
    let mut t = Table::new(&cols).kinds(&["state"], Kind::State).kinds(&["parts_met", "parts_total"], Kind::Count);
    for r in &c.rows {
        let rationale = match r.state {
            State::Full => r
                .covered_by
                .iter()
                .filter(|k| k.gives == Strength::Full)
                .map(|k| k.rationale.to_string())
                .next()
                .unwrap_or_else(|| "every part is met".to_string()),
            State::NotApplicable => format!("not applicable: {}", r.not_applicable.clone().unwrap_or_default()),
            State::Partial | State::None => shortfall(r, " | "),
        };
        let (met, total) =
            r.parts.as_ref().map_or((String::new(), String::new()), |p| (p.full.to_string(), p.total.to_string()));
        let closing =
            r.gap.as_ref().map(|g| g.closing.iter().map(|k| k.short(&r.target.id)).collect::<Vec<_>>().join("; "));
        let mut row = vec![
            r.target.framework.clone(),
            r.target.id.to_string(),
            r.target.title.to_string(),
            r.level.clone(),
            r.part_of.clone().unwrap_or_default(),
            r.group.clone(),
            r.state.to_string(),
            met,
            total,
            covered_by(r),
            rationale,
            if r.parts.is_some() { what_is_open(r, "; ") } else { String::new() },
            r.gap.as_ref().map(|g| g.kind.as_str().to_string()).unwrap_or_default(),
            closing.unwrap_or_default(),
            implementation(r, |i| &i.status),
            implementation(r, |i| &i.justification),
        ];
        row.extend(attribute_cells(&r.attributes, &attrs));
        t.push(row);
    }
    t
}

/// What a Statement of Applicability says of each contributing source: `iso27001:5.15: implemented | ...`.
fn implementation(r: &CoverageRow, field: impl Fn(&Implementation) -> &String) -> String {
    let mut seen: Vec<String> = Vec::new();
    for k in &r.covered_by {
        if let Some(i) = &k.implementation {
            let line = format!("{}: {}", k.source.qualified(), field(i));
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
    }
    seen.join(" | ")
}

/// The columns of a plan, in the documented order.
pub const PLAN_COLUMNS: [&str; 10] = [
    "step",
    "add_framework",
    "add_id",
    "add_title",
    "makes_full",
    "parts_made_full",
    "then_full",
    "then_parts_met",
    "targets",
    "finish",
];

fn plan_table(p: &PlanReport) -> Table {
    let mut t = Table::new(&PLAN_COLUMNS.map(|c| (c, true)))
        .kinds(&["step", "parts_made_full", "then_full", "then_parts_met", "targets"], Kind::Count);
    for (i, s) in p.steps.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            s.add.framework.clone(),
            s.ids(" + "),
            s.titles(" + "),
            s.makes_full.join("; "),
            s.parts_full.to_string(),
            s.then.full.to_string(),
            s.then.parts_full.to_string(),
            s.then.targets.to_string(),
            std::iter::once(&s.add)
                .chain(&s.together_with)
                .filter(|c| p.finish.contains(c))
                .map(|c| c.qualified())
                .collect::<Vec<_>>()
                .join("; "),
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
            r.source.id.to_string(),
            r.target.framework.clone(),
            r.target.id.to_string(),
            r.target.title.to_string(),
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
            let mut cells = Vec::new();
            for r in &m.rows {
                // A part is shown in its control's column, named: `superset-of CC6.1.4`.
                let (column, cell) = match &r.target_control {
                    Some(control) => (control.clone(), format!("{} {}", r.relationship, r.target_id)),
                    None => (r.target_id.clone(), r.relationship.to_string()),
                };
                // A row with several sources is shown in each member's row: `superset-of CC5.3.1 with 5.37`.
                let members: Vec<&str> = r.source_id.split(" + ").collect();
                for (i, member) in members.iter().enumerate() {
                    let others: Vec<&str> =
                        members.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, m)| *m).collect();
                    let cell =
                        if others.is_empty() { cell.clone() } else { format!("{cell} with {}", others.join("+")) };
                    cells.push((
                        format!("{}:{member}", r.source_framework),
                        format!("{}:{column}", r.target_framework),
                        cell,
                    ));
                }
            }
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
                    let mut rel = if k.via.is_some() {
                        format!("{} (derived)", k.relationship)
                    } else {
                        k.relationship.to_string()
                    };
                    if !k.together_with.is_empty() {
                        let others: Vec<String> = k.together_with.iter().map(ControlInfo::qualified).collect();
                        rel = format!("{rel} with {}", others.join("+"));
                    }
                    cells.push((k.source.qualified(), r.target.qualified(), rel));
                }
            }
            (sources, c.rows.iter().map(|r| r.target.clone()).collect(), cells)
        }
        _ => return None,
    };
    let mut t = Table {
        columns: vec![
            Column { name: "source".into(), wrap: false, kind: Kind::Text },
            Column { name: "title".into(), wrap: true, kind: Kind::Text },
        ],
        rows: Vec::new(),
    };
    t.columns.extend(targets.iter().map(|c| Column { name: c.qualified(), wrap: false, kind: Kind::Relationship }));
    let index: std::collections::HashMap<String, usize> =
        targets.iter().enumerate().map(|(i, c)| (c.qualified(), i)).collect();
    for s in &sources {
        let q = s.qualified();
        let mut row = vec![q.clone(), s.title.to_string()];
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

fn covered_by(r: &CoverageRow) -> String {
    r.covered_by.iter().map(Contribution::short).collect::<Vec<_>>().join("; ")
}

//! Coverage rows: each target with its state, what reaches it and its parts, what is open and what would close it.

use super::{group_label, route_row, routes_with, Evaluation, Hops, Options, Reach};
use crate::db::Database;
use crate::model::{CtlId, FwId, State, Strength};
use crate::query::sets::ControlSet;
use crate::report::*;

/// One row per target (and, `with_parts`, one per part under it), in order.
/// `complete` is the evaluation with every control of the source frameworks
/// added: with it, each row short of full says whether it can be closed, and by what.
pub fn rows(
    e: &Evaluation,
    complete: Option<&Evaluation>,
    set: &ControlSet,
    targets: &[CtlId],
    with_parts: bool,
) -> Vec<CoverageRow> {
    let mut out = Vec::new();
    for &t in targets {
        out.push(row(e, complete, set, t, None));
        if with_parts {
            let id = e.db.control(t).id.to_string();
            for d in e.db.within(t) {
                out.push(row(e, complete, set, d, Some(id.clone())));
            }
        }
    }
    out
}

fn row(
    e: &Evaluation,
    complete: Option<&Evaluation>,
    set: &ControlSet,
    c: CtlId,
    part_of: Option<String>,
) -> CoverageRow {
    let db = e.db;
    let state = e.state(c);
    let short = matches!(state, State::None | State::Partial);
    let open = if short { open_parts(e, complete, c) } else { Vec::new() };
    CoverageRow {
        target: ControlInfo::of(db, c),
        level: db.level_name(c).to_string(),
        part_of,
        group: group_label(db, c),
        attributes: db.summary_attributes(c),
        state,
        not_applicable: (state == State::NotApplicable).then(|| na_reason(db, c)),
        parts: part_count(e, c),
        covered_by: covered_by(e, set, c),
        open,
        gap: complete.filter(|_| short).map(|all| gap(e, all, c)),
    }
}

/// Why a node places no duty: its own mark, the nearest marked whole above it, or its parts.
pub fn na_reason(db: &Database, c: CtlId) -> String {
    let marked = std::iter::once(c).chain(db.wholes(c)).find(|&n| !db.control(n).not_applicable.is_empty());
    match marked {
        Some(n) if n == c => db.control(n).not_applicable.to_string(),
        Some(n) => format!("{} (as {} {})", db.control(n).not_applicable, db.level_name(n), db.control(n).id),
        None => "none of its parts places a duty".to_string(),
    }
}

/// Every contribution that bears on a node: routes to it, to its parts, and
/// full routes to a whole above it; in that order, each by source.
fn covered_by(e: &Evaluation, set: &ControlSet, c: CtlId) -> Vec<Contribution> {
    let db = e.db;
    let mut out: Vec<Contribution> = e.reaches(c).iter().map(|r| contribution(db, set, r, c)).collect();
    for a in db.wholes(c) {
        let full = e.reaches(a).iter().filter(|r| r.gives == Strength::Full);
        out.extend(full.map(|r| contribution(db, set, r, c)));
    }
    for d in db.within(c).into_iter().filter(|&d| e.counts(d)) {
        out.extend(e.reaches(d).iter().map(|r| contribution(db, set, r, c)));
    }
    out
}

fn contribution(db: &Database, set: &ControlSet, reach: &Reach, row: CtlId) -> Contribution {
    let route = &reach.route;
    let text = |l: &crate::db::Link| db.mappings[l.mapping as usize].rationale.clone();
    let rationale = Rationale { first: text(&route.steps[0]), then: route.steps.get(1).map(text) };
    Contribution {
        source: ControlInfo::of(db, route.source),
        together_with: route.together_with.iter().map(|&c| ControlInfo::of(db, c)).collect(),
        relationship: route.relationship.unwrap_or(crate::model::Relationship::IntersectsWith),
        to: (route.target != row).then(|| Box::new(ControlInfo::of(db, route.target))),
        via: (!route.direct()).then(|| Box::new(ControlInfo::of(db, route.steps[0].to))),
        partial_source: reach.strength == Strength::Partial,
        gives: reach.gives,
        rationale,
        implementation: set.implementation(route.source).cloned(),
    }
}

/// A node's atomic parts counted by state; `None` for an atomic node.
fn part_count(e: &Evaluation, c: CtlId) -> Option<PartCount> {
    let leaves = e.leaves(c);
    if leaves.is_empty() {
        return None;
    }
    let mut count = PartCount { noun: noun(e.db, &leaves), total: leaves.len(), ..PartCount::default() };
    for &l in &leaves {
        match e.state(l) {
            State::Full => count.full += 1,
            State::Partial => count.partial += 1,
            State::None | State::NotApplicable => count.none += 1,
        }
    }
    Some(count)
}

/// What a list of parts is called: their level, when they share one (`points`), or `parts`.
fn noun(db: &Database, parts: &[CtlId]) -> String {
    let level = db.level_name(parts[0]);
    if parts.iter().all(|&p| db.level_name(p) == level) {
        plural_level(level)
    } else {
        "parts".to_string()
    }
}

fn open_parts(e: &Evaluation, complete: Option<&Evaluation>, c: CtlId) -> Vec<OpenPart> {
    let db = e.db;
    e.leaves(c)
        .into_iter()
        .filter(|&l| e.state(l) != State::Full)
        .map(|l| OpenPart {
            part: ControlInfo::of(db, l),
            description: db.control(l).description.to_string(),
            state: e.state(l),
            kind: complete.map(|all| kind(all, l)),
        })
        .collect()
}

fn kind(complete: &Evaluation, c: CtlId) -> GapKind {
    if complete.state(c) == State::Full {
        GapKind::Closable
    } else {
        GapKind::Beyond
    }
}

/// Whether a node short of full can be closed from the source frameworks, and
/// which controls outside the set would add to it: at it, at its open parts,
/// or in full at a whole above it.
fn gap(e: &Evaluation, complete: &Evaluation, c: CtlId) -> Gap {
    let db = e.db;
    let mut nodes: Vec<(CtlId, bool)> = vec![(c, false)];
    nodes.extend(db.wholes(c).map(|a| (a, true)));
    nodes.extend(db.within(c).into_iter().filter(|&d| e.counts(d) && e.state(d) != State::Full).map(|d| (d, false)));
    // Keyed by the controls outside the set that the route needs: one, or a group's missing members.
    let mut closing: Vec<(Vec<CtlId>, Closer)> = Vec::new();
    for (n, above) in nodes {
        for r in complete.reaches(n) {
            let needed: Vec<CtlId> = std::iter::once(r.route.source)
                .chain(r.route.together_with.iter().copied())
                .filter(|&s| e.source_strength(s) != Some(Strength::Full))
                .collect();
            if needed.is_empty() || (above && r.gives != Strength::Full) {
                continue;
            }
            let at = match closing.iter().position(|(k, _)| *k == needed) {
                Some(i) => i,
                None => {
                    let closer = Closer {
                        control: ControlInfo::of(db, needed[0]),
                        together_with: needed[1..].iter().map(|&m| ControlInfo::of(db, m)).collect(),
                        gives: Vec::new(),
                    };
                    closing.push((needed, closer));
                    closing.len() - 1
                }
            };
            let id = db.control(n).id.to_string();
            let gives = &mut closing[at].1.gives;
            match gives.iter_mut().find(|g| g.id == id) {
                Some(g) => g.gives = g.gives.max(r.gives),
                None => gives.push(Reached { id, gives: r.gives }),
            }
        }
    }
    closing.sort_by(|(a, _), (b, _)| a.cmp(b));
    let mut frameworks: Vec<String> = Vec::new();
    for fw in source_frameworks(complete) {
        frameworks.push(db.framework(fw).key.clone());
    }
    Gap { kind: kind(complete, c), frameworks, closing: closing.into_iter().map(|(_, k)| k).collect() }
}

fn source_frameworks(e: &Evaluation) -> Vec<FwId> {
    let mut fws: Vec<FwId> = e.sources.keys().map(|&c| e.db.control(c).framework).collect();
    fws.dedup();
    fws
}

/// Counts per state, overall, per top-level group and per each summary
/// attribute of the framework. Rows of parts are not counted; `n/a` rows are
/// counted apart, outside the totals.
pub fn summarize(db: &Database, rows: &[CoverageRow], targets: &[CtlId], target_fw: FwId) -> Summary {
    let mut summary = Summary::default();
    let fw = db.framework(target_fw);
    let top_level = fw.levels.first().cloned().unwrap_or_default();
    let mut groups: Vec<GroupSummary> = Vec::new();
    let counted = rows.iter().filter(|r| r.part_of.is_none());
    for (row, &t) in counted.zip(targets) {
        summary.counts.add(row);
        let mut keys = vec![(top_level.clone(), row.group.clone())];
        for (a, def) in fw.attributes.iter().enumerate().filter(|(_, d)| fw.summary.contains(&d.name)) {
            for value in &db.control(t).attributes[a] {
                keys.push((def.name.clone(), value.clone()));
            }
        }
        for (by, group) in keys {
            let at = match groups.iter().position(|g| g.by == by && g.group == group) {
                Some(i) => i,
                None => {
                    groups.push(GroupSummary { by, group, ..GroupSummary::default() });
                    groups.len() - 1
                }
            };
            groups[at].counts.add(row);
        }
    }
    // Top-level groups in catalog order first, then attribute groups in the order values are declared.
    groups.sort_by_key(|g| (g.by != top_level, attribute_order(fw, g)));
    summary.groups = groups;
    summary
}

fn attribute_order(fw: &crate::model::Framework, g: &GroupSummary) -> (usize, usize) {
    match fw.attributes.iter().position(|a| a.name == g.by) {
        Some(a) => (a, fw.attributes[a].values.iter().position(|v| *v == g.group).unwrap_or(usize::MAX)),
        None => (0, 0),
    }
}

/// Every route from the set to a target, to its parts, and (as full) to a whole
/// above it, with the state of the target and of each of its parts.
pub fn explain(db: &Database, set: &ControlSet, source: String, t: CtlId, options: &Options) -> ExplainReport {
    let fw = db.control(t).framework;
    let e = Evaluation::new(db, set, fw, options);
    let descendants: Vec<CtlId> = db.within(t).into_iter().filter(|&d| e.counts(d)).collect();
    let mut nodes: Vec<CtlId> = vec![t];
    nodes.extend(db.wholes(t));
    nodes.extend(&descendants);
    let mut rows = Vec::new();
    let mut hops = Hops::default();
    for (&s, &strength) in &e.sources {
        // A source's routes are worked out once, then taken node by node.
        let routes = routes_with(db, s, fw, None, options.routes, &mut hops);
        for &n in &nodes {
            let above = n != t && db.wholes(t).any(|a| a == n);
            for r in routes.iter().filter(|r| r.target == n) {
                if above && r.relationship.is_none_or(|rel| rel.coverage() != Strength::Full) {
                    continue;
                }
                rows.push(route_row(db, r, strength));
            }
        }
    }
    // Rows with several sources are read whole, by the evaluation.
    for &n in &nodes {
        for r in e.reaches(n).iter().filter(|r| db.mappings[r.route.steps[0].mapping as usize].is_group()) {
            rows.push(route_row(db, &r.route, r.strength));
        }
    }
    known_first(&mut rows);
    let depth_of = |d: CtlId| db.ancestors(d).take_while(|&a| a != t).count() + 1;
    let parts = descendants
        .iter()
        .map(|&d| PartState {
            part: ControlInfo::of(db, d),
            level: db.level_name(d).to_string(),
            depth: depth_of(d),
            state: e.state(d),
            description: db.control(d).description.to_string(),
            by: e.reaches(d).iter().map(|r| contribution(db, set, r, d).short()).collect(),
        })
        .collect();
    ExplainReport {
        source,
        target: ControlInfo::of(db, t),
        routes: String::new(),
        state: e.state(t),
        rows,
        parts,
        part_count: part_count(&e, t),
    }
}

/// Routes that count come first, direct before derived, then those that prove nothing; the
/// order within each group is kept, so the answer a user came for is not buried.
pub fn known_first(rows: &mut [RouteRow]) {
    rows.sort_by_key(|r| (r.superseded, r.relationship.is_none(), !r.direct));
}

//! Coverage, gaps and routes: what a set of implemented controls gives in another framework, and why.
//!
//! The rules (see the README):
//! - a target is `full` when some source maps to it as `equal` or `superset-of`,
//!   `partial` when some source maps to it as `subset-of` or `intersects-with`,
//!   `none` otherwise; partial mappings never add up to full;
//! - a partly implemented source gives at most `partial`;
//! - a derived route through a third framework composes its two steps by
//!   [`Relationship::compose`]; an unknown composition is shown, never counted;
//! - a direct mapping between a source and a target wins over derived routes
//!   between the same two controls.

use std::collections::BTreeMap;

use crate::db::{Database, Link};
use crate::model::{CtlId, FwId, Relationship, Strength};
use crate::query::sets::ControlSet;
use crate::report::{Contribution, ControlInfo, CoverageRow, GroupSummary, RouteRow, Step, Summary};

/// Which routes a computation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routes {
    /// Direct mappings only.
    Direct,
    /// Direct mappings and routes through this framework.
    Via(FwId),
    /// Direct mappings and routes through any third framework.
    Any,
}

/// A route from one control to another, before it is dressed for output.
#[derive(Debug, Clone)]
pub struct Route {
    pub source: CtlId,
    pub target: CtlId,
    pub steps: Vec<Link>,
    pub relationship: Option<Relationship>,
    pub superseded: bool,
}

impl Route {
    pub fn direct(&self) -> bool {
        self.steps.len() == 1
    }

    /// What the route gives its target when the source is implemented to `strength`.
    pub fn gives(&self, strength: Strength) -> Strength {
        if self.superseded {
            return Strength::None;
        }
        self.relationship.map_or(Strength::None, |r| r.coverage().min(strength))
    }
}

/// Every route from `source` to controls of framework `target` (optionally to one control).
pub fn routes_from(db: &Database, source: CtlId, target: FwId, only: Option<CtlId>, routes: Routes) -> Vec<Route> {
    let source_fw = db.control(source).framework;
    let wanted = |c: CtlId| only.is_none_or(|t| t == c);
    let mut found: Vec<Route> = db
        .links_to(source, target)
        .into_iter()
        .filter(|l| wanted(l.to))
        .map(|l| Route { source, target: l.to, steps: vec![l], relationship: Some(l.relationship), superseded: false })
        .collect();
    let direct_targets: Vec<CtlId> = found.iter().map(|r| r.target).collect();
    let mids: Vec<FwId> = match routes {
        Routes::Direct => Vec::new(),
        Routes::Via(m) => vec![m],
        Routes::Any => (0..db.frameworks.len() as FwId).collect(),
    };
    for mid in mids.into_iter().filter(|&m| m != source_fw && m != target) {
        for first in db.links_to(source, mid) {
            for second in db.links_to(first.to, target).into_iter().filter(|l| wanted(l.to)) {
                found.push(Route {
                    source,
                    target: second.to,
                    steps: vec![first, second],
                    relationship: first.relationship.compose(second.relationship),
                    superseded: direct_targets.contains(&second.to),
                });
            }
        }
    }
    found.sort_by_key(|r| (r.target, !r.direct(), r.steps.iter().map(|l| l.to).collect::<Vec<_>>()));
    found
}

/// The state of each target control given the sources, with what gives it.
pub fn coverage(
    db: &Database,
    sources: &ControlSet,
    targets: &[CtlId],
    target_fw: FwId,
    routes: Routes,
) -> Vec<CoverageRow> {
    let mut by_target: BTreeMap<CtlId, Vec<Contribution>> = BTreeMap::new();
    for (source, strength) in sources.iter() {
        for route in routes_from(db, source, target_fw, None, routes) {
            let gives = route.gives(strength);
            if gives == Strength::None {
                continue;
            }
            by_target.entry(route.target).or_default().push(contribution(db, &route, strength, gives));
        }
    }
    targets
        .iter()
        .map(|&t| {
            let covered_by = by_target.remove(&t).unwrap_or_default();
            let state = covered_by.iter().map(|c| c.gives).max().unwrap_or(Strength::None);
            CoverageRow { target: ControlInfo::of(db, t), group: group_label(db, t), state, covered_by }
        })
        .collect()
}

fn contribution(db: &Database, route: &Route, strength: Strength, gives: Strength) -> Contribution {
    let rationale = route
        .steps
        .iter()
        .map(|l| db.mappings[l.mapping as usize].rationale.as_ref())
        .collect::<Vec<_>>()
        .join(" / then: ");
    Contribution {
        source: ControlInfo::of(db, route.source),
        relationship: route.relationship.unwrap_or(Relationship::IntersectsWith),
        via: (!route.direct()).then(|| ControlInfo::of(db, route.steps[0].to)),
        partial_source: strength == Strength::Partial,
        gives,
        rationale,
    }
}

/// A route as results show it, each step with its provenance and rationale.
pub fn route_row(db: &Database, route: &Route, strength: Strength) -> RouteRow {
    let steps = route
        .steps
        .iter()
        .map(|l| {
            let m = &db.mappings[l.mapping as usize];
            Step {
                from: ControlInfo::of(db, l.from),
                relationship: l.relationship,
                to: ControlInfo::of(db, l.to),
                provenance: db.provenances[m.provenance as usize].key.clone(),
                rationale: m.rationale.to_string(),
            }
        })
        .collect();
    RouteRow {
        source: ControlInfo::of(db, route.source),
        target: ControlInfo::of(db, route.target),
        relationship: route.relationship,
        direct: route.direct(),
        gives: route.gives(strength),
        partial_source: strength == Strength::Partial,
        superseded: route.superseded,
        steps,
    }
}

/// The top-level group of a control: `PR Protect`, `CC6 Logical and Physical Access Controls`.
pub fn group_label(db: &Database, c: CtlId) -> String {
    let top = db.ancestors(c).last().unwrap_or(c);
    let node = db.control(top);
    format!("{} {}", node.id, node.title)
}

/// Counts per state, overall, per top-level group and per each summary attribute of the framework.
pub fn summarize(db: &Database, rows: &[CoverageRow], targets: &[CtlId], target_fw: FwId) -> Summary {
    let mut summary = Summary::default();
    let fw = db.framework(target_fw);
    let top_level = fw.levels.first().cloned().unwrap_or_default();
    let mut groups: Vec<GroupSummary> = Vec::new();
    for (row, &t) in rows.iter().zip(targets) {
        count(&mut summary.total, &mut summary.full, &mut summary.partial, &mut summary.none, row.state);
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
            let g = &mut groups[at];
            count(&mut g.total, &mut g.full, &mut g.partial, &mut g.none, row.state);
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

fn count(total: &mut usize, full: &mut usize, partial: &mut usize, none: &mut usize, state: Strength) {
    *total += 1;
    match state {
        Strength::Full => *full += 1,
        Strength::Partial => *partial += 1,
        Strength::None => *none += 1,
    }
}

//! Coverage, gaps and routes: what a set of implemented controls gives in another framework, and why.
//!
//! The rules (see the README):
//! - a node is `full` when some source maps to it, or to a whole above it, as
//!   `equal` or `superset-of`, or when every applicable part of it is full;
//!   `partial` when, failing that, some source reaches it or one of its parts
//!   with any relationship; `none` otherwise; `n/a` when it places no duty.
//!   Partial mappings never add up to full;
//! - a partly implemented source gives at most `partial`; a source stands for
//!   its parts too, and a node all of whose parts are sources is a source;
//! - a derived route through a third framework composes its two steps by
//!   [`Relationship::compose`]; an unknown composition is shown, never counted;
//! - a direct mapping between a source and a target wins over derived routes
//!   between the same two controls.

mod plan;
mod rows;

use std::collections::BTreeMap;

pub use plan::{plan, PlanRequest};
pub use rows::{explain, known_first, na_reason, rows, summarize};

use crate::db::catalog::preorder;
use crate::db::{Database, Link};
use crate::model::{CtlId, FwId, Relationship, State, Strength};
use crate::query::sets::ControlSet;
use crate::report::{ControlInfo, RouteRow, Step};

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

/// How coverage is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub routes: Routes,
    /// Count items that place no duty like any other, instead of as `n/a`.
    pub with_na: bool,
    /// The categories in scope, when the query names them: items limited to
    /// another category (by the framework's scope attribute) do not count.
    pub scope: Option<Scope>,
    /// Leave out routes through a mapping row flagged marginal.
    pub without_marginal: bool,
}

impl Options {
    /// Direct routes, `n/a` left out, every category in scope.
    pub fn direct() -> Options {
        Options { routes: Routes::Direct, with_na: false, scope: None, without_marginal: false }
    }

    /// Whether a route counts under these options: none of its steps is a marginal row left out.
    pub fn admits(&self, db: &Database, route: &Route) -> bool {
        !self.without_marginal || route.steps.iter().all(|l| !db.mappings[l.mapping as usize].marginal)
    }
}

/// The categories of an examination that count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The framework's scope attribute.
    pub attribute: usize,
    /// The values in scope, as the catalog spells them.
    pub values: Vec<String>,
}

impl Scope {
    /// Whether a node is in scope: the category it, or the nearest whole above it, is limited to is in.
    pub fn admits(&self, db: &Database, c: CtlId) -> bool {
        let limited =
            std::iter::once(c).chain(db.ancestors(c)).find_map(|n| db.control(n).attributes[self.attribute].first());
        limited.is_none_or(|v| self.values.contains(v))
    }
}

/// A route from one control to another, before it is dressed for output.
#[derive(Debug, Clone)]
pub struct Route {
    pub source: CtlId,
    /// The other sources of a group row, which hold the relationship together with `source`.
    pub together_with: Vec<CtlId>,
    pub target: CtlId,
    pub steps: Steps,
    pub relationship: Option<Relationship>,
    pub superseded: bool,
}

impl Route {
    pub fn direct(&self) -> bool {
        self.steps.len() == 1
    }

    /// What the route gives its target when the source is implemented to `strength`.
    /// A route of one source, to where its last step leads.
    fn of(source: CtlId, steps: Steps, relationship: Option<Relationship>, superseded: bool) -> Route {
        let target = steps[steps.len() - 1].to;
        Route { source, together_with: Vec::new(), target, steps, relationship, superseded }
    }

    pub fn gives(&self, strength: Strength) -> Strength {
        if self.superseded {
            return Strength::None;
        }
        self.relationship.map_or(Strength::None, |r| r.coverage().min(strength))
    }
}

/// The links of a route, in order: one for a mapping, two through a middle control.
#[derive(Debug, Clone, Copy)]
pub struct Steps {
    links: [Link; 2],
    len: u8,
}

impl Steps {
    pub fn one(link: Link) -> Steps {
        Steps { links: [link, link], len: 1 }
    }

    pub fn two(first: Link, second: Link) -> Steps {
        Steps { links: [first, second], len: 2 }
    }
}

impl std::ops::Deref for Steps {
    type Target = [Link];
    fn deref(&self) -> &[Link] {
        &self.links[..self.len as usize]
    }
}

/// The second steps of derived routes: each middle control's links to the
/// target framework, gathered and sorted once however many sources reach it.
#[derive(Debug, Default)]
pub struct Hops {
    to_target: rustc_hash::FxHashMap<CtlId, Vec<Link>>,
}

impl Hops {
    fn from(&mut self, db: &Database, mid: CtlId, target: FwId) -> &[Link] {
        self.to_target.entry(mid).or_insert_with(|| db.links_to(mid, target))
    }
}

/// Every route from `source` to controls of framework `target` (optionally to one control).
pub fn routes_from(db: &Database, source: CtlId, target: FwId, only: Option<CtlId>, routes: Routes) -> Vec<Route> {
    routes_with(db, source, target, only, routes, &mut Hops::default())
}

/// [`routes_from`], with the second steps of earlier calls for the same `target` in `hops`:
/// the routes of many sources cost the links they touch, once each.
pub fn routes_with(
    db: &Database,
    source: CtlId,
    target: FwId,
    only: Option<CtlId>,
    routes: Routes,
    hops: &mut Hops,
) -> Vec<Route> {
    let wanted = |c: CtlId| only.is_none_or(|t| t == c);
    let mut found: Vec<Route> = db
        .links_to(source, target)
        .into_iter()
        .filter(|l| wanted(l.to))
        .map(|l| Route::of(source, Steps::one(l), Some(l.relationship), false))
        .collect();
    // In target order, as `links_to` gives them.
    let direct_targets: Vec<CtlId> = found.iter().map(|r| r.target).collect();
    two_steps(db, source, target, routes, hops, |first, second| {
        if wanted(second.to) {
            let superseded = direct_targets.binary_search(&second.to).is_ok();
            let relationship = first.relationship.compose(second.relationship);
            found.push(Route::of(source, Steps::two(first, second), relationship, superseded));
        }
    });
    found.sort_by(|a, b| {
        let key = |r: &Route| (r.target, !r.direct());
        key(a).cmp(&key(b)).then_with(|| a.steps.iter().map(|l| l.to).cmp(b.steps.iter().map(|l| l.to)))
    });
    found
}

/// A source's routes to `target` ([`routes_with`]) with, of its derived routes
/// to each target node, only the one that gives most (the first of those, in
/// the order of their middle controls): one contribution per source, target
/// and kind of route, so that a coverage through a densely mapped middle
/// framework stays the size of its answer. `path` and `explain` still list
/// every route.
///
/// The derived routes are weighed as they are found, each target's best kept:
/// a source with 20 links to each of 20 middle controls has 400 derived routes,
/// and sorting them all took most of a coverage `via` a dense framework.
fn strongest_routes(
    db: &Database,
    source: CtlId,
    target: FwId,
    routes: Routes,
    strength: Strength,
    hops: &mut Hops,
) -> Vec<Route> {
    // In target order.
    let direct = db.links_to(source, target);
    let mut kept: Vec<Route> = Vec::new();
    let mut kept_at: rustc_hash::FxHashMap<CtlId, usize> = rustc_hash::FxHashMap::default();
    two_steps(db, source, target, routes, hops, |first, second| {
        let superseded = direct.binary_search_by_key(&second.to, |l| l.to).is_ok();
        let relationship = first.relationship.compose(second.relationship);
        let found = Route::of(source, Steps::two(first, second), relationship, superseded);
        match kept_at.entry(second.to) {
            std::collections::hash_map::Entry::Occupied(at) => {
                let best = &mut kept[*at.get()];
                if found.gives(strength) > best.gives(strength) {
                    *best = found;
                }
            }
            std::collections::hash_map::Entry::Vacant(at) => {
                at.insert(kept.len());
                kept.push(found);
            }
        }
    });
    // Each target node's direct routes, then its derived one.
    kept.sort_unstable_by_key(|r| r.target);
    let mut derived = kept.into_iter().peekable();
    let mut out = Vec::with_capacity(direct.len() + derived.len());
    for link in direct {
        out.extend(std::iter::from_fn(|| derived.next_if(|r| r.target < link.to)));
        out.push(Route::of(source, Steps::one(link), Some(link.relationship), false));
    }
    out.extend(derived);
    out
}

/// Each route of two steps from `source` to `target` through a middle framework
/// that `routes` allows, in the order of the middle controls (frameworks in
/// order, each one's links in its catalog order): `each(first, second)`.
fn two_steps(
    db: &Database,
    source: CtlId,
    target: FwId,
    routes: Routes,
    hops: &mut Hops,
    mut each: impl FnMut(Link, Link),
) {
    let source_fw = db.control(source).framework;
    let mids = match routes {
        Routes::Direct => 0..0,
        Routes::Via(m) => m..m + 1,
        Routes::Any => 0..db.frameworks.len() as FwId,
    };
    for mid in mids.filter(|&m| m != source_fw && m != target) {
        for first in db.links_to(source, mid) {
            for &second in hops.from(db, first.to, target) {
                each(first, second);
            }
        }
    }
}

/// [`strongest_routes`] as it was first written, from all the routes sorted: what it must give.
#[cfg(test)]
fn strongest_derived(routes: Vec<Route>, strength: Strength) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::with_capacity(routes.len());
    // Where the kept derived route to the current target is in `out`.
    let mut derived: Option<(CtlId, usize)> = None;
    for route in routes {
        if route.direct() {
            out.push(route);
            continue;
        }
        match derived {
            Some((target, at)) if target == route.target => {
                if route.gives(strength) > out[at].gives(strength) {
                    out[at] = route;
                }
            }
            _ => {
                derived = Some((route.target, out.len()));
                out.push(route);
            }
        }
    }
    out
}

/// A route that reaches a node of the target framework and counts, with what it gives.
#[derive(Debug, Clone)]
pub struct Reach {
    pub route: Route,
    /// How far its source is implemented.
    pub strength: Strength,
    pub gives: Strength,
}

/// The state of every node of a target framework given a set of sources.
pub struct Evaluation<'a> {
    pub db: &'a Database,
    pub fw: FwId,
    pub options: Options,
    first: CtlId,
    /// The sources with what they imply: their parts, and wholes all of whose parts are sources.
    sources: BTreeMap<CtlId, Strength>,
    /// Per node: the routes that end there and count.
    reaches: Vec<Vec<Reach>>,
    /// Per node: it, or a whole above it, is mapped as full.
    whole_full: Vec<bool>,
    state: Vec<State>,
}

impl<'a> Evaluation<'a> {
    /// Works out the state of every node of `fw` given the sources in `set`.
    pub fn new(db: &'a Database, set: &ControlSet, fw: FwId, options: &Options) -> Evaluation<'a> {
        let range = db.framework(fw).controls.clone();
        let n = range.len();
        let mut e = Evaluation {
            db,
            fw,
            options: options.clone(),
            first: range.start,
            sources: implied_sources(db, set),
            reaches: vec![Vec::new(); n],
            whole_full: vec![false; n],
            state: vec![State::None; n],
        };
        let sources: Vec<(CtlId, Strength)> = e.sources.iter().map(|(&c, &s)| (c, s)).collect();
        let mut hops = Hops::default();
        for (source, strength) in sources {
            for route in strongest_routes(db, source, fw, options.routes, strength, &mut hops) {
                e.reach(route, strength);
            }
        }
        e.add_groups();
        e.settle();
        e
    }

    /// Rows with several sources count whole: read forwards, only when every
    /// source is in the set (as far as the least implemented one); read
    /// backwards, a target that contains the whole group (`equal`,
    /// `subset-of`) gives each source in full, and nothing can be said of one
    /// source of a group that merely overlaps or contains it.
    fn add_groups(&mut self) {
        let db = self.db;
        for &m in &db.index.groups {
            let row = &db.mappings[m as usize];
            let link = |from: CtlId, to: CtlId, relationship| Link { from, to, relationship, mapping: m };
            if db.control(row.target).framework == self.fw {
                let strength = row.sources().map(|s| self.sources.get(&s).copied()).min().flatten();
                let Some(strength) = strength else { continue };
                let route = Route {
                    source: row.source,
                    together_with: row.together_with.to_vec(),
                    target: row.target,
                    steps: Steps::one(link(row.source, row.target, row.relationship)),
                    relationship: Some(row.relationship),
                    superseded: false,
                };
                self.reach(route, strength);
            } else if row.sources().any(|s| db.control(s).framework == self.fw) {
                let Some(&strength) = self.sources.get(&row.target) else { continue };
                if !matches!(row.relationship, Relationship::Equal | Relationship::SubsetOf) {
                    continue;
                }
                let fw = self.fw;
                for s in row.sources().filter(|&s| db.control(s).framework == fw) {
                    let step = link(row.target, s, Relationship::SupersetOf);
                    let route = Route {
                        source: row.target,
                        together_with: Vec::new(),
                        target: s,
                        steps: Steps::one(step),
                        relationship: Some(Relationship::SupersetOf),
                        superseded: false,
                    };
                    self.reach(route, strength);
                }
            }
        }
    }

    fn reach(&mut self, route: Route, strength: Strength) {
        if !self.options.admits(self.db, &route) {
            return;
        }
        let gives = route.gives(strength);
        if gives != Strength::None {
            let at = self.at(route.target);
            self.reaches[at].push(Reach { route, strength, gives });
        }
    }

    /// Full from above going down, then roll-up from the leaves.
    fn settle(&mut self) {
        let db = self.db;
        let order = preorder(db.framework(self.fw), &db.controls);
        for &c in &order {
            let at = self.at(c);
            let own = self.reaches[at].iter().any(|r| r.gives == Strength::Full);
            let above = db.wholes(c).next().is_some_and(|p| self.whole_full[self.at(p)]);
            self.whole_full[at] = own || above;
        }
        for &c in order.iter().rev() {
            let at = self.at(c);
            self.state[at] = if self.counts(c) { self.rolled_up(c) } else { State::NotApplicable };
        }
    }

    fn rolled_up(&self, c: CtlId) -> State {
        let at = self.at(c);
        let kids: Vec<State> = self.parts(c).map(|k| self.state(k)).collect();
        if self.whole_full[at] || (!kids.is_empty() && kids.iter().all(|&s| s == State::Full)) {
            State::Full
        } else if !self.reaches[at].is_empty() || kids.iter().any(|&s| s > State::None) {
            State::Partial
        } else {
            State::None
        }
    }

    fn at(&self, c: CtlId) -> usize {
        (c - self.first) as usize
    }

    /// Whether a node counts: in scope, and applicable or every item counts (`with n/a`).
    pub fn counts(&self, c: CtlId) -> bool {
        (self.options.with_na || self.db.control(c).applicable)
            && self.options.scope.as_ref().is_none_or(|s| s.admits(self.db, c))
    }

    /// The parts of a node that count (its children, but not its enhancements).
    pub fn parts(&self, c: CtlId) -> impl Iterator<Item = CtlId> + '_ {
        self.db.parts_of(c).filter(|&k| self.counts(k))
    }

    pub fn state(&self, c: CtlId) -> State {
        self.state[self.at(c)]
    }

    /// The routes that end at a node and count.
    pub fn reaches(&self, c: CtlId) -> &[Reach] {
        &self.reaches[self.at(c)]
    }

    /// How far a source is implemented, counting what its parts and wholes imply.
    pub fn source_strength(&self, c: CtlId) -> Option<Strength> {
        self.sources.get(&c).copied()
    }

    /// The atomic parts of a node that count: its leaves, or none when it is a leaf.
    pub fn leaves(&self, c: CtlId) -> Vec<CtlId> {
        let mut out = Vec::new();
        let mut stack: Vec<CtlId> = self.parts(c).collect::<Vec<_>>().into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            let kids: Vec<CtlId> = self.parts(n).collect();
            if kids.is_empty() {
                out.push(n);
            }
            stack.extend(kids.into_iter().rev());
        }
        out
    }
}

/// The sources of a set with what they imply: a source stands for its parts,
/// and a node every applicable child of which is a full source is one too.
fn implied_sources(db: &Database, set: &ControlSet) -> BTreeMap<CtlId, Strength> {
    let mut out: BTreeMap<CtlId, Strength> = BTreeMap::new();
    let add = |out: &mut BTreeMap<CtlId, Strength>, c: CtlId, s: Strength| {
        let slot = out.entry(c).or_insert(s);
        *slot = (*slot).max(s);
    };
    for (c, s) in set.iter() {
        add(&mut out, c, s);
        for d in db.within(c) {
            add(&mut out, d, s);
        }
    }
    for fw in set.frameworks(db) {
        if db.framework(fw).controls.clone().all(|c| db.control(c).children.is_empty()) {
            continue;
        }
        for c in preorder(db.framework(fw), &db.controls).into_iter().rev() {
            let node = db.control(c);
            if out.contains_key(&c) || !node.mappable {
                continue;
            }
            let mut kids = db.parts_of(c).filter(|&k| db.control(k).applicable).peekable();
            if kids.peek().is_some() && kids.all(|k| out.get(&k) == Some(&Strength::Full)) {
                add(&mut out, c, Strength::Full);
            }
        }
    }
    out
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
        together_with: route.together_with.iter().map(|&c| ControlInfo::of(db, c)).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A route as a comparable tuple.
    fn key(r: &Route) -> (CtlId, Vec<CtlId>, CtlId, Vec<Link>, Option<Relationship>, bool) {
        (r.source, r.together_with.clone(), r.target, r.steps.to_vec(), r.relationship, r.superseded)
    }

    #[test]
    fn the_strongest_routes_are_those_of_all_routes_sorted() {
        let db = crate::db::load(crate::db::DataSource::Embedded).unwrap();
        let n = db.frameworks.len() as FwId;
        let routes = [Routes::Direct, Routes::Any].into_iter().chain((0..n).map(Routes::Via));
        let mut derived = 0;
        for routes in routes.collect::<Vec<_>>() {
            for target in 0..n {
                let (mut hops, mut hops_again) = (Hops::default(), Hops::default());
                for source in (0..db.controls.len() as CtlId).filter(|&c| db.control(c).mappable) {
                    for strength in [Strength::Partial, Strength::Full] {
                        let all = routes_with(&db, source, target, None, routes, &mut hops);
                        let expected: Vec<_> = strongest_derived(all, strength).iter().map(key).collect();
                        let got = strongest_routes(&db, source, target, routes, strength, &mut hops_again);
                        derived += got.iter().filter(|r| !r.direct()).count();
                        assert_eq!(got.iter().map(key).collect::<Vec<_>>(), expected, "{source} -> {target}");
                    }
                }
            }
        }
        // The shipped database has routes through a middle framework to compare.
        assert!(derived > 1000, "{derived}");
    }
}

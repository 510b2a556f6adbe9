//! `plan`: the fewest controls of the source frameworks to add to a set so that
//! the most targets become full, and then the most of their parts.
//!
//! A target is full exactly when each of its atomic parts (its leaves, or the
//! target itself when it has none) has a full mapping at it or at a whole above
//! it. Which leaves a control makes full does not depend on the other controls,
//! so the plan is a set cover: the leaves the whole source framework could make
//! full are the universe, each control covers some of them. The targets that
//! can become full are covered first, then the parts of the rest. Each cover is
//! searched exactly while the search is small, and greedily beyond that; the
//! report says which.

use super::{implied_sources, routes_from, Evaluation, Options};
use crate::db::Database;
use crate::model::{CtlId, FwId, State, Strength};
use crate::query::sets::ControlSet;
use crate::report::{ControlInfo, PlanReport, PlanStep, PlanTotals};

/// Nodes an exact search may visit before it settles for the greedy cover.
const SEARCH_BUDGET: usize = 200_000;

/// What `plan` is asked.
pub struct PlanRequest<'a> {
    pub set: &'a ControlSet,
    /// The source set as the query wrote it.
    pub source: String,
    pub target: FwId,
    /// The targets in scope, in catalog order.
    pub targets: Vec<CtlId>,
    pub options: Options,
    /// The frameworks whose controls may be added.
    pub frameworks: Vec<FwId>,
    /// Controls not to add, and the query's words for them.
    pub except: Option<(ControlSet, String)>,
    pub routes: String,
}

/// Works out the plan; see the module docs.
pub fn plan(db: &Database, req: &PlanRequest) -> PlanReport {
    let before = Evaluation::new(db, req.set, req.target, &req.options);
    let candidates: Vec<CtlId> = req
        .frameworks
        .iter()
        .flat_map(|&fw| db.controls_of(fw))
        .filter(|&c| before.source_strength(c) != Some(Strength::Full))
        .filter(|&c| req.except.as_ref().is_none_or(|(x, _)| x.strength(c).is_none()))
        .collect();
    let all = req.set.clone().union(ControlSet::of(candidates.iter().copied()));
    let complete = Evaluation::new(db, &all, req.target, &req.options);
    let units = Units::new(&before, &complete, &req.targets);
    let mut covers: Vec<Bits> = candidates.iter().map(|&c| units.covered_by(db, c, req)).collect();
    let bundles = bundles(db, req, &before, &candidates, &units, &mut covers);
    let solve = |universe: &Bits, done: &[usize]| {
        if bundles.is_empty() {
            cover(universe, &covers)
        } else {
            (greedy_with_bundles(universe, &covers, &bundles, done), false)
        }
    };
    let (first, exact_first) = solve(&units.closable(), &[]);
    let rest = uncovered(&units.all(), &covers, &bundles, &first);
    let (second, exact_second) = solve(&rest, &first);
    let chosen: Vec<usize> = first.into_iter().chain(second).collect();
    let order = step_order(&units, &covers, &bundles, &chosen);
    let report_totals = |set: &ControlSet| totals(&Evaluation::new(db, set, req.target, &req.options), &req.targets);
    let mut steps = Vec::new();
    let mut running = req.set.clone();
    let mut last = totals(&before, &req.targets);
    let start = last;
    for step in &order {
        running = running.union(ControlSet::of(step.iter().map(|&i| candidates[i])));
        let now_eval = Evaluation::new(db, &running, req.target, &req.options);
        let then = totals(&now_eval, &req.targets);
        let makes_full = req
            .targets
            .iter()
            .filter(|&&t| now_eval.state(t) == State::Full && full_in(&steps, db, t, &before))
            .map(|&t| db.control(t).id.to_string())
            .collect();
        steps.push(PlanStep {
            add: ControlInfo::of(db, candidates[step[0]]),
            together_with: step[1..].iter().map(|&i| ControlInfo::of(db, candidates[i])).collect(),
            makes_full,
            parts_full: then.parts_full.saturating_sub(last.parts_full),
            then,
        });
        last = then;
    }
    let added: Vec<CtlId> = order.iter().flatten().map(|&i| candidates[i]).collect();
    let after = if added.is_empty() { start } else { report_totals(&running) };
    let left_short = req
        .targets
        .iter()
        .filter(|&&t| matches!(complete.state(t), State::None | State::Partial))
        .map(|&t| ControlInfo::of(db, t))
        .collect();
    let note = added.is_empty().then(|| {
        if candidates.is_empty() {
            "every control of the source frameworks is already in the set".to_string()
        } else {
            "no control of the source frameworks would make another target or part full".to_string()
        }
    });
    let finish =
        added.iter().filter(|&&c| before.source_strength(c).is_some()).map(|&c| ControlInfo::of(db, c)).collect();
    PlanReport {
        source: req.source.clone(),
        source_controls: req.set.len(),
        target: db.framework(req.target).key.clone(),
        routes: req.routes.clone(),
        frameworks: req.frameworks.iter().map(|&f| db.framework(f).key.clone()).collect(),
        except: req.except.as_ref().map(|(_, text)| text.clone()),
        method: if exact_first && exact_second { "minimal" } else { "greedy" }.to_string(),
        before: start,
        after,
        steps,
        set: set_text(db, &added),
        finish,
        left_short,
        note,
    }
}

/// Whether a target was not yet full before the steps taken so far.
fn full_in(steps: &[PlanStep], db: &Database, t: CtlId, before: &Evaluation) -> bool {
    let id = db.control(t).id.as_ref();
    before.state(t) != State::Full && !steps.iter().any(|s| s.makes_full.iter().any(|m| m == id))
}

/// Targets and their strict parts, counted and counted full.
fn totals(e: &Evaluation, targets: &[CtlId]) -> PlanTotals {
    let mut t = PlanTotals::default();
    for &c in targets.iter().filter(|&&c| e.counts(c)) {
        t.targets += 1;
        t.full += usize::from(e.state(c) == State::Full);
        for l in e.leaves(c) {
            t.parts += 1;
            t.parts_full += usize::from(e.state(l) == State::Full);
        }
    }
    t
}

/// The added controls as a set expression: `iso27001{5.7, 8.16} + iso27001-isms{9.2}`.
fn set_text(db: &Database, controls: &[CtlId]) -> String {
    let mut sorted = controls.to_vec();
    sorted.sort_unstable();
    let mut groups: Vec<(FwId, Vec<String>)> = Vec::new();
    for c in sorted {
        let fw = db.control(c).framework;
        let id = db.control(c).id.to_string();
        match groups.last_mut() {
            Some((f, ids)) if *f == fw => ids.push(id),
            _ => groups.push((fw, vec![id])),
        }
    }
    let parts: Vec<String> =
        groups.iter().map(|(fw, ids)| format!("{}{{{}}}", db.framework(*fw).key, ids.join(", "))).collect();
    parts.join(" + ")
}

/// The leaves a plan can make full, with the target each belongs to.
struct Units {
    /// (leaf, index of its target in the request's targets)
    leaves: Vec<(CtlId, usize)>,
    /// Whether the leaf's target can become full.
    closable: Vec<bool>,
    /// The leaves of each target that can become full.
    by_target: Vec<Bits>,
}

impl Units {
    fn new(before: &Evaluation, complete: &Evaluation, targets: &[CtlId]) -> Units {
        let mut units = Units { leaves: Vec::new(), closable: Vec::new(), by_target: Vec::new() };
        for (i, &t) in targets.iter().enumerate().filter(|(_, &t)| before.counts(t)) {
            let mut leaves = before.leaves(t);
            if leaves.is_empty() {
                leaves.push(t);
            }
            let can_close = complete.state(t) == State::Full;
            for l in leaves {
                if before.state(l) != State::Full && complete.state(l) == State::Full {
                    units.leaves.push((l, i));
                    units.closable.push(can_close);
                }
            }
        }
        let n = units.leaves.len();
        let mut targets: Vec<usize> = units.leaves.iter().map(|&(_, t)| t).collect();
        targets.dedup();
        for t in targets {
            let mut b = Bits::new(n);
            (0..n).filter(|&i| units.leaves[i].1 == t && units.closable[i]).for_each(|i| b.insert(i));
            if b.count() > 0 {
                units.by_target.push(b);
            }
        }
        units
    }

    fn all(&self) -> Bits {
        let mut b = Bits::new(self.leaves.len());
        (0..self.leaves.len()).for_each(|i| b.insert(i));
        b
    }

    fn closable(&self) -> Bits {
        let mut b = Bits::new(self.leaves.len());
        (0..self.leaves.len()).filter(|&i| self.closable[i]).for_each(|i| b.insert(i));
        b
    }

    /// The leaves at or under a node (or under a whole above them).
    fn under(&self, db: &Database, node: CtlId) -> Bits {
        let mut b = Bits::new(self.leaves.len());
        for (i, &(leaf, _)) in self.leaves.iter().enumerate() {
            if std::iter::once(leaf).chain(db.wholes(leaf)).any(|n| n == node) {
                b.insert(i);
            }
        }
        b
    }

    /// The leaves a control makes full: those with a full route from it (or
    /// from a part of it) at the leaf or at a whole above the leaf.
    fn covered_by(&self, db: &Database, c: CtlId, req: &PlanRequest) -> Bits {
        let mut full_at: Vec<CtlId> = Vec::new();
        for (&s, _) in implied_sources(db, &ControlSet::of([c])).iter() {
            for r in routes_from(db, s, req.target, None, req.options.routes) {
                if r.gives(Strength::Full) == Strength::Full && req.options.admits(db, &r) {
                    full_at.push(r.target);
                }
            }
        }
        let mut b = Bits::new(self.leaves.len());
        for (i, &(leaf, _)) in self.leaves.iter().enumerate() {
            if std::iter::once(leaf).chain(db.wholes(leaf)).any(|n| full_at.contains(&n)) {
                b.insert(i);
            }
        }
        b
    }
}

/// Controls that make something full only together: a row with several
/// sources. One whose other sources are all in the set already counts for its
/// last source alone (added to `covers`); one that needs two or more is a bundle.
struct Bundle {
    /// Indices into the candidates.
    members: Vec<usize>,
    covers: Bits,
}

fn bundles(
    db: &Database,
    req: &PlanRequest,
    before: &Evaluation,
    candidates: &[CtlId],
    units: &Units,
    covers: &mut [Bits],
) -> Vec<Bundle> {
    let mut out = Vec::new();
    for &m in &db.index.groups {
        let row = &db.mappings[m as usize];
        let full =
            matches!(row.relationship, crate::model::Relationship::Equal | crate::model::Relationship::SupersetOf);
        if !full || db.control(row.target).framework != req.target || (row.marginal && req.options.without_marginal) {
            continue;
        }
        let mut members = Vec::new();
        let mut possible = true;
        for s in row.sources() {
            if before.source_strength(s) == Some(Strength::Full) {
                continue;
            }
            match candidates.iter().position(|&c| c == s) {
                Some(i) => members.push(i),
                None => possible = false,
            }
        }
        let bits = units.under(db, row.target);
        match members.as_slice() {
            _ if !possible || bits.count() == 0 => {}
            [] => {}
            [one] => covers[*one].insert_all(&bits),
            _ => out.push(Bundle { members, covers: bits }),
        }
    }
    out
}

/// What a choice of candidates covers: each one's own leaves, and a bundle's once all its members are chosen.
fn covered(covers: &[Bits], bundles: &[Bundle], chosen: &[usize], n: usize) -> Bits {
    let mut b = Bits::new(n);
    chosen.iter().for_each(|&i| b.insert_all(&covers[i]));
    for bundle in bundles.iter().filter(|x| x.members.iter().all(|m| chosen.contains(m))) {
        b.insert_all(&bundle.covers);
    }
    b
}

fn uncovered(all: &Bits, covers: &[Bits], bundles: &[Bundle], chosen: &[usize]) -> Bits {
    let mut left = all.clone();
    left.remove_all(&covered(covers, bundles, chosen, all.0.len() * 64));
    left
}

/// With bundles, no exact search: each step takes the single control or the
/// bundle that covers the most leaves for each control it adds.
fn greedy_with_bundles(universe: &Bits, covers: &[Bits], bundles: &[Bundle], done: &[usize]) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    loop {
        let mut all_chosen: Vec<usize> = done.to_vec();
        all_chosen.extend(&chosen);
        let left = uncovered(universe, covers, bundles, &all_chosen);
        if left.count() == 0 {
            break;
        }
        let options = (0..covers.len()).map(|i| vec![i]).chain(bundles.iter().map(|b| b.members.clone()));
        let score = |add: &Vec<usize>| {
            let new: Vec<usize> = add.iter().copied().filter(|i| !all_chosen.contains(i)).collect();
            let mut with = all_chosen.clone();
            with.extend(&new);
            let gain = covered(covers, bundles, &with, left.0.len() * 64).overlap(&left);
            (new, gain)
        };
        let best = options
            .map(|add| score(&add))
            .filter(|(new, gain)| !new.is_empty() && *gain > 0)
            .max_by(|(a_new, a), (b_new, b)| (a * b_new.len()).cmp(&(b * a_new.len())).then(b_new.cmp(a_new)));
        match best {
            Some((new, _)) => chosen.extend(new),
            None => break,
        }
    }
    chosen
}

/// The chosen controls in the order a user would take them: each step the one
/// that makes the most targets full, then the most leaves, for each control it
/// adds; ties in catalog order. The members of a bundle are one step.
fn step_order(units: &Units, covers: &[Bits], bundles: &[Bundle], chosen: &[usize]) -> Vec<Vec<usize>> {
    let n = units.leaves.len();
    let mut left: Vec<usize> = chosen.to_vec();
    left.sort_unstable();
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    while !left.is_empty() {
        let now = covered(covers, bundles, &taken, n);
        let score = |step: &[usize]| {
            let mut with = taken.clone();
            with.extend(step);
            let then = covered(covers, bundles, &with, n);
            let targets = complete_targets(units, &then) - complete_targets(units, &now);
            (targets, then.count() - now.count())
        };
        // A bundle's members still to take, when all of them are among the chosen.
        let bundle_steps = bundles.iter().filter_map(|b| {
            let rest: Vec<usize> = b.members.iter().copied().filter(|m| !taken.contains(m)).collect();
            (rest.len() > 1 && rest.iter().all(|m| left.contains(m))).then_some(rest)
        });
        let options: Vec<Vec<usize>> = left.iter().map(|&i| vec![i]).chain(bundle_steps).collect();
        let best = options
            .into_iter()
            .map(|step| (score(&step), step))
            // More gained for each control added (targets, then leaves); then fewer controls; then catalog order.
            .max_by(|((ta, la), x), ((tb, lb), y)| {
                (ta * y.len())
                    .cmp(&(tb * x.len()))
                    .then((la * y.len()).cmp(&(lb * x.len())))
                    .then(y.len().cmp(&x.len()))
                    .then(y.cmp(x))
            })
            .map(|(_, step)| step)
            .unwrap_or_else(|| vec![left[0]]);
        left.retain(|i| !best.contains(i));
        taken.extend(&best);
        order.push(best);
    }
    order
}

/// How many closable targets have every one of their leaves covered.
fn complete_targets(units: &Units, covered: &Bits) -> usize {
    units.by_target.iter().filter(|leaves| leaves.is_subset(covered)).count()
}

/// The fewest of `sets` that cover `universe`, and whether that is proved the fewest.
fn cover(universe: &Bits, sets: &[Bits]) -> (Vec<usize>, bool) {
    let mut reachable = Bits::new(universe.0.len() * 64);
    sets.iter().for_each(|s| reachable.insert_all(s));
    let universe = &universe.and(&reachable);
    if universe.count() == 0 {
        return (Vec::new(), true);
    }
    let greedy = greedy_cover(universe, sets);
    let useful = useful_sets(universe, sets);
    let mut search = Search { sets, useful: &useful, best: greedy.clone(), budget: SEARCH_BUDGET };
    let exact = search.run(universe, &mut Vec::new());
    let mut best = search.best;
    best.sort_unstable();
    (best, exact)
}

fn greedy_cover(universe: &Bits, sets: &[Bits]) -> Vec<usize> {
    let mut left = universe.clone();
    let mut out = Vec::new();
    while left.count() > 0 {
        let gain = |i: usize| sets[i].overlap(&left);
        let Some(best) = (0..sets.len()).max_by_key(|&i| (gain(i), std::cmp::Reverse(i))) else { break };
        if gain(best) == 0 {
            break;
        }
        left.remove_all(&sets[best]);
        out.push(best);
    }
    out
}

/// The sets worth trying: those that cover something, without a second copy of
/// one, and without one whose leaves another covers and more.
fn useful_sets(universe: &Bits, sets: &[Bits]) -> Vec<usize> {
    let mut useful: Vec<usize> = (0..sets.len()).filter(|&i| sets[i].overlap(universe) > 0).collect();
    let inside = |a: usize, b: usize| sets[a].and(universe).is_subset(&sets[b].and(universe));
    let snapshot = useful.clone();
    useful.retain(|&a| !snapshot.iter().any(|&b| b != a && inside(a, b) && (!inside(b, a) || b < a)));
    useful
}

struct Search<'a> {
    sets: &'a [Bits],
    useful: &'a [usize],
    best: Vec<usize>,
    budget: usize,
}

impl Search<'_> {
    /// Branch and bound; false when the budget ran out before the search ended.
    fn run(&mut self, left: &Bits, chosen: &mut Vec<usize>) -> bool {
        if left.count() == 0 {
            if chosen.len() < self.best.len() {
                self.best = chosen.clone();
            }
            return true;
        }
        let max_gain = self.useful.iter().map(|&i| self.sets[i].overlap(left)).max().unwrap_or(0);
        if max_gain == 0 || chosen.len() + left.count().div_ceil(max_gain) >= self.best.len() {
            return true;
        }
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        // Branch on the leaf the fewest sets cover: one of them must be taken.
        let Some(leaf) = left.iter().min_by_key(|&u| self.useful.iter().filter(|&&i| self.sets[i].contains(u)).count())
        else {
            return true;
        };
        let mut options: Vec<usize> = self.useful.iter().copied().filter(|&i| self.sets[i].contains(leaf)).collect();
        options.sort_by_key(|&i| (std::cmp::Reverse(self.sets[i].overlap(left)), i));
        for i in options {
            let mut next = left.clone();
            next.remove_all(&self.sets[i]);
            chosen.push(i);
            let finished = self.run(&next, chosen);
            chosen.pop();
            if !finished {
                return false;
            }
        }
        true
    }
}

/// A fixed-size set of small numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn overlap(&self, other: &Bits) -> usize {
        self.0.iter().zip(&other.0).map(|(a, b)| (a & b).count_ones() as usize).sum()
    }
    fn and(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }
    fn is_subset(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
    fn remove_all(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= !b);
    }
    fn insert_all(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.0.len() * 64).filter(|&i| self.contains(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(n: usize, items: &[usize]) -> Bits {
        let mut b = Bits::new(n);
        items.iter().for_each(|&i| b.insert(i));
        b
    }

    #[test]
    fn the_exact_cover_beats_the_greedy_one() {
        // Greedy takes the big middle set first and then needs both ends: 3 sets; two suffice.
        let universe = bits(6, &[0, 1, 2, 3, 4, 5]);
        let sets = [bits(6, &[0, 1, 2]), bits(6, &[3, 4, 5]), bits(6, &[1, 2, 3, 4]), bits(6, &[0]), bits(6, &[5])];
        assert_eq!(greedy_cover(&universe, &sets).len(), 3);
        assert_eq!(cover(&universe, &sets), (vec![0, 1], true));
    }

    #[test]
    fn an_empty_universe_needs_nothing() {
        assert_eq!(cover(&Bits::new(3), &[bits(3, &[1])]), (vec![], true));
    }

    #[test]
    fn what_cannot_be_covered_is_left() {
        let universe = bits(3, &[0, 1, 2]);
        let (chosen, _) = cover(&universe, &[bits(3, &[0]), bits(3, &[0, 1])]);
        assert_eq!(chosen, vec![1]);
    }
}

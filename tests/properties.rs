//! Property tests: the relationship rules against a model of sets, the coverage rules on random
//! sources, and queries of any shape never making the program panic.

use std::path::Path;
use std::sync::OnceLock;

use crosswalk::coverage::{Evaluation, Options, Routes};
use crosswalk::db::{self, DataSource, Database};
use crosswalk::model::{CtlId, Relationship, State, Strength};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;
use crosswalk::query::sets::ControlSet;
use crosswalk::report::Output;
use proptest::prelude::*;

/// The relationship of two requirement sets (bit masks), or `None` when they are disjoint.
fn relate(a: u16, b: u16) -> Option<Relationship> {
    if a == b {
        Some(Relationship::Equal)
    } else if a & b == b {
        Some(Relationship::SupersetOf)
    } else if a & b == a {
        Some(Relationship::SubsetOf)
    } else if a & b != 0 {
        Some(Relationship::IntersectsWith)
    } else {
        None
    }
}

proptest! {
    /// Whatever `compose` claims holds for every three concrete sets that produce its inputs:
    /// a claim of full coverage (equal, superset-of) or of containment is exact, and
    /// intersects-with at least means the two overlap.
    #[test]
    fn composition_is_sound(s in 1u16.., m in 1u16.., t in 1u16..) {
        let (Some(first), Some(second)) = (relate(s, m), relate(m, t)) else { return Ok(()) };
        let actual = relate(s, t);
        match first.compose(second) {
            None => {}
            Some(Relationship::IntersectsWith) => prop_assert!(actual.is_some(), "{first} then {second}: s and t must overlap"),
            Some(claim) => prop_assert_eq!(actual, Some(claim), "{} then {}", first, second),
        }
    }

    /// Reading a route backwards gives the reverse of reading it forwards.
    #[test]
    fn composition_reads_the_same_both_ways(a in 0usize..4, b in 0usize..4) {
        let (a, b) = (Relationship::ALL[a], Relationship::ALL[b]);
        prop_assert_eq!(a.compose(b).map(Relationship::reverse), b.reverse().compose(a.reverse()));
        prop_assert_eq!(a.reverse().reverse(), a);
    }
}

#[test]
fn the_composition_table_of_the_design() {
    use Relationship::*;
    let cases = [
        (Equal, SubsetOf, Some(SubsetOf)),
        (IntersectsWith, Equal, Some(IntersectsWith)),
        (SupersetOf, SupersetOf, Some(SupersetOf)),
        (SubsetOf, SubsetOf, Some(SubsetOf)),
        (SupersetOf, SubsetOf, Some(IntersectsWith)),
        (SupersetOf, IntersectsWith, Some(IntersectsWith)),
        (IntersectsWith, SubsetOf, Some(IntersectsWith)),
        (SubsetOf, SupersetOf, None),
        (IntersectsWith, IntersectsWith, None),
        (IntersectsWith, SupersetOf, None),
        (SubsetOf, IntersectsWith, None),
    ];
    for (a, b, expected) in cases {
        assert_eq!(a.compose(b), expected, "{a} then {b}");
    }
}

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).unwrap())
}

fn tiny() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Dir(Path::new("tests/data/tiny"))).unwrap())
}

/// The state of every node of framework `target` given the sources.
fn states(db: &Database, sources: &ControlSet, target: &str, options: &Options) -> Vec<(CtlId, State)> {
    let fw = db.find_framework(target).unwrap();
    let e = Evaluation::new(db, sources, fw, options);
    db.framework(fw).controls.clone().map(|c| (c, e.state(c))).collect()
}

fn direct(routes: Routes) -> Options {
    Options { routes, ..Options::direct() }
}

/// A random set of ISO controls, some partly implemented.
fn iso_sources() -> impl Strategy<Value = Vec<(usize, bool)>> {
    proptest::collection::vec((0usize..93, any::<bool>()), 0..25)
}

fn iso_set(db: &Database, picks: &[(usize, bool)]) -> ControlSet {
    let iso: Vec<CtlId> = db.controls_of(db.find_framework("iso27001").unwrap()).collect();
    let mut set = ControlSet::default();
    for &(i, partial) in picks {
        set.insert(iso[i], if partial { Strength::Partial } else { Strength::Full });
    }
    set
}

fn routes_for(db: &Database, via: Option<&str>) -> Routes {
    via.map_or(Routes::Direct, |k| Routes::Via(db.find_framework(k).unwrap()))
}

/// Checks the roll-up rule on every node: full exactly when a full mapping
/// reaches it or a whole above it, or every part that counts is full; each
/// full mapping an equal or superset-of from a fully implemented source;
/// `n/a` exactly for the items that place no duty.
fn check_rules(db: &Database, e: &Evaluation) -> Result<(), TestCaseError> {
    for c in db.framework(e.fw).controls.clone() {
        let state = e.state(c);
        let name = db.qualified(c);
        prop_assert_eq!(state == State::NotApplicable, !e.counts(c), "{}", name);
        if state == State::NotApplicable {
            continue;
        }
        for r in e.reaches(c) {
            let proof = matches!(r.route.relationship, Some(Relationship::Equal | Relationship::SupersetOf))
                && r.strength == Strength::Full;
            prop_assert_eq!(r.gives == Strength::Full, proof, "{}", name);
        }
        let whole =
            std::iter::once(c).chain(db.ancestors(c)).any(|n| e.reaches(n).iter().any(|r| r.gives == Strength::Full));
        let kids: Vec<State> = e.parts(c).map(|k| e.state(k)).collect();
        let all_parts = !kids.is_empty() && kids.iter().all(|&k| k == State::Full);
        prop_assert_eq!(state == State::Full, whole || all_parts, "{}", name);
        let reached = !e.reaches(c).is_empty() || kids.iter().any(|&k| k > State::None);
        prop_assert_eq!(state >= State::Partial, state == State::Full || reached, "{}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Adding a source control never lowers the state of any node.
    #[test]
    fn adding_a_source_never_lowers_a_state(
        picks in iso_sources(),
        extra in 0usize..93,
        partial in any::<bool>(),
        target in prop::sample::select(vec!["soc2", "hipaa", "csf", "gdpr"]),
        via in prop::sample::select(vec![None, Some("csf"), Some("iso27001-isms")]),
    ) {
        let db = shipped();
        let options = direct(routes_for(db, via.filter(|v| *v != target)));
        let before = states(db, &iso_set(db, &picks), target, &options);
        let mut more = picks.clone();
        more.push((extra, partial));
        let after = states(db, &iso_set(db, &more), target, &options);
        for ((t, b), (_, a)) in before.iter().zip(&after) {
            prop_assert!(a >= b, "{}: {} became {}", db.qualified(*t), b, a);
        }
    }

    /// A node is full only through a mapping that proves it (at it or at a
    /// whole above it) or through every part that counts; partial mappings
    /// never add up to full; `n/a` items are left out.
    #[test]
    fn full_needs_a_proof_or_every_part(
        picks in iso_sources(),
        target in prop::sample::select(vec!["soc2", "hipaa", "csf", "gdpr"]),
        with_na in any::<bool>(),
    ) {
        let db = shipped();
        let fw = db.find_framework(target).unwrap();
        let routes = if target == "csf" { Routes::Direct } else { Routes::Via(db.find_framework("csf").unwrap()) };
        let options = Options { routes, with_na, ..Options::direct() };
        check_rules(db, &Evaluation::new(db, &iso_set(db, &picks), fw, &options))?;
    }

    /// The same on the tiny database, where every route kind, parts, subparts and `n/a` items occur.
    #[test]
    fn tiny_coverage_keeps_the_rules(a in proptest::collection::vec(0usize..6, 0..6), b in 0usize..6, with_na in any::<bool>()) {
        let db = tiny();
        let src: Vec<CtlId> = db.controls_of(db.find_framework("src").unwrap()).collect();
        let set = |ids: &[usize]| ControlSet::of(ids.iter().map(|&i| src[i]));
        for (target, routes) in [("tgt", Routes::Via(db.find_framework("mid").unwrap())), ("req", Routes::Direct)] {
            let options = Options { routes, with_na, ..Options::direct() };
            let before = states(db, &set(&a), target, &options);
            let mut more = a.clone();
            more.push(b);
            let after = states(db, &set(&more), target, &options);
            prop_assert!(before.iter().zip(&after).all(|((_, x), (_, y))| y >= x));
            check_rules(db, &Evaluation::new(db, &set(&more), db.find_framework(target).unwrap(), &options))?;
        }
    }

    /// `n/a` items never count: the summary's totals leave them out whatever the sources.
    #[test]
    fn na_items_never_count(picks in iso_sources()) {
        let db = shipped();
        let Output::Coverage(c) = run_one(&format!("coverage {} -> gdpr", set_text(db, &picks))) else { panic!() };
        let na = c.rows.iter().filter(|r| r.state == State::NotApplicable).count();
        prop_assert_eq!(c.summary.counts.na, na);
        prop_assert_eq!(c.summary.counts.total + na, c.rows.len());
        prop_assert_eq!(c.summary.counts.total, c.summary.counts.full + c.summary.counts.partial + c.summary.counts.none);
    }

    /// A plan, applied, reaches exactly the totals it promised, at every step and at the end,
    /// and no fewer targets are full than with every control of the source framework.
    #[test]
    fn a_plan_applied_keeps_its_promise(picks in iso_sources(), target in prop::sample::select(vec!["soc2", "hipaa", "gdpr"])) {
        let db = shipped();
        let set = set_text(db, &picks);
        let Output::Plan(p) = run_one(&format!("plan {set} -> {target}")) else { panic!() };
        let totals = |src: &str| {
            let Output::Coverage(c) = run_one(&format!("coverage {src} -> {target}")) else { panic!() };
            (c.summary.counts.full, c.summary.counts.total)
        };
        let planned = if p.set.is_empty() { set.clone() } else { format!("{set} + {}", p.set) };
        prop_assert_eq!(totals(&planned), (p.after.full, p.after.targets));
        if let Some(first) = p.steps.first() {
            // The first step: one control, or the controls a row needs together.
            let one = format!("{set} + {}{{{}}}", first.add.framework, first.ids(", "));
            prop_assert_eq!(totals(&one), (first.then.full, first.then.targets));
        } else {
            prop_assert_eq!(p.after, p.before);
        }
        prop_assert_eq!(totals(&format!("{set} + iso27001")).0, p.after.full);
    }
}

/// A set of ISO controls as query text (partly implemented ones are taken as implemented).
fn set_text(db: &Database, picks: &[(usize, bool)]) -> String {
    let iso: Vec<CtlId> = db.controls_of(db.find_framework("iso27001").unwrap()).collect();
    let ids: Vec<String> = picks.iter().map(|&(i, _)| db.control(iso[i]).id.to_string()).collect();
    if ids.is_empty() {
        "(iso27001 - iso27001)".to_string()
    } else {
        format!("iso27001{{{}}}", ids.join(", "))
    }
}

fn run_one(src: &str) -> Output {
    let stmt = parse::parse(src).remove(0).expect("parses");
    eval::eval(shipped(), &mut Env::default(), &stmt, src).expect("evaluates")
}

/// Symbols, names and oddities that queries are made of, besides the keywords.
const PIECES: &[&str] = &[
    "->",
    "<-",
    "|",
    "&",
    "-",
    "(",
    ")",
    "{",
    "}",
    ",",
    "..",
    "*",
    "=",
    "!=",
    "~",
    ";",
    "\n",
    "\"",
    "$",
    ":",
    "iso27001",
    "soc2",
    "hipaa",
    "csf",
    "gdpr",
    "isms",
    "iso27001:8.24",
    "soc2:CC6.1",
    "hipaa:164.312(a)(2)(iv)",
    "csf:PR.AA",
    "gdpr:32",
    "5.*",
    "8.1..8.16",
    "CC6.1",
    "function",
    "PR",
    "type",
    "preventive",
    "title",
    "\"encrypt\"",
    "$mine",
    "x",
    "A.5.15",
    "soa(\"nope.csv\")",
    "#",
    "\\",
    "é",
    "\u{0}",
    "(a)",
    "164.312(a",
    "9999999999",
    "csv",
    "json",
];

/// Words to build random queries from: the language's keywords and the pieces above.
fn tokens() -> Vec<&'static str> {
    parse::STATEMENT_KEYWORDS.iter().chain(&parse::CLAUSE_KEYWORDS).chain(PIECES).copied().collect()
}

const VALID: &[&str] = &[
    "coverage iso27001{5.15, 8.5, 8.24} -> hipaa where section = 164.312 via csf",
    "list iso27001 where property = confidentiality and not (concept = detect or title ~ \"log\")",
    "map soc2:CC6.1 <- iso27001 where relationship = equal",
    "let mine = iso27001{5.1..5.37} - iso27001{5.7}; gaps $mine -> soc2",
    "explain iso27001{8.*} -> hipaa:164.312(a)(2)(iv)",
    "path hipaa:164.308(a)(1) -> soc2 via iso27001",
];

fn run_anything(src: &str) {
    let db = shipped();
    let dir = std::env::temp_dir().join("crosswalk-property-exports");
    let mut env = Env { base_dir: dir, ..Env::default() };
    for stmt in parse::parse(src).into_iter().flatten() {
        // Results and errors are both fine; a panic is not.
        if !matches!(stmt.node, crosswalk::query::ast::Statement::Export { .. }) {
            let _ = eval::eval(db, &mut env, &stmt, src);
        }
    }
    let _ = parse::split(src);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Random sequences of the language's own words.
    #[test]
    fn token_soup_never_panics(tokens in proptest::collection::vec(prop::sample::select(tokens()), 0..14), spaces in any::<bool>()) {
        let sep = if spaces { " " } else { "" };
        run_anything(&tokens.join(sep));
    }

    /// Valid queries with a piece cut out, a character changed or something inserted.
    #[test]
    fn mutated_queries_never_panic(which in 0..VALID.len(), at in any::<prop::sample::Index>(), len in 0usize..6, insert in prop::sample::select(tokens())) {
        let q = VALID[which];
        let mut cut = at.index(q.len() + 1);
        while !q.is_char_boundary(cut) { cut -= 1; }
        let mut end = (cut + len).min(q.len());
        while !q.is_char_boundary(end) { end -= 1; }
        run_anything(&format!("{}{}{}", &q[..cut], insert, &q[end..]));
        run_anything(&format!("{}{}", &q[..cut], &q[end..]));
    }

    /// Any text at all.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,60}") {
        run_anything(&s);
    }
}

/// Statements nested or chained as far as the limits allow still run; beyond them they are
/// refused with an error, never a crashed stack (test threads have small stacks).
#[test]
fn deep_and_long_statements_are_refused_not_crashed() {
    let db = shipped();
    let run = |src: String| -> Result<(), String> {
        let mut env = Env::default();
        for stmt in parse::parse(&src) {
            let stmt = stmt.map_err(|d| d.message)?;
            eval::eval(db, &mut env, &stmt, &src).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    let nested = |n: usize| format!("list {}iso27001{{5.1}}{}", "(".repeat(n), ")".repeat(n));
    let chained = |n: usize| format!("list iso27001{{5.1}}{}", " | iso27001{5.2}".repeat(n));
    let negated = |n: usize| format!("list iso27001 where {}id = 5.1", "not ".repeat(n));
    assert_eq!(run(nested(63)), Ok(()));
    assert_eq!(run(chained(128)), Ok(()));
    assert_eq!(run(negated(64)), Ok(()));
    assert_eq!(run(format!("list iso27001 where {}", vec!["id = 5.1"; 129].join(" or "))), Ok(()));
    for src in [nested(65), nested(100_000), chained(129), chained(100_000), negated(100_000)] {
        let err = run(src).unwrap_err();
        let refused = ["nests more than", "chains more than", "statements are limited to"];
        assert!(refused.iter().any(|r| err.contains(r)), "{err}");
    }
}

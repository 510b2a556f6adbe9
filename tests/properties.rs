//! Property tests: the relationship rules against a model of sets, the coverage rules on random
//! sources, and queries of any shape never making the program panic.

use std::path::Path;
use std::sync::OnceLock;

use crosswalk::coverage::{self, Routes};
use crosswalk::db::{self, DataSource, Database};
use crosswalk::model::{CtlId, Relationship, Strength};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;
use crosswalk::query::sets::ControlSet;
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

/// The states of every target of framework `target` given the sources.
fn states(db: &Database, sources: &ControlSet, target: &str, routes: Routes) -> Vec<(CtlId, Strength)> {
    let fw = db.find_framework(target).unwrap();
    let targets: Vec<CtlId> = db.mappable(fw).collect();
    let rows = coverage::coverage(db, sources, &targets, fw, routes);
    targets.into_iter().zip(rows.iter().map(|r| r.state)).collect()
}

/// A random set of ISO controls, some partly implemented.
fn iso_sources() -> impl Strategy<Value = Vec<(usize, bool)>> {
    proptest::collection::vec((0usize..93, any::<bool>()), 0..25)
}

fn iso_set(db: &Database, picks: &[(usize, bool)]) -> ControlSet {
    let iso: Vec<CtlId> = db.mappable(db.find_framework("iso27001").unwrap()).collect();
    let mut set = ControlSet::default();
    for &(i, partial) in picks {
        set.insert(iso[i], if partial { Strength::Partial } else { Strength::Full });
    }
    set
}

fn routes_for(db: &Database, via: Option<&str>) -> Routes {
    via.map_or(Routes::Direct, |k| Routes::Via(db.find_framework(k).unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Adding a source control never lowers any target's state.
    #[test]
    fn adding_a_source_never_lowers_a_state(
        picks in iso_sources(),
        extra in 0usize..93,
        partial in any::<bool>(),
        target in prop::sample::select(vec!["soc2", "hipaa", "csf", "gdpr"]),
        via in prop::sample::select(vec![None, Some("csf"), Some("iso27001-isms")]),
    ) {
        let db = shipped();
        let routes = routes_for(db, via.filter(|v| *v != target));
        let before = states(db, &iso_set(db, &picks), target, routes);
        let mut more = picks.clone();
        more.push((extra, partial));
        let after = states(db, &iso_set(db, &more), target, routes);
        for ((t, b), (_, a)) in before.iter().zip(&after) {
            prop_assert!(a >= b, "{}: {} became {}", db.qualified(*t), b, a);
        }
    }

    /// A target is full only through one mapping that proves it: an equal or superset-of
    /// relationship from a fully implemented source. Partial mappings never add up to full.
    #[test]
    fn full_needs_one_proof(picks in iso_sources(), target in prop::sample::select(vec!["soc2", "hipaa", "csf", "gdpr"])) {
        let db = shipped();
        let fw = db.find_framework(target).unwrap();
        let targets: Vec<CtlId> = db.mappable(fw).collect();
        for row in coverage::coverage(db, &iso_set(db, &picks), &targets, fw, Routes::Via(db.find_framework("csf").unwrap())) {
            let proofs = row.covered_by.iter().filter(|c| {
                !c.partial_source && matches!(c.relationship, Relationship::Equal | Relationship::SupersetOf)
            });
            prop_assert_eq!(row.state == Strength::Full, proofs.count() > 0, "{}", row.target.qualified());
        }
    }

    /// The same on the tiny database, where every route kind occurs.
    #[test]
    fn tiny_coverage_is_monotone(a in proptest::collection::vec(0usize..6, 0..6), b in 0usize..6) {
        let db = tiny();
        let src: Vec<CtlId> = db.mappable(db.find_framework("src").unwrap()).collect();
        let set = |ids: &[usize]| ControlSet::of(ids.iter().map(|&i| src[i]));
        let routes = Routes::Via(db.find_framework("mid").unwrap());
        let before = states(db, &set(&a), "tgt", routes);
        let mut more = a.clone();
        more.push(b);
        let after = states(db, &set(&more), "tgt", routes);
        prop_assert!(before.iter().zip(&after).all(|((_, x), (_, y))| y >= x));
    }
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

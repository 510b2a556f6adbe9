//! Coverage, gaps, paths and explanations on a tiny database whose every answer is worked out by hand.
//!
//! tests/data/tiny holds three frameworks: `src` (S1..S6), `tgt` (T1..T8) and
//! `mid` (M1..M4), with these mappings (read "left REL right"):
//!
//! ```text
//! src -> tgt   S1 equal T1, S2 superset-of T2, S2 intersects-with T4, S3 subset-of T3,
//!              S3 intersects-with T4, S4 intersects-with T3, S5 superset-of T5
//! src -> mid   S1 superset-of M1, S1 intersects-with M4, S6 superset-of M2, S6 subset-of M3
//! mid -> tgt   M1 superset-of T1, M1 superset-of T6, M2 subset-of T7, M3 superset-of T7,
//!              M4 superset-of T2, M4 subset-of T8
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;
use crosswalk::report::Output;

fn tiny() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Dir(Path::new("tests/data/tiny"))).expect("the tiny database loads"))
}

fn eval(src: &str) -> Output {
    let mut env = Env { base_dir: PathBuf::from("tests/data"), ..Env::default() };
    let mut out = None;
    for stmt in parse::parse(src) {
        out = Some(eval::eval(tiny(), &mut env, &stmt.expect("parses"), src).expect("evaluates"));
    }
    out.expect("a statement")
}

/// Each target's id and state, in order.
fn states(src: &str) -> Vec<(String, String)> {
    let Output::Coverage(c) = eval(src) else { panic!("not a coverage") };
    c.rows.iter().map(|r| (r.target.id.clone(), r.state.to_string())).collect()
}

fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn direct_coverage_by_hand() {
    // T1: S1 equal -> full. T2: S2 superset -> full. T3: S3 subset -> partial.
    // T4: two intersects (S2, S3) -> still only partial. T5..T8: nothing from S1..S3 directly.
    assert_eq!(
        states("coverage src{S1, S2, S3} -> tgt"),
        expect(&[
            ("T1", "full"),
            ("T2", "full"),
            ("T3", "partial"),
            ("T4", "partial"),
            ("T5", "none"),
            ("T6", "none"),
            ("T7", "none"),
            ("T8", "none")
        ])
    );
}

#[test]
fn derived_routes_count_only_when_asked_and_only_as_far_as_they_prove() {
    // via mid: T6 <- S1 superset M1 superset T6 = superset -> full.
    // T8 <- S1 intersects M4 subset T8 = intersects -> partial.
    // T2 <- S1 intersects M4 superset T2 = unknown -> not counted (S2 still gives full).
    // T1 <- S1 superset M1 superset T1 = superset, but the direct S1 equal T1 wins: still full, from the direct row.
    assert_eq!(
        states("coverage src{S1, S2, S3} -> tgt via mid"),
        expect(&[
            ("T1", "full"),
            ("T2", "full"),
            ("T3", "partial"),
            ("T4", "partial"),
            ("T5", "none"),
            ("T6", "full"),
            ("T7", "none"),
            ("T8", "partial")
        ])
    );
    // S6: superset M2 then M2 subset T7 = intersects -> partial; subset M3 then M3 superset T7 = unknown.
    assert_eq!(states("coverage src:S6 -> tgt via mid where id = T7"), expect(&[("T7", "partial")]));
    assert_eq!(states("coverage src:S6 -> tgt direct where id = T7"), expect(&[("T7", "none")]));
}

#[test]
fn covered_by_names_each_source_and_route() {
    let Output::Coverage(c) = eval("coverage src{S1, S2, S3} -> tgt via mid") else { panic!() };
    let by = |id: &str| {
        c.rows.iter().find(|r| r.target.id == id).unwrap().covered_by.iter().map(|k| k.short()).collect::<Vec<_>>()
    };
    assert_eq!(by("T1"), ["src:S1(equal)"]);
    assert_eq!(by("T4"), ["src:S2(intersects-with)", "src:S3(intersects-with)"]);
    assert_eq!(by("T6"), ["src:S1(superset-of via mid:M1)"]);
    assert_eq!(by("T8"), ["src:S1(intersects-with via mid:M4)"]);
    // Summary: 3 full, 3 partial, 2 none of 8.
    assert_eq!((c.summary.total, c.summary.full, c.summary.partial, c.summary.none), (8, 3, 3, 2));
}

#[test]
fn gaps_list_what_is_short_of_full() {
    let Output::Coverage(c) = eval("gaps src{S1, S2, S3} -> tgt") else { panic!() };
    let ids: Vec<&str> = c.rows.iter().map(|r| r.target.id.as_str()).collect();
    assert_eq!(ids, ["T3", "T4", "T5", "T6", "T7", "T8"]);
    assert_eq!(c.summary.full, 2, "the summary still counts every target");
}

#[test]
fn a_partly_implemented_source_gives_at_most_partial() {
    // tests/data/tiny-soa.csv: S5 partial, S1 implemented, S2 not applicable.
    assert_eq!(
        states("coverage soa(\"tiny-soa.csv\") -> tgt where id = T1 or id = T2 or id = T5"),
        expect(&[("T1", "full"), ("T2", "none"), ("T5", "partial")])
    );
    let Output::Coverage(c) = eval("coverage soa(\"tiny-soa.csv\") -> tgt where id = T5") else { panic!() };
    assert_eq!(c.rows[0].covered_by[0].short(), "src:S5(superset-of, partially implemented)");
}

/// Each route of a `path` statement and its composed relationship.
fn routes(src: &str) -> Vec<(String, &'static str)> {
    let Output::Paths(p) = eval(src) else { panic!("not a path") };
    p.rows.iter().map(|r| (r.route_text(), r.relationship_text())).collect()
}

#[test]
fn paths_show_every_route_with_its_composed_relationship() {
    assert_eq!(
        routes("path src:S1 -> tgt"),
        [
            // Direct first, then derived routes that prove a relationship, then unknown ones.
            ("src:S1 -[equal]-> tgt:T1".to_string(), "equal"),
            ("src:S1 -[superset-of]-> mid:M1 -[superset-of]-> tgt:T6".to_string(), "superset-of"),
            ("src:S1 -[intersects-with]-> mid:M4 -[subset-of]-> tgt:T8".to_string(), "intersects-with"),
            ("src:S1 -[intersects-with]-> mid:M4 -[superset-of]-> tgt:T2".to_string(), "unknown"),
        ]
    );
    // The derived S1 -> M1 -> T1 route is left out: the direct S1 equal T1 wins.
    assert_eq!(routes("path src:S1 -> tgt direct").len(), 1);
}

#[test]
fn paths_read_mappings_backwards_too() {
    // T7 <- M3 is stored as M3 superset-of T7, so from T7 it reads T7 subset-of M3; then M3 superset-of S6.
    assert_eq!(
        routes("path tgt:T7 -> src via mid"),
        [
            ("tgt:T7 -[superset-of]-> mid:M2 -[subset-of]-> src:S6".to_string(), "intersects-with"),
            ("tgt:T7 -[subset-of]-> mid:M3 -[superset-of]-> src:S6".to_string(), "unknown"),
        ]
    );
}

#[test]
fn explain_shows_superseded_and_unknown_routes_without_counting_them() {
    let Output::Explain(e) = eval("explain src{S1, S6} -> tgt:T1") else { panic!() };
    assert_eq!(e.state.to_string(), "full");
    let rows: Vec<(String, bool, String)> =
        e.rows.iter().map(|r| (r.route_text(), r.superseded, r.gives.to_string())).collect();
    assert_eq!(
        rows,
        [
            ("src:S1 -[equal]-> tgt:T1".to_string(), false, "full".to_string()),
            ("src:S1 -[superset-of]-> mid:M1 -[superset-of]-> tgt:T1".to_string(), true, "none".to_string()),
        ]
    );
    let Output::Explain(e) = eval("explain src:S6 -> tgt:T7") else { panic!() };
    assert_eq!(e.state.to_string(), "partial");
    assert_eq!(e.rows.iter().map(|r| r.relationship_text()).collect::<Vec<_>>(), ["intersects-with", "unknown"]);
}

#[test]
fn coverage_without_a_mapping_set_says_how_to_route() {
    let Output::Coverage(c) = eval("coverage src:S6 -> tgt where id = T7") else { panic!() };
    assert!(c.note.is_none(), "src and tgt have a set");
    let Output::Coverage(c) = eval("coverage mid -> src") else { panic!() };
    assert!(c.note.is_none());
    let Output::Coverage(c) = eval("coverage src:S1 - src:S1 -> tgt") else { panic!() };
    assert!(c.note.is_some());
}

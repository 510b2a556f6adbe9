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
//!
//! and a fourth, `req`, whose requirements have parts (points, and subpoints
//! under R2.2), some of which place no duty (`n/a`):
//!
//! ```text
//! R1 (R1.1, R1.2, R1.3)     R2 (R2.1, R2.2 (R2.2.a, R2.2.b))     R3 (atomic)
//! R4 (R4.1 n/a, R4.2)       R5 n/a (R5.1)                        X1 n/a (in chapter X, n/a)
//! R6 (R6.1, R6.2)
//! src -> req   S1 superset-of R1.1, S2 superset-of R1.2, S3 subset-of R1.3, S4 equal R1.3,
//!              S5 superset-of R2 (the whole), S6 intersects-with R2.2.a, S1 intersects-with R3,
//!              S2 superset-of R4.2, S3 superset-of R5.1, S4 superset-of X1,
//!              S1 + S6 superset-of R6 (together, not each), S2 + S4 subset-of R6.2 (together),
//!              S5 + mid:M1 superset-of R3 (a group across two frameworks)
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;
use crosswalk::report::{GapKind, Output};

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
    c.rows.iter().map(|r| (r.target.id.to_string(), r.state.to_string())).collect()
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
    assert_eq!(
        (c.summary.counts.total, c.summary.counts.full, c.summary.counts.partial, c.summary.counts.none),
        (8, 3, 3, 2)
    );
}

#[test]
fn gaps_list_what_is_short_of_full() {
    let Output::Coverage(c) = eval("gaps src{S1, S2, S3} -> tgt") else { panic!() };
    let ids: Vec<&str> = c.rows.iter().map(|r| r.target.id.as_str()).collect();
    assert_eq!(ids, ["T3", "T4", "T5", "T6", "T7", "T8"]);
    assert_eq!(c.summary.counts.full, 2, "the summary still counts every target");
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

/// Each row's id, state and `met/total` parts (empty for an atomic target).
fn parts(src: &str) -> Vec<(String, String, String)> {
    let Output::Coverage(c) = eval(src) else { panic!("not a coverage") };
    c.rows
        .iter()
        .map(|r| {
            let p = r.parts.as_ref().map(|p| format!("{}/{}", p.full, p.total)).unwrap_or_default();
            (r.target.id.to_string(), r.state.to_string(), p)
        })
        .collect()
}

fn expect3(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

#[test]
fn parts_roll_up_only_when_every_part_that_counts_is_full() {
    // R1: S1 and S2 meet R1.1 and R1.2 in full, S3 only part of R1.3: 2 of 3, partial.
    // R2: nothing. R3: an overlap, partial. R4: R4.1 places no duty, R4.2 full: full.
    // R5 and X1 place no duty: n/a, whatever reaches them.
    assert_eq!(
        parts("coverage src{S1, S2, S3} -> req"),
        expect3(&[
            ("R1", "partial", "2/3"),
            ("R2", "none", "0/3"),
            ("R3", "partial", ""),
            ("R4", "full", "1/1"),
            ("R5", "n/a", ""),
            ("X1", "n/a", ""),
            ("R6", "none", "0/2"),
        ])
    );
    // S4 equals R1.3: now every point of R1 is met, so R1 is full without any mapping to R1 itself.
    assert_eq!(parts("coverage src{S1, S2, S4} -> req where id = R1"), expect3(&[("R1", "full", "3/3")]));
    // Two partial mappings never add up: S3 (subset-of) and S6 (intersects-with) leave their targets partial.
    assert_eq!(
        parts("coverage src{S3, S6} -> req where id = R1 or id = R2"),
        expect3(&[("R1", "partial", "0/3"), ("R2", "partial", "0/3")])
    );
}

#[test]
fn a_whole_mapped_in_full_makes_every_part_under_it_full() {
    // S5 superset-of R2: R2 and each of its points and subpoints are full.
    assert_eq!(
        parts("coverage src:S5 -> req where id = R2 with parts"),
        expect3(&[
            ("R2", "full", "3/3"),
            ("R2.1", "full", ""),
            ("R2.2", "full", "2/2"),
            ("R2.2.a", "full", ""),
            ("R2.2.b", "full", ""),
        ])
    );
}

#[test]
fn with_na_counts_the_items_that_place_no_duty() {
    // R4.1 now counts and nothing meets it; R5 is met through its one point; X1 through S4.
    assert_eq!(
        parts("coverage src -> req with n/a"),
        expect3(&[
            ("R1", "full", "3/3"),
            ("R2", "full", "3/3"),
            ("R3", "partial", ""),
            ("R4", "partial", "1/2"),
            ("R5", "full", "1/1"),
            ("X1", "full", ""),
            ("R6", "full", "2/2"),
        ])
    );
    let Output::Coverage(c) = eval("coverage src -> req") else { panic!() };
    assert_eq!(
        (c.summary.counts.total, c.summary.counts.full, c.summary.counts.na),
        (5, 4, 2),
        "n/a items are left out of the totals"
    );
}

#[test]
fn gaps_say_which_parts_are_open_and_whether_the_source_framework_closes_them() {
    let Output::Coverage(c) = eval("gaps src{S1, S2, S3} -> req") else { panic!() };
    let row = |id: &str| c.rows.iter().find(|r| r.target.id == id).unwrap();
    let open: Vec<String> = row("R1").open.iter().map(|p| format!("{} {}", p.part.id, p.state)).collect();
    assert_eq!(open, ["R1.3 partial"]);
    let gap = row("R1").gap.as_ref().unwrap();
    assert_eq!(gap.kind, GapKind::Closable);
    assert_eq!(gap.closing.iter().map(|k| k.short("R1")).collect::<Vec<_>>(), ["src:S4 (full: R1.3)"]);
    let gap = row("R2").gap.as_ref().unwrap();
    assert_eq!(
        gap.closing.iter().map(|k| k.short("R2")).collect::<Vec<_>>(),
        ["src:S5 (full)", "src:S6 (partial: R2.2.a)"]
    );
    // R3 can only ever be partial from src: beyond it, new work.
    assert_eq!(row("R3").gap.as_ref().unwrap().kind, GapKind::Beyond);
    assert_eq!((c.summary.counts.closable, c.summary.counts.beyond), (3, 1));
    assert_eq!(c.rows.iter().map(|r| r.target.id.as_str()).collect::<Vec<_>>(), ["R1", "R2", "R3", "R6"]);
}

#[test]
fn the_plan_is_the_fewest_controls_and_keeps_its_promise() {
    // R1 needs S1, S2 and S4 (S3 is already in); R2 needs S5; R4 needs S2; R3 cannot be closed.
    let Output::Plan(p) = eval("plan src{S3} -> req where id != R6") else { panic!() };
    assert_eq!(p.method, "minimal");
    assert_eq!(p.set, "src{S1, S2, S4, S5}");
    let steps: Vec<(String, Vec<String>)> =
        p.steps.iter().map(|s| (s.add.id.to_string(), s.makes_full.clone())).collect();
    // S5 and S2 each make one requirement full; S5 meets more parts, so it comes first.
    assert_eq!(
        steps,
        [
            ("S5".to_string(), vec!["R2".to_string()]),
            ("S2".to_string(), vec!["R4".to_string()]),
            ("S1".to_string(), vec![]),
            ("S4".to_string(), vec!["R1".to_string()]),
        ]
    );
    assert_eq!((p.before.full, p.after.full, p.after.targets), (0, 3, 4));
    assert_eq!(p.left_short.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["R3"]);
    // Applied, it gives what it promised.
    assert_eq!(
        parts("coverage src{S3} + src{S1, S2, S4, S5} -> req where id != R6").iter().filter(|r| r.1 == "full").count(),
        3
    );
    // Told not to use S4, it cannot close R1 (S4 is the only full route to R1.3), but it still
    // meets what it can of R1: S1 for R1.1 (S2, for R1.2, is in the plan anyway).
    let Output::Plan(p) = eval("plan src{S3} -> req where id != R6 except src:S4") else { panic!() };
    assert_eq!(p.set, "src{S1, S2, S5}");
    assert_eq!(p.left_short.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["R1", "R3"]);
}

#[test]
fn sources_stand_for_their_parts_and_a_whole_of_sources_is_a_source() {
    // Read backwards, R2 (its whole) is inside S5; naming every point of R2 names R2.
    let Output::Coverage(c) = eval("coverage req{R2.1, R2.2} -> src where id = S5") else { panic!() };
    assert_eq!(c.rows[0].state.to_string(), "partial", "R2 subset-of S5 gives part of S5");
    let Output::Coverage(c) = eval("coverage req:R2 -> src where id = S6") else { panic!() };
    assert_eq!(c.rows[0].state.to_string(), "partial", "R2 stands for R2.2.a too, which overlaps S6");
}

#[test]
fn explain_lists_the_parts_with_their_states() {
    let Output::Explain(e) = eval("explain src{S1, S3} -> req:R1") else { panic!() };
    assert_eq!(e.state.to_string(), "partial");
    let parts: Vec<(String, String)> = e.parts.iter().map(|p| (p.part.id.to_string(), p.state.to_string())).collect();
    assert_eq!(
        parts,
        [("R1.1".into(), "full".into()), ("R1.2".into(), "none".into()), ("R1.3".into(), "partial".into())]
    );
    let p = e.part_count.unwrap();
    assert_eq!((p.noun.as_str(), p.full, p.partial, p.none), ("points", 1, 1, 1));
    assert_eq!(e.rows.len(), 2);
}

#[test]
fn sources_that_hold_a_relationship_together_count_only_together() {
    // S1 + S6 superset-of R6: neither alone gives anything, both give R6 and its points in full.
    assert_eq!(parts("coverage src:S1 -> req where id = R6"), expect3(&[("R6", "none", "0/2")]));
    assert_eq!(parts("coverage src:S6 -> req where id = R6"), expect3(&[("R6", "none", "0/2")]));
    assert_eq!(parts("coverage src{S1, S6} -> req where id = R6"), expect3(&[("R6", "full", "2/2")]));
    // One of them only partly implemented: the group gives at most partial.
    let Output::Coverage(c) = eval("coverage src{S1, S6} -> req where id = R6") else { panic!() };
    assert_eq!(c.rows[0].covered_by[0].short(), "src:S1+S6(superset-of)");
    // S2 + S4 subset-of R6.2 gives R6.2 only in part; read backwards, R6.2 contains each of them.
    assert_eq!(
        parts("coverage src{S2, S4} -> req where id = R6 with parts")[2],
        ("R6.2".into(), "partial".into(), "".into())
    );
    let Output::Coverage(c) = eval("coverage req:R6.2 -> src where id = S2 or id = S4 or id = S1") else { panic!() };
    let states: Vec<(String, String)> = c.rows.iter().map(|r| (r.target.id.to_string(), r.state.to_string())).collect();
    assert_eq!(states, [("S1".into(), "none".into()), ("S2".into(), "full".into()), ("S4".into(), "full".into())]);
    // A group may take a member from another framework: S5 and mid's M1 together meet R3.
    assert_eq!(parts("coverage src:S5 + mid:M1 -> req where id = R3"), expect3(&[("R3", "full", "")]));
    assert_eq!(parts("coverage src:S5 -> req where id = R3"), expect3(&[("R3", "none", "")]));
    // A plan that has S1 needs only S6 to close R6.
    let Output::Plan(p) = eval("plan src:S1 -> req where id = R6") else { panic!() };
    assert_eq!(p.set, "src{S6}");
}

/// A folder of three frameworks of `n` controls, `a -> b` and `b -> c` mapped every control to every control.
fn dense(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("catalogs")).unwrap();
    std::fs::write(root.join("provenance.toml"), "[test]\nkind = \"analysis\"\ntitle = \"test\"\n").unwrap();
    for k in ["a", "b", "c"] {
        let meta = format!(
            "key = \"{k}\"\nname = \"{k}\"\nversion = \"1\"\npublisher = \"test\"\nlevels = [\"control\"]\ncontrols = [\"control\"]\n"
        );
        std::fs::write(root.join(format!("catalogs/{k}.toml")), meta).unwrap();
        let mut csv = String::from("id,parent,level,title,description\n");
        for i in 0..n {
            csv.push_str(&format!("{}{i},,control,Title {i},Description {i}\n", k.to_uppercase()));
        }
        std::fs::write(root.join(format!("catalogs/{k}.csv")), csv).unwrap();
    }
    for (s, t) in [("a", "b"), ("b", "c")] {
        let mut csv = String::from("source_id,target_id,relationship,provenance,rationale\n");
        for i in 0..n {
            for j in 0..n {
                let (su, tu) = (s.to_uppercase(), t.to_uppercase());
                csv.push_str(&format!("{su}{i},{tu}{j},superset-of,test,{su}{i} contains {tu}{j}\n"));
            }
        }
        std::fs::write(root.join(format!("{s}__{t}.csv")), csv).unwrap();
    }
    dir
}

#[test]
fn through_a_densely_mapped_middle_each_source_counts_once_per_target() {
    let n = 40;
    let dir = dense(n);
    let db = db::load(DataSource::Dir(dir.path())).expect("the dense database loads");
    let run = |src: &str| {
        let stmt = parse::parse(src).remove(0).expect("parses");
        eval::eval(&db, &mut Env::default(), &stmt, src).expect("evaluates")
    };
    let Output::Coverage(c) = run("coverage a -> c via b") else { panic!("a coverage") };
    assert_eq!(c.rows.len(), n);
    for row in &c.rows {
        assert_eq!(row.state.to_string(), "full");
        // n sources, each through one middle control (the first of the n that give as much), not n * n routes.
        assert_eq!(row.covered_by.len(), n, "{}", row.target.id);
        assert!(row.covered_by.iter().all(|k| k.via.as_ref().is_some_and(|v| v.id == "B0")));
    }
    // `path` still lists every route: through each of the n middle controls to each of the n targets.
    let Output::Paths(p) = run("path a:A0 -> c via b") else { panic!("paths") };
    assert_eq!(p.rows.len(), n * n);
}

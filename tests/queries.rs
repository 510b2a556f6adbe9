//! Snapshot tests over folders of queries: `queries/*.cwq` succeed (table, CSV and JSON
//! output each snapshotted), `errors/*.cwq` fail (the rendered error snapshotted).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::output::Format;
use crosswalk::query::eval::Env;
use crosswalk::session::{Outcome, Session};

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).expect("the shipped database loads"))
}

/// Runs a query file as batch mode would, with relative files under tests/data; returns (stdout, stderr).
fn run(path: &Path, format: Format) -> (String, String) {
    let src = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let (out, err, ..) = run_on(&src, &name, format, 1, false);
    (out, err)
}

/// What a run printed and how it went: stdout, stderr, the outcome, and the
/// names the session keeps after it, each with the size of its set.
type Ran = (String, String, Outcome, Vec<(String, usize)>);

/// Runs `src` on `workers` threads.
fn run_on(src: &str, name: &str, format: Format, workers: usize, keep_going: bool) -> Ran {
    let env = Env { format, base_dir: PathBuf::from("tests/data"), ..Env::default() };
    let mut session = Session::new(shipped(), env, Some(100));
    session.workers = workers;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let outcome = session.run(src, name, &mut out, &mut err, keep_going).unwrap();
    let mut names: Vec<(String, usize)> = session.env.vars.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    names.sort();
    (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap(), outcome, names)
}

#[test]
fn queries() {
    insta::glob!("queries/*.cwq", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        insta::with_settings!({ description => src.trim_end(), omit_expression => true }, {
            for format in [Format::Table, Format::Csv, Format::Json] {
                let (out, err) = run(path, format);
                assert!(!err.contains("error:"), "{} failed:\n{err}", path.display());
                assert!(!out.trim().is_empty(), "{} printed nothing", path.display());
                // What statements say of what they did (`let`, `export`) goes to stderr, apart from the results.
                let shown = if err.is_empty() { out } else { format!("{out}\n--- stderr ---\n{err}") };
                insta::assert_snapshot!(format.to_string(), shown);
            }
        });
    });
}

#[test]
fn errors() {
    insta::glob!("errors/*.cwq", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        insta::with_settings!({ description => src.trim_end(), omit_expression => true }, {
            let (_, err) = run(path, Format::Table);
            assert!(!err.is_empty(), "{} did not fail", path.display());
            insta::assert_snapshot!(err);
        });
    });
}

#[test]
fn the_same_query_prints_the_same_bytes() {
    let path = Path::new("tests/queries/gaps-iso-soc2.cwq");
    for format in [Format::Table, Format::Csv, Format::Json] {
        assert_eq!(run(path, format), run(path, format));
    }
}

/// Every query file in one batch, then statements that fail (a `let` among
/// them) and change the format: evaluated ahead on four threads, the run prints
/// the same bytes as on one, stops at the same failure, counts the same, and
/// leaves the session the same names.
#[test]
fn a_batch_on_several_threads_prints_what_it_prints_on_one() {
    let paths = query_files();
    let mut src: String = paths.iter().map(|p| std::fs::read_to_string(p).unwrap() + "\n").collect();
    src.push_str(
        "let wrong = iso27001{9.99}\nlist $wrong\nformat csv\ngaps iso27001 -> soc2\nshow soc2:CC61\n\
         let wrong = iso27001{5.1}\nformat json\nlist $wrong\ngaps $wrong -> hipaa via csf\nsearch \"encrypt\"\n",
    );
    for format in [Format::Table, Format::Csv] {
        for keep_going in [false, true] {
            let one = run_on(&src, "all.cwq", format, 1, keep_going);
            let four = run_on(&src, "all.cwq", format, 4, keep_going);
            assert!(
                one.2.failed > 0 && one.2.statements > 50,
                "the batch should fail after many statements: {:?}",
                one.2
            );
            assert_eq!(one.2.failed > 1, keep_going);
            let at = format!("format {format}, keep going: {keep_going}");
            assert_eq!((&one.2, &one.3), (&four.2, &four.3), "{at}");
            assert!(one.0 == four.0, "{at}: stdout differs from line {}", first_difference(&one.0, &four.0));
            assert!(one.1 == four.1, "{at}: stderr differs from line {}", first_difference(&one.1, &four.1));
        }
    }
}

/// Several files in one batch share one pool of threads and the names one
/// defines for the next; on three threads they print what they print on one.
#[test]
fn files_of_a_batch_on_several_threads_print_what_they_print_on_one() {
    let paths = query_files();
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = paths.split_at(paths.len() / 2);
    let text = |ps: &[PathBuf]| -> String { ps.iter().map(|p| std::fs::read_to_string(p).unwrap() + "\n").collect() };
    let files = [
        (text(first) + "let shared = iso27001{5.1..5.10}\n", "a.cwq"),
        ("list $shared\n".repeat(3), "b.cwq"),
        (text(second) + "map $shared -> soc2\nlist $missing\nlist $shared\n", "c.cwq"),
    ];
    let names: Vec<String> = files
        .iter()
        .map(|(src, name)| {
            let path = dir.path().join(name);
            std::fs::write(&path, src).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect();
    let run = |workers: usize, keep_going: bool| {
        let env = Env { base_dir: PathBuf::from("tests/data"), ..Env::default() };
        let mut session = Session::new(shipped(), env, Some(100));
        session.workers = workers;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = crosswalk::batch::run(&mut session, &names, keep_going, &mut out, &mut err).unwrap();
        (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap(), session.failures.clone())
    };
    for keep_going in [false, true] {
        let (one, three) = (run(1, keep_going), run(3, keep_going));
        assert_eq!(one.0, 1, "the last file fails");
        assert_eq!((one.0, &one.3), (three.0, &three.3), "keep going: {keep_going}");
        assert!(one.1 == three.1, "stdout differs from line {}", first_difference(&one.1, &three.1));
        assert!(one.2 == three.2, "stderr differs from line {}", first_difference(&one.2, &three.2));
    }
}

/// The files of `tests/queries`, in order.
fn query_files() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("tests/queries")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwq"))
        .collect();
    paths.sort();
    paths
}

/// The first line where two texts differ, numbered from 1, with both versions of it.
fn first_difference(a: &str, b: &str) -> String {
    let (mut a, mut b) = (a.lines(), b.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (x, y) if x == y && x.is_some() => continue,
            (x, y) => return format!("{n}: {x:?} against {y:?}"),
        }
    }
    unreachable!()
}

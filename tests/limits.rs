//! Hostile statements: whatever their size or shape, each ends in an error with a place, never a
//! stack overflow, on every path into the parser.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::query::eval::Env;
use crosswalk::query::parse;
use crosswalk::session::Session;

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).unwrap())
}

/// Runs a source through the session on this (test) thread; returns the rendered errors.
fn errors_of(src: &str) -> String {
    let env = Env { base_dir: PathBuf::from("tests/data"), ..Env::default() };
    let mut session = Session::new(shipped(), env, None);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    session.run(src, "q.cwq", &mut out, &mut err, true).unwrap();
    String::from_utf8(err).unwrap()
}

/// A chain of `n` differences of whole frameworks, written without spaces around `-`.
fn chain(n: usize) -> String {
    format!("list (iso27001){}", "-(iso27001)".repeat(n))
}

/// `n` levels of brackets, each opened on its own line after a `\`.
fn nested_across_lines(n: usize) -> String {
    format!("list {}iso27001{}", "(\\\n".repeat(n), ")".repeat(n))
}

/// A string whose escaped line break hides the rest of the statement from a naive scanner.
fn nested_after_an_escaped_line_break(n: usize) -> String {
    format!("search \"a\\\n\" in {}iso27001{}", "(".repeat(n), ")".repeat(n))
}

fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("chain of 20,000 differences in 300 kB", chain(27_000)),
        ("chain of 5,000 differences", chain(5_000)),
        ("chain of unions with keywords", format!("list csf{}", " union csf".repeat(5_000))),
        ("chain of `and`", format!("list csf where {}", "id = x and ".repeat(5_000) + "id = y")),
        ("5,000 levels across `\\` continuations", nested_across_lines(5_000)),
        ("5,000 levels after an escaped line break in a string", nested_after_an_escaped_line_break(5_000)),
        ("5,000 `not`", format!("list csf where {}id = x", "not ".repeat(5_000))),
        ("5,000 levels of filter brackets", format!("list csf where {}id = x{}", "(".repeat(5_000), ")".repeat(5_000))),
    ]
}

#[test]
fn hostile_statements_are_errors_with_a_place() {
    for (what, src) in hostile() {
        let err = errors_of(&src);
        assert!(err.starts_with("error: the statement "), "{what}: {err}");
        assert!(err.contains("--> q.cwq:"), "{what}: {err}");
    }
}

#[test]
fn a_statement_at_the_limits_still_runs() {
    // 64 levels and 128 operators are allowed, and evaluate on an ordinary thread.
    let deep = format!("list {}iso27001:5.1{}", "(".repeat(64), ")".repeat(64));
    assert_eq!(errors_of(&deep), "");
    let long = format!("list iso27001{{5.1}}{}", " | iso27001{5.2}".repeat(128));
    assert_eq!(errors_of(&long), "");
    let filter = format!("list csf where {}id = x", "not ".repeat(64));
    assert_eq!(errors_of(&filter), "");
}

#[test]
fn operators_in_strings_comments_and_ids_do_not_count() {
    let src = format!("search \"{}\" in csf{{PR.AA-01, PR.AA-02}} # {}", "a | b - c & ".repeat(100), "| ".repeat(200));
    assert_eq!(errors_of(&src), "");
}

#[test]
fn the_parser_alone_refuses_them_too() {
    for (what, src) in hostile() {
        let results = parse::parse(&src);
        assert_eq!(results.len(), 1, "{what}");
        assert!(results[0].is_err(), "{what}");
    }
}

fn run_binary(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(EXE)
        .args(args)
        .env("CROSSWALK_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn every_front_end_answers_with_an_error_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    for (what, src) in hostile() {
        let file = dir.path().join("q.cwq");
        std::fs::write(&file, &src).unwrap();
        let mut runs = vec![
            ("run FILE", run_binary(&["run", file.to_str().unwrap()], "")),
            ("stdin", run_binary(&["run", "-"], &src)),
        ];
        // The system refuses a single argument over 128 KiB.
        if src.len() < 128 * 1024 {
            runs.push(("-e", run_binary(&["-e", &src], "")));
        }
        for (front, o) in runs {
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{what} via {front}: {err}");
            assert!(err.starts_with("error: the statement "), "{what} via {front}: {err}");
        }
    }
}

#[test]
fn export_on_the_command_line_is_limited_too() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("x.csv");
    let o = run_binary(&["export", &chain(5_000).replacen("list", "crosswalk", 1), "-o", target.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!target.exists());
}

#[test]
fn a_long_misspelt_name_is_answered_at_once_and_suggestions_do_not_change() {
    // Edit distance over an 80,000-character name took 25 s (60,000 fit in a statement); the suggestion
    // came from a hash map's order.
    let mut src = String::from("let mine = iso27001{5.1}\nlet mint = iso27001{5.2}\nlet mink = iso27001{5.3}\n");
    src.push_str(&format!("list ${}\n", "m".repeat(60_000)));
    src.push_str(&format!("show csf:PR.{}\n", "A".repeat(60_000)));
    let started = std::time::Instant::now();
    let err = errors_of(&src);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
    assert!(err.contains("error: no set is named `$mmmm"), "{}", &err[..err.len().min(300)]);
    assert!(err.contains("error: unknown control `PR.AAAA"), "{}", &err[..err.len().min(300)]);
    for _ in 0..20 {
        let err =
            errors_of("let mint = iso27001{5.2}\nlet mink = iso27001{5.3}\nlet mine = iso27001{5.1}\nlist $minx\n");
        assert!(err.contains("did you mean `$mine`?"), "{err}");
    }
}

#[test]
fn a_statement_nested_to_the_limit_runs_under_a_small_stack_limit() {
    // The work moves to a thread with a stack of its own when `ulimit -s` is below what it needs.
    let deep = format!("list {}iso27001:5.1{}", "(".repeat(64), ")".repeat(64));
    // The last: as high as the system lets the limit go (unlimited, where it may).
    for kib in ["256", "8192", "$(ulimit -H -s)"] {
        let o = Command::new("sh")
            .args(["-c", &format!("ulimit -s {kib} && exec \"$0\" -e \"$1\""), EXE, &deep])
            .env("CROSSWALK_HISTORY", "")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "ulimit -s {kib}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("5.1"), "ulimit -s {kib}");
    }
}

//! Batch runs over many statements: summaries of the failures, a cap on printed errors, a cost
//! linear in the file, exit codes that survive closed pipes, and errors that never drive the terminal.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn crosswalk(args: &[&str]) -> Output {
    Command::new(EXE).args(args).env("CROSSWALK_HISTORY", "").output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn keep_going_ends_with_a_count_and_the_first_places() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.cwq");
    let mut src = String::from("frameworks\n");
    for i in 0..8 {
        src.push_str(&format!("show soc2:CC6.1\nlist $missing{i}\n"));
    }
    std::fs::write(&file, &src).unwrap();
    let name = file.to_str().unwrap();
    let o = crosswalk(&["run", "--keep-going", name]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    let last = err.lines().last().unwrap();
    let places: Vec<String> = [3, 5, 7, 9, 11].iter().map(|l| format!("{name}:{l}:1")).collect();
    assert_eq!(last, format!("8 of 17 statement(s) failed: {} and 3 more", places.join(", ")));
    assert_eq!(err.matches("error: no set is named").count(), 8);
    // Without --keep-going the run stops at the first failure, whose error says where it is.
    let o = crosswalk(&["run", name]);
    assert!(!text(&o.stderr).contains("statement(s) failed"), "{}", text(&o.stderr));
}

#[test]
fn max_errors_caps_the_errors_printed_not_the_statements_run() {
    let src = "list $a\nlist $b\nlist $c\nlist $d\nshow soc2:CC6.1\n";
    let mut child = Command::new(EXE)
        .args(["run", "--keep-going", "--max-errors", "2", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), src.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(err.matches("error: no set is named").count(), 2, "{err}");
    assert!(err.ends_with(
        "4 of 5 statement(s) failed: <stdin>:1:1, <stdin>:2:1, <stdin>:3:1, <stdin>:4:1 (2 error(s) not shown, past --max-errors)\n"
    ));
    assert!(text(&o.stdout).contains("Logical access security"), "the statements after the errors ran");
}

#[test]
fn eighty_thousand_failures_cost_time_linear_in_the_file() {
    // Counting each error's line from the start of the file made this quadratic: minutes, here.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.cwq");
    std::fs::write(&file, "list $x\n".repeat(80_000)).unwrap();
    let started = Instant::now();
    let o = crosswalk(&["run", "--keep-going", "--max-errors", "10", file.to_str().unwrap()]);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    assert!(text(&o.stderr).contains("80000 of 80000 statement(s) failed"));
}

#[test]
fn a_failure_before_a_closed_pipe_keeps_its_exit_code() {
    // stdout is read for its first line only, as `head -1` would; an earlier statement failed.
    let mut child = Command::new(EXE)
        .args(["-f", "csv", "run", "--keep-going", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let src = "list $nothing\n".to_string() + &"crosswalk iso27001 -> csf\n".repeat(200);
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, src.as_bytes()).unwrap();
    drop(stdin);
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
}

/// Runs the binary through `sh`, for redirections Rust's `Command` cannot express.
fn shell(script: &str) -> Output {
    Command::new("sh").arg("-c").arg(script).arg(EXE).output().unwrap()
}

#[test]
fn dev_null_is_a_success_and_a_full_disk_is_not() {
    assert_eq!(shell(r#""$0" -e frameworks >/dev/null"#).status.code(), Some(0));
    // Opened read-write, as Python's `subprocess.DEVNULL` and many harnesses do.
    let o = shell(r#""$0" -e frameworks 1<>/dev/null"#);
    assert_eq!((o.status.code(), text(&o.stderr)), (Some(0), String::new()));
    // A full disk is a failed write, not a success.
    let o = shell(r#""$0" -e frameworks >/dev/full"#);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o.stderr).starts_with("error: writing the output: "), "{}", text(&o.stderr));
    // A failing statement with its error stream closed still fails.
    assert_eq!(shell(r#""$0" -e 'show soc2:CC61' 2>&-"#).status.code(), Some(1));
}

#[test]
fn errors_show_control_characters_of_the_input_escaped() {
    let o = crosswalk(&["-e", "show soc2:CC\u{1b}]0;owned\u{7}6.1"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\u{1b}]0;owned\\u{7}"), "{err}");
    let o = crosswalk(&["-e", "list \u{1b}[2Jcsf"]);
    assert!(!text(&o.stderr).contains('\u{1b}'), "{:?}", text(&o.stderr));
    // A file name is input too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q\u{1b}[31m.cwq");
    std::fs::write(&file, "list $x\n").unwrap();
    let o = crosswalk(&["run", file.to_str().unwrap()]);
    assert!(!text(&o.stderr).contains('\u{1b}'), "{:?}", text(&o.stderr));
}

#[test]
fn data_keeps_its_bytes_in_csv_and_json() {
    // Not a terminal: the data is exact, whatever it holds.
    let o = crosswalk(&["--data", "tests/data/control-characters", "-f", "csv", "-e", "list alpha"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Access \u{1b}[31mred\u{1b}[0m"), "{:?}", text(&o.stdout));
    let o = crosswalk(&["--data", "tests/data/control-characters", "-f", "json", "-e", "list alpha"]);
    assert!(text(&o.stdout).contains("Access \\u001b[31mred\\u001b[0m"), "{:?}", text(&o.stdout));
}

/// Batch mode evaluates statements ahead on several threads; files are still
/// written in order, and none after the failure that stops the run.
#[test]
fn a_run_that_stops_at_a_failure_writes_no_file_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.cwq");
    // Slow statements before the failure, so that the statements after it are reached early.
    let gaps = "gaps iso27001 -> soc2\n".repeat(16);
    let src = format!(
        "{gaps}export gaps iso27001 -> soc2 to \"before.csv\"\n{gaps}list $missing\n\
         export gaps iso27001 -> soc2 to \"after.csv\"\n{gaps}"
    );
    std::fs::write(&file, &src).unwrap();
    // Relative files are the working folder's; two threads, whatever the machine has.
    let o = Command::new(EXE).args(["run", "--jobs", "2", "q.cwq"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(dir.path().join("before.csv").is_file(), "the export before the failure is written");
    assert!(!dir.path().join("after.csv").exists(), "the export after the failure is not");
    let printed = text(&o.stdout).matches("gaps of soc2 from iso27001").count();
    assert_eq!(printed, 32, "only the statements before the failure print");
}

#[test]
fn eight_thousand_names_cost_time_linear_in_the_file() {
    // Copying every name for each `let` evaluated ahead made this quadratic: minutes, here.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("names.cwq");
    let src: String = (0..8000).map(|i| format!("let v{i} = iso27001 | soc2 | csf | hipaa | gdpr\n")).collect();
    std::fs::write(&file, src).unwrap();
    let started = Instant::now();
    let o = crosswalk(&["run", "--jobs", "2", file.to_str().unwrap()]);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).ends_with("\n$v7999 = 429 controls\n"), "{}", text(&o.stderr));
}

#[test]
fn jobs_takes_1_to_64_threads() {
    for bad in ["0", "65", "many"] {
        let o = crosswalk(&["run", "--jobs", bad, "-"]);
        assert_eq!(o.status.code(), Some(2), "--jobs {bad}");
        assert!(text(&o.stderr).contains("for '--jobs <N>'"), "{}", text(&o.stderr));
    }
}

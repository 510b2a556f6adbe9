//! The binary as a user runs it: one-shot queries, batch mode, exit codes, check, exports, pipes.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn crosswalk(args: &[&str]) -> Output {
    Command::new(EXE).args(args).env("CROSSWALK_HISTORY", "").output().expect("the binary runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(EXE)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn one_shot_query_prints_and_succeeds() {
    let o = crosswalk(&["-e", "show iso27001:8.24"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Use of cryptography"));
    assert!(stdout(&o).contains("hipaa:164.312(a)(2)(iv)"));
}

#[test]
fn the_readme_main_job_runs() {
    let o = crosswalk(&["-e", "gaps iso27001 -> soc2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("summary"));
}

#[test]
fn a_query_error_exits_1_and_points_at_the_mistake() {
    let o = crosswalk(&["-e", "map soc2:CC61 -> iso27001"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("--> query:1:10"), "{err}");
    assert!(err.contains("did you mean `CC6.1`?"), "{err}");
}

#[test]
fn a_bad_command_line_exits_2() {
    assert_eq!(code(&crosswalk(&["--format", "yaml", "-e", "frameworks"])), 2);
    assert_eq!(code(&crosswalk(&["no-such-command"])), 2);
}

#[test]
fn formats_on_the_command_line() {
    let csv = stdout(&crosswalk(&["-f", "csv", "-e", "map soc2:CC6.1 <- iso27001"]));
    assert!(csv.starts_with(
        "source_framework,source_id,source_title,relationship,target_framework,target_id,target_title,provenance,rationale,strength\r\n"
    ));
    let json = stdout(&crosswalk(&["--format", "json", "-e", "show gdpr:32"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["kind"], "control");
    assert_eq!(v["control"]["id"], "32");
    let md = stdout(&crosswalk(&["-f", "markdown", "-e", "list soc2 where series = CC8"]));
    assert!(md.starts_with("| control | title | level |\n|---|---|---|\n"), "{md}");
}

#[test]
fn check_accepts_the_shipped_database() {
    let o = crosswalk(&["check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("ok: no errors"));
    let o = crosswalk(&["check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let controls =
        |key: &str| v["frameworks"].as_array().unwrap().iter().find(|f| f["key"] == key).unwrap()["controls"].clone();
    for (key, n) in [("iso27001", 93), ("iso27001-isms", 34), ("csf", 106), ("soc2", 61), ("hipaa", 70), ("gdpr", 99)] {
        assert_eq!(controls(key), n, "{key}");
    }
    assert!(v["mapping_sets"].as_array().unwrap().iter().any(|s| s["source"] == "iso27001" && s["target"] == "csf"));
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn check_stats_shows_each_set_in_detail() {
    let o = crosswalk(&["check", "--stats"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.contains("iso27001 -> soc2"), "{text}");
    assert!(text.contains("by relationship: equal"), "{text}");
    assert!(text.contains("by provenance: nist-csf2-ir"), "{text}");
    assert!(text.contains("unmapped soc2: "), "{text}");
}

#[test]
fn check_of_a_broken_copy_exits_3_with_file_and_line() {
    let o = crosswalk(&["check", "--data", "tests/broken/unknown-relationship"]);
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("tests/broken/unknown-relationship/alpha__beta.csv:3: unknown relationship \"overlaps\"")
    );
    let o = crosswalk(&["check", "--json", "--data", "tests/broken/duplicate-pair"]);
    assert_eq!(code(&o), 3);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"][0]["line"], 5);
    // A query on a broken database does not run.
    let o = crosswalk(&["--data", "tests/broken/duplicate-pair", "-e", "frameworks"]);
    assert_eq!(code(&o), 3);
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_missing_data_folder_is_an_io_error() {
    let o = crosswalk(&["--data", "tests/no-such-folder", "-e", "frameworks"]);
    assert_eq!(code(&o), 4);
    assert!(stderr(&o).contains("tests/no-such-folder: no such file or directory"), "{}", stderr(&o));
}

#[test]
fn a_folder_that_is_not_a_database_says_so() {
    // `tests/data` holds query inputs, not catalogs: the likely slip is --data for --add.
    let o = crosswalk(&["--data", "tests/data", "-e", "frameworks"]);
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert!(err.contains("tests/data: not a database folder"), "{err}");
    assert!(err.contains("--add DIR"), "{err}");
}

#[test]
fn batch_from_a_file_names_the_failing_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.cwq");
    std::fs::write(&file, "frameworks\n# a comment\nshow soc2:CC61\nshow soc2:CC6.1\n").unwrap();
    let name = file.to_str().unwrap();
    let o = crosswalk(&["run", name]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(&format!("--> {name}:3:11")), "{}", stderr(&o));
    assert!(stdout(&o).contains("csf "), "the statement before the error ran");
    assert!(!stdout(&o).contains("Logical access security"), "stops at the first error");
    let o = crosswalk(&["run", "--keep-going", name]);
    assert_eq!(code(&o), 1, "the exit code still reports the failure");
    assert!(stdout(&o).contains("Logical access security"), "the statement after the error ran");
}

#[test]
fn batch_from_stdin() {
    let o = with_stdin(&["run", "-"], "let m = iso27001{8.24}; map $m -> hipaa\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("164.312(a)(2)(iv)"));
    // With no arguments and input that is not a terminal, crosswalk reads statements from it.
    let o = with_stdin(&["-f", "csv"], "list soc2 where series = CC8\n");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("CC8.1"));
    let o = with_stdin(&[], "list soc2{CC99}\n");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--> <stdin>:1:11"), "{}", stderr(&o));
}

#[test]
fn batch_exit_codes_tell_failures_apart() {
    let o = with_stdin(&["run", "-"], "gaps soa(\"tests/no-such-soa.csv\") -> soc2\n");
    assert_eq!(code(&o), 4, "a missing file: {}", stderr(&o));
    let o = with_stdin(&["run", "-"], "gaps soa(\"tests/data/soa-bad.csv\") -> soc2\n");
    assert_eq!(code(&o), 3, "a bad Statement of Applicability: {}", stderr(&o));
    assert!(stderr(&o).contains("tests/data/soa-bad.csv:3: unknown control `5.99`"));
    let o = crosswalk(&["run", "tests/no-such-file.cwq"]);
    assert_eq!(code(&o), 4);
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let mut child = Command::new(EXE)
        .args(["-f", "json", "-e", "crosswalk iso27001 -> csf"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here, as `head -1` would close its end.
    let o = child.wait_with_output().unwrap();
    assert_eq!(first, "{\n");
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn soa_template_lists_the_93_controls() {
    let o = crosswalk(&["soa", "template"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rows.headers().unwrap(), vec!["control", "title", "applicable", "status", "justification"]);
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 93);
    assert_eq!((&rows[0][0], &rows[0][1]), ("5.1", "Policies for information security"));
    assert_eq!(&rows[92][0], "8.34");
}

#[test]
fn a_filled_template_reads_back_as_a_set() {
    let dir = tempfile::tempdir().unwrap();
    let template = stdout(&crosswalk(&["soa", "template"]));
    let filled: String = template
        .lines()
        .map(|l| match l.split(',').next() {
            Some("8.24") => "8.24,Use of cryptography,yes,implemented,ok".to_string(),
            Some("8.5") => "8.5,Secure authentication,yes,partial,ok".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let soa = dir.path().join("soa.csv");
    std::fs::write(&soa, filled).unwrap();
    let query = format!("explain soa({:?}) -> hipaa:164.312(d)", soa.to_str().unwrap());
    let o = crosswalk(&["-f", "json", "-e", &query]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["state"], "partial", "8.5 is only partly implemented");
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

#[test]
fn exported_csv_and_xlsx_read_back_row_for_row() {
    use calamine::{open_workbook, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, xlsx_path) = (dir.path().join("x.csv"), dir.path().join("x.xlsx"));
    let o = crosswalk(&["export", "crosswalk iso27001 -> soc2", "-o", csv_path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = crosswalk(&["export", "crosswalk iso27001 -> soc2", "-o", xlsx_path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).starts_with("wrote "), "what was written is said on stderr: {}", stderr(&o));
    assert!(stdout(&o).is_empty(), "stdout holds results only");

    // The same rows as the query prints as CSV.
    let printed = stdout(&crosswalk(&["-f", "csv", "-e", "crosswalk iso27001 -> soc2"]));
    let (header, rows) = read_csv(&csv_path);
    let mut again = csv::Reader::from_reader(printed.as_bytes());
    let printed_rows: Vec<Vec<String>> =
        again.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows, printed_rows);
    assert_eq!(header[..3], ["source_framework", "source_id", "source_title"]);
    assert!(rows.len() > 50);

    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    assert_eq!(book.sheet_names(), ["About", "Crosswalk", "Matrix"]);
    let sheet = book.worksheet_range("Crosswalk").unwrap();
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    // The same rows; the workbook's headers are words (`Source framework`), CSV's are names.
    let words: Vec<String> = header.iter().map(|h| crosswalk::output::xlsx::label(h)).collect();
    assert_eq!(cells[0], words);
    assert_eq!(cells[0][0], "Source framework");
    assert_eq!(cells[1..], rows[..]);
    // The matrix: one row per ISO control, one column per SOC 2 criterion (after id and title).
    let matrix = book.worksheet_range("Matrix").unwrap();
    assert_eq!(matrix.height(), 94);
    assert_eq!(matrix.width(), 63);
}

#[test]
fn a_coverage_workbook_says_what_it_is_and_stores_numbers_as_numbers() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.xlsx");
    let query = "coverage soa(\"tests/data/soa-client.csv\") -> hipaa";
    let o = Command::new(EXE)
        .args(["export", query, "-o", path.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1764892800")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["About", "Coverage", "Summary", "Matrix"]);
    // About: the query, the date, the tool and database versions, the SoA and its SHA-256, a legend.
    let about = book.worksheet_range("About").unwrap();
    let text: Vec<String> = about.rows().flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has(query) && has("2025-12-05") && has("crosswalk 0.") && has("2026.12 (sha256 "), "{text:?}");
    let soa = std::fs::read("tests/data/soa-client.csv").unwrap();
    use sha2::Digest as _;
    let sha: String = sha2::Sha256::digest(&soa).iter().map(|b| format!("{b:02x}")).collect();
    assert!(has(&format!("tests/data/soa-client.csv (sha256 {sha})")), "the SoA is cited with its hash");
    assert!(has("full: met in full") && has("⊇  superset-of"), "the legend");
    // Summary counts are numbers, percentages numbers too (a fraction, shown as a percentage).
    let summary = book.worksheet_range("Summary").unwrap();
    let row: Vec<&Data> = summary.rows().nth(1).unwrap().iter().collect();
    assert_eq!(row[0], &Data::String("all".into()));
    assert!(matches!(row[1], Data::Float(n) if *n == 70.0 - 1.0), "total is a number: {:?}", row[1]);
    assert!(row.iter().any(|c| matches!(c, Data::Float(f) if *f > 0.0 && *f < 1.0)), "a percentage as a fraction");
    // Two exports on the same date are the same bytes.
    let again = dir.path().join("again.xlsx");
    let o = Command::new(EXE)
        .args(["export", query, "-o", again.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1764892800")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn matrix_csv_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    let query = format!("export crosswalk iso27001{{5.15, 8.5}} -> soc2 to {:?} matrix bom", path.to_str().unwrap());
    let o = crosswalk(&["-e", &query]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with("\u{feff}source,title,soc2:CC1.1,".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let line = text.lines().find(|l| l.starts_with("iso27001:8.5,")).unwrap();
    // A mapping to a point of focus sits in its criterion's column and names the point.
    assert!(line.contains("superset-of CC6.1.4"), "{line}");
}

#[test]
fn a_matrix_shows_a_row_with_several_sources_in_each_members_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    let o = crosswalk(&["export", "crosswalk iso27001{5.2, 5.3} -> soc2", "-o", path.to_str().unwrap(), "--matrix"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    for (row, other) in [("iso27001:5.2,", "with 5.3"), ("iso27001:5.3,", "with 5.2")] {
        let line = text.lines().find(|l| l.starts_with(row)).unwrap();
        assert!(line.contains(&format!("superset-of CC1.3.3 {other}")), "{line}");
    }
}

#[test]
fn cells_that_look_like_formulas_are_exported_inert() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, xlsx_path) = (dir.path().join("f.csv"), dir.path().join("f.xlsx"));
    for path in [&csv_path, &xlsx_path] {
        let o = crosswalk(&[
            "--data",
            "tests/data/formula",
            "export",
            "crosswalk alpha -> iso27001",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let (_, rows) = read_csv(&csv_path);
    assert_eq!(rows[0][2], "'=HYPERLINK(\"http://example.invalid\")");
    assert_eq!(rows[0][6], "'@policies");
    assert_eq!(rows[0][8], "'-1 is how this rationale starts.");
    assert_eq!(rows[1][2], "'+1 plus");
    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let sheet = book.worksheet_range("Crosswalk").unwrap();
    assert_eq!(sheet.get((1, 2)), Some(&Data::String("=HYPERLINK(\"http://example.invalid\")".into())));
    let formulas = book.worksheet_formula("Crosswalk").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
}

#[test]
fn a_failed_export_leaves_an_existing_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.csv");
    std::fs::write(&path, "old content\n").unwrap();
    let target = path.to_str().unwrap();
    let o = crosswalk(&["export", "crosswalk iso27001 -> soc22", "-o", target]);
    assert_eq!(code(&o), 1);
    let o = crosswalk(&["export", "list iso27001", "-o", target, "--matrix"]);
    assert_eq!(code(&o), 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old content\n");
    // A write that fails half-way (the target is a folder) leaves no temporary file behind.
    let folder = dir.path().join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let o = crosswalk(&["export", "crosswalk iso27001 -> soc2", "-o", folder.to_str().unwrap()]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn help_teaches() {
    let o = crosswalk(&["--help"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    for word in ["Examples:", "Exit codes:", "check", "export", "soa", "--data"] {
        assert!(text.contains(word), "--help lacks {word}");
    }
    let o = crosswalk(&["-e", "help filters"]);
    assert!(stdout(&o).contains("designation"));
}

#[test]
fn a_users_frameworks_and_mappings_join_the_shipped_ones() {
    let o = crosswalk(&["--add", "tests/data/added", "-e", "coverage acme -> soc2 where id = CC6.7"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("acme:AC-1(intersects-with)"), "{}", stdout(&o));
    // Adding a layer that redefines a shipped catalog is an error, with both places named.
    let o = crosswalk(&["--add", "tests/data/tiny", "--add", "tests/data/tiny", "check"]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("tests/data/tiny/catalogs/src.csv already defines this"), "{}", stderr(&o));
}

#[test]
fn soa_refuses_what_is_not_a_regular_file_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("soa.csv");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // A named pipe with no writer would block a read for ever; /dev/urandom never ends.
    for (path, what) in [(fifo.to_str().unwrap(), "is a named pipe"), ("/dev/urandom", "is a device")] {
        let o = crosswalk(&["-e", &format!("list soa({path:?})")]);
        assert_eq!(code(&o), 3, "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("{path}: {what}, not a file")), "{}", stderr(&o));
    }
    let o = crosswalk(&["-e", "list soa(\"tests/data\")"]);
    assert!(stderr(&o).contains("tests/data: is a folder, not a file"), "{}", stderr(&o));
}

#[test]
fn tables_never_run_wider_than_the_width() {
    let statements = [
        "gaps soa(\"tests/data/soa-client.csv\") -> soc2 where series = CC6",
        "coverage iso27001 -> hipaa with parts",
        "show iso27001:8.24",
        "explain iso27001 -> soc2:CC6.1",
        "plan iso27001{5.1} -> hipaa",
        "frameworks",
        "path iso27001:8.24 -> hipaa",
        "help",
    ];
    for width in ["50", "60", "80", "100"] {
        let mut args = vec!["--width", width];
        for s in &statements {
            args.extend(["-e", s]);
        }
        let out = stdout(&crosswalk(&args));
        let limit: usize = width.parse().unwrap();
        let wide: Vec<&str> = out.lines().filter(|l| l.chars().count() > limit).collect();
        assert!(wide.is_empty(), "--width {width}: {} lines are wider, the first: {:?}", wide.len(), wide.first());
    }
}

#[test]
fn soa_of_an_empty_name_says_so() {
    let o = crosswalk(&["-e", "list soa(\"\")"]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).starts_with("error: soa(\"\"): names no file"), "{}", stderr(&o));
}

#[test]
fn an_soa_with_a_quote_left_open_is_an_error_not_lost_rows() {
    let dir = tempfile::tempdir().unwrap();
    let soa = dir.path().join("soa.csv");
    let text = "control,title,applicable,status,justification\n\
                5.1,Policies,yes,implemented,\"Approved in March\n\
                5.15,Access control,yes,implemented,Quarterly reviews\n\
                8.24,Cryptography,yes,implemented,TLS everywhere\n";
    std::fs::write(&soa, text).unwrap();
    let o = crosswalk(&["-e", &format!("list soa({:?})", soa.to_str().unwrap())]);
    assert_eq!(code(&o), 3, "{}", stdout(&o));
    assert!(stderr(&o).contains("soa.csv:2: a quoted field opened on this line is never closed"), "{}", stderr(&o));
}

#[test]
fn completion_scripts_for_each_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = crosswalk(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for word in ["crosswalk", "check", "export", "format"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert_eq!(code(&crosswalk(&["completions", "tcsh"])), 2);
}

#[test]
fn the_man_page_cites_the_database_and_lists_the_commands() {
    let o = crosswalk(&["man"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH crosswalk 1"), "{page}");
    assert!(page.contains("database 2026."), "the page cites the database version");
    for command in ["check", "export", "soa", "completions"] {
        assert!(page.contains(command), "man page lacks {command}");
    }
}

#[test]
fn a_format_a_command_cannot_honour_is_refused_not_ignored() {
    for args in [
        &["-f", "json", "export", "-o", "x.csv", "frameworks"][..],
        &["-f", "csv", "check"],
        &["-f", "json", "soa", "template"],
        &["-f", "csv", "completions", "bash"],
    ] {
        let o = crosswalk(args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stdout(&o).is_empty(), "{args:?}");
        assert!(stderr(&o).starts_with("error: ") && stderr(&o).contains("-f"), "{args:?}: {}", stderr(&o));
    }
    let o = crosswalk(&["-f", "json", "check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], serde_json::json!([]));
    assert!(v["database"]["sha256"].as_str().is_some_and(|s| s.len() == 64));
}

#[test]
fn a_crosswalk_keeps_rows_with_several_sources_beside_unmapped_controls() {
    let csv = stdout(&crosswalk(&["-f", "csv", "-e", "crosswalk iso27001 -> soc2"]));
    let json = stdout(&crosswalk(&["-f", "json", "-e", "crosswalk iso27001 -> soc2"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let groups = rows.iter().filter(|r| r["source_id"].as_str().unwrap().contains(" + ")).count();
    assert!(groups > 0);
    let ids: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(ids.iter().filter(|id| id.contains(" + ")).count(), groups, "every group row is in the CSV");
    let unmapped = v["unmapped"].as_array().unwrap().len();
    assert!(unmapped > 0);
    assert_eq!(ids.len(), rows.len() + unmapped);
    // A group row stands where its first source does.
    let group = ids.iter().position(|id| *id == "5.2 + 5.3").unwrap();
    assert_eq!(ids[group - 1], "5.1");
    assert_eq!(ids[group + 1], "5.2");
}

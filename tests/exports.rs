//! Exports write exactly the file they are told to, and only when it is safe to replace what is there.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn crosswalk(args: &[&str]) -> Output {
    Command::new(EXE).args(args).env("CROSSWALK_HISTORY", "").output().expect("the binary runs")
}

fn export(query: &str, path: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["export", query, "-o", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    crosswalk(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn the_query_text_cannot_name_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let (target, other) = (dir.path().join("x.csv"), dir.path().join("other.csv"));
    let query = format!("crosswalk iso27001 -> soc2 to {:?} #", other.to_str().unwrap());
    let o = export(&query, &target, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!other.exists() && !target.exists());
    let query = format!("export crosswalk iso27001 -> soc2 to {:?}", other.to_str().unwrap());
    let o = export(&query, &target, &[]);
    assert!(stderr(&o).contains("the query is an export itself"), "{}", stderr(&o));
    let o = export("list csf; export list csf to \"other.csv\"", &target, &[]);
    assert!(stderr(&o).contains("export takes one statement"), "{}", stderr(&o));
    assert_eq!(names(dir.path()), Vec::<String>::new());
    // A file name with quotes and backslashes is only a file name.
    let odd = dir.path().join("a\" to \"b.csv");
    let o = export("list csf", &odd, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(dir.path()), ["a\" to \"b.csv"]);
}

#[test]
fn a_link_a_special_file_or_a_read_only_file_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    std::fs::write(&real, "keep\n").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&real, &hard).unwrap();
    let fifo = dir.path().join("fifo.csv");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let locked = dir.path().join("locked.csv");
    std::fs::write(&locked, "locked\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    for (path, why) in [
        (&link, "is a symbolic link"),
        (&hard, "has other hard links"),
        (&fifo, "is not a regular file"),
        (&locked, "is read-only"),
    ] {
        let o = export("list csf", path, &[]);
        assert_eq!(o.status.code(), Some(4), "{}: {}", path.display(), stderr(&o));
        assert!(stderr(&o).contains(why) && stderr(&o).contains("--force"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep\n");
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), "locked\n");
    // --force replaces the link itself, not the file it points to, and keeps the read-only mode.
    for path in [&link, &locked] {
        let o = export("list csf", path, &["--force"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep\n");
    assert_eq!(std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777, 0o444);
    assert!(names(dir.path()).iter().all(|n| !n.ends_with(".tmp")), "{:?}", names(dir.path()));
}

#[test]
fn a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.csv");
    std::fs::write(&old, "old\n").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(export("list csf", &old, &[]).status.code(), Some(0));
    assert_eq!(std::fs::metadata(&old).unwrap().permissions().mode() & 0o777, 0o640);
    assert!(std::fs::read_to_string(&old).unwrap().starts_with("framework,id,"));
    let new = dir.path().join("new.csv");
    let script = format!("umask 027; exec \"$0\" export 'list csf' -o {:?}", new.to_str().unwrap());
    let o = Command::new("sh").arg("-c").arg(script).arg(EXE).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&new).unwrap().permissions().mode() & 0o777, 0o640);
    let script =
        format!("umask 022; exec \"$0\" export 'list csf' -o {:?}", dir.path().join("b.csv").to_str().unwrap());
    Command::new("sh").arg("-c").arg(script).arg(EXE).output().unwrap();
    assert_eq!(std::fs::metadata(dir.path().join("b.csv")).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn a_failed_export_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    for (query, file) in [
        ("crosswalk iso27001 -> soc22", "a.csv"),
        ("list csf", "b.txt"),
        ("list csf", "folder"),
        ("list iso27001", "c.csv"),
    ] {
        if file == "folder" {
            std::fs::create_dir(dir.path().join(file)).unwrap();
        }
        let extra: &[&str] = if file == "c.csv" { &["--matrix"] } else { &[] };
        let o = export(query, &dir.path().join(file), extra);
        assert_ne!(o.status.code(), Some(0), "{query} -> {file}");
    }
    assert_eq!(names(dir.path()), ["folder"]);
}

#[test]
fn the_same_export_writes_the_same_xlsx_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    let query = "coverage iso27001{5.15, 8.24} -> soc2";
    assert_eq!(export(query, &a, &[]).status.code(), Some(0));
    // Document timestamps have a resolution of a second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(export(query, &b, &[]).status.code(), Some(0));
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(), "the workbook differs from run to run");
}

//! The compiled store: every query of the snapshot suite answers the same bytes from a store
//! as from the shipped database, reading only the frameworks it names; a damaged, stale or
//! foreign store is refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use crosswalk::db::{self, store, DataSource, Database};
use crosswalk::output::Format;
use crosswalk::query::eval::Env;
use crosswalk::session::Session;

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

/// Runs a query file as the snapshot tests do; returns (stdout, stderr).
fn run(db: &Database, src: &str, format: Format) -> (String, String) {
    let env = Env { format, base_dir: PathBuf::from("tests/data"), ..Env::default() };
    let mut session = Session::new(db, env, Some(100));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    session.run(src, "query.cwq", &mut out, &mut err, false).unwrap();
    (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn query_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["tests/queries", "tests/errors"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cwq"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_snapshot_suite_answers_the_same_from_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipped.cws");
    store::build(Path::new("mappings"), &path).unwrap();
    let shipped = db::load(DataSource::Embedded).unwrap();
    let whole = db::load(DataSource::Store(&path, None)).unwrap();
    let opened = store::Store::open(&path).unwrap();
    let mut partial_loads = 0;
    for file in query_files() {
        let src = std::fs::read_to_string(&file).unwrap();
        let needs = crosswalk::query::needs::frameworks(&[&src], &|n| opened.key(n).map(str::to_string));
        let part = db::load(DataSource::Store(&path, needs.as_ref())).unwrap();
        if part.frameworks.len() < shipped.frameworks.len() {
            partial_loads += 1;
        }
        assert_eq!((part.sha256.as_str(), part.version.as_str()), (shipped.sha256.as_str(), shipped.version.as_str()));
        // The binary's own database is read in part the same way, by the names and sets its build listed.
        let embedded_needs =
            crosswalk::query::needs::frameworks(&[&src], &|n| db::load::embedded_key(n).map(str::to_string));
        assert_eq!(embedded_needs, needs, "{}", file.display());
        let embedded_part = match &needs {
            Some(n) => db::load(DataSource::EmbeddedPart(n)).unwrap(),
            None => db::load(DataSource::Embedded).unwrap(),
        };
        let keys = |d: &Database| d.frameworks.iter().map(|f| f.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&embedded_part), keys(&part), "{}", file.display());
        let sets =
            |d: &Database| d.sets.iter().map(|s| s.file.rsplit('/').next().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(sets(&embedded_part), sets(&part), "{}", file.display());
        for format in [Format::Table, Format::Csv, Format::Json] {
            let expected = run(&shipped, &src, format);
            assert_eq!(run(&whole, &src, format), expected, "{} ({format}), whole store", file.display());
            assert_eq!(run(&part, &src, format), expected, "{} ({format}), frameworks {needs:?}", file.display());
            let shown = format!("{} ({format}), frameworks {needs:?} of the binary's", file.display());
            assert_eq!(run(&embedded_part, &src, format), expected, "{shown}");
        }
    }
    // Most of the suite names its frameworks, and is answered from part of the store.
    assert!(partial_loads >= 30, "only {partial_loads} files read part of the store");
}

#[test]
fn a_query_reads_only_the_frameworks_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipped.cws");
    store::build(Path::new("mappings"), &path).unwrap();
    let opened = store::Store::open(&path).unwrap();
    let key = |n: &str| opened.key(n).map(str::to_string);
    let needs = |src: &str| crosswalk::query::needs::frameworks(&[src], &key);
    let keys = |list: &[&str]| Some(list.iter().map(|s| s.to_string()).collect());
    assert_eq!(needs("coverage iso27001 -> soc2"), keys(&["iso27001", "soc2"]));
    assert_eq!(needs("gaps ISO{5.*} -> hipaa via nist-csf"), keys(&["csf", "hipaa", "iso27001"]));
    assert_eq!(needs("let a = iso27001{8.24}\nmap $a -> tsc"), keys(&["iso27001", "soc2"]));
    // Every framework: lists of all of them, routes through any, an SoA, a name the store lacks.
    for src in ["frameworks", "search \"log\"", "show iso27001:8.24", "path soc2:CC6.1 -> hipaa"] {
        assert_eq!(needs(src), None, "{src}");
    }
    assert_eq!(needs("coverage soa(\"soa.csv\") -> soc2"), None);
    assert_eq!(needs("coverage iso27001 -> soc3"), None);
    let part = db::load(DataSource::Store(&path, needs("coverage iso27001 -> soc2").as_ref())).unwrap();
    let loaded: Vec<&str> = part.frameworks.iter().map(|f| f.key.as_str()).collect();
    // iso27001-isms comes with iso27001 -> soc2: rows there group controls of both.
    assert_eq!(loaded, ["iso27001", "iso27001-isms", "soc2"]);
}

fn crosswalk(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(EXE).args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (o.status.code().unwrap(), text(o.stdout), text(o.stderr))
}

/// A copy of the shipped database folder, and a store built from it.
fn built() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("db");
    for (rel, from) in db::load::dir_paths(Path::new("mappings")).unwrap() {
        let to = folder.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
    let store = dir.path().join("db.cws").display().to_string();
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", &store]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with(&format!("wrote {store}: 24 files")), "{err}");
    (dir, folder, store)
}

#[test]
fn a_damaged_store_is_refused_with_the_file_it_damages() {
    let (_dir, _folder, store) = built();
    let mut bytes = std::fs::read(&store).unwrap();
    let at = bytes.windows(14).rposition(|w| w == b"CC6.1.1,CC6.1,").unwrap();
    bytes[at + 20] ^= 0x20;
    std::fs::write(&store, &bytes).unwrap();
    let (code, out, err) = crosswalk(&["--data", &store, "-e", "coverage iso27001 -> soc2"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(err.contains("is damaged: catalogs/soc2.csv does not match its checksum; build the store again"), "{err}");
    // A query that does not read that file is answered.
    let (code, out, _) = crosswalk(&["--data", &store, "-e", "map iso27001:8.24 -> hipaa"]);
    assert_eq!(code, 0);
    assert!(out.contains("164.312(a)(2)(iv)"), "{out}");
    // A directory that still reads, but says another thing of a set, is refused: a set it
    // left out would give a wrong answer.
    let mut edited = bytes.clone();
    let at = edited.windows(23).position(|w| w == b"\"frameworks\":[\"iso27001").unwrap();
    edited[at + 15..at + 23].copy_from_slice(b"gdpr-xyz");
    std::fs::write(&store, &edited).unwrap();
    let (code, _, err) = crosswalk(&["--data", &store, "-e", "coverage iso27001 -> soc2"]);
    assert_eq!(code, 3);
    assert!(err.contains("its directory does not match its checksum"), "{err}");
    // Another format's store is refused, not read as a folder.
    bytes[..17].copy_from_slice(b"crosswalk store 9");
    std::fs::write(&store, &bytes).unwrap();
    let (code, _, err) = crosswalk(&["--data", &store, "-e", "frameworks"]);
    assert_eq!(code, 3);
    assert!(err.contains("is not a store this crosswalk can read (another format version)"), "{err}");
}

#[test]
fn a_store_older_than_its_folder_is_refused_until_built_again() {
    let (_dir, folder, store) = built();
    let set = folder.join("iso27001__soc2.csv");
    let mut text = std::fs::read_to_string(&set).unwrap();
    text.push('\n');
    std::fs::write(&set, text).unwrap();
    let (code, out, err) = crosswalk(&["--data", &store, "-e", "coverage iso27001 -> soc2"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(err.contains("is stale: in "), "{err}");
    assert!(err.contains("iso27001__soc2.csv changed since it was built; run `crosswalk build"), "{err}");
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", &store]);
    assert_eq!(code, 0, "{err}");
    // Once the folder is gone, the store stands alone.
    std::fs::remove_dir_all(&folder).unwrap();
    let (code, out, _) = crosswalk(&["--data", &store, "-e", "coverage iso27001 -> soc2"]);
    assert_eq!(code, 0);
    assert!(out.contains("CC6.1"), "{out}");
}

#[test]
fn a_folder_with_errors_is_not_built() {
    let (dir, folder, _) = built();
    std::fs::write(folder.join("iso27001__soc2.csv"), "source_id,target_id\n8.24,CC6.1\n").unwrap();
    let out = dir.path().join("bad.cws");
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(err.contains("header lacks column(s)"), "{err}");
    assert!(err.contains("error(s); the store is not written"), "{err}");
    assert!(!out.exists());
}

/// The binary run in `dir` with `input` on its standard input.
fn with_stdin(args: &[&str], dir: &Path, input: &str) -> std::process::Output {
    let piped = std::process::Stdio::piped;
    let mut child =
        Command::new(EXE).args(args).current_dir(dir).stdin(piped()).stdout(piped()).stderr(piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_is_read_as_itself_beside_a_file_named_dash() {
    // `run -` reads standard input, whatever files the working directory holds.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("-"), "coverage iso27001{5.1} -> soc2\n").unwrap();
    let o = with_stdin(&["run", "-"], dir.path(), "coverage iso27001{5.1} -> hipaa\n");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8(o.stdout).unwrap().starts_with("coverage of hipaa from iso27001{5.1}"));
}

#[test]
fn statements_from_a_pipe_are_read_once_from_a_store_and_from_the_binary() {
    // Finding the frameworks a run names reads its files first: a pipe read then would be empty when run.
    let (_dir, _folder, store) = built();
    for data in [&["--data", store.as_str()][..], &[]] {
        let args = [data, &["run", "/dev/stdin"]].concat();
        let o = with_stdin(&args, Path::new("."), "coverage iso27001{5.1} -> soc2\n");
        assert_eq!(o.status.code(), Some(0), "{data:?}");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.starts_with("coverage of soc2 from iso27001{5.1}"), "{data:?}: {out}");
    }
}

#[test]
fn build_replaces_a_store_and_no_other_file() {
    let (dir, folder, store) = built();
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", &store]);
    assert_eq!(code, 0, "a store is built again in place: {err}");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "keep me\n").unwrap();
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", notes.to_str().unwrap()]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("exists and is not a store, so it is not replaced"), "{err}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me\n");
    // An empty file (from mktemp) takes the store; a link to a store is not written through.
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", empty.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let link = dir.path().join("link.cws");
    std::os::unix::fs::symlink(&store, &link).unwrap();
    let (code, _, err) = crosswalk(&["build", folder.to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("is a symbolic link, which is not written through; not replaced (remove it, or write"),
        "{err}"
    );
    // A store given where its folder belongs.
    let (code, _, err) = crosswalk(&["build", &store, "-o", dir.path().join("new.cws").to_str().unwrap()]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("is a file; build takes a database folder"), "{err}");
}

#[test]
fn a_file_that_is_neither_a_folder_nor_a_store_is_refused_as_data() {
    let (dir, _, store) = built();
    let mut headless = std::fs::read(&store).unwrap();
    headless[..4].copy_from_slice(b"XXXX");
    for (name, bytes) in [("empty.cws", &b""[..]), ("notes.txt", b"hello\n"), ("headless.cws", &headless)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (code, _, err) = crosswalk(&["--data", path.to_str().unwrap(), "-e", "frameworks"]);
        assert_eq!(code, 3, "{name}: {err}");
        assert!(err.contains("is neither a database folder nor a store"), "{name}: {err}");
    }
}

//! Every input that ever crashed, hung or overflowed a fuzz target, replayed on stable Rust.
//!
//! `tests/crashes/TARGET/` holds the inputs, one file each, named for what they do; the
//! functions below do what the targets in `fuzz/fuzz_targets/` do with them. `fuzz/run.sh`
//! adds these files to each target's corpus.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosswalk::db::load::SourceFile;
use crosswalk::db::{self, DataSource, Database};
use crosswalk::query::eval::Env;
use crosswalk::query::parse;
use crosswalk::session::Session;

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).unwrap())
}

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new("tests/crashes").join(target))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn parse() {
    for (_, data) in inputs("parse") {
        let src = String::from_utf8_lossy(&data);
        let _ = parse::split(&src);
        for stmt in parse::parse(&src).into_iter().flatten() {
            let _ = stmt.node.to_string();
        }
    }
}

#[test]
fn session() {
    for (_, data) in inputs("session") {
        let src = String::from_utf8_lossy(&data);
        let env = Env { base_dir: PathBuf::from("tests/data"), ..Env::default() };
        let mut session = Session::new(shipped(), env, Some(80));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        session.run(&src, "fuzz", &mut out, &mut err, true).unwrap();
    }
}

#[test]
fn soa() {
    for (_, data) in inputs("soa") {
        let _ = crosswalk::soa::from_text(shipped(), String::from_utf8_lossy(&data).into_owned(), "soa.csv");
    }
}

/// A `load` input: files one after the other, each opened by a line `=== PATH`.
fn files(data: &[u8]) -> Vec<SourceFile> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = find(rest, b"=== ") {
        let after = &rest[at + 4..];
        let name_end = after.iter().position(|&b| b == b'\n').unwrap_or(after.len());
        let rel = String::from_utf8_lossy(&after[..name_end]).into_owned();
        let body = &after[(name_end + 1).min(after.len())..];
        let end = find(body, b"\n=== ").map_or(body.len(), |i| i + 1);
        let text = String::from_utf8_lossy(&body[..end]).into_owned();
        out.push(SourceFile { display: format!("db/{rel}"), rel, text: text.into(), table: None });
        rest = &body[end..];
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

#[test]
fn load() {
    for (_, data) in inputs("load") {
        let mut errors = Vec::new();
        let db = db::from_files(&files(&data), &mut errors);
        if errors.is_empty() {
            for fw in 0..db.frameworks.len() as u16 {
                let _ = db.controls_of(fw).count();
            }
        }
    }
}

/// An `import` input: the first byte picks the format, the rest is the file (see `fuzz/fuzz_targets/import.rs`).
#[test]
fn import() {
    let found = inputs("import");
    assert!(!found.is_empty(), "the import crashes are replayed");
    for (_, data) in found {
        let Some((&pick, rest)) = data.split_first() else { continue };
        let name = ["x.json", "x.csv", "x.yaml", "x.tsv"][pick as usize % 4];
        let mut files = db::load::embedded_files(None);
        let text = String::from_utf8_lossy(rest).into_owned();
        files.push(SourceFile {
            rel: format!("imports/{name}"),
            display: name.into(),
            text: crosswalk::text::Text::from(text),
            table: None,
        });
        let options = db::LoadOptions { framework_map: vec![("focal".into(), "csf".into())], ..Default::default() };
        let _ = db::from_files_using(&files, &options, &mut Vec::new());
    }
}

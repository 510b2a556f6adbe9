//! Snapshot tests over folders of queries: `queries/*.cwq` succeed (table, CSV and JSON
//! output each snapshotted), `errors/*.cwq` fail (the rendered error snapshotted).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::output::Format;
use crosswalk::query::eval::Env;
use crosswalk::session::Session;

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).expect("the shipped database loads"))
}

/// Runs a query file as batch mode would, with relative files under tests/data; returns (stdout, stderr).
fn run(path: &Path, format: Format) -> (String, String) {
    let src = std::fs::read_to_string(path).unwrap();
    let env = Env { format, base_dir: PathBuf::from("tests/data"), ..Env::default() };
    let mut session = Session::new(shipped(), env, Some(100));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let name = path.file_name().unwrap().to_string_lossy();
    session.run(&src, &name, &mut out, &mut err, false).unwrap();
    (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
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

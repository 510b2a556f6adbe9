//! The database loader: any set of catalog, provenance and mapping files loads, with errors, never a panic.
//!
//! An input is files one after the other, each opened by a line `=== PATH` (`=== catalogs/alpha.csv`);
//! `fuzz/run.sh` writes the broken databases of `tests/broken/` in this form as seeds.
#![no_main]

use crosswalk::db::load::SourceFile;
use crosswalk::db::{self, Database};
use libfuzzer_sys::fuzz_target;

const MARK: &[u8] = b"=== ";

fn files(data: &[u8]) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = find(rest, MARK) {
        let after = &rest[at + MARK.len()..];
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

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fuzz_target!(|data: &[u8]| {
    let mut errors = Vec::new();
    let db: Database = db::from_files(&files(data), &mut errors);
    // A load that reports nothing must answer queries about what it holds.
    if errors.is_empty() {
        for fw in 0..db.frameworks.len() as u16 {
            let _ = db.controls_of(fw).count();
        }
    }
});

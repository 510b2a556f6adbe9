//! The readers of files in other formats (OSCAL catalogs and mapping collections, CPRT, OLIR, CISO
//! Assistant) and their join to the shipped database: any bytes give a framework, rows, or errors
//! with their places. The first byte picks the format.
#![no_main]

use crosswalk::db::{self, load::SourceFile, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = ["x.json", "x.csv", "x.yaml", "x.tsv", "x.xlsx"][pick as usize % 5];
    let mut files = db::load::embedded_files();
    // A load carries a workbook's bytes as text, one char per byte.
    let text = if name.ends_with(".xlsx") {
        crosswalk::interchange::xlsx::bytes_as_text(rest)
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    files.push(SourceFile { rel: format!("imports/{name}"), display: name.into(), text: text.into(), table: None });
    let options = LoadOptions {
        framework_map: vec![("focal".into(), "csf".into()), ("reference".into(), "new".into())],
        ..LoadOptions::default()
    };
    let _ = db::from_files_using(&files, &options, &mut Vec::new());
});

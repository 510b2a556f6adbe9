//! The Statement of Applicability reader: any bytes give a set of controls or errors with lines.
#![no_main]

use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use libfuzzer_sys::fuzz_target;

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).expect("the shipped database loads"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = crosswalk::soa::from_text(shipped(), text, "soa.csv");
});

//! The whole session: parse and evaluate any text against the shipped database, rendering results and errors,
//! one statement at a time and evaluated ahead on two threads, which must print the same.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use crosswalk::db::{self, DataSource, Database};
use crosswalk::query::eval::Env;
use crosswalk::session::Session;
use libfuzzer_sys::fuzz_target;

fn shipped() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| db::load(DataSource::Embedded).expect("the shipped database loads"))
}

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    // Exports write files wherever the text says; the parser target covers their syntax.
    if src.to_ascii_lowercase().contains("export") {
        return;
    }
    // Half the inputs stop at their first failure, as a run does without --keep-going.
    let keep_going = data.first().is_some_and(|b| b % 2 == 0);
    let run = |workers| {
        let base_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data"));
        let mut session = Session::new(shipped(), Env { base_dir, ..Env::default() }, Some(80));
        session.workers = workers;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = session.run(&src, "fuzz", &mut out, &mut err, keep_going).ok();
        // The names the session keeps for what comes next.
        let mut names: Vec<(String, usize)> = session.env.vars.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        names.sort();
        (out, err, outcome, names)
    };
    let one = run(1);
    // Compared on short inputs only: a long one, run twice, outlasts the fuzzer's timeout.
    if src.len() <= 4096 {
        assert!(one == run(2), "two threads print otherwise than one");
    }
});

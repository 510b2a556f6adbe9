//! The statement parser: any text splits and parses to statements or errors, never a panic or a stack overflow.
#![no_main]

use crosswalk::query::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let _ = parse::split(&src);
    for stmt in parse::parse(&src).into_iter().flatten() {
        // The S-expression form walks the whole tree.
        let _ = stmt.node.to_string();
    }
});

//! Writes a synthetic database folder for measurements at scale:
//! `cargo run --release --example gendb -- DIR ROWS [FRAMEWORKS] [CONTROLS]`
//! (10 frameworks of 1,000 controls unless told). `benches/scale.sh` uses it.

#[allow(dead_code)] // `Shape::rows` serves the benchmarks
#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| args.get(i).map_or(Some(default), |a| a.replace('_', "").parse().ok());
    let (Some(dir), Some(Some(rows)), Some(frameworks), Some(controls)) =
        (args.first(), args.get(1).map(|_| number(1, 0)), number(2, 10), number(3, 1000))
    else {
        eprintln!("usage: gendb DIR ROWS [FRAMEWORKS] [CONTROLS]");
        return ExitCode::from(2);
    };
    if frameworks < 2 || controls == 0 || rows > frameworks * (frameworks - 1) / 2 * controls * controls {
        eprintln!("error: {rows} rows do not fit {frameworks} frameworks of {controls} controls");
        return ExitCode::from(2);
    }
    let shape = synthetic::Shape { frameworks, controls, rows };
    match synthetic::write(std::path::Path::new(dir), shape) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {dir}: {e}");
            ExitCode::from(4)
        }
    }
}

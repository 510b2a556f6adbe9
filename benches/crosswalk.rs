//! Benchmarks: loading the shipped database, parsing and evaluating each statement kind, a whole one-shot process.
//!
//! Run with `cargo bench`; the README records the figures.

use std::hint::black_box;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};
use crosswalk::db::{self, DataSource};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;

/// One statement of each kind, on the shipped database.
const STATEMENTS: [(&str, &str); 12] = [
    ("frameworks", "frameworks"),
    ("show", "show iso27001:8.24"),
    ("list", "list iso27001 where property = confidentiality and concept = detect"),
    ("search", "search \"encrypt\""),
    ("map", "map soc2:CC6.1 <- iso27001"),
    ("crosswalk", "crosswalk iso27001 -> soc2"),
    ("coverage", "coverage iso27001{5.15, 8.5, 8.24} -> hipaa"),
    ("gaps", "gaps iso27001 -> soc2"),
    ("gaps via", "gaps iso27001{5.*, 8.*} -> hipaa via csf"),
    ("path", "path hipaa:164.312(a)(2)(iv) -> soc2"),
    ("explain", "explain iso27001 -> csf:PR.DS-01"),
    ("let", "let mine = iso27001{5.1..5.37} - iso27001{5.7}"),
];

fn load(c: &mut Criterion) {
    c.bench_function("load shipped database", |b| b.iter(|| db::load(black_box(DataSource::Embedded)).unwrap()));
    // What `crosswalk -e 'gaps iso27001 -> soc2'` reads: the frameworks it names, and those their sets link.
    let named = ["iso27001", "soc2"].map(String::from).into_iter().collect();
    c.bench_function("load shipped database, iso27001 and soc2", |b| {
        b.iter(|| db::load(black_box(DataSource::EmbeddedPart(&named))).unwrap())
    });
}

fn parse_statements(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, src) in STATEMENTS {
        group.bench_function(name, |b| b.iter(|| parse::parse(black_box(src))));
    }
    group.finish();
}

fn eval_statements(c: &mut Criterion) {
    let db = db::load(DataSource::Embedded).unwrap();
    let mut group = c.benchmark_group("eval");
    for (name, src) in STATEMENTS {
        let stmt = parse::parse(src).remove(0).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut env = Env::default();
                eval::eval(&db, &mut env, black_box(&stmt), src).unwrap()
            })
        });
    }
    group.finish();
}

fn one_shot(c: &mut Criterion) {
    let exe = env!("CARGO_BIN_EXE_crosswalk");
    let mut group = c.benchmark_group("process");
    group.sample_size(30);
    for query in ["frameworks", "gaps iso27001 -> soc2"] {
        group.bench_function(format!("crosswalk -e '{query}'"), |b| {
            b.iter(|| {
                let out = Command::new(exe).args(["-e", query]).output().unwrap();
                assert!(out.status.success());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, load, parse_statements, eval_statements, one_shot);
criterion_main!(benches);

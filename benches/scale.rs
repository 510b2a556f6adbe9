//! Benchmarks at scale: a synthetic database of 100,000 mapping rows (see
//! `benches/synthetic`), loaded from its folder, a direct and a derived
//! coverage over it, and the same coverage answered from a compiled store
//! (the part of it the query names, loaded, evaluated and printed).
//! `benches/scale.sh` measures whole processes up to 1M rows, beside SQLite.

mod synthetic;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use crosswalk::db::{self, store, DataSource};
use crosswalk::output::{self, Format};
use crosswalk::query::eval::{self, Env};
use crosswalk::query::parse;

const ROWS: usize = 100_000;

fn scale(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    synthetic::write(dir.path(), synthetic::Shape::rows(ROWS)).unwrap();
    let mut group = c.benchmark_group(format!("{ROWS} rows"));
    group.sample_size(10);
    group.bench_function("load", |b| b.iter(|| db::load(black_box(DataSource::Dir(dir.path()))).unwrap()));
    let db = db::load(DataSource::Dir(dir.path())).unwrap();
    for (name, src) in [("coverage", "coverage fw00 -> fw01"), ("coverage via", "coverage fw00 -> fw01 via fw02")] {
        let stmt = parse::parse(src).remove(0).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let out = eval::eval(&db, &mut Env::default(), black_box(&stmt), src).unwrap();
                output::render(&out, Format::Csv, None)
            })
        });
    }
    let path = dir.path().join("db.cws");
    store::build(dir.path(), &path).unwrap();
    let opened = store::Store::open(&path).unwrap();
    let src = "coverage fw00 -> fw01";
    group.bench_function("store: coverage", |b| {
        b.iter(|| {
            let needs = crosswalk::query::needs::frameworks(&[src], &|n| opened.key(n).map(str::to_string));
            let db = db::load(DataSource::Store(&path, needs.as_ref())).unwrap();
            let stmt = parse::parse(src).remove(0).unwrap();
            let out = eval::eval(&db, &mut Env::default(), &stmt, src).unwrap();
            output::render(&out, Format::Csv, None)
        })
    });
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);

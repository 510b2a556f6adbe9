//! Published pairs a mapping set leaves out: `left-out/SOURCE__TARGET.csv`, each pair with its reason.
//!
//! A set that carries a publication's pairs names, in its `published_as`
//! column, the publication's target ids each row carries. Every other pair of
//! the publication is listed in the set's left-out file with a one-line
//! reason, so a user can see what was published and what was kept.

use rustc_hash::FxHashMap as HashMap;

use super::load::{self, CsvTable, SourceFile};
use super::validate::{resolve, Rejected};
use super::Database;
use crate::diag::DataError;
use crate::model::{CtlId, LeftOut, ProvenanceKind};

/// Columns every left-out file has.
pub const COLUMNS: [&str; 4] = ["source_id", "published_id", "provenance", "reason"];

/// Reads every `left-out/*.csv` of the load into the database.
pub(super) fn files(files: &[&SourceFile], db: &mut Database, errors: &mut Vec<DataError>) {
    for file in files.iter().filter(|f| f.rel.starts_with("left-out/") && f.rel.ends_with(".csv")) {
        let name = &file.rel["left-out/".len()..];
        let Some(set) = db.sets.iter().position(|s| s.file.rsplit('/').next() == Some(name)) else {
            let msg = format!("no mapping set {name} to leave pairs out of; name the file after its set");
            errors.push(DataError::new(&file.display, 0, msg));
            continue;
        };
        let Some(table) = load::parse_csv(file, errors) else { continue };
        if load::require_columns(file, &table, &COLUMNS, errors) {
            rows(file, &table, set as u16, db, errors);
        }
    }
}

fn rows(file: &SourceFile, table: &CsvTable, set: u16, db: &mut Database, errors: &mut Vec<DataError>) {
    let cols = COLUMNS.map(|c| table.column(c).unwrap_or_default());
    let source_fw = db.sets[set as usize].source;
    let carried = carried_pairs(db, set);
    let mut seen: HashMap<(CtlId, String), u32> = HashMap::default();
    for row in table.rows.iter() {
        let f = |i: usize| table.field(row, cols[i]);
        let mut err = |msg: String| errors.push(DataError::new(&file.display, row.line, msg));
        let source = resolve(db, source_fw, f(0), "source_id", &Rejected::default(), &mut err);
        let provenance = db.provenances.iter().position(|p| p.key == f(2) && p.kind == ProvenanceKind::Published);
        if provenance.is_none() {
            err(format!("provenance `{}` is not a published mapping of provenance.toml; name the publication", f(2)));
        }
        if f(1).is_empty() {
            err("empty published_id: name the target as the publication names it".to_string());
        }
        if f(3).is_empty() {
            err("missing reason: say in one line why the pair is left out".to_string());
        }
        let (Some(source), Some(provenance)) = (source, provenance) else { continue };
        if f(1).is_empty() || f(3).is_empty() {
            continue;
        }
        let key = (source, f(1).to_string());
        if let Some(line) = carried.get(&key) {
            err(format!(
                "{} -> {} is carried by line {line} of the set; a pair is carried or left out, not both",
                f(0),
                f(1)
            ));
            continue;
        }
        if let Some(first) = seen.insert(key.clone(), row.line) {
            seen.insert(key, first);
            err(format!("{} -> {} is left out twice (first on line {first})", f(0), f(1)));
            continue;
        }
        db.left_out.push(LeftOut {
            source,
            published_id: f(1).to_string(),
            provenance: provenance as u16,
            reason: table.text(row, cols[3]),
            set,
            line: row.line,
        });
    }
}

/// The published pairs a set's rows carry: (source, published target id) -> line.
fn carried_pairs(db: &Database, set: u16) -> HashMap<(CtlId, String), u32> {
    let mut out = HashMap::default();
    for &m in &db.sets[set as usize].rows {
        let row = &db.mappings[m as usize];
        for id in &row.published_as {
            out.entry((row.source, id.clone())).or_insert(row.line);
        }
    }
    out
}

/// A set's account of a publication's pairs: how many it carries and how many it leaves out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub provenance: String,
    pub pairs: usize,
    pub carried: usize,
    pub left_out: usize,
}

/// The publications a set accounts for, in the order of `provenance.toml`.
pub fn published(db: &Database, set: u16) -> Vec<Published> {
    let mut out: Vec<Published> = Vec::new();
    for (p, prov) in db.provenances.iter().enumerate() {
        let carried = db.sets[set as usize]
            .rows
            .iter()
            .map(|&m| &db.mappings[m as usize])
            .filter(|r| r.provenance as usize == p)
            .flat_map(|r| r.published_as.iter().map(move |id| (r.source, id)))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let left_out = db.left_out.iter().filter(|l| l.set == set && l.provenance as usize == p).count();
        if carried + left_out > 0 {
            out.push(Published { provenance: prov.key.clone(), pairs: carried + left_out, carried, left_out });
        }
    }
    out
}

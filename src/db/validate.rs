//! Turning parsed files into a checked database: every problem is reported, with its file and line.
//!
//! This module holds the whole-load steps and the mapping sets; [`super::catalog`] checks the catalogs.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::index::{Found, Index};
use super::load::{self, CsvTable, ProvenanceMeta, SourceFile};
use super::{catalog, imports, Database, LoadOptions};
use crate::diag::DataError;
use crate::model::*;
use crate::suggest;

/// Columns every mapping set has.
pub const MAPPING_COLUMNS: [&str; 5] = ["source_id", "target_id", "relationship", "provenance", "rationale"];

/// Builds the database from its files, collecting every error instead of stopping at the first.
pub fn build(files: &[SourceFile], options: &LoadOptions, errors: &mut Vec<DataError>) -> Database {
    let files = &distinct(files, errors);
    let imported = imports::read(files, errors);
    let mut db = Database { provenances: provenances(files, errors), ..Database::default() };
    db.version = database_version(files, errors);
    let no_provenance = missing_provenance(files, &db.provenances, errors);
    let mut rejected = Rejected { no_provenance, ..Rejected::default() };
    catalog::catalogs(files, &mut db, errors, &mut rejected);
    let catalogs = imports::catalog_frameworks(&imported, &mut db, options, errors);
    let sides = imports::frameworks(&imported, &mut db, options, &catalogs.loaded, errors);
    let (index, clashes) = Index::build(&db.frameworks, &db.controls);
    for (name, first, second) in clashes.names {
        let (a, b) = (&db.frameworks[first as usize], &db.frameworks[second as usize]);
        let msg = format!("framework name `{name}` is used by both `{}` ({}) and `{}`", a.key, a.file, b.key);
        errors.push(DataError::new(&b.file, 0, msg));
    }
    for (control, alias, other) in clashes.aliases {
        errors.push(alias_clash(&db, control, &alias, other));
    }
    db.index = index;
    mapping_sets(files, &mut db, errors, &rejected);
    imports::rows(&imported, &sides, &catalogs, &mut db, errors, &rejected, options.skip_unknown_ids);
    imports::unused_framework_maps(&imported, options, &mut db);
    super::left_out::files(files, &mut db, errors);
    let mut index = std::mem::take(&mut db.index);
    index.add_mappings(&db.mappings);
    db.index = index;
    errors.sort();
    errors.dedup();
    db
}

/// An alias that names another control: its id, or an alias the other control had first.
fn alias_clash(db: &Database, control: CtlId, alias: &str, other: CtlId) -> DataError {
    let (c, o) = (&db.controls[control as usize], &db.controls[other as usize]);
    let file = catalog_file(db, c);
    let msg = if o.id == alias {
        format!(
            "alias `{alias}` of `{}` is the id of another control (line {}); an alias names one control",
            c.id, o.line
        )
    } else {
        format!(
            "alias `{alias}` of `{}` is also an alias of `{}` (line {}); an alias names one control",
            c.id, o.id, o.line
        )
    };
    DataError::new(&file, c.line, msg)
}

/// The catalog file a control was read from, for messages: a metadata file's CSV, or an imported catalog.
fn catalog_file(db: &Database, c: &Control) -> String {
    let fw = &db.frameworks[c.framework as usize];
    match fw.file.strip_suffix(".toml") {
        Some(stem) => format!("{stem}.csv"),
        None => fw.file.clone(),
    }
}

/// What a load rejected, so that rows naming it are not reported a second time.
#[derive(Default)]
pub(super) struct Rejected {
    /// Framework keys whose metadata or catalog could not be read.
    pub frameworks: HashSet<String>,
    /// (framework key, id) of catalog rows that were reported and skipped.
    pub ids: HashSet<(String, String)>,
    /// No `provenance.toml` at all: said once, not on every mapping row.
    pub no_provenance: bool,
    /// The suggestions the load's unknown ids may still compute (each is a pass over a catalog).
    pub hints: std::cell::RefCell<suggest::Budget>,
}

/// Says once that there is no provenance to name, when mapping sets need one:
/// `provenance.toml` is missing, or defines none. Its rows are then not
/// reported one by one.
fn missing_provenance(files: &[&SourceFile], provenances: &[Provenance], errors: &mut Vec<DataError>) -> bool {
    let has_sets = files.iter().any(|f| !f.rel.contains('/') && f.rel.ends_with(".csv"));
    if !has_sets || !provenances.is_empty() {
        return false;
    }
    let Some(file) = files.iter().find(|f| f.rel == "provenance.toml") else {
        // Named where it belongs: beside the files of the (first) database folder.
        let dir = files.first().and_then(|f| f.display.strip_suffix(&f.rel)).unwrap_or_default();
        let msg = "missing: every mapping row names its source by a key of this file (see mappings/README.md)";
        errors.push(DataError::new(&format!("{dir}provenance.toml"), 0, msg));
        return true;
    };
    if !errors.iter().any(|e| e.file == file.display) {
        let msg = "defines no provenance: every mapping row names its source by a key of this file";
        errors.push(DataError::new(&file.display, 0, msg));
    }
    true
}

/// The files, each path once: a layer that defines a catalog or a mapping
/// set the database already has is reported, and its file left out.
/// `provenance.toml` may come from every layer.
fn distinct<'a>(files: &'a [SourceFile], errors: &mut Vec<DataError>) -> Vec<&'a SourceFile> {
    let mut first: HashMap<&str, &str> = HashMap::default();
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        if f.rel != "provenance.toml" && f.rel != "database.toml" {
            if let Some(other) = first.insert(&f.rel, &f.display) {
                first.insert(&f.rel, other);
                errors.push(DataError::new(
                    &f.display,
                    0,
                    format!("{other} already defines this; each catalog and mapping set is defined once"),
                ));
                continue;
            }
        }
        out.push(f);
    }
    out
}

/// The version of the first `database.toml` (the base layer's), or `unversioned`.
fn database_version(files: &[&SourceFile], errors: &mut Vec<DataError>) -> String {
    let Some(file) = files.iter().find(|f| f.rel == "database.toml") else { return "unversioned".to_string() };
    match load::parse_toml::<load::DatabaseMeta>(file) {
        Ok(meta) => meta.version,
        Err(e) => {
            errors.push(e);
            "unversioned".to_string()
        }
    }
}

fn provenances(files: &[&SourceFile], errors: &mut Vec<DataError>) -> Vec<Provenance> {
    let mut out: Vec<Provenance> = Vec::new();
    for file in files.iter().filter(|f| f.rel == "provenance.toml") {
        provenance_file(file, &mut out, errors);
    }
    out
}

fn provenance_file(file: &SourceFile, out: &mut Vec<Provenance>, errors: &mut Vec<DataError>) {
    let Ok(table) = load::parse_toml::<BTreeMap<String, ProvenanceMeta>>(file).map_err(|e| errors.push(e)) else {
        return;
    };
    for (key, meta) in table {
        if out.iter().any(|p| p.key == key) {
            let line = find_line(&file.text, &format!("[{key}]"));
            errors.push(DataError::new(&file.display, line, format!("provenance `{key}` is already defined")));
            continue;
        }
        let kind = match meta.kind.as_str() {
            "published" => ProvenanceKind::Published,
            "analysis" => ProvenanceKind::Analysis,
            other => {
                let line = find_line(&file.text, &format!("[{key}]"));
                let msg = format!("provenance `{key}` has kind `{other}`; use `published` or `analysis`");
                errors.push(DataError::new(&file.display, line, msg));
                continue;
            }
        };
        out.push(Provenance { key, kind, title: meta.title, publisher: meta.publisher, detail: meta.detail });
    }
}

/// The line on which `needle` first appears, or 0.
pub(super) fn find_line(text: &str, needle: &str) -> u32 {
    text.find(needle).map_or(0, |i| load::line_of(text, i))
}

fn mapping_sets(files: &[&SourceFile], db: &mut Database, errors: &mut Vec<DataError>, rejected: &Rejected) {
    let mut pairs: HashMap<(FwId, FwId), String> = HashMap::default();
    for file in files.iter().filter(|f| !f.rel.contains('/') && f.rel.ends_with(".csv")) {
        let Some((source, target)) = set_frameworks(file, db, errors, rejected) else { continue };
        let reverse = pairs.get(&(target, source)).or_else(|| pairs.get(&(source, target)));
        if let Some(other) = reverse {
            let msg = format!(
                "maps the same two frameworks as {other}; keep one file per pair (the reverse direction is derived)"
            );
            errors.push(DataError::new(&file.display, 0, msg));
            continue;
        }
        pairs.insert((source, target), file.display.clone());
        let Some(table) = load::parse_csv(file, errors) else { continue };
        if !load::require_columns(file, &table, &MAPPING_COLUMNS, errors) {
            continue;
        }
        let set = MappingSet { file: file.display.clone(), source, target, rows: Vec::new() };
        db.sets.push(set);
        mapping_rows(file, &table, db, errors, rejected);
    }
}

/// The two frameworks a mapping set's file name names: `SOURCE__TARGET.csv`.
fn set_frameworks(
    file: &SourceFile,
    db: &Database,
    errors: &mut Vec<DataError>,
    rejected: &Rejected,
) -> Option<(FwId, FwId)> {
    let stem = catalog::stem(&file.rel);
    let Some((a, b)) = stem.split_once("__") else {
        let msg = "a mapping set is named SOURCE__TARGET.csv after its frameworks' keys (e.g. iso27001__soc2.csv)";
        errors.push(DataError::new(&file.display, 0, msg));
        return None;
    };
    let key = |name: &str, errors: &mut Vec<DataError>| {
        let found = db.frameworks.iter().position(|f| f.key == name).map(|i| i as FwId);
        if found.is_none() && !rejected.frameworks.contains(name) {
            let hint = suggest::closest(name, db.frameworks.iter().map(|f| f.key.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            errors.push(DataError::new(&file.display, 0, format!("file name names unknown framework `{name}`{hint}")));
        }
        found
    };
    let (a, b) = (key(a, errors), key(b, errors));
    Some((a?, b?))
}

fn mapping_rows(
    file: &SourceFile,
    table: &CsvTable,
    db: &mut Database,
    errors: &mut Vec<DataError>,
    rejected: &Rejected,
) {
    let set_id = (db.sets.len() - 1) as u16;
    let (source_fw, target_fw) = (db.sets[set_id as usize].source, db.sets[set_id as usize].target);
    let cols = MAPPING_COLUMNS.map(|c| table.column(c).unwrap_or_default());
    let strength = table.column("strength");
    let published_as = table.column("published_as");
    let mut seen: HashMap<RowKey, u32> = HashMap::default();
    for row in table.rows.iter() {
        let f = |i: usize| table.field(row, cols[i]);
        let mut err = |msg: String| errors.push(DataError::new(&file.display, row.line, msg));
        let sources = resolve_group(db, source_fw, f(0), rejected, &mut err);
        let target = resolve(db, target_fw, f(1), "target_id", rejected, &mut err);
        let relationship = Relationship::parse(f(2));
        if relationship.is_none() {
            let hint = suggest::closest(f(2), Relationship::ALL.iter().map(|r| r.as_str()))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let shown = if f(2).is_empty() {
                "empty relationship".to_string()
            } else {
                format!("unknown relationship \"{}\"", f(2))
            };
            err(format!("{shown}; {hint}use equal, superset-of, subset-of or intersects-with"));
        }
        let provenance = db.provenances.iter().position(|p| p.key == f(3));
        if provenance.is_none() && !rejected.no_provenance {
            let keys: Vec<&str> = db.provenances.iter().map(|p| p.key.as_str()).collect();
            let shown = if f(3).is_empty() {
                "missing provenance".to_string()
            } else {
                format!("unknown provenance `{}`", f(3))
            };
            err(format!("{shown}; use a key of provenance.toml ({})", keys.join(", ")));
        }
        if f(4).is_empty() {
            err("missing rationale: say in one line why the relationship holds".to_string());
        }
        let marginal = match strength.map_or("", |c| table.field(row, c)) {
            "" => false,
            s if s.eq_ignore_ascii_case("marginal") => true,
            other => {
                err(format!("unknown strength `{other}`; write `marginal` for an indirect overlap, or leave it empty"));
                false
            }
        };
        let (Some(sources), Some(target), Some(relationship), Some(provenance)) =
            (sources, target, relationship, provenance)
        else {
            continue;
        };
        let Some(key) = row_key(source_fw == target_fw, &sources, target) else {
            err(format!("maps `{}` to itself", f(0)));
            continue;
        };
        if let Some(first) = seen.insert(key.clone(), row.line) {
            seen.insert(key, first);
            err(format!("the pair {} -> {} is mapped twice (first on line {first})", f(0), f(1)));
            continue;
        }
        let id = db.mappings.len() as MapId;
        db.mappings.push(Mapping {
            source: sources.0,
            together_with: sources.1,
            target,
            relationship,
            provenance: provenance as u16,
            rationale: table.text(row, cols[4]),
            marginal,
            published_as: published_as.map_or_else(Box::default, |c| split_ids(table.field(row, c))),
            set: set_id,
            line: row.line,
        });
        db.sets[set_id as usize].rows.push(id);
    }
}

/// The source of a row: one id, or several joined by `+` that hold the
/// relationship together (`5.1 + 5.37`); each is resolved, and none twice. A
/// member of a group may belong to another framework, named `KEY:ID`
/// (`5.7 + iso27001-isms:8.2`), as an ISMS's Annex A controls and clauses act together.
/// Returns the first source and the others.
fn resolve_group(
    db: &Database,
    fw: FwId,
    cell: &str,
    rejected: &Rejected,
    err: &mut impl FnMut(String),
) -> Option<(CtlId, Box<[CtlId]>)> {
    if !cell.contains('+') {
        // One source, the common case: nothing to allocate.
        return resolve(db, fw, cell, "source_id", rejected, err).map(|c| (c, Box::default()));
    }
    let ids: Vec<&str> = cell.split('+').map(str::trim).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        let (member_fw, member) = match id.split_once(':').filter(|_| ids.len() > 1) {
            Some((key, rest)) => match db.frameworks.iter().position(|f| f.key == key) {
                Some(f) => (f as FwId, rest),
                None => {
                    err(format!("the group `{cell}` names unknown framework `{key}`"));
                    return None;
                }
            },
            None => (fw, *id),
        };
        let c = resolve(db, member_fw, member, "source_id", rejected, err)?;
        if out.contains(&c) {
            err(format!("`{id}` is named twice in the group `{cell}`"));
            return None;
        }
        out.push(c);
    }
    Some((out[0], out[1..].into()))
}

/// A `;`-separated list of ids.
fn split_ids(cell: &str) -> Box<[String]> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The key under which a row's pair is mapped once: its sources (sorted, for a
/// group) and its target. A set from a framework to itself reads both ways, so
/// `b -> a` is the pair `a -> b` again; there, a control mapped to itself has no key.
fn row_key(self_set: bool, (source, others): &(CtlId, Box<[CtlId]>), target: CtlId) -> Option<RowKey> {
    if others.is_empty() {
        return match (self_set, *source == target) {
            (false, _) => Some((*source, Box::default(), target)),
            (true, true) => None,
            (true, false) => Some(((*source).min(target), Box::default(), (*source).max(target))),
        };
    }
    let mut key: Vec<CtlId> = std::iter::once(*source).chain(others.iter().copied()).collect();
    key.sort_unstable();
    Some((key[0], key[1..].into(), target))
}

/// A row's pair: its first source (in order, for a group), the group's other sources, its target.
type RowKey = (CtlId, Box<[CtlId]>, CtlId);

/// Resolves an id of a mapping row: spelled as the catalog spells it, and a mappable level.
pub(super) fn resolve(
    db: &Database,
    fw_id: FwId,
    id: &str,
    column: &str,
    rejected: &Rejected,
    err: &mut impl FnMut(String),
) -> Option<CtlId> {
    let fw = &db.frameworks[fw_id as usize];
    if id.is_empty() {
        err(format!("empty {column}"));
        return None;
    }
    match db.index.control(fw, fw_id, id) {
        Found::Exact(c) if db.controls[c as usize].mappable => Some(c),
        Found::Exact(c) => {
            let c = &db.controls[c as usize];
            let mappable: Vec<&str> =
                fw.levels.iter().zip(&fw.mappable).filter(|(_, &m)| m).map(|(l, _)| l.as_str()).collect();
            err(format!(
                "{column} `{id}` is a {} of {}; mappings link {} items",
                fw.levels[c.level as usize],
                fw.key,
                mappable.join(" or ")
            ));
            None
        }
        Found::Loose(c) => {
            err(format!(
                "{column} `{id}` is spelled `{}` in {}; write it as the catalog does",
                db.controls[c as usize].id, fw.key
            ));
            None
        }
        Found::Missing if rejected.ids.contains(&(fw.key.clone(), id.to_string())) => None,
        Found::Missing => {
            let ids = fw.controls.clone().map(|c| db.controls[c as usize].id.as_ref());
            let hint = rejected.hints.borrow_mut().closest(id, ids);
            let hint = hint.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            err(format!("unknown control `{id}` in {} ({column}){hint}", fw.key));
            None
        }
    }
}

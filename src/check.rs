//! `crosswalk check`: the database validated and summarised, as text or JSON.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde::Serialize;

use crate::db::Database;
use crate::diag::DataError;
use crate::model::{FwId, Relationship};

#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// The database's version and the SHA-256 of its files.
    pub database: DatabaseSummary,
    pub frameworks: Vec<FrameworkSummary>,
    pub mapping_sets: Vec<SetSummary>,
    pub errors: Vec<DataError>,
}

#[derive(Debug, Serialize)]
pub struct DatabaseSummary {
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct FrameworkSummary {
    pub key: String,
    pub name: String,
    pub version: String,
    /// The items a user maps (the leaves: controls, subcategories, criteria, ...).
    pub controls: usize,
    /// Nodes per level, top down.
    pub levels: IndexMap<String, usize>,
    pub file: String,
}

#[derive(Debug, Serialize)]
pub struct SetSummary {
    pub file: String,
    pub source: String,
    pub target: String,
    pub rows: usize,
    pub by_relationship: IndexMap<String, usize>,
    pub by_provenance: IndexMap<String, usize>,
    pub source_side: SideSummary,
    pub target_side: SideSummary,
    /// For each publication the set carries pairs of: how many it carries and leaves out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<crate::db::left_out::Published>,
}

/// How much of one framework a mapping set reaches.
#[derive(Debug, Serialize)]
pub struct SideSummary {
    pub controls: usize,
    pub mapped: usize,
    pub unmapped: Vec<String>,
}

/// Summarises a database and the errors its load reported.
pub fn report(db: &Database, errors: Vec<DataError>) -> CheckReport {
    let frameworks = db
        .frameworks
        .iter()
        .enumerate()
        .map(|(i, fw)| {
            let mut levels: IndexMap<String, usize> = fw.levels.iter().map(|l| (l.clone(), 0)).collect();
            for c in fw.controls.clone() {
                levels[db.control(c).level as usize] += 1;
            }
            FrameworkSummary {
                key: fw.key.clone(),
                name: fw.name.clone(),
                version: fw.version.clone(),
                controls: db.controls_of(i as FwId).count(),
                levels,
                file: fw.file.clone(),
            }
        })
        .collect();
    let mapping_sets = db.sets.iter().enumerate().map(|(i, set)| set_summary(db, i as u16, set)).collect();
    let database = DatabaseSummary { version: db.version.clone(), sha256: db.sha256.clone() };
    CheckReport { database, frameworks, mapping_sets, errors }
}

fn set_summary(db: &Database, index: u16, set: &crate::model::MappingSet) -> SetSummary {
    let mut by_relationship: IndexMap<String, usize> = Relationship::ALL.iter().map(|r| (r.to_string(), 0)).collect();
    let mut by_provenance: IndexMap<String, usize> = IndexMap::new();
    let mut sources = std::collections::HashSet::new();
    let mut targets = std::collections::HashSet::new();
    for &m in &set.rows {
        let row = &db.mappings[m as usize];
        by_relationship[row.relationship.as_str()] += 1;
        *by_provenance.entry(db.provenances[row.provenance as usize].key.clone()).or_default() += 1;
        for s in row.sources() {
            sources.insert(control_of(db, s));
        }
        targets.insert(control_of(db, row.target));
    }
    let side = |fw: FwId, mapped: &std::collections::HashSet<u32>| {
        // Items that place no duty are not missing when nothing maps them.
        let all: Vec<u32> = db.controls_of(fw).filter(|&c| db.control(c).applicable).collect();
        SideSummary {
            controls: all.len(),
            mapped: all.iter().filter(|c| mapped.contains(c)).count(),
            unmapped: all.iter().filter(|c| !mapped.contains(c)).map(|&c| db.control(c).id.to_string()).collect(),
        }
    };
    SetSummary {
        file: set.file.clone(),
        source: db.framework(set.source).key.clone(),
        target: db.framework(set.target).key.clone(),
        rows: set.rows.len(),
        by_relationship,
        by_provenance,
        source_side: side(set.source, &sources),
        target_side: side(set.target, &targets),
        published: crate::db::left_out::published(db, index),
    }
}

/// The control a row's end counts for: itself, or the control a part belongs to.
fn control_of(db: &Database, c: crate::model::CtlId) -> crate::model::CtlId {
    std::iter::once(c).chain(db.ancestors(c)).find(|&n| db.control(n).is_control()).unwrap_or(c)
}

/// The report as text; `stats` adds the per-set detail.
pub fn render_text(r: &CheckReport, stats: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "database {} (sha256 {})", r.database.version, r.database.sha256);
    let _ = writeln!(out, "frameworks");
    for f in &r.frameworks {
        let levels: Vec<String> = f.levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
        let _ = writeln!(out, "  {:<14} {:>4} controls  ({})", f.key, f.controls, levels.join(", "));
    }
    let _ = writeln!(out, "mapping sets");
    for s in &r.mapping_sets {
        let pair = format!("{} -> {}", s.source, s.target);
        let _ = writeln!(
            out,
            "  {pair:<26} {:>4} rows  {}/{} source and {}/{} target controls mapped",
            s.rows, s.source_side.mapped, s.source_side.controls, s.target_side.mapped, s.target_side.controls
        );
        if stats {
            let rel: Vec<String> = s.by_relationship.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let prov: Vec<String> = s.by_provenance.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(out, "      file: {}", s.file);
            let _ = writeln!(out, "      by relationship: {}", rel.join(", "));
            let _ = writeln!(out, "      by provenance: {}", prov.join(", "));
            for p in &s.published {
                let _ = writeln!(
                    out,
                    "      published pairs ({}): {} carried, {} left out (left-out/{}), of {}",
                    p.provenance,
                    p.carried,
                    p.left_out,
                    s.file.rsplit('/').next().unwrap_or_default(),
                    p.pairs
                );
            }
            let _ = writeln!(out, "      unmapped {}: {}", s.source, list_or_none(&s.source_side.unmapped));
            let _ = writeln!(out, "      unmapped {}: {}", s.target, list_or_none(&s.target_side.unmapped));
        }
    }
    if r.errors.is_empty() {
        let _ = writeln!(out, "ok: no errors");
    } else {
        let _ = writeln!(out, "{} error(s); see above", r.errors.len());
    }
    out
}

fn list_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

/// What `check FILE` says of a mapping file in another format, read against the database.
#[derive(Debug, Default, Serialize)]
pub struct FileReport {
    pub file: String,
    /// The format, in words; empty when the file could not be read.
    pub format: String,
    pub title: String,
    pub version: String,
    /// The mapping sets the file makes: each pair of frameworks and its rows.
    pub sets: Vec<FileSet>,
    /// The places of the maps that say no-relationship, kept out of coverage.
    pub kept_out: Vec<String>,
    /// Maps that state again what another states (`PATH: message`).
    pub repeats: Vec<String>,
    /// What the load did besides reading rows (catalogs loaded id-only, sets stood in for).
    pub notes: Vec<String>,
    /// What is likely a mistake, though the file loads (maps naming withdrawn controls).
    pub warnings: Vec<String>,
    /// The framework a catalog file loads as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<FileFramework>,
    pub errors: Vec<DataError>,
}

/// A catalog file's framework: its key, its controls and the nodes of each level.
#[derive(Debug, Serialize)]
pub struct FileFramework {
    pub key: String,
    pub controls: usize,
    /// Controls the catalog withdrew: kept, and out of coverage.
    pub withdrawn: usize,
    pub levels: IndexMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct FileSet {
    pub source: String,
    pub target: String,
    pub rows: usize,
    pub by_relationship: IndexMap<String, usize>,
}

/// Reads a mapping file and loads it on top of the database, without a session:
/// its shape, its ids against the catalogs (with suggestions), pairs stated
/// twice or both ways, and what the load would do.
pub fn file(
    source: crate::db::DataSource,
    add: &[std::path::PathBuf],
    options: &crate::db::LoadOptions,
    path: &std::path::Path,
) -> Result<FileReport, crate::diag::Error> {
    let display = path.display().to_string();
    let mut report = FileReport { file: display.clone(), ..FileReport::default() };
    if path.is_dir() {
        let msg = "check FILE reads a mapping file; a database folder is checked with `crosswalk --data DIR check`";
        report.errors.push(DataError::new(&display, 0, msg));
        return Ok(report);
    }
    let (files, mut errors) = crate::db::load::layer_files(path)?;
    let Some(text) = files.first().map(|f| f.text.clone()) else {
        report.errors = errors;
        return Ok(report);
    };
    let doc = match crate::interchange::read(&display, &text) {
        Ok(doc) => doc,
        Err(mut e) => {
            errors.append(&mut e);
            report.errors = errors;
            return Ok(report);
        }
    };
    report.format = doc.format.to_string();
    report.title.clone_from(&doc.title);
    report.version.clone_from(&doc.version);
    report.kept_out = crate::interchange::unrelated(&doc);
    report.repeats = crate::interchange::repeats(&doc).into_iter().map(|(at, msg)| format!("{at}: {msg}")).collect();
    let mut layers = add.to_vec();
    layers.push(path.to_path_buf());
    let (db, mut load_errors) = crate::db::load_with_errors_using(source, &layers, options)?;
    errors.append(&mut load_errors);
    let own = |said: &[String]| -> Vec<String> {
        let prefix = format!("{display}: ");
        said.iter().filter_map(|n| n.strip_prefix(&prefix)).map(str::to_string).collect()
    };
    report.notes = own(&db.notes);
    report.warnings = own(&db.warnings);
    report.framework = db.frameworks.iter().position(|f| f.file == display).map(|i| {
        let fw = &db.frameworks[i];
        let mut levels: IndexMap<String, usize> = fw.levels.iter().map(|l| (l.clone(), 0)).collect();
        for c in fw.controls.clone() {
            levels[db.control(c).level as usize] += 1;
        }
        let controls: Vec<_> = db.controls_of(i as FwId).collect();
        let withdrawn = controls.iter().filter(|&&c| !db.control(c).not_applicable.is_empty()).count();
        FileFramework { key: fw.key.clone(), controls: controls.len(), withdrawn, levels }
    });
    for set in db.sets.iter().filter(|s| s.file == display) {
        let mut by_relationship: IndexMap<String, usize> =
            Relationship::ALL.iter().map(|r| (r.to_string(), 0)).collect();
        for &m in &set.rows {
            // Read from the set's source: a group row of the target's controls is stored the other way.
            let row = &db.mappings[m as usize];
            let forward = db.control(row.source).framework == set.source;
            let relationship = if forward { row.relationship } else { row.relationship.reverse() };
            by_relationship[relationship.as_str()] += 1;
        }
        report.sets.push(FileSet {
            source: db.framework(set.source).key.clone(),
            target: db.framework(set.target).key.clone(),
            rows: set.rows.len(),
            by_relationship,
        });
    }
    report.errors = errors;
    Ok(report)
}

/// A file's report as text.
pub fn render_file(r: &FileReport) -> String {
    let mut out = String::new();
    if r.format.is_empty() {
        let _ = writeln!(out, "{}: not read", r.file);
    } else {
        let version = if r.version.is_empty() { String::new() } else { format!(", version {}", r.version) };
        let _ = writeln!(out, "{}: {} \"{}\"{version}", r.file, r.format, r.title);
    }
    if let Some(f) = &r.framework {
        let levels: Vec<String> = f.levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
        let _ = writeln!(
            out,
            "  framework {}: {} controls, {} withdrawn; by level: {}",
            f.key,
            f.controls,
            f.withdrawn,
            levels.join(", ")
        );
    }
    for s in &r.sets {
        let rel: Vec<String> = s.by_relationship.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let pair = format!("{} -> {}", s.source, s.target);
        let _ = writeln!(out, "  {pair:<26} {:>4} rows  ({})", s.rows, rel.join(", "));
    }
    if !r.kept_out.is_empty() {
        let _ = writeln!(out, "  kept out, no-relationship: {}", r.kept_out.join(", "));
    }
    for n in &r.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    // A library that states each pair both ways, as published libraries do, is one
    // count; other repeats are listed, the first few (`--json` lists them all).
    let (inverse, same): (Vec<&String>, Vec<&String>) =
        r.repeats.iter().partition(|w| w.contains(crate::interchange::READ_THE_OTHER_WAY));
    if !inverse.is_empty() {
        let _ = writeln!(
            out,
            "  repeated: {} map(s) state again, {}, a map before them (agreeing)",
            inverse.len(),
            crate::interchange::READ_THE_OTHER_WAY
        );
    }
    const SHOWN: usize = 10;
    for w in same.iter().take(SHOWN) {
        let _ = writeln!(out, "  repeated: {w}");
    }
    if same.len() > SHOWN {
        let _ = writeln!(out, "  repeated: {} more (check --json lists them all)", same.len() - SHOWN);
    }
    for w in &r.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    if r.errors.is_empty() {
        let _ = writeln!(out, "ok: no errors");
    } else {
        let _ = writeln!(out, "{} error(s); see above", r.errors.len());
    }
    out
}

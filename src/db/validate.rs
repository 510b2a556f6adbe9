//! Turning parsed files into a checked database: every problem is reported, with its file and line.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::index::{Found, Index};
use super::load::{self, CsvRow, CsvTable, FrameworkMeta, ProvenanceMeta, SourceFile};
use super::Database;
use crate::diag::DataError;
use crate::model::*;
use crate::suggest;

/// Columns every catalog has.
pub const CATALOG_COLUMNS: [&str; 5] = ["id", "parent", "level", "title", "description"];
/// Columns every mapping set has.
pub const MAPPING_COLUMNS: [&str; 5] = ["source_id", "target_id", "relationship", "provenance", "rationale"];

/// Builds the database from its files, collecting every error instead of stopping at the first.
pub fn build(files: &[SourceFile], errors: &mut Vec<DataError>) -> Database {
    let files = &distinct(files, errors);
    let mut db = Database { provenances: provenances(files, errors), ..Database::default() };
    let mut rejected = Rejected::default();
    catalogs(files, &mut db, errors, &mut rejected);
    let (index, clashes) = Index::build(&db.frameworks, &db.controls);
    for (name, first, second) in clashes {
        let (a, b) = (&db.frameworks[first as usize], &db.frameworks[second as usize]);
        let msg = format!("framework name `{name}` is used by both `{}` ({}) and `{}`", a.key, a.file, b.key);
        errors.push(DataError::new(&b.file, 0, msg));
    }
    db.index = index;
    mapping_sets(files, &mut db, errors, &rejected);
    let mut index = std::mem::take(&mut db.index);
    index.add_mappings(&db.mappings);
    db.index = index;
    errors.sort();
    errors.dedup();
    db
}

/// What a load rejected, so that rows naming it are not reported a second time.
#[derive(Default)]
struct Rejected {
    /// Framework keys whose metadata or catalog could not be read.
    frameworks: HashSet<String>,
    /// (framework key, id) of catalog rows that were reported and skipped.
    ids: HashSet<(String, String)>,
}

/// The files, each path once: a layer that defines a catalog or a mapping
/// set the database already has is reported, and its file left out.
/// `provenance.toml` may come from every layer.
fn distinct(files: &[SourceFile], errors: &mut Vec<DataError>) -> Vec<SourceFile> {
    let mut first: HashMap<&str, &str> = HashMap::default();
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        if f.rel != "provenance.toml" {
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
        out.push(f.clone());
    }
    out
}

fn provenances(files: &[SourceFile], errors: &mut Vec<DataError>) -> Vec<Provenance> {
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
fn find_line(text: &str, needle: &str) -> u32 {
    text.find(needle).map_or(0, |i| load::line_of(text, i))
}

fn catalogs(files: &[SourceFile], db: &mut Database, errors: &mut Vec<DataError>, rejected: &mut Rejected) {
    let mut metas: Vec<&SourceFile> = files.iter().filter(|f| is_catalog(f, ".toml")).collect();
    // Frameworks in key order (`iso27001` before `iso27001-isms`), whatever the file system's order.
    metas.sort_by(|a, b| stem(&a.rel).cmp(stem(&b.rel)));
    for csv_file in files.iter().filter(|f| is_catalog(f, ".csv")) {
        let name = stem(&csv_file.rel);
        if !metas.iter().any(|m| stem(&m.rel) == name) {
            let msg = format!("catalog has no metadata file; add catalogs/{name}.toml (see mappings/README.md)");
            errors.push(DataError::new(&csv_file.display, 0, msg));
        }
    }
    if metas.is_empty() {
        errors.push(DataError::new(
            "catalogs/",
            0,
            "no catalogs found: expected catalogs/KEY.toml and catalogs/KEY.csv",
        ));
    }
    for meta_file in metas {
        let stem = stem(&meta_file.rel);
        let Ok(meta) = load::parse_toml::<FrameworkMeta>(meta_file).map_err(|e| errors.push(e)) else {
            rejected.frameworks.insert(stem.to_string());
            continue;
        };
        let Some(fw) = framework(meta_file, meta, stem, errors) else {
            rejected.frameworks.insert(stem.to_string());
            continue;
        };
        let csv_rel = format!("catalogs/{stem}.csv");
        let Some(csv_file) = files.iter().find(|f| f.rel == csv_rel) else {
            let msg = format!("framework `{}` has no catalog; add {csv_rel}", fw.key);
            errors.push(DataError::new(&meta_file.display, 0, msg));
            continue;
        };
        let Some(table) = load::parse_csv(csv_file, errors) else {
            rejected.frameworks.insert(fw.key);
            continue;
        };
        catalog(csv_file, &table, fw, db, errors, rejected);
    }
}

fn is_catalog(f: &SourceFile, ext: &str) -> bool {
    f.rel.starts_with("catalogs/") && f.rel.ends_with(ext) && !f.rel[9..].contains('/')
}

fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Checks a framework's metadata and turns it into a [`Framework`] with no controls yet.
fn framework(file: &SourceFile, meta: FrameworkMeta, stem: &str, errors: &mut Vec<DataError>) -> Option<Framework> {
    let at = |span: std::ops::Range<usize>| load::line_of(&file.text, span.start);
    let mut ok = true;
    let key = meta.key.get_ref();
    if !is_name(key) || key != stem {
        let msg = if is_name(key) {
            format!("key `{key}` does not match the file name; rename the file to {key}.toml or the key to `{stem}`")
        } else {
            format!("key `{key}` must be lower-case letters, digits and `-`, starting with a letter")
        };
        errors.push(DataError::new(&file.display, at(meta.key.span()), msg));
        ok = false;
    }
    for alias in &meta.aliases {
        if !is_name(alias.get_ref()) {
            let msg = format!(
                "alias `{}` must be lower-case letters, digits and `-`, starting with a letter",
                alias.get_ref()
            );
            errors.push(DataError::new(&file.display, at(alias.span()), msg));
            ok = false;
        }
    }
    if meta.levels.is_empty() {
        errors.push(DataError::new(&file.display, 0, "`levels` is empty: name the tree's levels, top down"));
        ok = false;
    }
    for level in meta.controls.get_ref() {
        if !meta.levels.contains(level) {
            let msg =
                format!("`controls` names level `{level}`, which is not in `levels` ({})", meta.levels.join(", "));
            errors.push(DataError::new(&file.display, at(meta.controls.span()), msg));
            ok = false;
        }
    }
    for name in &meta.summary {
        if !meta.attributes.contains_key(name) {
            let msg = format!("`summary` names `{name}`, which is not a declared attribute");
            errors.push(DataError::new(&file.display, find_line(&file.text, "summary"), msg));
            ok = false;
        }
    }
    let mappable = meta.levels.iter().map(|l| meta.controls.get_ref().contains(l)).collect();
    let attributes = meta
        .attributes
        .into_iter()
        .map(|(name, a)| AttributeDef {
            label: if a.label.is_empty() { name.clone() } else { a.label },
            name,
            aliases: a.aliases,
            values: a.values,
        })
        .collect();
    ok.then(|| Framework {
        key: key.clone(),
        aliases: meta.aliases.into_iter().map(|a| a.into_inner()).collect(),
        name: meta.name,
        version: meta.version,
        publisher: meta.publisher,
        levels: meta.levels,
        mappable,
        id_prefixes: meta.id_prefixes,
        attributes,
        summary: meta.summary,
        controls: 0..0,
        file: file.display.clone(),
    })
}

/// Framework keys and aliases: what a query can name.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

/// Control ids: what a query can name after `KEY:`.
pub fn is_id(s: &str) -> bool {
    let mut depth = 0i32;
    let ok_chars = s.chars().all(|c| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        depth >= 0 && (c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '(' | ')'))
    });
    ok_chars
        && depth == 0
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !s.contains("->")
        && !s.contains("..")
}

/// Which column holds what, in one catalog file.
struct CatalogColumns {
    fixed: [usize; 5],
    aliases: Option<usize>,
    /// (column, attribute index)
    attributes: Vec<(usize, usize)>,
}

fn catalog_columns(
    file: &SourceFile,
    table: &CsvTable,
    fw: &Framework,
    errors: &mut Vec<DataError>,
) -> Option<CatalogColumns> {
    if !load::require_columns(file, table, &CATALOG_COLUMNS, errors) {
        return None;
    }
    let fixed = CATALOG_COLUMNS.map(|c| table.column(c).unwrap_or_default());
    let mut attributes = Vec::new();
    let mut ok = true;
    for (col, name) in table.header.iter().enumerate() {
        if CATALOG_COLUMNS.contains(&name.as_str()) || name == "aliases" {
            continue;
        }
        match fw.attributes.iter().position(|a| &a.name == name) {
            Some(a) => attributes.push((col, a)),
            None => {
                let declared: Vec<&str> = fw.attributes.iter().map(|a| a.name.as_str()).collect();
                let msg = format!(
                    "column `{name}` is not a declared attribute of `{}`; declare it under [attributes.{name}] in {}.toml{}",
                    fw.key,
                    fw.key,
                    if declared.is_empty() { String::new() } else { format!(" (declared: {})", declared.join(", ")) }
                );
                errors.push(DataError::new(&file.display, 1, msg));
                ok = false;
            }
        }
    }
    ok.then_some(CatalogColumns { fixed, aliases: table.column("aliases"), attributes })
}

/// Reads a catalog's rows into controls of `fw`, then links parents.
fn catalog(
    file: &SourceFile,
    table: &CsvTable,
    mut fw: Framework,
    db: &mut Database,
    errors: &mut Vec<DataError>,
    rejected: &mut Rejected,
) {
    let Some(cols) = catalog_columns(file, table, &fw, errors) else {
        rejected.frameworks.insert(fw.key);
        return;
    };
    let fw_id = db.frameworks.len() as FwId;
    let first = db.controls.len() as CtlId;
    let mut seen: HashMap<&str, u32> = HashMap::default();
    let mut parents: Vec<(CtlId, &str, u32)> = Vec::new();
    for row in table.rows.iter() {
        let Some(control) = control_row(file, table, row, &cols, &fw, fw_id, errors) else {
            rejected.ids.insert((fw.key.clone(), table.field(row, cols.fixed[0]).to_string()));
            continue;
        };
        if let Some(first_line) = seen.insert(table.field(row, cols.fixed[0]), row.line) {
            let msg = format!("duplicate id `{}` (first defined on line {first_line})", control.id);
            errors.push(DataError::new(&file.display, row.line, msg));
            seen.insert(table.field(row, cols.fixed[0]), first_line);
            continue;
        }
        let parent = table.field(row, cols.fixed[1]);
        if !parent.is_empty() {
            parents.push((db.controls.len() as CtlId, parent, row.line));
        }
        db.controls.push(control);
    }
    fw.controls = first..db.controls.len() as CtlId;
    link_parents(file, &fw, &parents, &mut db.controls, errors);
    db.frameworks.push(fw);
}

fn control_row(
    file: &SourceFile,
    table: &CsvTable,
    row: &CsvRow,
    cols: &CatalogColumns,
    fw: &Framework,
    fw_id: FwId,
    errors: &mut Vec<DataError>,
) -> Option<Control> {
    let f = |i: usize| table.field(row, cols.fixed[i]);
    let err = |errors: &mut Vec<DataError>, msg: String| errors.push(DataError::new(&file.display, row.line, msg));
    let (id, level, title) = (f(0), f(2), f(3));
    if id.is_empty() {
        err(errors, "empty id".into());
        return None;
    }
    if !is_id(id) {
        err(errors, format!("id `{id}` has characters a query cannot name; use letters, digits and . _ - ( )"));
        return None;
    }
    let Some(level_index) = fw.level_index(level).filter(|&i| fw.levels[i] == level) else {
        let hint = suggest::closest(level, fw.levels.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        err(
            errors,
            format!("unknown level `{level}` for `{id}`; {hint}levels of `{}`: {}", fw.key, fw.levels.join(", ")),
        );
        return None;
    };
    if title.is_empty() {
        err(errors, format!("`{id}` has no title"));
    }
    let mut attributes = vec![Vec::new(); fw.attributes.len()];
    for &(col, a) in &cols.attributes {
        attributes[a] = attribute_values(table.field(row, col), &fw.attributes[a], id, |m| err(errors, m));
    }
    let aliases = cols.aliases.map(|c| split_list(table.field(row, c))).unwrap_or_default();
    for alias in aliases.iter().filter(|a| !is_id(a)) {
        err(errors, format!("alias `{alias}` of `{id}` has characters a query cannot name"));
    }
    Some(Control {
        framework: fw_id,
        id: table.text(row, cols.fixed[0]),
        parent: None,
        level: level_index as u8,
        mappable: fw.mappable[level_index],
        title: table.text(row, cols.fixed[3]),
        description: table.text(row, cols.fixed[4]),
        attributes,
        aliases,
        children: Vec::new(),
        line: row.line,
    })
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split(';').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect()
}

/// Splits an attribute cell into values, each checked against the declared ones and spelled as declared.
fn attribute_values(cell: &str, def: &AttributeDef, id: &str, mut err: impl FnMut(String)) -> Vec<String> {
    let mut out = Vec::new();
    for value in split_list(cell) {
        if def.values.is_empty() {
            out.push(value);
            continue;
        }
        match def.values.iter().find(|v| v.eq_ignore_ascii_case(&value)) {
            Some(v) => out.push(v.clone()),
            None => {
                let hint = suggest::closest(&value, def.values.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                err(format!(
                    "`{id}`: `{value}` is not a value of {}; {hint}allowed: {}",
                    def.name,
                    def.values.join(", ")
                ));
            }
        }
    }
    out
}

fn link_parents(
    file: &SourceFile,
    fw: &Framework,
    parents: &[(CtlId, &str, u32)],
    controls: &mut [Control],
    errors: &mut Vec<DataError>,
) {
    let range = fw.controls.clone();
    let by_id: HashMap<&str, CtlId> = range.clone().map(|c| (controls[c as usize].id.as_ref(), c)).collect();
    let mut links = Vec::new();
    for &(child, parent, line) in parents {
        let child_id = &controls[child as usize].id;
        match by_id.get(parent) {
            Some(&p) if controls[p as usize].level > controls[child as usize].level => {
                let (pl, cl) = (
                    &fw.levels[controls[p as usize].level as usize],
                    &fw.levels[controls[child as usize].level as usize],
                );
                let msg =
                    format!("`{child_id}` is a {cl} but its parent `{parent}` is a {pl}, which is lower in the tree");
                errors.push(DataError::new(&file.display, line, msg));
            }
            Some(&p) => links.push((child, p, line)),
            None => {
                let hint = suggest::closest(parent, by_id.keys().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                errors.push(DataError::new(
                    &file.display,
                    line,
                    format!("parent `{parent}` of `{child_id}` is not in this catalog{hint}"),
                ));
            }
        }
    }
    for &(child, parent, _) in &links {
        controls[child as usize].parent = Some(parent);
    }
    // Levels may repeat down the tree (ISO clause 6.1 holds 6.1.1), so a cycle is possible.
    for &(child, _, line) in &links {
        let mut at = controls[child as usize].parent;
        for _ in 0..range.len() {
            match at {
                Some(p) if p == child => {
                    let msg =
                        format!("`{}` is its own ancestor; parents must form a tree", controls[child as usize].id);
                    errors.push(DataError::new(&file.display, line, msg));
                    controls[child as usize].parent = None;
                    break;
                }
                Some(p) => at = controls[p as usize].parent,
                None => break,
            }
        }
    }
    for c in range {
        if let Some(p) = controls[c as usize].parent {
            controls[p as usize].children.push(c);
        }
    }
}

fn mapping_sets(files: &[SourceFile], db: &mut Database, errors: &mut Vec<DataError>, rejected: &Rejected) {
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
    let stem = stem(&file.rel);
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
    let mut seen: HashMap<(CtlId, CtlId), u32> = HashMap::default();
    for row in table.rows.iter() {
        let f = |i: usize| table.field(row, cols[i]);
        let mut err = |msg: String| errors.push(DataError::new(&file.display, row.line, msg));
        let source = resolve(db, source_fw, f(0), "source_id", rejected, &mut err);
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
        if provenance.is_none() {
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
        let (Some(source), Some(target), Some(relationship), Some(provenance)) =
            (source, target, relationship, provenance)
        else {
            continue;
        };
        if let Some(first) = seen.insert((source, target), row.line) {
            seen.insert((source, target), first);
            err(format!("the pair {} -> {} is mapped twice (first on line {first})", f(0), f(1)));
            continue;
        }
        let id = db.mappings.len() as MapId;
        db.mappings.push(Mapping {
            source,
            target,
            relationship,
            provenance: provenance as u16,
            rationale: table.text(row, cols[4]),
            set: set_id,
            line: row.line,
        });
        db.sets[set_id as usize].rows.push(id);
    }
}

/// Resolves an id of a mapping row: spelled as the catalog spells it, and a mappable level.
fn resolve(
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
    match db.index.control(fw, fw_id, &db.controls, id) {
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
            let hint = suggest::closest(id, ids).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            err(format!("unknown control `{id}` in {} ({column}){hint}", fw.key));
            None
        }
    }
}

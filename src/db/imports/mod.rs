//! Mapping files in other formats joined to the database: their catalogs
//! resolved to loaded frameworks (or loaded as id-only frameworks), their maps
//! turned into mapping rows that keep what each map means, checked like the
//! rows of a mapping set.
//!
//! A map relates its sources together to its targets together. The rows:
//!
//! | map | rows |
//! |---|---|
//! | `S R T` | `S R T` |
//! | `S1, S2 R T` | the group row `S1 + S2 R T` |
//! | `S equal T1, T2` | `S superset-of T1`, `S superset-of T2`, and the group row `T1 + T2 superset-of S` |
//! | `S superset-of T1, T2` | `S superset-of T1`, `S superset-of T2` |
//! | `S subset-of T1, T2` | the group row `T1 + T2 superset-of S` |
//! | `S intersects-with T1, T2` | the group row `T1 + T2 intersects-with S` |
//! | `S1, S2 equal T1, T2` | `S1 + S2 superset-of` each `Tj`, and `T1 + T2 superset-of` each `Si` |
//! | `S1, S2 superset-of T1, T2` | `S1 + S2 superset-of` each `Tj` |
//! | `S1, S2 subset-of T1, T2` | `T1 + T2 superset-of` each `Si` |
//! | `S1, S2 intersects-with T1, T2` | none: no row says only that; reported |
//! | `no-relationship` | none: kept out of coverage; reported |

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

mod catalog_files;
mod catalogs;

pub(super) use catalog_files::{load as catalog_frameworks, Catalogs};
pub(super) use catalogs::{frameworks, Sides};

use super::index::Found;
use super::load::SourceFile;
use super::validate::Rejected;
use super::Database;
use crate::diag::DataError;
use crate::interchange::{self, Document, Item, Map, Said};
use crate::model::*;

/// An imported file: where it was read from, and what it says.
pub(super) struct Imported {
    pub display: String,
    pub doc: Document,
}

/// The mapping files of the load (`imports/` of a database folder, or a file given to `--add`), read.
pub(super) fn read(files: &[&SourceFile], errors: &mut Vec<DataError>) -> Vec<Imported> {
    let mut out = Vec::new();
    for file in files.iter().filter(|f| f.rel.starts_with("imports/")) {
        match interchange::read(&file.display, &file.text) {
            Ok(doc) => out.push(Imported { display: file.display.clone(), doc }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    out
}

/// Adds each imported file's provenance and its maps as mapping rows, one mapping set per pair of frameworks.
pub(super) fn rows(
    imports: &[Imported],
    sides: &Sides,
    catalogs: &Catalogs,
    db: &mut Database,
    errors: &mut Vec<DataError>,
    rejected: &Rejected,
    skip_unknown_ids: bool,
) {
    let mut imported_sets: HashSet<u16> = HashSet::default();
    for (imp, per) in imports.iter().zip(sides) {
        let provenance = provenance(imp, db);
        let mut sets: HashMap<(FwId, FwId), u16> = HashMap::default();
        let mut kept_out = KeptOut::default();
        let mut seen: HashMap<u16, Seen> = HashMap::default();
        let skipped = std::cell::RefCell::new(skip_unknown_ids.then(Vec::new));
        let hinted = std::cell::Cell::new(false);
        for (m, side) in imp.doc.mappings.iter().zip(per) {
            let Some((sf, tf)) = *side else { continue };
            let Some(set) = set_of(imp, &m.at, (sf, tf), &mut sets, &mut imported_sets, db, errors) else { continue };
            let seen = seen.entry(set).or_default();
            for x in &m.maps {
                let Said::Related(r) = x.said else {
                    kept_out.unrelated += 1;
                    continue;
                };
                let withdrawn = &catalogs.withdrawn;
                let ctx = Context { imp, set, provenance, rejected, withdrawn, skipped: &skipped, hinted: &hinted };
                map_rows(&ctx, x, r, (sf, tf), seen, &mut kept_out, db, errors);
            }
        }
        kept_out.say(imp, db);
        let skipped = skipped.into_inner().unwrap_or_default();
        if !skipped.is_empty() {
            let maps: HashSet<&str> = skipped.iter().map(|(at, _)| at.as_str()).collect();
            db.notes.push(format!(
                "{}: {} map(s) left out (--skip-unknown-ids), for {} id(s) their catalogs do not have \
                 or do not let a mapping link; each is a warning",
                imp.display,
                maps.len(),
                skipped.len()
            ));
            db.warnings.extend(skipped.into_iter().map(|(_, msg)| msg));
        }
        db.notes.extend(imp.doc.notes.iter().map(|n| format!("{}: {n}", imp.display)));
    }
}

/// Warns of each `--framework-map NAME=KEY` whose NAME no file of the load gives a
/// catalog (a misspelt name would otherwise only show as a catalog loaded id-only).
pub(super) fn unused_framework_maps(imports: &[Imported], options: &super::LoadOptions, db: &mut Database) {
    let mut names: Vec<&str> = Vec::new();
    for imp in imports {
        if imp.doc.catalog.is_some() {
            let file = imp.display.rsplit('/').next().unwrap_or(&imp.display);
            names.extend([file, imp.display.as_str(), imp.doc.title.as_str()]);
        }
        for m in &imp.doc.mappings {
            for r in [&m.source, &m.target] {
                names.extend([r.href.as_str(), r.title.as_str()]);
            }
        }
    }
    names.retain(|n| !n.is_empty());
    names.sort_unstable();
    names.dedup();
    for (name, key) in &options.framework_map {
        if names.iter().any(|n| n.eq_ignore_ascii_case(name.trim())) {
            continue;
        }
        let msg = if names.is_empty() {
            "no file of this load names a catalog (it names the catalogs of files given with --add)".to_string()
        } else {
            let hint = crate::suggest::closest(name, names.iter().copied())
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            format!("no file of this load names a catalog `{name}`{hint}")
        };
        db.warnings.push(format!("--framework-map {name}={key}: {msg}"));
    }
}

/// Maps the load keeps out of coverage, for the note that says so.
#[derive(Default)]
struct KeptOut {
    unrelated: usize,
    /// Paths of maps from several sources to several targets that only intersect.
    loose: Vec<String>,
    /// Maps to several targets that are subset-of or intersect them together:
    /// they say nothing of any one target.
    one_way: usize,
}

impl KeptOut {
    fn say(&self, imp: &Imported, db: &mut Database) {
        if self.unrelated > 0 {
            db.notes.push(format!(
                "{}: {} map(s) say no-relationship; they are kept out of coverage",
                imp.display, self.unrelated
            ));
        }
        if self.one_way > 0 {
            db.notes.push(format!(
                "{}: {} map(s) say their source is subset-of or intersects-with several targets together, which \
                 says nothing of any one target: they count for the targets together toward the source, and a \
                 coverage from the source's side finds no route to each target alone",
                imp.display, self.one_way
            ));
        }
        if !self.loose.is_empty() {
            db.notes.push(format!(
                "{}: {} map(s) from several sources to several targets say intersects-with, which holds for the \
                 sets together and for no one member, so no row can say it; kept out: {}",
                imp.display,
                self.loose.len(),
                self.loose.join(", ")
            ));
        }
    }
}

/// The provenance of an imported file's rows: a new key named after the file.
fn provenance(imp: &Imported, db: &mut Database) -> u16 {
    let name = imp.display.rsplit('/').next().unwrap_or(&imp.display);
    let stem = name.split('.').next().unwrap_or(name);
    let base = catalogs::slug(stem);
    let mut key = base.clone();
    let mut n = 2;
    while db.provenances.iter().any(|p| p.key == key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    let d = &imp.doc;
    let mut detail = format!("{} {}", d.format, imp.display);
    for (label, value) in [("version", &d.version), ("method", &d.method)] {
        if !value.is_empty() {
            detail.push_str(&format!(", {label} {value}"));
        }
    }
    if !d.description.is_empty() {
        detail.push_str(&format!(": {}", d.description));
    }
    db.provenances.push(Provenance {
        key,
        kind: ProvenanceKind::Published,
        title: d.title.clone(),
        publisher: d.publisher.clone(),
        detail,
    });
    (db.provenances.len() - 1) as u16
}

/// The mapping set of a pair of frameworks in this file: one per pair. A pair
/// the database's own sets map already is taken over by the file (a note says
/// so): a user who adds a mapping asks for that mapping. Two imported files
/// mapping one pair are an error, as two CSV sets would be.
fn set_of(
    imp: &Imported,
    at: &str,
    (sf, tf): (FwId, FwId),
    sets: &mut HashMap<(FwId, FwId), u16>,
    imported: &mut HashSet<u16>,
    db: &mut Database,
    errors: &mut Vec<DataError>,
) -> Option<u16> {
    if let Some(&s) = sets.get(&(sf, tf)).or_else(|| sets.get(&(tf, sf))) {
        return Some(s);
    }
    let other = db.sets.iter().position(|s| (s.source, s.target) == (sf, tf) || (s.source, s.target) == (tf, sf));
    if let Some(other) = other {
        let (a, b, file) = (&db.framework(sf).key, &db.framework(tf).key, &db.sets[other].file);
        if imported.contains(&(other as u16)) {
            let msg =
                format!("maps {a} and {b}, which {file} maps already; add one mapping file per pair of frameworks");
            errors.push(interchange::error_at(&imp.display, at, msg));
            return None;
        }
        let n = db.sets[other].rows.len();
        db.notes.push(format!(
            "{}: maps {a} and {b}: its rows take the place of the {n} row(s) of {file} in this load",
            imp.display
        ));
        drop_rows(db, other);
    }
    db.sets.push(MappingSet { file: imp.display.clone(), source: sf, target: tf, rows: Vec::new() });
    let id = (db.sets.len() - 1) as u16;
    sets.insert((sf, tf), id);
    imported.insert(id);
    Some(id)
}

/// Takes the rows of a set out of the database (before they are indexed), leaving the set empty.
fn drop_rows(db: &mut Database, set: usize) {
    let gone: HashSet<MapId> = db.sets[set].rows.drain(..).collect();
    let mut renumber = vec![0 as MapId; db.mappings.len()];
    let mut next = 0;
    for (i, slot) in renumber.iter_mut().enumerate() {
        *slot = next;
        if !gone.contains(&(i as MapId)) {
            next += 1;
        }
    }
    let mut i = 0;
    db.mappings.retain(|_| {
        i += 1;
        !gone.contains(&(i as MapId - 1))
    });
    for s in &mut db.sets {
        for m in &mut s.rows {
            *m = renumber[*m as usize];
        }
    }
}

/// Rows already made for a pair of a set: their relationship and the map they came from.
#[derive(Default)]
struct Seen {
    rows: HashMap<(Vec<CtlId>, CtlId), (Relationship, String)>,
}

struct Context<'a> {
    imp: &'a Imported,
    set: u16,
    provenance: u16,
    rejected: &'a Rejected,
    /// The controls imported catalogs withdrew.
    withdrawn: &'a HashSet<CtlId>,
    /// With `--skip-unknown-ids`, the ids no catalog has, each with its map's path
    /// and the warning to give; `None` when an unknown id is an error.
    skipped: &'a std::cell::RefCell<Option<Vec<(String, String)>>>,
    /// Whether an error has said how to leave such maps out.
    hinted: &'a std::cell::Cell<bool>,
}

#[allow(clippy::too_many_arguments)]
fn map_rows(
    ctx: &Context,
    x: &Map,
    r: Relationship,
    (sf, tf): (FwId, FwId),
    seen: &mut Seen,
    kept_out: &mut KeptOut,
    db: &mut Database,
    errors: &mut Vec<DataError>,
) {
    let sources = members(ctx, x, &x.sources, sf, db, errors);
    let targets = members(ctx, x, &x.targets, tf, db, errors);
    let (Some(sources), Some(targets)) = (sources, targets) else { return };
    warn_withdrawn(ctx, x, sources.iter().chain(&targets), db);
    let shapes = shapes(&sources, &targets, r);
    if shapes.is_empty() {
        kept_out.loose.push(x.at.clone());
        return;
    }
    if targets.len() > 1 && matches!(r, Relationship::SubsetOf | Relationship::IntersectsWith) {
        kept_out.one_way += 1;
    }
    let provenance = x
        .provenance
        .as_deref()
        .and_then(|k| db.provenances.iter().position(|p| p.key == k))
        .map_or(ctx.provenance, |p| p as u16);
    let base = rationale(ctx.imp, x);
    let whole = shapes.len() == 1 && shapes[0].0 == sources && shapes[0].1 == targets[0];
    for (from, to, rel) in shapes {
        let rationale =
            if whole { base.clone() } else { format!("{base} [from the map: {}]", said(db, &sources, r, &targets)) };
        let Some(key) = row_key(&from, to, self_set(db, ctx.set)) else {
            errors.push(interchange::error_at(
                &ctx.imp.display,
                &x.at,
                format!("maps `{}` to itself", db.qualified(to)),
            ));
            continue;
        };
        // A pair stated both ways (a library and its reverse set) is one fact, if the two agree.
        let reverse = match from.as_slice() {
            [s] if !self_set(db, ctx.set) => seen.rows.get(&(vec![to], *s)).map(|(r, at)| (r.reverse(), at, true)),
            _ => None,
        };
        if let Some((before, at, back)) = seen.rows.get(&key).map(|(r, at)| (*r, at, false)).or(reverse) {
            if before != rel {
                let (from, to) = (names(db, &from), db.qualified(to));
                let msg = if back {
                    format!(
                        "says {from} {rel} {to}, where {at} says {to} {} {from}; read this way that is {before}, \
                         and a pair has one relationship",
                        before.reverse()
                    )
                } else {
                    format!("says {from} {rel} {to}, where {at} says {before}; a pair has one relationship")
                };
                errors.push(interchange::error_at(&ctx.imp.display, &x.at, msg));
            }
            continue;
        }
        seen.rows.insert(key, (rel, x.at.clone()));
        let id = db.mappings.len() as MapId;
        db.mappings.push(Mapping {
            source: from[0],
            together_with: from[1..].into(),
            target: to,
            relationship: rel,
            provenance,
            rationale: Text::from(rationale),
            marginal: x.marginal,
            published_as: x.published_as.clone().into(),
            set: ctx.set,
            line: 0,
        });
        db.sets[ctx.set as usize].rows.push(id);
    }
}

/// Warns of each withdrawn control a map names: such a map is likely written against
/// an older edition of the catalog, and a withdrawn target is n/a in coverage.
fn warn_withdrawn<'a>(ctx: &Context, x: &Map, controls: impl Iterator<Item = &'a CtlId>, db: &mut Database) {
    for &c in controls.filter(|c| ctx.withdrawn.contains(c)) {
        let why = db.control(c).not_applicable.to_string();
        let msg = format!(
            "{}: {}: names `{}`, which its catalog has {why}; map what took its place instead",
            ctx.imp.display,
            x.at,
            db.qualified(c)
        );
        db.warnings.push(msg);
    }
}

/// Whether a set maps a framework to itself.
fn self_set(db: &Database, set: u16) -> bool {
    let s = &db.sets[set as usize];
    s.source == s.target
}

/// The rows that say what a map says, each `(sources together, target, relationship)` (see the module's table).
pub fn shapes(sources: &[CtlId], targets: &[CtlId], r: Relationship) -> Vec<(Vec<CtlId>, CtlId, Relationship)> {
    use Relationship::*;
    let each_target = |rel| targets.iter().map(|&t| (sources.to_vec(), t, rel)).collect::<Vec<_>>();
    let each_source = |rel| sources.iter().map(|&s| (targets.to_vec(), s, rel)).collect::<Vec<_>>();
    match (targets.len(), r) {
        (1, _) => vec![(sources.to_vec(), targets[0], r)],
        (_, Equal) => [each_target(SupersetOf), each_source(SupersetOf)].concat(),
        (_, SupersetOf) => each_target(SupersetOf),
        (_, SubsetOf) => each_source(SupersetOf),
        (_, IntersectsWith) if sources.len() == 1 => each_source(IntersectsWith),
        (_, IntersectsWith) => Vec::new(),
    }
}

/// The pair a row is mapped once under (see the CSV loader's rule): sources sorted, and a self-set read both ways.
fn row_key(sources: &[CtlId], target: CtlId, self_set: bool) -> Option<(Vec<CtlId>, CtlId)> {
    if let [s] = sources {
        return match (self_set, *s == target) {
            (_, true) => None,
            (false, false) => Some((vec![*s], target)),
            (true, false) => Some((vec![(*s).min(target)], (*s).max(target))),
        };
    }
    if sources.contains(&target) {
        return None;
    }
    let mut key = sources.to_vec();
    key.sort_unstable();
    Some((key, target))
}

/// A map's rationale: its remarks, or a word that the file gives none; then what else the file says of it.
fn rationale(imp: &Imported, x: &Map) -> String {
    let mut out = if x.remarks.is_empty() {
        format!("{} gives no rationale for this map.", imp.doc.title)
    } else {
        x.remarks.clone()
    };
    if !x.notes.is_empty() {
        out.push_str(&format!(" [{}]", x.notes.join("; ")));
    }
    out
}

/// `KEY:ID + ID`: controls as a group row names them.
fn names(db: &Database, ids: &[CtlId]) -> String {
    let first = db.control(ids[0]).framework;
    let shown: Vec<String> = ids
        .iter()
        .enumerate()
        .map(
            |(i, &c)| {
                if i > 0 && db.control(c).framework == first {
                    db.control(c).id.to_string()
                } else {
                    db.qualified(c)
                }
            },
        )
        .collect();
    shown.join(" + ")
}

/// A map in words: `iso27001:5.13 equal soc2:CC6.1.1 + CC6.1.2`.
fn said(db: &Database, sources: &[CtlId], r: Relationship, targets: &[CtlId]) -> String {
    format!("{} {r} {}", names(db, sources), names(db, targets))
}

/// A map's sources or targets resolved in their framework (or the one crosswalk named
/// on a member), each once; `None` when one is unknown (reported).
fn members(
    ctx: &Context,
    map: &Map,
    items: &[Item],
    fw: FwId,
    db: &Database,
    errors: &mut Vec<DataError>,
) -> Option<Vec<CtlId>> {
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let fw = match &item.key {
            Some(k) => match db.find_framework(k) {
                Some(f) => f,
                None => {
                    let msg = format!("names framework `{k}` for `{}`, which is not loaded", item.id);
                    errors.push(interchange::error_at(&ctx.imp.display, &item.at, msg));
                    ok = false;
                    continue;
                }
            },
            None => fw,
        };
        match member(ctx, item, fw, db) {
            Ok(c) if !out.contains(&c) => out.push(c),
            Ok(_) => {}
            Err(msg) if ctx.skipped.borrow().is_some() => {
                let stop = if msg.ends_with(['?', '.']) { "" } else { "." };
                let warning = format!("{}: {}: {msg}{stop} The map is left out.", ctx.imp.display, item.at);
                ctx.skipped.borrow_mut().get_or_insert_default().push((map.at.clone(), warning));
                ok = false;
            }
            Err(msg) => {
                // The way round it, said once a file.
                let msg = if ctx.hinted.replace(true) {
                    msg
                } else {
                    format!("{msg} (--skip-unknown-ids leaves out the maps that name such ids)")
                };
                errors.push(interchange::error_at(&ctx.imp.display, &item.at, msg));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// One id: as the catalog spells it, or with another case or an accepted prefix
/// (`A.5.1` or `a.5.1` for ISO's `5.1`); at a level a mapping may name.
fn member(ctx: &Context, item: &Item, fw_id: FwId, db: &Database) -> Result<CtlId, String> {
    let fw = db.framework(fw_id);
    let id = bare(fw, &item.id);
    match db.index.control(fw, fw_id, id) {
        Found::Exact(c) | Found::Loose(c) if db.control(c).mappable => Ok(c),
        Found::Exact(c) | Found::Loose(c) => {
            let mappable: Vec<&str> =
                fw.levels.iter().zip(&fw.mappable).filter(|(_, &m)| m).map(|(l, _)| l.as_str()).collect();
            Err(format!(
                "`{}` is a {} of {}; mappings link {} items",
                item.id,
                db.level_name(c),
                fw.key,
                mappable.join(" or ")
            ))
        }
        Found::Missing => {
            let ids = fw.controls.clone().map(|c| db.control(c).id.as_ref());
            let stripped = fw.id_prefixes.iter().find_map(|p| id.strip_prefix(p.as_str())).unwrap_or(id);
            let hint = ctx.rejected.hints.borrow_mut().closest(stripped, ids);
            let hint = hint.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            Err(format!("unknown control `{}` in {}{hint}", item.id, fw.key))
        }
    }
}

/// An id as a catalog of ours may spell it: OSCAL catalogs prefix ids with the
/// framework's short name (`iso27001-a.5.1`); the part after a known key and `-` or `_` is tried.
fn bare<'a>(fw: &Framework, id: &'a str) -> &'a str {
    for name in std::iter::once(&fw.key).chain(&fw.aliases) {
        if let Some(rest) = id.get(..name.len()).filter(|h| h.eq_ignore_ascii_case(name)).map(|_| &id[name.len()..]) {
            if let Some(rest) = rest.strip_prefix(['-', '_', ':']).filter(|r| !r.is_empty()) {
                return rest;
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use Relationship::*;

    #[test]
    fn a_map_to_several_targets_keeps_its_meaning() {
        let (s, x, y) = (1, 10, 11);
        assert_eq!(
            shapes(&[s], &[x, y], Equal),
            [(vec![s], x, SupersetOf), (vec![s], y, SupersetOf), (vec![x, y], s, SupersetOf)]
        );
        assert_eq!(shapes(&[s], &[x, y], SupersetOf), [(vec![s], x, SupersetOf), (vec![s], y, SupersetOf)]);
        assert_eq!(shapes(&[s], &[x, y], SubsetOf), [(vec![x, y], s, SupersetOf)]);
        assert_eq!(shapes(&[s], &[x, y], IntersectsWith), [(vec![x, y], s, IntersectsWith)]);
        assert_eq!(shapes(&[s, 2], &[x], SubsetOf), [(vec![s, 2], x, SubsetOf)]);
        assert_eq!(shapes(&[s, 2], &[x, y], IntersectsWith), []);
        assert_eq!(shapes(&[s, 2], &[x, y], SubsetOf), [(vec![x, y], s, SupersetOf), (vec![x, y], 2, SupersetOf)]);
    }
}

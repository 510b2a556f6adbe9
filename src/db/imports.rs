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

use super::catalog::{is_id, is_name};
use super::index::Found;
use super::load::SourceFile;
use super::validate::Rejected;
use super::{Database, LoadOptions};
use crate::diag::DataError;
use crate::interchange::{self, Document, Item, Map, Resource, Said};
use crate::model::*;

/// An imported file: where it was read from, and what it says.
pub(super) struct Imported {
    pub display: String,
    pub doc: Document,
}

/// The mapping files of the load (`imports/` of a database folder, or a file given to `--add`), read.
pub(super) fn read(files: &[SourceFile], errors: &mut Vec<DataError>) -> Vec<Imported> {
    let mut out = Vec::new();
    for file in files.iter().filter(|f| f.rel.starts_with("imports/")) {
        match interchange::read(&file.display, &file.text) {
            Ok(doc) => out.push(Imported { display: file.display.clone(), doc }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    out
}

/// Each mapping's source and target framework, per imported file; `None` where it could not be resolved.
pub(super) type Sides = Vec<Vec<Option<(FwId, FwId)>>>;

/// Resolves every catalog the imported files name to a loaded framework, by
/// `--framework-map`, by the key crosswalk wrote, by title, or by the file name
/// in its reference; a catalog that is none of them is loaded as an id-only
/// framework of the ids the maps name, and a note says so.
pub(super) fn frameworks(
    imports: &[Imported],
    db: &mut Database,
    options: &LoadOptions,
    errors: &mut Vec<DataError>,
) -> Sides {
    let mut unknown: Vec<Unknown> = Vec::new();
    let mut sides: Vec<Vec<(Target, Target)>> = Vec::new();
    for imp in imports {
        let mut per = Vec::new();
        for m in &imp.doc.mappings {
            let mut side = |r: &Resource, pick: fn(&Map) -> &Vec<Item>| {
                let t = resolve_resource(r, db, options, &imp.display, errors);
                if let Target::New(identity, key) = &t {
                    let at = unknown.iter().position(|u| u.identity == *identity).unwrap_or_else(|| {
                        unknown.push(Unknown {
                            identity: identity.clone(),
                            key: key.clone(),
                            resource: r.clone(),
                            file: imp.display.clone(),
                            ids: Vec::new(),
                        });
                        unknown.len() - 1
                    });
                    let ids = m.maps.iter().flat_map(|x| pick(x).iter()).filter(|i| i.key.is_none());
                    unknown[at].ids.extend(ids.cloned());
                }
                t
            };
            let s = side(&m.source, |x| &x.sources);
            let t = side(&m.target, |x| &x.targets);
            per.push((s, t));
        }
        sides.push(per);
    }
    let mut made: HashMap<String, FwId> = HashMap::default();
    for u in unknown {
        if let Some(fw) = id_only(&u, db, errors) {
            made.insert(u.identity, fw);
        }
    }
    let fw = |t: &Target| match t {
        Target::Loaded(f) => Some(*f),
        Target::New(identity, _) => made.get(identity).copied(),
        Target::Failed => None,
    };
    sides.iter().map(|per| per.iter().map(|(s, t)| Some((fw(s)?, fw(t)?))).collect()).collect()
}

/// What a resource resolves to.
enum Target {
    Loaded(FwId),
    /// An id-only framework to make: what makes it one (the KEY `--framework-map`
    /// gives, or the resource's reference and title), and the key it asks for.
    New(String, String),
    Failed,
}

/// A catalog no loaded framework answers to: the ids the maps name in it.
struct Unknown {
    identity: String,
    key: String,
    resource: Resource,
    file: String,
    ids: Vec<Item>,
}

fn resolve_resource(
    r: &Resource,
    db: &Database,
    options: &LoadOptions,
    file: &str,
    errors: &mut Vec<DataError>,
) -> Target {
    let by_key = |key: &str| {
        db.frameworks
            .iter()
            .position(|f| f.key.eq_ignore_ascii_case(key) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(key)))
            .map(|i| i as FwId)
    };
    let named =
        |name: &str| !name.is_empty() && (name.eq_ignore_ascii_case(&r.href) || name.eq_ignore_ascii_case(&r.title));
    if let Some((_, key)) = options.framework_map.iter().find(|(name, _)| named(name.trim())) {
        let key = key.trim();
        if let Some(f) = by_key(key) {
            return Target::Loaded(f);
        }
        if !is_name(key) {
            let msg = format!(
                "--framework-map names `{key}` for this catalog, which is no loaded framework and cannot be a key: \
                 use lower-case letters and digits with single `-` between them"
            );
            errors.push(interchange::error_at(file, &r.at, msg));
            return Target::Failed;
        }
        return Target::New(format!("key {key}"), key.to_string());
    }
    if let Some(f) = r.key.as_deref().and_then(by_key) {
        return Target::Loaded(f);
    }
    if let Some(f) = db.frameworks.iter().position(|f| !r.title.is_empty() && f.name.eq_ignore_ascii_case(&r.title)) {
        return Target::Loaded(f as FwId);
    }
    if let Some(f) = by_key(&r.title).or_else(|| by_key(href_stem(&r.href))) {
        return Target::Loaded(f);
    }
    let key = r.key.clone().filter(|k| is_name(k)).unwrap_or_else(|| {
        if r.title.is_empty() {
            slug(&r.href)
        } else {
            slug(&r.title.replace('/', " "))
        }
    });
    Target::New(format!("resource {}\u{0}{}", r.href, r.title), key)
}

/// The file name in a reference, without folders, fragment or extensions: `nist-csf` for `https://x/nist-csf.oscal.json`.
fn href_stem(href: &str) -> &str {
    let path = href.split(['#', '?']).next().unwrap_or(href);
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

/// A framework key made from a catalog's title or reference: lower-case letters and digits, single `-` between.
/// A reference whose file name says nothing (`catalogs/SOC2/catalog.json`) is named by its folder too (`soc2-catalog`).
fn slug(text: &str) -> String {
    let stem = if text.contains('/') { href_stem(text) } else { text };
    let generic = ["catalog", "profile", "mapping", "index"];
    let folder = text.split(['#', '?']).next().unwrap_or(text).trim_end_matches('/').rsplit('/').nth(1);
    let named;
    let stem = match folder.filter(|f| !f.is_empty() && generic.iter().any(|g| stem.eq_ignore_ascii_case(g))) {
        Some(f) => {
            named = format!("{f}-{stem}");
            named.as_str()
        }
        None => stem,
    };
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => out,
        Some(_) => format!("catalog-{out}"),
        None => "catalog".to_string(),
    }
}

/// Loads an unknown catalog as a framework of one level whose controls are the ids the maps name, in their order.
fn id_only(u: &Unknown, db: &mut Database, errors: &mut Vec<DataError>) -> Option<FwId> {
    let taken = |k: &str| db.frameworks.iter().any(|f| f.key == k || f.aliases.iter().any(|a| a == k));
    let mut key = u.key.clone();
    let mut n = 2;
    while taken(&key) {
        key = format!("{}-{n}", u.key);
        n += 1;
    }
    let fw_id = db.frameworks.len() as FwId;
    let first = db.controls.len() as CtlId;
    let mut seen: HashSet<&str> = HashSet::default();
    for item in &u.ids {
        if !seen.insert(&item.id) {
            continue;
        }
        if !is_id(&item.id) {
            let msg = format!("id `{}` has characters a query cannot name; use letters, digits and . _ - ( )", item.id);
            errors.push(interchange::error_at(&u.file, &item.at, msg));
            continue;
        }
        db.controls.push(Control {
            framework: fw_id,
            id: Text::Owned(item.id.clone()),
            parent: None,
            level: 0,
            mappable: true,
            part: false,
            not_applicable: Text::Borrowed(""),
            applicable: true,
            title: Text::Borrowed(""),
            description: Text::Owned(format!("Known by its id only: named in {}.", u.file)),
            attributes: Vec::new(),
            aliases: Vec::new(),
            children: Vec::new(),
            line: 0,
        });
    }
    let count = db.controls.len() as CtlId - first;
    db.frameworks.push(Framework {
        key: key.clone(),
        aliases: Vec::new(),
        name: u.resource.shown().to_string(),
        version: String::new(),
        publisher: String::new(),
        levels: vec!["control".to_string()],
        mappable: vec![true],
        parts: vec![false],
        id_prefixes: Vec::new(),
        attributes: Vec::new(),
        summary: Vec::new(),
        scope: None,
        controls: first..db.controls.len() as CtlId,
        file: u.file.clone(),
    });
    let shown = crate::diag::visible(u.resource.shown()).into_owned();
    db.notes.push(format!(
        "{}: the catalog `{shown}` is no loaded framework: its {count} id(s) load as the id-only framework `{key}` \
         (to name it, --framework-map '{shown}=KEY')",
        u.file
    ));
    Some(fw_id)
}

/// Adds each imported file's provenance and its maps as mapping rows, one mapping set per pair of frameworks.
pub(super) fn rows(
    imports: &[Imported],
    sides: &Sides,
    db: &mut Database,
    errors: &mut Vec<DataError>,
    rejected: &Rejected,
) {
    let mut imported_sets: HashSet<u16> = HashSet::default();
    for (imp, per) in imports.iter().zip(sides) {
        let provenance = provenance(imp, db);
        let mut sets: HashMap<(FwId, FwId), u16> = HashMap::default();
        let mut kept_out = KeptOut::default();
        let mut seen: HashMap<u16, Seen> = HashMap::default();
        for (m, side) in imp.doc.mappings.iter().zip(per) {
            let Some((sf, tf)) = *side else { continue };
            let Some(set) = set_of(imp, &m.at, (sf, tf), &mut sets, &mut imported_sets, db, errors) else { continue };
            let seen = seen.entry(set).or_default();
            for x in &m.maps {
                let Said::Related(r) = x.said else {
                    kept_out.unrelated += 1;
                    continue;
                };
                let ctx = Context { imp, set, provenance, rejected };
                map_rows(&ctx, x, r, (sf, tf), seen, &mut kept_out, db, errors);
            }
        }
        kept_out.say(imp, db);
        db.notes.extend(imp.doc.notes.iter().map(|n| format!("{}: {n}", imp.display)));
    }
}

/// Maps the load keeps out of coverage, for the note that says so.
#[derive(Default)]
struct KeptOut {
    unrelated: usize,
    /// Paths of maps from several sources to several targets that only intersect.
    loose: Vec<String>,
}

impl KeptOut {
    fn say(&self, imp: &Imported, db: &mut Database) {
        if self.unrelated > 0 {
            db.notes.push(format!(
                "{}: {} map(s) say no-relationship; they are kept out of coverage",
                imp.display, self.unrelated
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
    let base = slug(stem);
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
    let sources = members(ctx, &x.sources, sf, db, errors);
    let targets = members(ctx, &x.targets, tf, db, errors);
    let (Some(sources), Some(targets)) = (sources, targets) else { return };
    let shapes = shapes(&sources, &targets, r);
    if shapes.is_empty() {
        kept_out.loose.push(x.at.clone());
        return;
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
            together_with: from[1..].to_vec(),
            target: to,
            relationship: rel,
            provenance,
            rationale: Text::Owned(rationale),
            marginal: x.marginal,
            published_as: x.published_as.clone(),
            set: ctx.set,
            line: 0,
        });
        db.sets[ctx.set as usize].rows.push(id);
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
fn members(ctx: &Context, items: &[Item], fw: FwId, db: &Database, errors: &mut Vec<DataError>) -> Option<Vec<CtlId>> {
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
            Err(msg) => {
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

    #[test]
    fn keys_come_from_titles_and_references() {
        assert_eq!(slug("NIST SP 800-53 Rev. 5"), "nist-sp-800-53-rev-5");
        assert_eq!(slug("catalogs/SOC2/catalog.json"), "soc2-catalog");
        assert_eq!(slug("https://x.org/27001_2022.json"), "catalog-27001-2022");
        assert_eq!(href_stem("https://x.org/a/nist-csf.oscal.json#top"), "nist-csf");
    }
}

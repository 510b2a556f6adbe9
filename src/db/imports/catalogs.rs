//! The catalogs an imported file names, resolved to loaded frameworks or loaded as id-only frameworks.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::catalog_files::Loaded;
use super::Imported;
use crate::db::catalog::{is_id, is_name};
use crate::db::{Database, LoadOptions};
use crate::diag::DataError;
use crate::interchange::{self, Item, Map, Resource};
use crate::model::*;

/// Each mapping's source and target framework, per imported file; `None` where it could not be resolved.
pub(in crate::db) type Sides = Vec<Vec<Option<(FwId, FwId)>>>;

/// Resolves every catalog the imported files name to a loaded framework, by
/// `--framework-map`, by the key crosswalk wrote, as a catalog file of the load
/// (by its UUID or file name), by title, or by the file name in its reference; a catalog that is none of them is loaded as an id-only
/// framework of the ids the maps name, and a note says so.
pub(in crate::db) fn frameworks(
    imports: &[Imported],
    db: &mut Database,
    options: &LoadOptions,
    loaded: &[Loaded],
    errors: &mut Vec<DataError>,
) -> Sides {
    let mut unknown: Vec<Unknown> = Vec::new();
    let mut sides: Vec<Vec<(Target, Target)>> = Vec::new();
    for imp in imports {
        let mut per = Vec::new();
        for m in &imp.doc.mappings {
            let mut side = |r: &Resource, pick: fn(&Map) -> &Vec<Item>| {
                let t = resolve_resource(r, db, options, loaded, &imp.display, errors);
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
    loaded: &[Loaded],
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
    if let Some(c) = loaded.iter().find(|c| c.named_by(r)) {
        return Target::Loaded(c.fw);
    }
    if let Some(f) = db.frameworks.iter().position(|f| !r.title.is_empty() && same_title(&f.name, &r.title)) {
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

/// Whether two titles name the same document: the same words, whatever the case,
/// spacing and punctuation, and with or without the word "version" (a CPRT export
/// says `NIST Cybersecurity Framework` `Version  2.0`).
fn same_title(a: &str, b: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !(c.is_alphanumeric() || c == '.'))
            .map(|w| w.trim_matches('.').to_lowercase())
            .filter(|w| !w.is_empty() && w != "version")
            .collect()
    };
    words(a) == words(b)
}

/// The file name in a reference, without folders, fragment or extensions: `nist-csf` for `https://x/nist-csf.oscal.json`.
fn href_stem(href: &str) -> &str {
    let path = href.split(['#', '?']).next().unwrap_or(href);
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

/// A framework key made from a catalog's title or reference: lower-case letters and digits, single `-` between.
/// A reference whose file name says nothing (`catalogs/SOC2/catalog.json`) is named by its folder too (`soc2-catalog`).
pub(super) fn slug(text: &str) -> String {
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
    let mut chars = stem.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            // Cut at the last whole word.
            if chars.peek().is_some_and(char::is_ascii_alphanumeric) && c.is_ascii_alphanumeric() {
                out.truncate(out.rfind('-').filter(|&i| i > 0).unwrap_or(out.len()));
            }
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
            id: Text::from(item.id.clone()),
            parent: None,
            level: 0,
            mappable: true,
            part: false,
            enhancement: false,
            not_applicable: Text::default(),
            applicable: true,
            title: Text::default(),
            description: Text::from(format!("Known by its id only: named in {}.", u.file)),
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
        enhancements: vec![false],
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_titles_and_references() {
        assert_eq!(slug("NIST SP 800-53 Rev. 5"), "nist-sp-800-53-rev-5");
        assert_eq!(slug("catalogs/SOC2/catalog.json"), "soc2-catalog");
        assert_eq!(
            slug("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog"),
            "nist-sp-800-53-rev5-low-baseline"
        );
        assert_eq!(slug("https://x.org/27001_2022.json"), "catalog-27001-2022");
        assert_eq!(href_stem("https://x.org/a/nist-csf.oscal.json#top"), "nist-csf");
    }
}

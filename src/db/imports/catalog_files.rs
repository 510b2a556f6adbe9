//! Catalog files in another format (OSCAL catalogs) loaded as frameworks: groups
//! as the tree, controls and their enhancements as controls, the items of their
//! statements as parts, withdrawn controls kept as placing no duty.

use rustc_hash::FxHashSet as HashSet;

use super::Imported;
use crate::db::catalog::{is_name, mark_applicability};
use crate::db::{Database, LoadOptions};
use crate::diag::DataError;
use crate::interchange::{Catalog, Level, Resource};
use crate::model::*;

/// The levels of an imported catalog's tree, below its groups' level.
const LEVELS: [&str; 3] = ["control", "enhancement", "item"];

/// A catalog a file loaded, and what a mapping may name it by.
pub(in crate::db) struct Loaded {
    pub fw: FwId,
    pub uuid: String,
    /// The file's name, without its folders.
    pub name: String,
}

impl Loaded {
    /// Whether a mapping's resource names this catalog: by its UUID, or by the file's name in a reference.
    pub fn named_by(&self, r: &Resource) -> bool {
        let uuid = self.uuid.to_ascii_lowercase();
        std::iter::once(&r.href).chain(&r.links).any(|h| {
            (!uuid.is_empty() && h.to_ascii_lowercase().contains(&uuid))
                || file_name(h).eq_ignore_ascii_case(&self.name)
        })
    }
}

/// The file name in a reference, without folders, fragment or query.
fn file_name(href: &str) -> &str {
    let path = href.split(['#', '?']).next().unwrap_or(href);
    path.trim_end_matches('/').rsplit(['/', '\\']).next().unwrap_or(path)
}

/// What loading the catalog files gives the rest of the load.
#[derive(Default)]
pub(in crate::db) struct Catalogs {
    pub loaded: Vec<Loaded>,
    /// The controls their catalogs withdrew: maps that name them are warned of.
    pub withdrawn: HashSet<CtlId>,
}

/// Loads each imported catalog as a framework.
pub(in crate::db) fn load(
    imports: &[Imported],
    db: &mut Database,
    options: &LoadOptions,
    errors: &mut Vec<DataError>,
) -> Catalogs {
    let mut out = Catalogs::default();
    for imp in imports {
        let Some(cat) = &imp.doc.catalog else { continue };
        let Some(key) = key(imp, db, options, errors) else { continue };
        let fw = framework(imp, cat, key, db, &mut out.withdrawn);
        let name = file_name(&imp.display).to_string();
        out.loaded.push(Loaded { fw, uuid: cat.uuid.clone(), name });
    }
    out
}

/// The key a catalog file loads as: the KEY of a `--framework-map` naming its
/// title or file, else its file's name made a key (`sp800-53` for `sp800-53.json`),
/// with `-2` after it when that is taken; the load says when the key is not the file's name.
fn key(imp: &Imported, db: &mut Database, options: &LoadOptions, errors: &mut Vec<DataError>) -> Option<String> {
    let name = file_name(&imp.display);
    let taken = |db: &Database, k: &str| db.frameworks.iter().any(|f| f.key == k || f.aliases.iter().any(|a| a == k));
    let named =
        |n: &str| [name, imp.display.as_str(), imp.doc.title.as_str()].iter().any(|x| x.eq_ignore_ascii_case(n));
    if let Some((_, key)) = options.framework_map.iter().find(|(n, _)| named(n.trim())) {
        let key = key.trim();
        let why = if !is_name(key) {
            "cannot be a key: use lower-case letters and digits with single `-` between them"
        } else if taken(db, key) {
            "is a loaded framework already; a catalog file loads as a framework of its own"
        } else {
            return Some(key.to_string());
        };
        errors.push(DataError::new(
            &imp.display,
            0,
            format!("--framework-map names `{key}` for this catalog, which {why}"),
        ));
        return None;
    }
    let stem = name.split('.').next().unwrap_or(name);
    let base = super::catalogs::slug(stem);
    let mut key = base.clone();
    let mut n = 2;
    while taken(db, &key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    if key != stem {
        let shown = crate::diag::visible(&imp.doc.title).into_owned();
        db.notes.push(format!(
            "{}: the OSCAL catalog `{shown}` loads as the framework `{key}` (to name it otherwise, \
             --framework-map '{name}=KEY')",
            imp.display
        ));
    }
    Some(key)
}

/// The catalog's tree as a framework and its controls.
fn framework(imp: &Imported, cat: &Catalog, key: String, db: &mut Database, withdrawn: &mut HashSet<CtlId>) -> FwId {
    let fw_id = db.frameworks.len() as FwId;
    let first = db.controls.len() as CtlId;
    for e in &cat.entries {
        let level: u8 = match e.level {
            Level::Group => 0,
            Level::Control => 1,
            Level::Enhancement => 2,
            Level::Item => 3,
        };
        let id = db.controls.len() as CtlId;
        if !e.withdrawn.is_empty() && level > 0 {
            withdrawn.insert(id);
        }
        db.controls.push(Control {
            framework: fw_id,
            id: Text::from(e.id.clone()),
            parent: e.parent.map(|p| first + p as CtlId),
            level,
            mappable: level > 0,
            part: e.level == Level::Item,
            enhancement: e.level == Level::Enhancement,
            not_applicable: Text::from(e.withdrawn.clone()),
            applicable: true,
            title: Text::from(e.title.clone()),
            description: Text::from(e.description.clone()),
            attributes: Vec::new(),
            aliases: e.aliases.clone(),
            children: Vec::new(),
            line: 0,
        });
    }
    let range = first..db.controls.len() as CtlId;
    for c in range.clone() {
        if let Some(p) = db.controls[c as usize].parent {
            db.controls[p as usize].children.push(c);
        }
    }
    let levels: Vec<String> = std::iter::once(cat.group_level.as_str()).chain(LEVELS).map(str::to_string).collect();
    let fw = Framework {
        key,
        aliases: Vec::new(),
        name: imp.doc.title.clone(),
        version: imp.doc.version.clone(),
        publisher: imp.doc.publisher.clone(),
        mappable: vec![false, true, true, true],
        parts: vec![false, false, false, true],
        enhancements: vec![false, false, true, false],
        levels,
        id_prefixes: Vec::new(),
        attributes: Vec::new(),
        summary: Vec::new(),
        scope: None,
        controls: range,
        file: imp.display.clone(),
    };
    mark_applicability(&fw, &mut db.controls);
    db.frameworks.push(fw);
    fw_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_names_a_catalog_by_its_uuid_or_its_file() {
        let c = Loaded { fw: 7, uuid: "0470D39A-3E02".to_string(), name: "sp800-53.json".to_string() };
        let named = |href: &str, links: &[&str]| {
            let r = Resource {
                href: href.to_string(),
                links: links.iter().map(|l| l.to_string()).collect(),
                ..Resource::default()
            };
            c.named_by(&r)
        };
        assert!(named("urn:uuid:0470d39a-3e02", &[]));
        assert!(named("#bm-1", &["0470d39a-3e02"]));
        assert!(named("https://example.org/a/SP800-53.json#top", &[]));
        assert!(named("#bm-1", &["catalogs\\sp800-53.json"]));
        assert!(!named("https://example.org/sp800-53.json.bak", &[]));
        assert!(!named("#bm-1", &["https://example.org/other.json"]));
    }
}

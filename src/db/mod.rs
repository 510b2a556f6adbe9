//! The database: load the files, validate them as a whole, index them.

pub mod catalog;
pub mod csv_table;
pub mod imports;
pub mod index;
pub mod left_out;
pub mod load;
pub mod store;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::diag::{DataError, Error};
use crate::model::*;
use index::{Found, Index};
use load::SourceFile;

/// Every framework, control and mapping of a load, with its lookup tables.
#[derive(Debug, Default, Clone)]
pub struct Database {
    pub frameworks: Vec<Framework>,
    pub controls: Vec<Control>,
    pub mappings: Vec<Mapping>,
    pub sets: Vec<MappingSet>,
    /// Published pairs the sets leave out, each with its reason.
    pub left_out: Vec<LeftOut>,
    pub provenances: Vec<Provenance>,
    pub index: Index,
    /// The version `database.toml` gives, or `unversioned`.
    pub version: String,
    /// The SHA-256 of the database's files (paths and bytes, in path order), hex.
    pub sha256: String,
    /// What the load did that a user should know of, though nothing is wrong (an
    /// imported catalog loaded as an id-only framework, maps kept out): said on stderr.
    pub notes: Vec<String>,
    /// The words `search` reads, taken apart on the first search.
    pub words: std::sync::OnceLock<std::sync::Arc<crate::query::search::Words>>,
    /// What a loaded file says that is likely a mistake, though the load can go on
    /// (a map that names a withdrawn control): said on stderr, and by `check FILE`.
    pub warnings: Vec<String>,
}

/// How a load reads what it is given.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--framework-map NAME=KEY`: the catalog an imported file names by NAME (its
    /// reference or title) is the framework KEY; a KEY no loaded framework has names
    /// the id-only framework its ids load as.
    pub framework_map: Vec<(String, String)>,
    /// `--skip-unknown-ids`: an imported map that names an id its catalog lacks is
    /// left out whole, with a warning, rather than an error.
    pub skip_unknown_ids: bool,
}

impl Database {
    /// `2026.12 (sha256 3f2a…)`: how a deliverable cites the data it rests on.
    pub fn cite(&self) -> String {
        format!("{} (sha256 {})", self.version, self.sha256.get(..16).unwrap_or(&self.sha256))
    }
}

/// Where a database comes from.
#[derive(Debug, Clone, Copy)]
pub enum DataSource<'a> {
    /// The database compiled into the binary.
    Embedded,
    /// The catalogs and mapping sets of the frameworks named, of the database
    /// compiled into the binary, chosen as from a store.
    EmbeddedPart(&'a std::collections::BTreeSet<String>),
    /// A database folder (`--data DIR`).
    Dir(&'a Path),
    /// A compiled store (`--data FILE`, see [`store`]): the whole of it, or the
    /// catalogs and mapping sets of the frameworks named.
    Store(&'a Path, Option<&'a std::collections::BTreeSet<String>>),
}

/// Loads a database and reports every problem found in it, each with its file and line.
/// The database holds whatever could be read even when there are errors.
pub fn load_with_errors(source: DataSource) -> Result<(Database, Vec<DataError>), Error> {
    load_layers_with_errors(source, &[])
}

/// Loads a database with more folders on top (`--add DIR`): their frameworks,
/// mapping sets and provenance keys join the base's; defining one twice is an error.
pub fn load_layers_with_errors(source: DataSource, add: &[PathBuf]) -> Result<(Database, Vec<DataError>), Error> {
    load_with_errors_using(source, add, &LoadOptions::default())
}

/// [`load_layers_with_errors`] with options. An entry of `add` may be a folder or
/// a mapping file in a format of [`crate::interchange`] (an OSCAL mapping collection).
pub fn load_with_errors_using(
    source: DataSource,
    add: &[PathBuf],
    options: &LoadOptions,
) -> Result<(Database, Vec<DataError>), Error> {
    if let DataSource::Dir(path) = source {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_file() && crate::interchange::is_mapping_file(&name) {
            let msg = "--data takes a database folder; a mapping file is added on top of one with --add FILE \
                       (or kept in the folder's imports/)";
            return Ok((Database::default(), vec![DataError::new(&path.display().to_string(), 0, msg)]));
        }
        if path.is_file() {
            let msg = "is neither a database folder nor a store (a store begins `crosswalk store`, and \
                       `crosswalk build DIR -o FILE` writes one)";
            return Ok((Database::default(), vec![DataError::new(&path.display().to_string(), 0, msg)]));
        }
    }
    let embedded = matches!(source, DataSource::Embedded | DataSource::EmbeddedPart(_));
    let mut base = embedded.then(|| load::EMBEDDED_SHA256.to_string());
    let (mut files, mut errors) = match source {
        DataSource::Embedded => (load::embedded_files(None), Vec::new()),
        DataSource::EmbeddedPart(frameworks) => (load::embedded_files(Some(frameworks)), Vec::new()),
        DataSource::Dir(dir) => load::dir_files(dir)?,
        DataSource::Store(path, frameworks) => {
            let store = store::Store::open(path)?;
            base = Some(store.sha256().to_string());
            (store.files(frameworks)?, Vec::new())
        }
    };
    if let DataSource::Dir(dir) = source {
        if !files.iter().any(|f| f.rel.starts_with("catalogs/")) && errors.is_empty() {
            let msg = "not a database folder: it has no catalogs/KEY.toml and catalogs/KEY.csv \
                       (see mappings/README.md; --add DIR adds a folder on top of the shipped database)";
            return Ok((Database::default(), vec![DataError::new(&dir.display().to_string(), 0, msg)]));
        }
    }
    // Where each layer's files start, for the fingerprint.
    let mut layers = vec![0];
    for dir in add {
        let (more, mut more_errors) = load::layer_files(dir)?;
        layers.push(files.len());
        files.extend(more);
        errors.append(&mut more_errors);
    }
    layers.push(files.len());
    // The fingerprint is a pass over every byte: it is taken on a second core while
    // the first builds, unless it is known already (the shipped database, a store).
    if base.is_some() && layers.len() == 2 {
        let mut db = from_files_using(&files, options, &mut errors);
        db.sha256 = fingerprint(base.as_deref(), &files, &layers);
        return Ok((db, errors));
    }
    let (mut db, sha256) = std::thread::scope(|scope| {
        let fingerprint = scope.spawn(|| fingerprint(base.as_deref(), &files, &layers));
        let db = from_files_using(&files, options, &mut errors);
        (db, fingerprint.join())
    });
    db.sha256 = sha256.unwrap_or_else(|_| fingerprint(base.as_deref(), &files, &layers));
    Ok((db, errors))
}

/// The fingerprint of a base and the layers on top of it: each layer's
/// extends the one below (`layers` holds where each starts, and the end).
/// `base` is the base's when it is known already (a store keeps its folder's).
fn fingerprint(base: Option<&str>, files: &[SourceFile], layers: &[usize]) -> String {
    let mut sha256 = match base {
        Some(sha256) => sha256.to_string(),
        None => load::fingerprint(None, &files[..layers[1]]),
    };
    for layer in layers[1..].windows(2) {
        sha256 = load::fingerprint(Some(&sha256), &files[layer[0]..layer[1]]);
    }
    sha256
}

/// [`load_layers_with_errors`], with any problem an [`Error::Data`].
pub fn load_layers(source: DataSource, add: &[PathBuf]) -> Result<Database, Error> {
    load_using(source, add, &LoadOptions::default())
}

/// [`load_with_errors_using`], with any problem an [`Error::Data`].
pub fn load_using(source: DataSource, add: &[PathBuf], options: &LoadOptions) -> Result<Database, Error> {
    let (db, errors) = load_with_errors_using(source, add, options)?;
    if errors.is_empty() {
        Ok(db)
    } else {
        Err(Error::Data(errors))
    }
}

/// Loads a database; any problem in it is an [`Error::Data`].
pub fn load(source: DataSource) -> Result<Database, Error> {
    load_layers(source, &[])
}

/// Builds a database from files already in memory.
pub fn from_files(files: &[SourceFile], errors: &mut Vec<DataError>) -> Database {
    validate::build(files, &LoadOptions::default(), errors)
}

/// [`from_files`] with options.
pub fn from_files_using(files: &[SourceFile], options: &LoadOptions, errors: &mut Vec<DataError>) -> Database {
    validate::build(files, options, errors)
}

impl Database {
    pub fn framework(&self, id: FwId) -> &Framework {
        &self.frameworks[id as usize]
    }

    pub fn control(&self, id: CtlId) -> &Control {
        &self.controls[id as usize]
    }

    /// The framework a key or alias names, any case.
    pub fn find_framework(&self, name: &str) -> Option<FwId> {
        self.index.framework(name)
    }

    /// Looks up a control id in a framework, accepting case and prefix variants (`A.5.15`).
    pub fn find_control(&self, fw: FwId, id: &str) -> Option<CtlId> {
        match self.index.control(self.framework(fw), fw, id) {
            Found::Exact(c) | Found::Loose(c) => Some(c),
            Found::Missing => None,
        }
    }

    /// `KEY:ID`, the name a user types.
    pub fn qualified(&self, c: CtlId) -> String {
        let c = self.control(c);
        format!("{}:{}", self.framework(c.framework).key, c.id)
    }

    /// The framework's key of a control.
    pub fn key_of(&self, c: CtlId) -> &str {
        &self.framework(self.control(c).framework).key
    }

    /// The level name of a control (`subcategory`).
    pub fn level_name(&self, c: CtlId) -> &str {
        let c = self.control(c);
        &self.framework(c.framework).levels[c.level as usize]
    }

    /// The attributes a control's catalog counts in summaries (HIPAA's
    /// designation), by name, each with its values joined by `;`; those
    /// the control leaves empty are left out.
    pub fn summary_attributes(&self, c: CtlId) -> indexmap::IndexMap<String, String> {
        let control = self.control(c);
        let fw = self.framework(control.framework);
        fw.attributes
            .iter()
            .zip(&control.attributes)
            .filter(|(def, values)| fw.summary.contains(&def.name) && !values.is_empty())
            .map(|(def, values)| (def.name.clone(), values.join(";")))
            .collect()
    }

    /// The controls of a framework (the items it counts, not its groups or parts), in catalog order.
    pub fn controls_of(&self, fw: FwId) -> impl Iterator<Item = CtlId> + '_ {
        self.framework(fw).controls.clone().filter(|&c| self.control(c).is_control())
    }

    /// The ancestors of a control, nearest first.
    pub fn ancestors(&self, c: CtlId) -> impl Iterator<Item = CtlId> + '_ {
        std::iter::successors(self.control(c).parent, |&p| self.control(p).parent)
    }

    /// What a node stands for in a set: the controls at or below it (a group
    /// stands for its controls), or the node itself when it is a part. A control
    /// does not stand for its enhancements; a group does.
    pub fn controls_under(&self, c: CtlId) -> Vec<CtlId> {
        if self.control(c).part {
            return vec![c];
        }
        let from_control = self.control(c).is_control();
        let mut out = Vec::new();
        let mut stack = vec![c];
        while let Some(n) = stack.pop() {
            let node = self.control(n);
            if from_control && n != c && node.enhancement {
                continue;
            }
            if node.is_control() {
                out.push(n);
            }
            stack.extend(node.children.iter().rev());
        }
        out.sort_unstable();
        out
    }

    /// The pieces a node is made of: its children, but not its enhancements,
    /// which are requirements of their own.
    pub fn parts_of(&self, c: CtlId) -> impl Iterator<Item = CtlId> + '_ {
        self.control(c).children.iter().copied().filter(|&k| !self.control(k).enhancement)
    }

    /// The nodes below `c` that are pieces of it, each before its own: its
    /// descendants, short of its enhancements and what lies under them.
    pub fn within(&self, c: CtlId) -> Vec<CtlId> {
        let mut out = Vec::new();
        let mut stack: Vec<CtlId> = self.parts_of(c).collect::<Vec<_>>().into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.parts_of(n).collect::<Vec<_>>().into_iter().rev());
        }
        out
    }

    /// The wholes `c` is a piece of, nearest first: its ancestors, up to the
    /// control an enhancement enhances (an enhancement is no piece of it).
    pub fn wholes(&self, c: CtlId) -> impl Iterator<Item = CtlId> + '_ {
        let mut at = c;
        std::iter::from_fn(move || {
            let node = self.control(at);
            let parent = node.parent.filter(|_| !node.enhancement)?;
            at = parent;
            Some(parent)
        })
    }

    /// The nodes below `c`, each before its own children.
    pub fn descendants(&self, c: CtlId) -> Vec<CtlId> {
        let mut out = Vec::new();
        let mut stack: Vec<CtlId> = self.control(c).children.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.control(n).children.iter().rev());
        }
        out
    }

    /// Every mapping that touches `c`, read from `c`'s side: (other control, relationship
    /// from `c` to it, mapping row).
    pub fn links(&self, c: CtlId) -> impl Iterator<Item = Link> + '_ {
        let out = self.index.outgoing[c as usize].iter().map(move |&m| {
            let row = &self.mappings[m as usize];
            Link { from: c, to: row.target, relationship: row.relationship, mapping: m }
        });
        let inc = self.index.incoming[c as usize].iter().map(move |&m| {
            let row = &self.mappings[m as usize];
            Link { from: c, to: row.source, relationship: row.relationship.reverse(), mapping: m }
        });
        out.chain(inc)
    }

    /// The mapping links from `c` to controls of framework `fw`, in the target's catalog order.
    pub fn links_to(&self, c: CtlId, fw: FwId) -> Vec<Link> {
        // A framework's controls are one range of ids: no control is looked at to tell its framework.
        let range = &self.frameworks[fw as usize].controls;
        let mut links: Vec<Link> = self.links(c).filter(|l| range.contains(&l.to)).collect();
        links.sort_by_key(|l| l.to);
        links
    }

    /// Whether a mapping set links the two frameworks, in either direction.
    pub fn has_set(&self, a: FwId, b: FwId) -> bool {
        self.sets.iter().any(|s| (s.source, s.target) == (a, b) || (s.source, s.target) == (b, a))
    }
}

/// A mapping read from one side: `from RELATIONSHIP to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub from: CtlId,
    pub to: CtlId,
    pub relationship: Relationship,
    pub mapping: MapId,
}

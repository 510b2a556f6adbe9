//! Mapping files in the formats they travel in: read into one neutral form, which the database
//! resolves and checks like its own mapping sets ([`crate::db::imports`]), and written from results.
//!
//! ```text
//! FILE.json (OSCAL mapping collection)  -> oscal::read  -> Document
//!                                                            -> db::imports: frameworks, ids, rows, provenance
//! crosswalk/map result + database      -> oscal::write -> FILE.oscal.json
//! ```
//!
//! A reader knows its format and nothing of the database: it checks the file's
//! shape and says where each problem is (a JSON path, or line and column for
//! text that is not JSON). Resolving catalogs and ids is the database's work.

pub mod ciso;
pub mod cprt;
pub mod json;
pub mod olir;
pub mod oscal;
pub mod xlsx;
pub mod yaml;

use std::fmt;

use crate::diag::DataError;
use crate::model::Relationship;

/// The namespace of the properties crosswalk writes into the files it exports
/// (a framework's key, a row's provenance), so that reading them back gives the same rows.
pub const NS: &str = "urn:crosswalk:oscal";

/// What a map's relationship word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// One of the set-theory relationships, read "sources RELATIONSHIP targets".
    Related(Relationship),
    /// `no-relationship`: the file states that the two are unrelated. Kept out of coverage.
    Unrelated,
}

/// A catalog a file names as the source or target of its maps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// The reference the file gives (`https://.../catalog.json`, `#uuid`), as written.
    pub href: String,
    /// Its title, when the file gives one (an OSCAL back-matter resource's).
    pub title: String,
    /// The framework key crosswalk wrote beside it when it exported the file.
    pub key: Option<String>,
    /// Other references to it: a back-matter resource's links and document ids.
    pub links: Vec<String>,
    /// Where the file names it.
    pub at: String,
}

impl Map {
    /// A map of one source to one target at `at`, as the tabular formats state them.
    pub fn pair(at: &str, source: String, target: String, said: Said, remarks: String, notes: Vec<String>) -> Map {
        let item = |id: String| Item { id, key: None, at: at.to_string() };
        Map {
            at: at.to_string(),
            sources: vec![item(source)],
            targets: vec![item(target)],
            said,
            remarks,
            notes,
            provenance: None,
            marginal: false,
            published_as: Vec::new(),
        }
    }
}

impl Resource {
    /// How the resource is shown to a user: its title, else its reference.
    pub fn shown(&self) -> &str {
        if self.title.is_empty() {
            &self.href
        } else {
            &self.title
        }
    }
}

/// A control or statement a map names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    /// The framework key crosswalk wrote on a member of another framework than the map's side
    /// (`iso27001-isms` for clause 8.2 in a group of Annex A controls).
    pub key: Option<String>,
    pub at: String,
}

/// One map: its sources together relate to its targets together.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub at: String,
    pub sources: Vec<Item>,
    pub targets: Vec<Item>,
    pub said: Said,
    /// The file's remarks on the map, on one line; empty when it gives none.
    pub remarks: String,
    /// What else the file says of the map (confidence, coverage, qualifiers), each in words.
    pub notes: Vec<String>,
    /// The provenance key crosswalk wrote on the map when it exported it.
    pub provenance: Option<String>,
    /// Marked as an indirect overlap (crosswalk's `strength` of `marginal`).
    pub marginal: bool,
    /// The published pairs the row carries, as crosswalk wrote them.
    pub published_as: Vec<String>,
}

/// The maps between one source catalog and one target catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub at: String,
    pub source: Resource,
    pub target: Resource,
    pub maps: Vec<Map>,
}

/// A mapping file read into the neutral form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The format, in words (`OSCAL mapping collection`).
    pub format: &'static str,
    pub title: String,
    pub version: String,
    /// How the mapping was made (`human`, `automation`, `hybrid`), as the file says.
    pub method: String,
    /// The file's description of the mapping, and what it says of its provenance.
    pub description: String,
    /// Who made the mapping, as the file names them.
    pub publisher: String,
    pub mappings: Vec<Mapping>,
    /// The catalog the file holds, when it is a catalog rather than a mapping.
    pub catalog: Option<Catalog>,
    /// What the reader did that a user should know of (references read as intersects-with).
    pub notes: Vec<String>,
}

/// A catalog read into the neutral form: a tree of groups, controls, their
/// enhancements, and the items of their statements, which are their parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    /// The document's UUID, by which a mapping may name it.
    pub uuid: String,
    /// What the groups are called (`family`), when they all say the same; else `group`.
    pub group_level: String,
    /// The nodes, each after its parent.
    pub entries: Vec<Entry>,
}

/// The place of a catalog's node in its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Group,
    Control,
    /// A control under a control: it adds to it, and is a requirement of its own.
    Enhancement,
    /// A piece of a control's statement: a part of the control.
    Item,
}

/// One node of a catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The id a user types, as the publisher prints it (see [`oscal::read_catalog`]).
    pub id: String,
    /// Other names that find it: the file's own id, other labels.
    pub aliases: Vec<String>,
    /// Its parent's index in [`Catalog::entries`].
    pub parent: Option<usize>,
    pub level: Level,
    pub title: String,
    pub description: String,
    /// Why it places no duty (`withdrawn`, and where its text went); empty when it does.
    pub withdrawn: String,
    /// Where the file holds it.
    pub at: String,
}

impl Document {
    /// The mapping between two resources (compared by `href`), made when first named.
    pub fn mapping_between(&mut self, source: Resource, target: Resource) -> &mut Mapping {
        let at = self.mappings.iter().position(|m| m.source.href == source.href && m.target.href == target.href);
        let at = at.unwrap_or_else(|| {
            self.mappings.push(Mapping { at: String::new(), source, target, maps: Vec::new() });
            self.mappings.len() - 1
        });
        &mut self.mappings[at]
    }
}

impl Resource {
    /// A resource a document names by one name, as reference and title.
    pub fn named(href: &str, title: &str) -> Resource {
        Resource { href: href.to_string(), title: title.to_string(), ..Resource::default() }
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Said::Related(r) => write!(f, "{r}"),
            Said::Unrelated => f.write_str("no-relationship"),
        }
    }
}

/// The words a repeat read the other way round is told by (`check` counts those apart).
pub const READ_THE_OTHER_WAY: &str = "read the other way";

/// What a file says twice: a map that states again what an earlier one states,
/// the same way or read the other way round. Each is `(place, message)`.
pub fn repeats(doc: &Document) -> Vec<(String, String)> {
    type Key = (String, Vec<String>, String, Vec<String>);
    let ids = |items: &[Item]| {
        let mut v: Vec<String> = items.iter().map(|i| i.id.to_ascii_lowercase()).collect();
        v.sort();
        v
    };
    let mut first: std::collections::HashMap<Key, (Said, &str)> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in &doc.mappings {
        for x in &m.maps {
            let key = (m.source.href.clone(), ids(&x.sources), m.target.href.clone(), ids(&x.targets));
            let back = (key.2.clone(), key.3.clone(), key.0.clone(), key.1.clone());
            let reversed = |s: Said| match s {
                Said::Related(r) => Said::Related(r.reverse()),
                other => other,
            };
            if let Some((said, at)) = first.get(&key) {
                if *said == x.said {
                    out.push((x.at.clone(), format!("states again the map at {at}")));
                }
            } else if let Some((said, at)) = first.get(&back) {
                if reversed(*said) == x.said {
                    out.push((x.at.clone(), format!("states again, {READ_THE_OTHER_WAY}, the map at {at}")));
                }
            } else {
                first.insert(key, (x.said, &x.at));
            }
        }
    }
    out
}

/// The places of the maps a file says relate nothing (`no-relationship`), kept out of coverage.
pub fn unrelated(doc: &Document) -> Vec<String> {
    doc.mappings.iter().flat_map(|m| &m.maps).filter(|x| x.said == Said::Unrelated).map(|x| x.at.clone()).collect()
}

/// The formats a file may be read as, in words, for messages.
pub const FORMATS: &str = "an OSCAL catalog or mapping collection or a CPRT export (.json), an OLIR template \
                           (.xlsx, or saved as .csv or .tsv), or a CISO Assistant mapping library (.yaml, .yml)";

/// Reads a mapping file in whichever supported format it is, judged by its
/// name and content. Every problem found is returned, each with its place.
pub fn read(display: &str, text: &str) -> Result<Document, Vec<DataError>> {
    let lower = display.to_ascii_lowercase();
    if lower.ends_with(".json") {
        let value = json::parse(display, text).map_err(|e| vec![e])?;
        if cprt::is_cprt(&value) {
            return cprt::read(display, &value);
        }
        if value.get("catalog").is_some() {
            return oscal::read_catalog(display, &value);
        }
        return oscal::read(display, &value);
    }
    if lower.ends_with(".csv") || lower.ends_with(".tsv") {
        return olir::read(display, text);
    }
    if lower.ends_with(".xlsx") {
        return olir::read_workbook(display, text);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let value = yaml::parse(display, text).map_err(|e| vec![e])?;
        return ciso::read(display, &value);
    }
    let msg = format!("cannot tell the format of this file by its name; crosswalk reads {FORMATS}");
    Err(vec![DataError::new(display, 0, msg)])
}

/// Whether a file name is one crosswalk reads as a mapping file (see [`read`]).
pub fn is_mapping_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".json", ".csv", ".tsv", ".xlsx", ".yaml", ".yml"].iter().any(|e| lower.ends_with(e))
}

/// The relationship words the formats use, and what each means here: OSCAL 1.2's,
/// NIST IR 8477's (`equal`, `intersects with`, `not related`), CISO Assistant's
/// (`subset`, `intersect`, `not_related`). Case, spaces and `_` do not matter.
const WORDS: [(&str, Option<Relationship>); 16] = [
    ("equivalent-to", Some(Relationship::Equal)),
    ("equal-to", Some(Relationship::Equal)),
    ("equal", Some(Relationship::Equal)),
    ("subset-of", Some(Relationship::SubsetOf)),
    ("subset", Some(Relationship::SubsetOf)),
    ("superset-of", Some(Relationship::SupersetOf)),
    ("superset", Some(Relationship::SupersetOf)),
    ("intersects-with", Some(Relationship::IntersectsWith)),
    ("intersects", Some(Relationship::IntersectsWith)),
    ("intersect", Some(Relationship::IntersectsWith)),
    ("no-relationship", None),
    ("not-related", None),
    ("not-related-to", None),
    ("no-relation", None),
    ("unrelated", None),
    ("none", None),
];

/// What a relationship word says; `None` for a word none of the formats uses.
pub fn said(word: &str) -> Option<Said> {
    let word: String =
        word.trim().to_ascii_lowercase().split([' ', '_', '-']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-");
    WORDS.iter().find(|(w, _)| *w == word).map(|(_, r)| r.map_or(Said::Unrelated, Said::Related))
}

/// The message for a relationship word that is not known, with the closest known one.
pub fn unknown_word(word: &str, known: &str) -> String {
    let hint = crate::suggest::closest(word, WORDS.iter().map(|(w, _)| *w))
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    format!("unknown relationship \"{word}\"; {hint}{known}")
}

/// An error at a place a reader named: a JSON path (`$.mappings[0]`), or `line N` of a text file.
pub fn error_at(file: &str, at: &str, message: impl Into<String>) -> DataError {
    match at.strip_prefix("line ").and_then(|n| n.parse::<u32>().ok()) {
        Some(line) => DataError::new(file, line, message),
        None if at.is_empty() => DataError::new(file, 0, message),
        None => DataError::in_doc(file, at, message),
    }
}

/// Text of a file on one line: runs of white space (line breaks too) as one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

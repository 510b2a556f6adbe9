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

pub mod json;
pub mod oscal;

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
    /// Where the file names it.
    pub at: String,
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
}

/// The formats a file may be read as, in words, for messages.
pub const FORMATS: &str = "an OSCAL mapping collection (.json)";

/// Reads a mapping file in whichever supported format it is, judged by its
/// name and content. Every problem found is returned, each with its place.
pub fn read(display: &str, text: &str) -> Result<Document, Vec<DataError>> {
    let lower = display.to_ascii_lowercase();
    if lower.ends_with(".json") {
        let value = json::parse(display, text).map_err(|e| vec![e])?;
        return oscal::read(display, &value);
    }
    let msg = format!("cannot tell the format of this file by its name; crosswalk reads {FORMATS}");
    Err(vec![DataError::new(display, 0, msg)])
}

/// Whether a file name is one crosswalk reads as a mapping file (see [`read`]).
pub fn is_mapping_file(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".json")
}

/// Text of a file on one line: runs of white space (line breaks too) as one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

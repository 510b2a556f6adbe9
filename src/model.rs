//! The plain types of the database: frameworks, controls, mappings and the relationship vocabulary.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// Text of the database: borrowed from the binary for the shipped database, a range of a file's text for a loaded folder.
pub use crate::text::Text;

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Index of a framework in [`crate::db::Database::frameworks`].
pub type FwId = u16;
/// Index of a control in [`crate::db::Database::controls`]; catalog order within a framework.
pub type CtlId = u32;
/// Index of a mapping row in [`crate::db::Database::mappings`].
pub type MapId = u32;

/// A framework: its metadata and the range of its controls.
#[derive(Debug, Clone)]
pub struct Framework {
    pub key: String,
    pub aliases: Vec<String>,
    pub name: String,
    pub version: String,
    pub publisher: String,
    /// Tree levels, top down (`function`, `category`, `subcategory`).
    pub levels: Vec<String>,
    /// Which levels a mapping may name: the controls and their parts.
    pub mappable: Vec<bool>,
    /// Which levels are parts of the level above (SOC 2 points of focus, GDPR
    /// paragraphs): mappable, rolled up into their control, not counted themselves.
    pub parts: Vec<bool>,
    /// Which levels enhance the control above them (SP 800-53's control enhancements):
    /// under it in the tree, but each a requirement of its own, so neither a part
    /// that rolls up into it nor covered when it is. Only imported catalogs have them.
    pub enhancements: Vec<bool>,
    /// Prefixes accepted before an id and ignored (`A.` for ISO Annex A).
    pub id_prefixes: Vec<String>,
    pub attributes: Vec<AttributeDef>,
    /// Attributes that coverage summaries count by (HIPAA's Required/Addressable).
    pub summary: Vec<String>,
    /// The attribute that limits items to a category (SOC 2's trust services
    /// categories); `scope` in a query names the categories that count.
    pub scope: Option<String>,
    /// This framework's controls, in catalog order.
    pub controls: Range<CtlId>,
    /// The catalog file, for messages.
    pub file: String,
}

impl Framework {
    /// The level index named `name`, case-insensitively.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.eq_ignore_ascii_case(name))
    }

    /// `id` without a prefix the catalog accepts before its ids (`A.8.24` is `8.24`), any case; as given otherwise.
    pub fn without_prefix<'i>(&self, id: &'i str) -> &'i str {
        let strip = |p: &String| id.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &id[p.len()..]);
        self.id_prefixes.iter().find_map(strip).unwrap_or(id)
    }

    /// The attribute called `name` or one of its aliases, case-insensitively.
    pub fn attribute_index(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|a| a.answers_to(name))
    }
}

/// A typed attribute that a catalog declares (an ISO 27002 attribute, HIPAA designation).
#[derive(Debug, Clone)]
pub struct AttributeDef {
    pub name: String,
    pub label: String,
    pub aliases: Vec<String>,
    /// The allowed values; empty means free text.
    pub values: Vec<String>,
}

impl AttributeDef {
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.replace('-', "_");
        self.name.eq_ignore_ascii_case(&name) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(&name))
    }
}

/// One node of a catalog tree: a theme, a control, a subcategory, an article.
#[derive(Debug, Clone)]
pub struct Control {
    pub framework: FwId,
    pub id: Text,
    pub parent: Option<CtlId>,
    /// Index into the framework's `levels`.
    pub level: u8,
    /// Whether a mapping may name this node (see [`Framework::mappable`]).
    pub mappable: bool,
    /// Whether this node is a part of its parent (see [`Framework::parts`]).
    pub part: bool,
    /// Whether this node enhances its parent (see [`Framework::enhancements`]).
    pub enhancement: bool,
    /// Why the node places no duty on an organisation, as its catalog row says; empty when it does.
    pub not_applicable: Text,
    /// Whether the node counts in coverage: false when it, an ancestor, or every
    /// one of its children is marked not applicable.
    pub applicable: bool,
    pub title: Text,
    pub description: Text,
    /// Values of each declared attribute, aligned with [`Framework::attributes`].
    pub attributes: Vec<Vec<String>>,
    pub aliases: Vec<String>,
    pub children: Vec<CtlId>,
    /// Line in the catalog file.
    pub line: u32,
}

impl Control {
    /// Whether this node is one of the items a framework counts and coverage
    /// lists (a criterion, a subcategory), as opposed to a group or a part.
    pub fn is_control(&self) -> bool {
        self.mappable && !self.part
    }
}

/// One mapping row: `source RELATIONSHIP target`. A row may have several
/// sources (`5.1 + 5.37`): together, not each, they hold the relationship.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub source: CtlId,
    /// The other sources of a group row; empty for a row with one source.
    pub together_with: Box<[CtlId]>,
    pub target: CtlId,
    pub relationship: Relationship,
    pub provenance: u16,
    pub rationale: Text,
    /// The overlap is indirect: the row is shown, and `without marginal` leaves it out.
    pub marginal: bool,
    /// The published pairs this row carries, as the publication names their
    /// targets (`PR.AC-1`, for a pair published against an earlier edition).
    pub published_as: Box<[String]>,
    pub set: u16,
    pub line: u32,
}

impl Mapping {
    /// Whether several sources hold the relationship together.
    pub fn is_group(&self) -> bool {
        !self.together_with.is_empty()
    }

    /// Every source of the row, the first one first.
    pub fn sources(&self) -> impl Iterator<Item = CtlId> + '_ {
        std::iter::once(self.source).chain(self.together_with.iter().copied())
    }
}

/// A published pair a mapping set leaves out, and why (`left-out/SOURCE__TARGET.csv`).
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub source: CtlId,
    /// The target as the publication names it.
    pub published_id: String,
    pub provenance: u16,
    pub reason: Text,
    pub set: u16,
    pub line: u32,
}

/// A mapping set: the rows of one file, between two frameworks.
#[derive(Debug, Clone)]
pub struct MappingSet {
    pub file: String,
    pub source: FwId,
    pub target: FwId,
    pub rows: Vec<MapId>,
}

/// Who asserts a mapping: a publication or our own analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub key: String,
    pub kind: ProvenanceKind,
    pub title: String,
    pub publisher: String,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProvenanceKind {
    Published,
    Analysis,
}

/// The NIST IR 8477 set-theory relationships, read "source REL target".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    Equal,
    SupersetOf,
    SubsetOf,
    IntersectsWith,
}

impl Relationship {
    pub const ALL: [Relationship; 4] =
        [Relationship::Equal, Relationship::SupersetOf, Relationship::SubsetOf, Relationship::IntersectsWith];

    pub fn parse(s: &str) -> Option<Relationship> {
        Relationship::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equal => "equal",
            Relationship::SupersetOf => "superset-of",
            Relationship::SubsetOf => "subset-of",
            Relationship::IntersectsWith => "intersects-with",
        }
    }

    /// The same fact read from the target's side.
    pub fn reverse(self) -> Relationship {
        match self {
            Relationship::SupersetOf => Relationship::SubsetOf,
            Relationship::SubsetOf => Relationship::SupersetOf,
            other => other,
        }
    }

    /// What implementing the source gives the target.
    pub fn coverage(self) -> Strength {
        match self {
            Relationship::Equal | Relationship::SupersetOf => Strength::Full,
            Relationship::SubsetOf | Relationship::IntersectsWith => Strength::Partial,
        }
    }

    /// `s self m` then `m next t` gives `s ? t`, or `None` when nothing sound follows.
    pub fn compose(self, next: Relationship) -> Option<Relationship> {
        use Relationship::*;
        match (self, next) {
            (Equal, x) | (x, Equal) => Some(x),
            (SupersetOf, SupersetOf) => Some(SupersetOf),
            (SubsetOf, SubsetOf) => Some(SubsetOf),
            (SupersetOf, SubsetOf) | (SupersetOf, IntersectsWith) | (IntersectsWith, SubsetOf) => Some(IntersectsWith),
            _ => None,
        }
    }
}

impl fmt::Display for Relationship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of a target a source gives: the coverage states, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    None,
    Partial,
    Full,
}

impl Strength {
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::None => "none",
            Strength::Partial => "partial",
            Strength::Full => "full",
        }
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The coverage state of a target: a [`Strength`], or not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum State {
    /// The item places no duty on an organisation; it is left out of totals.
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "none")]
    None,
    #[serde(rename = "partial")]
    Partial,
    #[serde(rename = "full")]
    Full,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::NotApplicable => "n/a",
            State::None => "none",
            State::Partial => "partial",
            State::Full => "full",
        }
    }

    /// The strength a state stands for; `n/a` gives none.
    pub fn strength(self) -> Strength {
        match self {
            State::Full => Strength::Full,
            State::Partial => Strength::Partial,
            State::None | State::NotApplicable => Strength::None,
        }
    }
}

impl From<Strength> for State {
    fn from(s: Strength) -> State {
        match s {
            Strength::Full => State::Full,
            Strength::Partial => State::Partial,
            Strength::None => State::None,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

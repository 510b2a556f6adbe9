//! The results of statements: plain, serialisable types that every output format renders.
//!
//! The JSON output is these types as serde writes them; their field names are
//! the documented, stable JSON shape.

use indexmap::IndexMap;
use serde::Serialize;

use crate::db::Database;
use crate::model::{CtlId, Relationship, Strength};

/// What one statement produced.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Output {
    Frameworks(FrameworkList),
    Control(Box<ControlDetail>),
    Controls(ControlList),
    Mappings(MappingList),
    Coverage(CoverageReport),
    Paths(PathReport),
    Explain(ExplainReport),
    Message(Message),
}

/// A line of text: a confirmation (`let`, `format`, `export`) or help.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub text: String,
}

/// A control as results name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlInfo {
    pub framework: String,
    pub id: String,
    pub title: String,
}

impl ControlInfo {
    pub fn of(db: &Database, c: CtlId) -> ControlInfo {
        let control = db.control(c);
        ControlInfo {
            framework: db.key_of(c).to_string(),
            id: control.id.to_string(),
            title: control.title.to_string(),
        }
    }

    /// `KEY:ID`
    pub fn qualified(&self) -> String {
        format!("{}:{}", self.framework, self.id)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkList {
    pub frameworks: Vec<FrameworkRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRow {
    pub key: String,
    pub name: String,
    pub version: String,
    pub publisher: String,
    pub aliases: Vec<String>,
    /// Mappable controls.
    pub controls: usize,
    /// Nodes per level, top down.
    pub levels: IndexMap<String, usize>,
    /// The frameworks it has a mapping set with.
    pub mapped_to: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlDetail {
    pub control: ControlInfo,
    pub level: String,
    pub mappable: bool,
    /// The ancestors, top down.
    pub parents: Vec<ControlInfo>,
    pub children: Vec<ControlInfo>,
    pub description: String,
    pub attributes: IndexMap<String, Vec<String>>,
    pub aliases: Vec<String>,
    /// Every mapping of the control, read from its side.
    pub mappings: Vec<MappingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlList {
    pub controls: Vec<ControlItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlItem {
    pub framework: String,
    pub id: String,
    pub title: String,
    pub level: String,
    /// The top-level group (theme, function, series, section, chapter).
    pub group: String,
    pub description: String,
    pub attributes: IndexMap<String, Vec<String>>,
}

/// One mapping row, read "source RELATIONSHIP target".
#[derive(Debug, Clone, Serialize)]
pub struct MappingRow {
    pub source_framework: String,
    pub source_id: String,
    pub source_title: String,
    pub relationship: Relationship,
    pub target_framework: String,
    pub target_id: String,
    pub target_title: String,
    pub provenance: String,
    pub rationale: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappingList {
    /// The source side, as the query wrote it.
    pub source: String,
    pub target: String,
    pub rows: Vec<MappingRow>,
    /// Source controls with no mapping to the target framework.
    pub unmapped: Vec<ControlInfo>,
    /// The target framework's mappable controls, in catalog order (the matrix columns).
    #[serde(skip)]
    pub target_controls: Vec<ControlInfo>,
    /// The source controls, in order (the matrix rows).
    #[serde(skip)]
    pub source_controls: Vec<ControlInfo>,
    /// Advice when the result is empty for a reason the user can fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// The source set, as the query wrote it.
    pub source: String,
    pub source_controls: usize,
    pub target: String,
    /// `direct`, or `direct + via KEY`.
    pub routes: String,
    /// Whether only the targets short of full coverage are listed.
    pub gaps_only: bool,
    pub rows: Vec<CoverageRow>,
    pub summary: Summary,
    /// Advice when the result is empty for a reason the user can fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub target: ControlInfo,
    pub group: String,
    pub state: Strength,
    pub covered_by: Vec<Contribution>,
}

/// One source control's contribution to a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub source: ControlInfo,
    /// Source to target: the mapping's, or the composed one of a derived route.
    pub relationship: Relationship,
    /// The intermediate control of a derived route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<ControlInfo>,
    /// The source is only partly implemented (a Statement of Applicability said so).
    pub partial_source: bool,
    pub gives: Strength,
    pub rationale: String,
}

impl Contribution {
    /// `KEY:ID(relationship)`, with the route or the partial source noted.
    pub fn short(&self) -> String {
        let mut notes = vec![self.relationship.as_str().to_string()];
        if let Some(v) = &self.via {
            notes[0] = format!("{} via {}", self.relationship, v.qualified());
        }
        if self.partial_source {
            notes.push("partially implemented".to_string());
        }
        format!("{}({})", self.source.qualified(), notes.join(", "))
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
    pub groups: Vec<GroupSummary>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupSummary {
    /// What the groups are (`function`, `designation`).
    pub by: String,
    pub group: String,
    pub total: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
}

/// Percentage with one decimal, as text (`41.7`).
pub fn percent(part: usize, total: usize) -> String {
    if total == 0 {
        return "0.0".to_string();
    }
    let tenths = (part * 1000 + total / 2) / total;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// One step of a route: a stored mapping read in the route's direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub from: ControlInfo,
    pub relationship: Relationship,
    pub to: ControlInfo,
    pub provenance: String,
    pub rationale: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    pub from: ControlInfo,
    pub target: String,
    pub routes: String,
    pub rows: Vec<RouteRow>,
}

/// A route from a source to a target: one step (direct) or two (derived).
#[derive(Debug, Clone, Serialize)]
pub struct RouteRow {
    pub source: ControlInfo,
    pub target: ControlInfo,
    /// The composed relationship; `None` when the composition proves nothing.
    pub relationship: Option<Relationship>,
    pub direct: bool,
    /// What the route gives the target; `none` for an unknown composition.
    pub gives: Strength,
    pub partial_source: bool,
    /// A derived route to a target that also has a direct mapping from the same source: shown, not counted.
    pub superseded: bool,
    pub steps: Vec<Step>,
}

impl RouteRow {
    /// The relationship as text, `unknown` when none follows.
    pub fn relationship_text(&self) -> &'static str {
        self.relationship.map_or("unknown", Relationship::as_str)
    }

    /// `a -[rel]-> b -[rel]-> c`
    pub fn route_text(&self) -> String {
        let mut out = self.source.qualified();
        for s in &self.steps {
            out.push_str(&format!(" -[{}]-> {}", s.relationship, s.to.qualified()));
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainReport {
    pub source: String,
    pub target: ControlInfo,
    pub routes: String,
    pub state: Strength,
    pub rows: Vec<RouteRow>,
}

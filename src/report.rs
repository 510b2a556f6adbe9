//! The results of statements: plain, serialisable types that every output format renders.
//!
//! The JSON output is these types as serde writes them; their field names are
//! the documented, stable JSON shape.

use indexmap::IndexMap;
use serde::Serialize;

use crate::db::Database;
use crate::model::{CtlId, Relationship, State, Strength, Text};

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
    Plan(PlanReport),
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
    pub id: Text,
    pub title: Text,
}

impl ControlInfo {
    pub fn of(db: &Database, c: CtlId) -> ControlInfo {
        let control = db.control(c);
        ControlInfo { framework: db.key_of(c).to_string(), id: control.id.clone(), title: control.title.clone() }
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
    /// Why the control places no duty on an organisation, when it places none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    pub attributes: IndexMap<String, Vec<String>>,
    pub aliases: Vec<String>,
    /// Every mapping of the control, read from its side.
    pub mappings: Vec<MappingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlList {
    pub controls: Vec<ControlItem>,
    /// Advice when a search finds nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    /// The overlap is indirect.
    pub marginal: bool,
    /// The source's attributes that its catalog counts in summaries (HIPAA's designation).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub source_attributes: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub target_attributes: IndexMap<String, String>,
    /// When the target is a part: the control it belongs to, whose column a matrix puts it in.
    #[serde(skip)]
    pub target_control: Option<String>,
    /// The database row shown, and whether it is read from its target's side (for exports that rebuild it).
    #[serde(skip)]
    pub row: Option<(crate::model::MapId, bool)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappingList {
    /// The source side, as the query wrote it.
    pub source: String,
    pub target: String,
    pub rows: Vec<MappingRow>,
    /// Source controls with no mapping to the target framework.
    pub unmapped: Vec<ControlInfo>,
    /// The summary attributes of the unmapped sources that have some, by `KEY:ID`.
    #[serde(skip)]
    pub unmapped_attributes: IndexMap<String, IndexMap<String, String>>,
    /// The target framework's mappable controls, in catalog order (the matrix columns).
    #[serde(skip)]
    pub target_controls: Vec<ControlInfo>,
    /// The source controls, in order (the matrix rows).
    #[serde(skip)]
    pub source_controls: Vec<ControlInfo>,
    /// A crosswalk: tables list every source control, those without a mapping too.
    #[serde(skip)]
    pub every_source: bool,
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
    /// Whether each control is followed by a row for each of its parts.
    pub with_parts: bool,
    /// Whether items that place no duty are counted like the others.
    pub with_na: bool,
    pub rows: Vec<CoverageRow>,
    pub summary: Summary,
    /// Advice when the result is empty for a reason the user can fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub target: ControlInfo,
    /// The target's level (`criterion`, `point`).
    pub level: String,
    /// For a part's row (`with parts`): the control it is part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    pub group: String,
    /// The target's attributes that its catalog counts in summaries (HIPAA's designation).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, String>,
    pub state: State,
    /// Why the target places no duty, when its state is `n/a`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    /// The target's parts, counted by state; absent for an atomic target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<PartCount>,
    pub covered_by: Vec<Contribution>,
    /// The parts short of full, for a target short of full.
    pub open: Vec<OpenPart>,
    /// For a target short of full: whether the source framework can close it, and with what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
}

/// A target's atomic parts (its leaves), counted by state; `n/a` parts are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartCount {
    /// What the parts are called (`points`, `paragraphs`, `parts`).
    pub noun: String,
    pub total: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
}

/// A part of a target that is short of full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenPart {
    pub part: ControlInfo,
    pub description: String,
    pub state: State,
    /// `closable` or `beyond`, when the gap kinds were worked out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<GapKind>,
}

/// Whether a target short of full can be made full from the source framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapKind {
    /// Controls of the source framework outside the set would make it full.
    Closable,
    /// Not even the whole source framework makes it full: new work.
    Beyond,
}

impl GapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Closable => "closable",
            GapKind::Beyond => "beyond",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    /// The source frameworks the kind is judged against.
    pub frameworks: Vec<String>,
    /// Controls outside the set that would add to the target, each with what it gives.
    pub closing: Vec<Closer>,
}

/// A control outside the set and what adding it would give a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closer {
    pub control: ControlInfo,
    /// The other controls outside the set that a row with several sources
    /// needs with `control`: added together, not alone, they give this.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub together_with: Vec<ControlInfo>,
    /// The nodes it reaches (the target, its parts, or the whole above it), each with what it gives.
    pub gives: Vec<Reached>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reached {
    pub id: String,
    pub gives: Strength,
}

impl Closer {
    /// `iso27001:8.6 (full: A1.1.2; partial)`: what adding it gives, the row itself (`row`) unnamed.
    pub fn short(&self, row: &str) -> String {
        let mut parts = Vec::new();
        for s in [Strength::Full, Strength::Partial] {
            let ids: Vec<&str> = self.gives.iter().filter(|r| r.gives == s).map(|r| r.id.as_str()).collect();
            match ids.as_slice() {
                [] => {}
                [only] if *only == row => parts.push(s.to_string()),
                ids => parts.push(format!("{s}: {}", ids.join(", "))),
            }
        }
        format!("{} ({})", self.name(), parts.join("; "))
    }

    /// `KEY:ID`, or `KEY:ID+ID` for controls that give it only together.
    pub fn name(&self) -> String {
        group_name(&self.control, &self.together_with)
    }

    /// Whether adding it makes something full.
    pub fn gives_full(&self) -> bool {
        self.gives.iter().any(|r| r.gives == Strength::Full)
    }
}

/// Why a route holds: its row's rationale, or, for a derived route, each
/// step's in order, shown joined by ` / then: `. The rows' texts are shared,
/// not copied: a coverage through a third framework reaches each target by
/// hundreds of routes at scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rationale {
    pub first: Text,
    pub then: Option<Text>,
}

impl std::fmt::Display for Rationale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.first)?;
        match &self.then {
            Some(then) => write!(f, " / then: {then}"),
            None => Ok(()),
        }
    }
}

impl Serialize for Rationale {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One source control's contribution to a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub source: ControlInfo,
    /// The other sources of a group row: together with `source`, not alone, they give this.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub together_with: Vec<ControlInfo>,
    /// Source to the node reached: the mapping's, or the composed one of a derived route.
    pub relationship: Relationship,
    /// The node the route reaches when it is not the target itself: one of its
    /// parts, or a whole above it mapped in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Box<ControlInfo>>,
    /// The intermediate control of a derived route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Box<ControlInfo>>,
    /// The source is only partly implemented (a Statement of Applicability said so).
    pub partial_source: bool,
    pub gives: Strength,
    pub rationale: Rationale,
    /// What a Statement of Applicability says of the source: its status and justification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Implementation>,
}

/// A Statement of Applicability's word on a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Implementation {
    pub status: String,
    pub justification: String,
}

impl Contribution {
    /// `KEY:ID(relationship)`, with the part reached, the route or the partial source noted.
    pub fn short(&self) -> String {
        let mut first = self.relationship.as_str().to_string();
        if let Some(t) = &self.to {
            first = format!("{first} {}", t.id);
        }
        if let Some(v) = &self.via {
            first = format!("{first} via {}", v.qualified());
        }
        let mut notes = vec![first];
        if self.partial_source {
            notes.push("partially implemented".to_string());
        }
        format!("{}({})", group_name(&self.source, &self.together_with), notes.join(", "))
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    pub groups: Vec<GroupSummary>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupSummary {
    /// What the groups are (`function`, `designation`).
    pub by: String,
    pub group: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Targets counted by state and gap kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Targets that count: all but the `n/a` ones.
    pub total: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
    /// Targets that place no duty, left out of `total`.
    pub na: usize,
    /// Targets short of full that controls of the source framework would make full.
    pub closable: usize,
    /// Targets short of full that the source framework cannot make full.
    pub beyond: usize,
}

impl Counts {
    /// Counts one target.
    pub fn add(&mut self, row: &CoverageRow) {
        match row.state {
            State::NotApplicable => {
                self.na += 1;
                return;
            }
            State::Full => self.full += 1,
            State::Partial => self.partial += 1,
            State::None => self.none += 1,
        }
        self.total += 1;
        match row.gap.as_ref().map(|g| g.kind) {
            Some(GapKind::Closable) => self.closable += 1,
            Some(GapKind::Beyond) => self.beyond += 1,
            None => {}
        }
    }
}

/// A source, or a group of sources that hold a relationship together: `iso27001:5.1+5.37`.
pub fn group_name(first: &ControlInfo, rest: &[ControlInfo]) -> String {
    let mut name = first.qualified();
    for c in rest {
        name.push('+');
        if c.framework == first.framework {
            name.push_str(&c.id);
        } else {
            name.push_str(&c.qualified());
        }
    }
    name
}

/// The plural of a level name, for counts (`criteria`, `subcategories`, `points`).
pub fn plural_level(level: &str) -> String {
    match level {
        "criterion" => "criteria".to_string(),
        l if l.ends_with('y') => format!("{}ies", &l[..l.len() - 1]),
        l => format!("{l}s"),
    }
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
    /// The other sources of a group row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub together_with: Vec<ControlInfo>,
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
        let mut out = group_name(&self.source, &self.together_with);
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
    pub state: State,
    /// Every route from the set to the target, to its parts, and to a whole above it.
    pub rows: Vec<RouteRow>,
    /// The target's parts and the whole above it, each with its state.
    pub parts: Vec<PartState>,
    /// The parts counted by state; absent for an atomic target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_count: Option<PartCount>,
}

/// A part of a target and its state, with the sources that reach it.
#[derive(Debug, Clone, Serialize)]
pub struct PartState {
    pub part: ControlInfo,
    pub level: String,
    /// Depth below the target (1 for a direct part).
    pub depth: usize,
    pub state: State,
    pub description: String,
    pub by: Vec<String>,
}

/// `plan SET -> KEY`: the fewest controls to add for the most targets full.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub source: String,
    pub source_controls: usize,
    pub target: String,
    pub routes: String,
    /// The frameworks the added controls come from.
    pub frameworks: Vec<String>,
    /// Controls the plan was told not to use, as the query wrote them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub except: Option<String>,
    /// `minimal` when the number of controls is proved the fewest, `greedy` otherwise.
    pub method: String,
    pub before: PlanTotals,
    pub after: PlanTotals,
    pub steps: Vec<PlanStep>,
    /// The controls to add as a set a query can use.
    pub set: String,
    /// Controls of the plan that the set holds already, but only partly implemented: to finish.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub finish: Vec<ControlInfo>,
    /// Targets the plan cannot make full, even with every control of the source frameworks.
    pub left_short: Vec<ControlInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How many targets and parts are full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanTotals {
    pub targets: usize,
    pub full: usize,
    pub parts: usize,
    pub parts_full: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanStep {
    pub add: ControlInfo,
    /// Controls added in the same step because a row needs them with `add`:
    /// together, not alone, they make a part full.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub together_with: Vec<ControlInfo>,
    /// Targets this step makes full.
    pub makes_full: Vec<String>,
    /// Parts this step makes full (of targets not yet full).
    pub parts_full: usize,
    /// The totals once this step is taken, with every step before it.
    pub then: PlanTotals,
}

impl PlanStep {
    /// The ids of the controls the step adds, a member of another framework named with its key.
    pub fn ids(&self, sep: &str) -> String {
        let mut ids = vec![self.add.id.to_string()];
        for c in &self.together_with {
            ids.push(if c.framework == self.add.framework { c.id.to_string() } else { c.qualified() });
        }
        ids.join(sep)
    }

    pub fn titles(&self, sep: &str) -> String {
        std::iter::once(&self.add).chain(&self.together_with).map(|c| c.title.as_str()).collect::<Vec<_>>().join(sep)
    }
}

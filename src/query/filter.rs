//! `where` conditions: checked against the frameworks they filter, then tested on controls and mapping rows.

use super::ast::{CmpOp, Filter, Spanned};
use crate::db::Database;
use crate::diag::Diagnostic;
use crate::model::{CtlId, FwId, Relationship};
use crate::suggest;

/// Fields every control has.
const CONTROL_FIELDS: [&str; 6] = ["id", "title", "description", "text", "level", "framework"];
/// Fields of a mapping row (in `map` and `crosswalk`).
const ROW_FIELDS: [&str; 3] = ["relationship", "provenance", "strength"];

/// A condition ready to test.
#[derive(Debug, Clone)]
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Test { field: Field, op: CmpOp, value: String },
}

/// What a field names.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Id,
    Title,
    Description,
    /// Title or description.
    Text,
    Level,
    Framework,
    /// The control itself or its ancestor at this level (`function`, `series`).
    Ancestor(String),
    /// A declared attribute, by name or alias.
    Attribute(String),
    Relationship,
    Provenance,
    /// `marginal` for a row whose overlap is indirect, `normal` otherwise.
    Strength,
}

/// What a condition is tested on: a control, and the mapping row it came with, if any.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub control: CtlId,
    pub relationship: Option<Relationship>,
    pub provenance: Option<&'a str>,
    pub marginal: Option<bool>,
}

impl<'a> Subject<'a> {
    pub fn control(control: CtlId) -> Subject<'a> {
        Subject { control, relationship: None, provenance: None, marginal: None }
    }
}

/// Checks a filter against the frameworks it will see and turns it into a [`Condition`].
pub fn compile(
    db: &Database,
    filter: &Spanned<Filter>,
    frameworks: &[FwId],
    rows: bool,
) -> Result<Condition, Diagnostic> {
    Ok(match &filter.node {
        Filter::And(a, b) => {
            Condition::And(Box::new(compile(db, a, frameworks, rows)?), Box::new(compile(db, b, frameworks, rows)?))
        }
        Filter::Or(a, b) => {
            Condition::Or(Box::new(compile(db, a, frameworks, rows)?), Box::new(compile(db, b, frameworks, rows)?))
        }
        Filter::Not(a) => Condition::Not(Box::new(compile(db, a, frameworks, rows)?)),
        Filter::Compare { field, op, value } => {
            let resolved = resolve_field(db, &field.node, frameworks, rows)
                .ok_or_else(|| unknown_field(db, field, frameworks, rows))?;
            check_value(db, &resolved, *op, value, frameworks)?;
            Condition::Test { field: resolved, op: *op, value: value.node.clone() }
        }
    })
}

fn resolve_field(db: &Database, name: &str, frameworks: &[FwId], rows: bool) -> Option<Field> {
    let lower = name.to_ascii_lowercase();
    let fixed = match lower.as_str() {
        "id" => Some(Field::Id),
        "title" => Some(Field::Title),
        "description" => Some(Field::Description),
        "text" => Some(Field::Text),
        "level" => Some(Field::Level),
        "framework" => Some(Field::Framework),
        "relationship" if rows => Some(Field::Relationship),
        "provenance" if rows => Some(Field::Provenance),
        "strength" if rows => Some(Field::Strength),
        _ => None,
    };
    fixed.or_else(|| {
        let fws: Vec<&crate::model::Framework> = frameworks.iter().map(|&f| db.framework(f)).collect();
        if fws.iter().any(|fw| fw.level_index(&lower).is_some()) {
            Some(Field::Ancestor(lower))
        } else if fws.iter().any(|fw| fw.attribute_index(&lower).is_some()) {
            Some(Field::Attribute(lower))
        } else {
            None
        }
    })
}

/// The fields the frameworks know, each with the other names it answers to.
pub fn fields(db: &Database, frameworks: &[FwId], rows: bool) -> Vec<(String, Vec<String>)> {
    let plain = |s: &&str| (s.to_string(), Vec::new());
    let mut fields: Vec<(String, Vec<String>)> = CONTROL_FIELDS.iter().map(plain).collect();
    if rows {
        fields.extend(ROW_FIELDS.iter().map(plain));
    }
    for &f in frameworks {
        let fw = db.framework(f);
        fields.extend(fw.levels.iter().map(|l| (l.clone(), Vec::new())));
        fields.extend(fw.attributes.iter().map(|a| (a.name.clone(), a.aliases.clone())));
    }
    let mut seen = std::collections::HashSet::new();
    fields.retain(|(name, _)| seen.insert(name.clone()));
    fields
}

/// The fields as a user reads them: each attribute by its shortest alias, with its name.
fn field_list(fields: &[(String, Vec<String>)]) -> String {
    let shown: Vec<String> = fields
        .iter()
        .map(|(name, aliases)| match aliases.iter().min_by_key(|a| a.len()) {
            Some(short) => format!("{short} ({name})"),
            None => name.clone(),
        })
        .collect();
    shown.join(", ")
}

fn unknown_field(db: &Database, field: &Spanned<String>, frameworks: &[FwId], rows: bool) -> Diagnostic {
    let fields = fields(db, frameworks, rows);
    let names: Vec<&str> = fields.iter().flat_map(|(n, a)| std::iter::once(n).chain(a)).map(String::as_str).collect();
    if !rows && ROW_FIELDS.contains(&field.node.to_ascii_lowercase().as_str()) {
        let msg = format!("`{}` is a field of mapping rows", field.node);
        return Diagnostic::new(msg, field.span).with_help(
            "filter mappings by it in `map` or `crosswalk`: `crosswalk iso27001 -> soc2 where relationship = equal`",
        );
    }
    let d = Diagnostic::new(format!("unknown field `{}`", field.node), field.span);
    let d = match suggest::closest(&field.node, names) {
        Some(s) => d.with_label(format!("did you mean `{s}`?")),
        None => d,
    };
    d.with_help(format!("fields here: {}", field_list(&fields)))
}

/// The values a field can take in the frameworks, for completion: ids of the
/// nodes at a level, an attribute's declared values, the row fields' words.
pub fn values(db: &Database, field: &str, frameworks: &[FwId]) -> Vec<String> {
    match resolve_field(db, field, frameworks, true) {
        Some(Field::Relationship) => Relationship::ALL.iter().map(|r| r.as_str().to_string()).collect(),
        Some(Field::Provenance) => db.provenances.iter().map(|p| p.key.clone()).collect(),
        Some(Field::Strength) => vec!["marginal".into(), "normal".into()],
        Some(Field::Level) => frameworks.iter().flat_map(|&f| db.framework(f).levels.clone()).collect(),
        Some(Field::Framework) => db.frameworks.iter().map(|f| f.key.clone()).collect(),
        Some(Field::Ancestor(level)) => {
            nodes_at_level(db, &level, frameworks).into_iter().map(|c| db.control(c).id.to_string()).collect()
        }
        Some(Field::Attribute(name)) => frameworks
            .iter()
            .filter_map(|&f| {
                db.framework(f).attribute_index(&name).map(|a| db.framework(f).attributes[a].values.clone())
            })
            .flatten()
            .collect(),
        _ => Vec::new(),
    }
}

/// Refuses values that can match nothing, with the values that can.
fn check_value(
    db: &Database,
    field: &Field,
    op: CmpOp,
    value: &Spanned<String>,
    frameworks: &[FwId],
) -> Result<(), Diagnostic> {
    if op == CmpOp::Contains {
        return Ok(());
    }
    let known: Vec<String> = match field {
        Field::Relationship => Relationship::ALL.iter().map(|r| r.as_str().to_string()).collect(),
        Field::Provenance => db.provenances.iter().map(|p| p.key.clone()).collect(),
        Field::Strength => vec!["marginal".to_string(), "normal".to_string()],
        Field::Level => frameworks.iter().flat_map(|&f| db.framework(f).levels.clone()).collect(),
        Field::Framework => db.frameworks.iter().map(|f| f.key.clone()).collect(),
        Field::Attribute(name) => {
            let mut values = Vec::new();
            for &f in frameworks {
                let fw = db.framework(f);
                if let Some(a) = fw.attribute_index(name) {
                    if fw.attributes[a].values.is_empty() {
                        return Ok(());
                    }
                    values.extend(fw.attributes[a].values.iter().cloned());
                }
            }
            values
        }
        Field::Ancestor(level) => {
            let nodes = nodes_at_level(db, level, frameworks);
            if nodes.iter().any(|&c| node_matches(db, c, &value.node)) {
                return Ok(());
            }
            nodes.iter().map(|&c| db.control(c).id.to_string()).collect()
        }
        Field::Id | Field::Title | Field::Description | Field::Text => return Ok(()),
    };
    if known.iter().any(|k| normalize(k) == normalize(&value.node)) {
        return Ok(());
    }
    let what = match field {
        Field::Attribute(name) | Field::Ancestor(name) => name.clone(),
        other => format!("{other:?}").to_lowercase(),
    };
    let d = Diagnostic::new(format!("no {what} is `{}`", value.node), value.span);
    let d = match suggest::closest(&value.node, known.iter().map(String::as_str)) {
        Some(s) => d.with_label(format!("did you mean `{s}`?")),
        None => d,
    };
    let shown: Vec<&str> = known.iter().take(40).map(String::as_str).collect();
    let more = if known.len() > shown.len() { ", ..." } else { "" };
    Err(d.with_help(format!("{what}: {}{more}", shown.join(", "))))
}

fn nodes_at_level(db: &Database, level: &str, frameworks: &[FwId]) -> Vec<CtlId> {
    let mut out = Vec::new();
    for &f in frameworks {
        let fw = db.framework(f);
        if let Some(l) = fw.level_index(level) {
            out.extend(fw.controls.clone().filter(|&c| db.control(c).level as usize == l));
        }
    }
    out
}

/// A grouping node matches its id, its title, or the first word of its title (`theme = technological`).
fn node_matches(db: &Database, c: CtlId, value: &str) -> bool {
    let node = db.control(c);
    let v = normalize(value);
    let title = normalize(&node.title);
    normalize(&node.id) == v || title == v || title.split(' ').next() == Some(v.as_str())
}

/// Lower case, with `_` and `-` read as spaces: `Governance_and_Ecosystem` = "governance and ecosystem".
pub fn normalize(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', '-'], " ")
}

impl Condition {
    /// Whether the subject passes.
    pub fn test(&self, db: &Database, s: Subject) -> bool {
        match self {
            Condition::And(a, b) => a.test(db, s) && b.test(db, s),
            Condition::Or(a, b) => a.test(db, s) || b.test(db, s),
            Condition::Not(a) => !a.test(db, s),
            Condition::Test { field, op: CmpOp::Ne, value } => !test_field(db, s, field, CmpOp::Eq, value),
            Condition::Test { field, op, value } => test_field(db, s, field, *op, value),
        }
    }
}

fn test_field(db: &Database, s: Subject, field: &Field, op: CmpOp, value: &str) -> bool {
    let c = db.control(s.control);
    let fw = db.framework(c.framework);
    let text = |t: &str| match op {
        CmpOp::Contains => t.to_lowercase().contains(&value.to_lowercase()),
        _ => normalize(t) == normalize(value),
    };
    match field {
        Field::Id if op == CmpOp::Eq && value.contains(['*', '?']) => glob(value, &c.id),
        Field::Id => text(&c.id),
        Field::Title => text(&c.title),
        Field::Description => text(&c.description),
        Field::Text => text(&c.title) || text(&c.description),
        Field::Level => text(&fw.levels[c.level as usize]),
        Field::Framework => text(&fw.key) || fw.aliases.iter().any(|a| text(a)),
        Field::Ancestor(level) => {
            let Some(l) = fw.level_index(level) else { return false };
            let node =
                std::iter::once(s.control).chain(db.ancestors(s.control)).find(|&n| db.control(n).level as usize == l);
            node.is_some_and(|n| match op {
                CmpOp::Contains => text(&db.control(n).title),
                _ => node_matches(db, n, value),
            })
        }
        Field::Attribute(name) => fw.attribute_index(name).is_some_and(|a| c.attributes[a].iter().any(|v| text(v))),
        Field::Relationship => s.relationship.is_some_and(|r| text(r.as_str())),
        Field::Provenance => s.provenance.is_some_and(text),
        Field::Strength => s.marginal.is_some_and(|m| text(if m { "marginal" } else { "normal" })),
    }
}

/// Case-insensitive glob: `*` any run, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("5.*", "5.15"));
        assert!(!glob("5.*", "8.5"));
        assert!(glob("CC6.?", "cc6.1"));
        assert!(glob("164.312*", "164.312(a)(2)(iv)"));
        assert!(glob("*", ""));
        assert!(!glob("PR.AA-0?", "PR.AA-10"));
    }
}

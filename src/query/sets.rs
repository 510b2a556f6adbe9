//! Sets of controls: what `iso27001{5.*}`, `$mine`, `soa("f.csv")` and their combinations evaluate to.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::ast::{ControlRef, Item, Name, SetExpr, Spanned};
use super::filter::{self, Subject};
use crate::db::Database;
use crate::diag::{Diagnostic, Error};
use crate::model::{CtlId, FwId, Strength};
use crate::report::Implementation;
use crate::suggest;

/// Controls with how far each is implemented: `Full` for an implemented
/// control, `Partial` for one a Statement of Applicability marks partial.
/// Ordered by catalog order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlSet {
    items: BTreeMap<CtlId, Strength>,
    /// What a Statement of Applicability said of its controls.
    notes: BTreeMap<CtlId, Implementation>,
    /// For a set read straight from a Statement of Applicability: its rows by status.
    pub soa_counts: Option<crate::soa::StatusCounts>,
}

impl ControlSet {
    /// The controls, each fully implemented.
    pub fn of(controls: impl IntoIterator<Item = CtlId>) -> ControlSet {
        let items = controls.into_iter().map(|c| (c, Strength::Full)).collect();
        ControlSet { items, notes: BTreeMap::new(), soa_counts: None }
    }

    /// Records what a Statement of Applicability says of a control of the set.
    pub fn note(&mut self, c: CtlId, note: Implementation) {
        self.notes.insert(c, note);
    }

    /// What a Statement of Applicability says of a control, if it came from one.
    pub fn implementation(&self, c: CtlId) -> Option<&Implementation> {
        self.notes.get(&c)
    }

    pub fn insert(&mut self, c: CtlId, strength: Strength) {
        let slot = self.items.entry(c).or_insert(strength);
        *slot = (*slot).max(strength);
    }

    pub fn iter(&self) -> impl Iterator<Item = (CtlId, Strength)> + '_ {
        self.items.iter().map(|(&c, &s)| (c, s))
    }

    pub fn ids(&self) -> impl Iterator<Item = CtlId> + '_ {
        self.items.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn strength(&self, c: CtlId) -> Option<Strength> {
        self.items.get(&c).copied()
    }

    /// Both sets; a control in both keeps the stronger implementation.
    pub fn union(mut self, other: ControlSet) -> ControlSet {
        self.soa_counts = None;
        for (c, s) in other.items {
            self.insert(c, s);
        }
        for (c, note) in other.notes {
            self.notes.entry(c).or_insert(note);
        }
        self
    }

    /// The controls in both; each keeps the weaker implementation.
    pub fn intersect(self, other: &ControlSet) -> ControlSet {
        let items: BTreeMap<CtlId, Strength> =
            self.items.into_iter().filter_map(|(c, s)| other.strength(c).map(|o| (c, s.min(o)))).collect();
        let mut notes = self.notes;
        notes.retain(|c, _| items.contains_key(c));
        for (c, note) in &other.notes {
            if items.contains_key(c) {
                notes.entry(*c).or_insert_with(|| note.clone());
            }
        }
        ControlSet { items, notes, soa_counts: None }
    }

    /// The controls of `self` not in `other`.
    pub fn except(mut self, other: &ControlSet) -> ControlSet {
        self.items.retain(|c, _| other.strength(*c).is_none());
        self.soa_counts = None;
        let items = &self.items;
        self.notes.retain(|c, _| items.contains_key(c));
        self
    }

    /// The frameworks the set's controls belong to, in order.
    pub fn frameworks(&self, db: &Database) -> Vec<FwId> {
        let mut fws: Vec<FwId> = self.ids().map(|c| db.control(c).framework).collect();
        fws.dedup();
        fws
    }

    /// Keeps the controls `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(CtlId) -> bool) {
        self.items.retain(|c, _| keep(*c));
        self.soa_counts = None;
        let items = &self.items;
        self.notes.retain(|c, _| items.contains_key(c));
    }
}

/// Named sets (`let NAME = SET`), each shared by reference, so that a copy of
/// the names (for a statement evaluated on another thread) does not copy sets.
pub type Names = HashMap<String, std::sync::Arc<ControlSet>>;

/// What set evaluation can see: the database, the variables and where relative files are.
pub struct Scope<'a> {
    pub db: &'a Database,
    pub vars: &'a Names,
    pub base_dir: &'a Path,
    /// Warnings of the statement (a Statement of Applicability's contradictory rows).
    pub warnings: &'a RefCell<Vec<String>>,
    /// Files read, with their SHA-256.
    pub inputs: &'a RefCell<Vec<(String, String)>>,
}

/// Evaluates a set expression.
pub fn eval(scope: &Scope, expr: &Spanned<SetExpr>) -> Result<ControlSet, Error> {
    let db = scope.db;
    Ok(match &expr.node {
        SetExpr::Framework(name) => ControlSet::of(db.controls_of(framework(db, name)?)),
        SetExpr::Control(c) => ControlSet::of(db.controls_under(control(db, c)?)),
        SetExpr::Items { framework: name, items } => {
            let fw = framework(db, name)?;
            let mut set = ControlSet::default();
            for item in items {
                set = set.union(ControlSet::of(item_controls(db, fw, name, item)?));
            }
            set
        }
        SetExpr::Var(name) => {
            scope.vars.get(&name.node).map(|set| ControlSet::clone(set)).ok_or_else(|| unknown_var(scope, name))?
        }
        SetExpr::Soa(path) => {
            let soa = crate::soa::read(db, &scope.base_dir.join(&path.node), &path.node)?;
            scope.warnings.borrow_mut().extend(soa.warnings);
            let mut inputs = scope.inputs.borrow_mut();
            if !inputs.iter().any(|(p, sha)| *p == path.node && *sha == soa.sha256) {
                inputs.push((path.node.clone(), soa.sha256.clone()));
            }
            drop(inputs);
            ControlSet { soa_counts: Some(soa.counts), ..soa.set }
        }
        SetExpr::Union(a, b) => eval(scope, a)?.union(eval(scope, b)?),
        SetExpr::Intersect(a, b) => eval(scope, a)?.intersect(&eval(scope, b)?),
        SetExpr::Except(a, b) => eval(scope, a)?.except(&eval(scope, b)?),
        SetExpr::Filtered(inner, f) => {
            let mut set = eval(scope, inner)?;
            let fws = set.frameworks(db);
            let fws = if fws.is_empty() { frameworks_named(db, inner) } else { fws };
            let cond = filter::compile(db, f, &fws, false)?;
            set.retain(|c| cond.test(db, Subject::control(c)));
            set
        }
    })
}

/// The frameworks an expression names, for checking a filter on a set that came out empty.
pub fn frameworks_named(db: &Database, expr: &Spanned<SetExpr>) -> Vec<FwId> {
    match &expr.node {
        SetExpr::Framework(n) | SetExpr::Items { framework: n, .. } => db.find_framework(&n.node).into_iter().collect(),
        SetExpr::Control(c) => db.find_framework(&c.framework.node).into_iter().collect(),
        SetExpr::Union(a, b) | SetExpr::Intersect(a, b) | SetExpr::Except(a, b) => {
            let mut v = frameworks_named(db, a);
            v.extend(frameworks_named(db, b));
            v
        }
        SetExpr::Filtered(a, _) => frameworks_named(db, a),
        SetExpr::Var(_) | SetExpr::Soa(_) => db.find_framework("iso27001").into_iter().collect(),
    }
}

fn unknown_var(scope: &Scope, name: &Name) -> Error {
    // The caret takes in the `$`, which the grammar puts right before the name.
    let span = crate::diag::Span::new(name.span.start.saturating_sub(1), name.span.end);
    let d = Diagnostic::new(format!("no set is named `${}`", name.node), span);
    let d = match suggest::closest(&name.node, scope.vars.keys().map(String::as_str)) {
        Some(s) => d.with_label(format!("did you mean `${s}`?")),
        None => d,
    };
    d.with_help("name a set first: `let mine = iso27001{5.15, 8.24}`, then use `$mine`").into()
}

/// The framework a name means, or an error with the closest known name.
pub fn framework(db: &Database, name: &Name) -> Result<FwId, Diagnostic> {
    db.find_framework(&name.node).ok_or_else(|| {
        let d = Diagnostic::new(format!("unknown framework `{}`", name.node), name.span);
        let keys: Vec<&str> = db.frameworks.iter().map(|f| f.key.as_str()).collect();
        let d = match suggest::closest(&name.node, db.index.framework_names()) {
            Some(s) => d.with_label(format!("did you mean `{}`?", db.framework(db.find_framework(s).unwrap_or(0)).key)),
            None => d,
        };
        d.with_help(format!("frameworks: {}", keys.join(", ")))
    })
}

/// The control a `KEY:ID` names, or an error with the closest id.
pub fn control(db: &Database, c: &ControlRef) -> Result<CtlId, Diagnostic> {
    let fw = framework(db, &c.framework)?;
    find_id(db, fw, &c.id)
}

fn find_id(db: &Database, fw: FwId, id: &Name) -> Result<CtlId, Diagnostic> {
    db.find_control(fw, &id.node).ok_or_else(|| {
        let f = db.framework(fw);
        let d = Diagnostic::new(format!("unknown control `{}` in {}", id.node, f.key), id.span);
        let ids = f.controls.clone().map(|c| db.control(c).id.as_ref());
        // Compared without a prefix the catalog accepts (`A.8.24x` is near `8.24`), when what is
        // left is an id's length: `A.` alone is near any short id.
        let bare = Some(f.without_prefix(&id.node)).filter(|b| b.chars().count() >= 3).unwrap_or(&id.node);
        match suggest::closest(bare, ids) {
            Some(s) => d.with_label(format!("did you mean `{s}`?")),
            None => d.with_help(format!("`list {}` shows its ids", f.key)),
        }
    })
}

fn item_controls(db: &Database, fw: FwId, name: &Name, item: &Spanned<Item>) -> Result<Vec<CtlId>, Diagnostic> {
    match &item.node {
        Item::Id(id) => Ok(db.controls_under(find_id(db, fw, &Spanned::new(id.clone(), item.span))?)),
        Item::Pattern(p) => {
            let fw_range = db.framework(fw).controls.clone();
            let matched: Vec<CtlId> = fw_range.filter(|&c| filter::glob(p, &db.control(c).id)).collect();
            // A part whose control matched too is already implied by it (`CC6.*` means the criteria).
            let mut out: Vec<CtlId> = Vec::new();
            for &c in &matched {
                if db.control(c).part && db.ancestors(c).any(|a| matched.binary_search(&a).is_ok()) {
                    continue;
                }
                out.extend(db.controls_under(c));
            }
            out.sort_unstable();
            out.dedup();
            if out.is_empty() {
                let msg = format!("no control of {} matches `{p}`", db.framework(fw).key);
                return Err(Diagnostic::new(msg, item.span).with_help(format!("`list {}` shows its ids", name.node)));
            }
            Ok(out)
        }
        Item::Range(from, to) => {
            let (a, b) = (find_id(db, fw, from)?, find_id(db, fw, to)?);
            if a > b {
                let msg = format!(
                    "the range runs backwards: `{}` comes after `{}` in {}",
                    from.node,
                    to.node,
                    db.framework(fw).key
                );
                return Err(Diagnostic::new(msg, item.span).with_help(format!("write `{}..{}`", to.node, from.node)));
            }
            // A range of parts gives parts; any other range gives the controls in it.
            let parts = db.control(a).part && db.control(b).part;
            Ok((a..=b).filter(|&c| if parts { db.control(c).part } else { db.control(c).is_control() }).collect())
        }
    }
}

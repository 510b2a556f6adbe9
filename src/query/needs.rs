//! Which frameworks a run of statements needs, so that a compiled store reads only their catalogs and sets.
//!
//! Statements that look at every framework (`frameworks`, `search`, `show`,
//! `path` and `explain` through any framework), read a Statement of
//! Applicability, name a framework the database does not have (whose
//! error suggests the closest of all names), or name none need the whole database.

use std::collections::BTreeSet;

use super::ast::*;

/// The frameworks `src` names, as `key` resolves names to framework keys; `None` when it needs every framework.
/// Every word of the text that names a framework counts too (a filter's value may).
pub fn frameworks(srcs: &[&str], key: &dyn Fn(&str) -> Option<String>) -> Option<BTreeSet<String>> {
    let mut needs = Needs { keys: BTreeSet::new(), all: false, key };
    for src in srcs {
        // Read no further than the first statement that needs every framework (a batch often opens with one).
        for chunk in super::parse::split(src).0 {
            match super::parse::parse_chunk(src, chunk) {
                Ok(s) => needs.statement(&s.node),
                Err(_) => return None,
            }
            if needs.all {
                return None;
            }
        }
        let words = src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
        needs.keys.extend(words.filter(|w| !w.is_empty()).filter_map(key));
    }
    // A database has at least one framework: statements that name none (`help`) read the whole.
    (!needs.all && !needs.keys.is_empty()).then_some(needs.keys)
}

struct Needs<'a> {
    keys: BTreeSet<String>,
    all: bool,
    key: &'a dyn Fn(&str) -> Option<String>,
}

impl Needs<'_> {
    fn framework(&mut self, name: &Name) {
        match (self.key)(&name.node) {
            Some(k) => {
                self.keys.insert(k);
            }
            None => self.all = true,
        }
    }

    /// Path and explain follow every route unless told `direct` or `via KEY`.
    fn route(&mut self, route: &Route, default_is_any: bool) {
        match route {
            Route::Default if default_is_any => self.all = true,
            Route::Via(n) => self.framework(n),
            _ => {}
        }
    }

    fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Frameworks | Statement::Show(_) | Statement::Search { .. } => self.all = true,
            Statement::Let { set, .. } | Statement::List(set) => self.set(&set.node),
            Statement::Map { set, framework, .. } | Statement::Crosswalk { set, framework, .. } => {
                self.set(&set.node);
                self.framework(framework);
            }
            Statement::Coverage { set, framework, options, .. } | Statement::Plan { set, framework, options } => {
                self.set(&set.node);
                self.framework(framework);
                self.route(&options.route, false);
                if let Some(except) = &options.except {
                    self.set(&except.node);
                }
            }
            Statement::Path { control, framework, route } => {
                self.framework(&control.framework);
                self.framework(framework);
                self.route(route, true);
            }
            Statement::Explain { set, target, route } => {
                self.set(&set.node);
                self.framework(&target.framework);
                self.route(route, true);
            }
            Statement::Export { statement, .. } => self.statement(&statement.node),
            Statement::Format(_) | Statement::Help(_) => {}
        }
    }

    fn set(&mut self, s: &SetExpr) {
        match s {
            SetExpr::Framework(n) | SetExpr::Items { framework: n, .. } => self.framework(n),
            SetExpr::Control(c) => self.framework(&c.framework),
            SetExpr::Var(_) => {}
            SetExpr::Soa(_) => self.all = true,
            SetExpr::Union(a, b) | SetExpr::Intersect(a, b) | SetExpr::Except(a, b) => {
                self.set(&a.node);
                self.set(&b.node);
            }
            SetExpr::Filtered(set, _) => self.set(&set.node),
        }
    }
}

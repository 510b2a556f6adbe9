//! The typed syntax tree of a statement, each node with its span, and a compact S-expression form.

use std::fmt;

use crate::diag::Span;

/// A node and the source span it came from. Equality ignores the span, so
/// trees can be compared without positions.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

/// A name as written: a framework key, an id, a variable, a field.
pub type Name = Spanned<String>;

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `let NAME = SET`
    Let { name: Name, set: Spanned<SetExpr> },
    /// `frameworks`
    Frameworks,
    /// `show KEY:ID`
    Show(ControlRef),
    /// `list SET`
    List(Spanned<SetExpr>),
    /// `search "text" [in SET]`
    Search { text: Name, within: Option<Spanned<SetExpr>> },
    /// `map SET -> KEY` (forward) or `map SET <- KEY` (backward)
    Map { set: Spanned<SetExpr>, direction: Direction, framework: Name, filter: Option<Spanned<Filter>> },
    /// `crosswalk SET -> KEY`
    Crosswalk { set: Spanned<SetExpr>, framework: Name, filter: Option<Spanned<Filter>> },
    /// `coverage SET -> KEY` and `gaps SET -> KEY`
    Coverage { gaps: bool, set: Spanned<SetExpr>, framework: Name, options: TargetOptions },
    /// `plan SET -> KEY`
    Plan { set: Spanned<SetExpr>, framework: Name, options: TargetOptions },
    /// `path KEY:ID -> KEY`
    Path { control: ControlRef, framework: Name, route: Route },
    /// `explain SET -> KEY:ID`
    Explain { set: Spanned<SetExpr>, target: ControlRef, route: Route },
    /// `export STATEMENT to "FILE"`
    Export { statement: Box<Spanned<Statement>>, path: Name, matrix: bool, bom: bool },
    /// `format NAME`
    Format(Name),
    /// `help [TOPIC]`
    Help(Option<Name>),
}

/// The clauses after the target framework of `coverage`, `gaps` and `plan`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetOptions {
    pub filter: Option<Spanned<Filter>>,
    pub route: Route,
    /// `with parts`: a row for each part of each target.
    pub with_parts: bool,
    /// `with n/a`: items that place no duty count like the others.
    pub with_na: bool,
    /// `without marginal`: mapping rows flagged marginal do not count.
    pub without_marginal: bool,
    /// `scope A, B`: the categories that count, when the framework has categories.
    pub scope: Option<Vec<Name>>,
    /// `except SET`: controls a plan must not add.
    pub except: Option<Spanned<SetExpr>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// Which routes count towards coverage.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Route {
    /// The statement's default: direct mappings only for coverage and gaps,
    /// every route for path and explain.
    #[default]
    Default,
    /// Direct mappings only.
    Direct,
    /// Direct mappings, and routes through this framework.
    Via(Name),
}

/// `KEY:ID`
#[derive(Debug, Clone, PartialEq)]
pub struct ControlRef {
    pub framework: Name,
    pub id: Name,
}

impl ControlRef {
    pub fn span(&self) -> Span {
        self.framework.span.to(self.id.span)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SetExpr {
    /// A whole framework: its mappable controls.
    Framework(Name),
    /// One control, or every mappable control under a grouping node (`csf:PR.AA`).
    Control(ControlRef),
    /// `KEY{ITEM, ...}`
    Items {
        framework: Name,
        items: Vec<Spanned<Item>>,
    },
    /// `$NAME`
    Var(Name),
    /// `soa("FILE")`
    Soa(Name),
    Union(Box<Spanned<SetExpr>>, Box<Spanned<SetExpr>>),
    Intersect(Box<Spanned<SetExpr>>, Box<Spanned<SetExpr>>),
    Except(Box<Spanned<SetExpr>>, Box<Spanned<SetExpr>>),
    Filtered(Box<Spanned<SetExpr>>, Spanned<Filter>),
}

impl Statement {
    /// The set expressions it evaluates (not those of an exported statement).
    pub fn sets(&self) -> impl Iterator<Item = &Spanned<SetExpr>> {
        let (first, second) = match self {
            Statement::Let { set, .. }
            | Statement::List(set)
            | Statement::Map { set, .. }
            | Statement::Crosswalk { set, .. }
            | Statement::Coverage { set, .. }
            | Statement::Explain { set, .. } => (Some(set), None),
            Statement::Plan { set, options, .. } => (Some(set), options.except.as_ref()),
            Statement::Search { within, .. } => (within.as_ref(), None),
            Statement::Export { .. }
            | Statement::Frameworks
            | Statement::Show(_)
            | Statement::Path { .. }
            | Statement::Format(_)
            | Statement::Help(_) => (None, None),
        };
        first.into_iter().chain(second)
    }

    /// Whether evaluating it reads or writes a file: a `soa("FILE")` in one of its sets, or an export.
    pub fn touches_files(&self) -> bool {
        matches!(self, Statement::Export { .. }) || self.sets().any(|s| s.node.any(&|e| matches!(e, SetExpr::Soa(_))))
    }

    /// The named sets (`$NAME`) it uses, as written, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for set in self.sets() {
            set.node.each(&mut |e| {
                if let SetExpr::Var(name) = e {
                    names.push(name.node.as_str());
                }
            });
        }
        names
    }
}

impl SetExpr {
    /// Whether it, or an expression inside it, is one that `test` holds to.
    pub fn any(&self, test: &impl Fn(&SetExpr) -> bool) -> bool {
        let mut found = false;
        self.each(&mut |e| found = found || test(e));
        found
    }

    /// Calls `visit` on it and every expression inside it, outside in, left to right.
    pub fn each<'a>(&'a self, visit: &mut impl FnMut(&'a SetExpr)) {
        visit(self);
        match self {
            SetExpr::Framework(_) | SetExpr::Control(_) | SetExpr::Items { .. } | SetExpr::Var(_) | SetExpr::Soa(_) => {
            }
            SetExpr::Union(a, b) | SetExpr::Intersect(a, b) | SetExpr::Except(a, b) => {
                a.node.each(visit);
                b.node.each(visit);
            }
            SetExpr::Filtered(a, _) => a.node.each(visit),
        }
    }
}

/// An element of `KEY{...}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An id (a grouping id stands for the mappable controls under it).
    Id(String),
    /// A glob over ids: `*` any run of characters, `?` one character.
    Pattern(String),
    /// An inclusive range in catalog order.
    Range(Name, Name),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Spanned<Filter>>, Box<Spanned<Filter>>),
    Or(Box<Spanned<Filter>>, Box<Spanned<Filter>>),
    Not(Box<Spanned<Filter>>),
    Compare { field: Name, op: CmpOp, value: Name },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`: the value, ignoring case
    Eq,
    /// `!=`
    Ne,
    /// `~`: contains the text, ignoring case
    Contains,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Contains => "~",
        }
    }
}

impl Spanned<Statement> {
    /// Moves every span of a statement parsed from a slice of a source to its place in the whole source.
    pub fn shift_spans(&mut self, by: usize) {
        if by > 0 {
            Shift(by).statement(self);
        }
    }
}

/// Walks a statement, moving each span.
struct Shift(usize);

impl Shift {
    fn span(&self, s: &mut Span) {
        *s = s.shift(self.0);
    }
    fn name(&self, n: &mut Name) {
        self.span(&mut n.span);
    }
    fn control(&self, c: &mut ControlRef) {
        self.name(&mut c.framework);
        self.name(&mut c.id);
    }
    fn route(&self, r: &mut Route) {
        if let Route::Via(n) = r {
            self.name(n);
        }
    }
    fn statement(&mut self, s: &mut Spanned<Statement>) {
        self.span(&mut s.span);
        match &mut s.node {
            Statement::Let { name, set } => {
                self.name(name);
                self.set(set);
            }
            Statement::Frameworks => {}
            Statement::Show(c) => self.control(c),
            Statement::List(set) => self.set(set),
            Statement::Search { text, within } => {
                self.name(text);
                within.iter_mut().for_each(|w| self.set(w));
            }
            Statement::Map { set, framework, filter, .. } | Statement::Crosswalk { set, framework, filter } => {
                self.set(set);
                self.name(framework);
                filter.iter_mut().for_each(|f| self.filter(f));
            }
            Statement::Coverage { set, framework, options, .. } | Statement::Plan { set, framework, options } => {
                self.set(set);
                self.name(framework);
                options.filter.iter_mut().for_each(|f| self.filter(f));
                options.scope.iter_mut().flatten().for_each(|n| self.name(n));
                self.route(&mut options.route);
                options.except.iter_mut().for_each(|x| self.set(x));
            }
            Statement::Path { control, framework, route } => {
                self.control(control);
                self.name(framework);
                self.route(route);
            }
            Statement::Explain { set, target, route } => {
                self.set(set);
                self.control(target);
                self.route(route);
            }
            Statement::Export { statement, path, .. } => {
                self.statement(statement);
                self.name(path);
            }
            Statement::Format(n) => self.name(n),
            Statement::Help(n) => n.iter_mut().for_each(|n| self.name(n)),
        }
    }
    fn set(&mut self, s: &mut Spanned<SetExpr>) {
        self.span(&mut s.span);
        match &mut s.node {
            SetExpr::Framework(n) | SetExpr::Var(n) | SetExpr::Soa(n) => self.name(n),
            SetExpr::Control(c) => self.control(c),
            SetExpr::Items { framework, items } => {
                self.name(framework);
                for item in items {
                    self.span(&mut item.span);
                    if let Item::Range(a, b) = &mut item.node {
                        self.name(a);
                        self.name(b);
                    }
                }
            }
            SetExpr::Union(a, b) | SetExpr::Intersect(a, b) | SetExpr::Except(a, b) => {
                self.set(a);
                self.set(b);
            }
            SetExpr::Filtered(set, f) => {
                self.set(set);
                self.filter(f);
            }
        }
    }
    fn filter(&mut self, f: &mut Spanned<Filter>) {
        self.span(&mut f.span);
        match &mut f.node {
            Filter::And(a, b) | Filter::Or(a, b) => {
                self.filter(a);
                self.filter(b);
            }
            Filter::Not(a) => self.filter(a),
            Filter::Compare { field, value, .. } => {
                self.name(field);
                self.name(value);
            }
        }
    }
}

// S-expressions, for parse snapshots and debugging.

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Let { name, set } => write!(f, "(let {name} {set})"),
            Statement::Frameworks => write!(f, "(frameworks)"),
            Statement::Show(c) => write!(f, "(show {c})"),
            Statement::List(s) => write!(f, "(list {s})"),
            Statement::Search { text, within } => {
                write!(f, "(search {:?}", text.node)?;
                if let Some(w) = within {
                    write!(f, " {w}")?;
                }
                write!(f, ")")
            }
            Statement::Map { set, direction, framework, filter } => {
                let arrow = if *direction == Direction::Forward { "->" } else { "<-" };
                write!(f, "(map {set} {arrow} {framework}{})", opt_filter(filter))
            }
            Statement::Crosswalk { set, framework, filter } => {
                write!(f, "(crosswalk {set} {framework}{})", opt_filter(filter))
            }
            Statement::Coverage { gaps, set, framework, options } => {
                let kw = if *gaps { "gaps" } else { "coverage" };
                write!(f, "({kw} {set} {framework}{options})")
            }
            Statement::Plan { set, framework, options } => write!(f, "(plan {set} {framework}{options})"),
            Statement::Path { control, framework, route } => write!(f, "(path {control} {framework}{route})"),
            Statement::Explain { set, target, route } => write!(f, "(explain {set} {target}{route})"),
            Statement::Export { statement, path, matrix, bom } => {
                write!(f, "(export {statement} {:?}", path.node)?;
                if *matrix {
                    write!(f, " matrix")?;
                }
                if *bom {
                    write!(f, " bom")?;
                }
                write!(f, ")")
            }
            Statement::Format(n) => write!(f, "(format {n})"),
            Statement::Help(None) => write!(f, "(help)"),
            Statement::Help(Some(t)) => write!(f, "(help {t})"),
        }
    }
}

fn opt_filter(filter: &Option<Spanned<Filter>>) -> String {
    filter.as_ref().map(|w| format!(" (where {w})")).unwrap_or_default()
}

impl fmt::Display for TargetOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", opt_filter(&self.filter), self.route)?;
        if self.with_parts {
            write!(f, " (with parts)")?;
        }
        if self.with_na {
            write!(f, " (with n/a)")?;
        }
        if self.without_marginal {
            write!(f, " (without marginal)")?;
        }
        if let Some(scope) = &self.scope {
            let names: Vec<&str> = scope.iter().map(|n| n.node.as_str()).collect();
            write!(f, " (scope {})", names.join(" "))?;
        }
        if let Some(x) = &self.except {
            write!(f, " (except {x})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Default => Ok(()),
            Route::Direct => write!(f, " direct"),
            Route::Via(k) => write!(f, " (via {k})"),
        }
    }
}

impl fmt::Display for ControlRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.id)
    }
}

impl fmt::Display for SetExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetExpr::Framework(k) => write!(f, "{k}"),
            SetExpr::Control(c) => write!(f, "{c}"),
            SetExpr::Items { framework, items } => {
                write!(f, "({framework}")?;
                for i in items {
                    write!(f, " {i}")?;
                }
                write!(f, ")")
            }
            SetExpr::Var(n) => write!(f, "${n}"),
            SetExpr::Soa(p) => write!(f, "(soa {:?})", p.node),
            SetExpr::Union(a, b) => write!(f, "(| {a} {b})"),
            SetExpr::Intersect(a, b) => write!(f, "(& {a} {b})"),
            SetExpr::Except(a, b) => write!(f, "(- {a} {b})"),
            SetExpr::Filtered(s, w) => write!(f, "(where {s} {w})"),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Id(id) => write!(f, "{id}"),
            Item::Pattern(p) => write!(f, "(glob {p})"),
            Item::Range(a, b) => write!(f, "(range {a} {b})"),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::And(a, b) => write!(f, "(and {a} {b})"),
            Filter::Or(a, b) => write!(f, "(or {a} {b})"),
            Filter::Not(a) => write!(f, "(not {a})"),
            Filter::Compare { field, op, value } => write!(f, "({} {field} {:?})", op.as_str(), value.node),
        }
    }
}

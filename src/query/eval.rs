//! Evaluating statements against the database: each statement kind becomes an [`Output`].

use std::collections::HashMap;
use std::path::PathBuf;

use indexmap::IndexMap;

use super::ast::*;
use super::filter::{self, Condition, Subject};
use super::sets::{self, ControlSet, Names, Scope};
use crate::coverage::{self, Routes};
use crate::db::{Database, Link};
use crate::diag::{Diagnostic, Error};
use crate::model::{CtlId, FwId, MapId, State, Strength};
use crate::output::Format;
use crate::report::*;

/// What statements share in a session: named sets, the output format, where relative files are.
#[derive(Debug, Clone)]
pub struct Env {
    pub vars: Names,
    pub format: Format,
    pub base_dir: PathBuf,
    /// What the last statement warned of; the session prints and clears it.
    pub warnings: std::cell::RefCell<Vec<String>>,
    /// Files the session has read (Statements of Applicability), each with its SHA-256, for exports to cite.
    pub inputs: std::cell::RefCell<Vec<(String, String)>>,
}

impl Default for Env {
    fn default() -> Env {
        Env {
            vars: HashMap::new(),
            format: Format::Table,
            base_dir: PathBuf::from("."),
            warnings: Default::default(),
            inputs: Default::default(),
        }
    }
}

impl Env {
    /// The session with the same format and folder, and `vars` for its named sets.
    pub fn with_vars(&self, vars: Names) -> Env {
        Env { vars, format: self.format, base_dir: self.base_dir.clone(), ..Env::default() }
    }
}

/// Evaluates one statement. `src` is the source the statement's spans point into.
pub fn eval(db: &Database, env: &mut Env, stmt: &Spanned<Statement>, src: &str) -> Result<Output, Error> {
    let text = |span: crate::diag::Span| src.get(span.start..span.end).unwrap_or_default().trim().to_string();
    let scope = Scope { db, vars: &env.vars, base_dir: &env.base_dir, warnings: &env.warnings, inputs: &env.inputs };
    match &stmt.node {
        Statement::Let { name, set } => {
            let value = sets::eval(&scope, set)?;
            let n = value.len();
            let mut msg = format!("${} = {n} control{}", name.node, if n == 1 { "" } else { "s" });
            if let Some(counts) = &value.soa_counts {
                msg.push_str(&format!(" from the Statement of Applicability: {}", counts.describe()));
            }
            env.vars.insert(name.node.clone(), std::sync::Arc::new(value));
            Ok(message(msg))
        }
        Statement::Frameworks => Ok(Output::Frameworks(frameworks(db))),
        Statement::Show(c) => Ok(Output::Control(Box::new(show(db, sets::control(db, c)?)))),
        Statement::List(set) => Ok(Output::Controls(list(db, &sets::eval(&scope, set)?))),
        Statement::Search { text: needle, within } => {
            if needle.node.split_whitespace().next().is_none() {
                let d = Diagnostic::new("search needs a word to look for", needle.span)
                    .with_help("search \"encrypt\", or list a whole set with `list KEY`");
                return Err(d.into());
            }
            let distinct = super::search::query_words(&needle.node).len();
            if distinct > super::search::MAX_WORDS {
                let msg = format!(
                    "search looks for at most {} different words, and this gives {distinct}",
                    super::search::MAX_WORDS
                );
                let help = "a control must hold every word: search for a few telling ones (search \"encrypt backup\")";
                return Err(Diagnostic::new(msg, needle.span).with_help(help).into());
            }
            let pool = match within {
                Some(w) => Some(sets::eval(&scope, w)?),
                None => None,
            };
            Ok(Output::Controls(search(db, &needle.node, pool.as_ref())))
        }
        Statement::Map { set, direction, framework, filter } => {
            let sources = sets::eval(&scope, set)?;
            let fw = sets::framework(db, framework)?;
            let cond = filter.as_ref().map(|f| filter::compile(db, f, &[fw], true)).transpose()?;
            Ok(Output::Mappings(mappings(db, &sources, text(set.span), fw, *direction, cond.as_ref())))
        }
        Statement::Crosswalk { set, framework, filter } => {
            let sources = sets::eval(&scope, set)?;
            let fw = sets::framework(db, framework)?;
            let cond = filter.as_ref().map(|f| filter::compile(db, f, &[fw], true)).transpose()?;
            let mut list = mappings(db, &sources, text(set.span), fw, Direction::Forward, cond.as_ref());
            list.every_source = true;
            Ok(Output::Mappings(list))
        }
        Statement::Coverage { gaps, set, framework, options } => {
            let sources = sets::eval(&scope, set)?;
            let fw = sets::framework(db, framework)?;
            let opts = target_options(db, fw, options)?;
            let targets = targets(db, fw, options.filter.as_ref(), &opts)?;
            let source_fws = source_frameworks(db, &sources, set);
            let report = CoverageRequest { sources: &sources, source: text(set.span), fw, targets, opts, gaps: *gaps };
            Ok(Output::Coverage(coverage_report(db, &report, &source_fws, options.with_parts)))
        }
        Statement::Plan { set, framework, options } => {
            let sources = sets::eval(&scope, set)?;
            let fw = sets::framework(db, framework)?;
            let opts = target_options(db, fw, options)?;
            let targets = targets(db, fw, options.filter.as_ref(), &opts)?;
            let except = match &options.except {
                Some(x) => Some((sets::eval(&scope, x)?, text(x.span))),
                None => None,
            };
            let request = coverage::PlanRequest {
                set: &sources,
                source: text(set.span),
                target: fw,
                targets,
                routes: routes_text(db, opts.routes),
                options: opts,
                frameworks: source_frameworks(db, &sources, set),
                except,
            };
            Ok(Output::Plan(coverage::plan(db, &request)))
        }
        Statement::Path { control, framework, route } => {
            let c = sets::control(db, control)?;
            let fw = sets::framework(db, framework)?;
            let routes = routes(db, route, Routes::Any, fw)?;
            Ok(Output::Paths(path(db, c, fw, routes)))
        }
        Statement::Explain { set, target, route } => {
            let sources = sets::eval(&scope, set)?;
            let t = sets::control(db, target)?;
            let routes = routes(db, route, Routes::Any, db.control(t).framework)?;
            let options = coverage::Options { routes, ..coverage::Options::direct() };
            let mut report = coverage::explain(db, &sources, text(set.span), t, &options);
            report.routes = routes_text(db, routes);
            Ok(Output::Explain(report))
        }
        Statement::Export { statement, path, matrix, bom } => {
            let output = eval(db, env, statement, src)?;
            let target = env.base_dir.join(&path.node);
            let context = export_context(db, env, text(statement.span));
            let written =
                crate::output::export::write(&output, db, &target, &path.node, path.span, (*matrix, *bom), &context)?;
            Ok(message(written))
        }
        Statement::Format(name) => {
            env.format = name.node.parse::<Format>().map_err(|e| Diagnostic::new(e, name.span))?;
            Ok(message(format!("output format: {}", env.format)))
        }
        Statement::Help(topic) => {
            let text = crate::help::topic(topic.as_ref().map(|t| t.node.as_str())).map_err(|e| match topic {
                Some(t) => Error::Query(Diagnostic::new(e, t.span)),
                None => Error::Query(Diagnostic::new(e, stmt.span)),
            })?;
            Ok(message(text))
        }
    }
}

/// What an export rests on: the statement, the database, the files the session read.
pub fn export_context(db: &Database, env: &Env, query: String) -> crate::output::export::Context {
    crate::output::export::Context { query, database: db.cite(), inputs: env.inputs.borrow().clone() }
}

fn message(text: impl Into<String>) -> Output {
    Output::Message(Message { text: text.into() })
}

fn routes(db: &Database, route: &Route, default: Routes, target: FwId) -> Result<Routes, Diagnostic> {
    match route {
        Route::Default => Ok(default),
        Route::Direct => Ok(Routes::Direct),
        Route::Via(name) => {
            let via = sets::framework(db, name)?;
            if via == target {
                let msg =
                    format!("`via {}` names the target framework; name a third framework to route through", name.node);
                return Err(Diagnostic::new(msg, name.span));
            }
            Ok(Routes::Via(via))
        }
    }
}

fn routes_text(db: &Database, routes: Routes) -> String {
    match routes {
        Routes::Direct => "direct".to_string(),
        Routes::Via(f) => format!("direct + via {}", db.framework(f).key),
        Routes::Any => "direct + via any framework".to_string(),
    }
}

fn frameworks(db: &Database) -> FrameworkList {
    let frameworks = db
        .frameworks
        .iter()
        .enumerate()
        .map(|(i, fw)| {
            let i = i as FwId;
            let mut levels: IndexMap<String, usize> = fw.levels.iter().map(|l| (l.clone(), 0)).collect();
            for c in fw.controls.clone() {
                levels[db.control(c).level as usize] += 1;
            }
            let mapped_to = (0..db.frameworks.len() as FwId)
                .filter(|&o| o != i && db.has_set(i, o))
                .map(|o| db.framework(o).key.clone())
                .collect();
            FrameworkRow {
                key: fw.key.clone(),
                name: fw.name.clone(),
                version: fw.version.clone(),
                publisher: fw.publisher.clone(),
                aliases: fw.aliases.clone(),
                controls: db.controls_of(i).count(),
                levels,
                mapped_to,
            }
        })
        .collect();
    FrameworkList { frameworks }
}

fn attributes(db: &Database, c: CtlId) -> IndexMap<String, Vec<String>> {
    let control = db.control(c);
    let fw = db.framework(control.framework);
    fw.attributes
        .iter()
        .zip(&control.attributes)
        .filter(|(_, v)| !v.is_empty())
        .map(|(a, v)| (a.name.clone(), v.clone()))
        .collect()
}

fn show(db: &Database, c: CtlId) -> ControlDetail {
    let control = db.control(c);
    let mut parents: Vec<ControlInfo> = db.ancestors(c).map(|p| ControlInfo::of(db, p)).collect();
    parents.reverse();
    let mut links: Vec<Link> = db.links(c).collect();
    links.sort_by_key(|l| l.to);
    let mut rows: Vec<MappingRow> = links.iter().map(|l| mapping_row(db, l.from, l)).collect();
    for &m in &db.index.groups {
        let row = &db.mappings[m as usize];
        if row.sources().any(|s| s == c) {
            rows.push(group_row(db, m, false));
        } else if row.target == c {
            rows.push(group_row(db, m, true));
        }
    }
    ControlDetail {
        control: ControlInfo::of(db, c),
        level: db.level_name(c).to_string(),
        mappable: control.mappable,
        parents,
        children: control.children.iter().map(|&k| ControlInfo::of(db, k)).collect(),
        description: control.description.to_string(),
        not_applicable: (!control.applicable).then(|| coverage::na_reason(db, c)),
        attributes: attributes(db, c),
        aliases: control.aliases.clone(),
        mappings: rows,
    }
}

/// The rows with several sources that a `map` or `crosswalk` shows, each with
/// the control of the set it concerns and whether it is read from its target's
/// side. Forwards: those with a source in the set and the target in `fw`, as
/// stored; and those whose target is in the set and whose sources are in `fw`,
/// read from the target (`S subset-of X + Y`). Backwards the same two, the side
/// in `fw` named first.
fn group_rows(db: &Database, set: &ControlSet, fw: FwId, direction: Direction) -> Vec<(CtlId, MapId, bool)> {
    let mut out = Vec::new();
    for &m in &db.index.groups {
        let row = &db.mappings[m as usize];
        let member = row.sources().find(|&s| set.strength(s).is_some());
        let sources_in_fw = row.sources().any(|s| db.control(s).framework == fw);
        let target_in_set = set.strength(row.target).is_some();
        if db.control(row.target).framework == fw {
            if let Some(s) = member {
                out.push((s, m, direction == Direction::Backward));
            }
        } else if sources_in_fw && target_in_set {
            out.push((row.target, m, direction == Direction::Forward));
        }
    }
    out
}

/// A row with several sources, read forwards (`5.1 + 5.37 superset-of CC5.3.1`)
/// or, `reversed`, from its target's side.
fn group_row(db: &Database, m: MapId, reversed: bool) -> MappingRow {
    let row = &db.mappings[m as usize];
    let members: Vec<CtlId> = row.sources().collect();
    // A member of another framework than the first is named with its key.
    let first_fw = db.control(row.source).framework;
    let ids: Vec<String> = members
        .iter()
        .map(|&c| if db.control(c).framework == first_fw { db.control(c).id.to_string() } else { db.qualified(c) })
        .collect();
    let titles: Vec<&str> = members.iter().map(|&c| db.control(c).title.as_ref()).collect();
    let group = (db.key_of(row.source).to_string(), ids.join(" + "), titles.join(" + "));
    let one = ControlInfo::of(db, row.target);
    let ((sf, si, st), (tf, ti, tt)) = if reversed {
        ((one.framework, one.id.to_string(), one.title.to_string()), group)
    } else {
        (group, (one.framework, one.id.to_string(), one.title.to_string()))
    };
    MappingRow {
        source_framework: sf,
        source_id: si,
        source_title: st,
        relationship: if reversed { row.relationship.reverse() } else { row.relationship },
        target_framework: tf,
        target_id: ti,
        target_title: tt,
        provenance: db.provenances[row.provenance as usize].key.clone(),
        rationale: row.rationale.to_string(),
        marginal: row.marginal,
        // A group's members may differ; only the single control's side carries its attributes.
        source_attributes: if reversed { db.summary_attributes(row.target) } else { IndexMap::new() },
        target_attributes: if reversed { IndexMap::new() } else { db.summary_attributes(row.target) },
        target_control: if reversed { None } else { control_of_part(db, row.target) },
        row: Some((m, reversed)),
    }
}

/// A link as a row; `source` is the control whose side the link is read from.
fn mapping_row(db: &Database, source: CtlId, link: &Link) -> MappingRow {
    let m = &db.mappings[link.mapping as usize];
    let (s, t) = (ControlInfo::of(db, source), ControlInfo::of(db, link.to));
    MappingRow {
        source_framework: s.framework,
        source_id: s.id.to_string(),
        source_title: s.title.to_string(),
        relationship: link.relationship,
        target_framework: t.framework,
        target_id: t.id.to_string(),
        target_title: t.title.to_string(),
        provenance: db.provenances[m.provenance as usize].key.clone(),
        rationale: m.rationale.to_string(),
        marginal: m.marginal,
        source_attributes: db.summary_attributes(source),
        target_attributes: db.summary_attributes(link.to),
        target_control: control_of_part(db, link.to),
        row: Some((link.mapping, m.source != source)),
    }
}

/// The id of the control a part belongs to; `None` for a node that is not a part.
fn control_of_part(db: &Database, c: CtlId) -> Option<String> {
    if !db.control(c).part {
        return None;
    }
    db.ancestors(c).find(|&a| db.control(a).is_control()).map(|a| db.control(a).id.to_string())
}

fn item(db: &Database, c: CtlId) -> ControlItem {
    let control = db.control(c);
    ControlItem {
        framework: db.key_of(c).to_string(),
        id: control.id.to_string(),
        title: control.title.to_string(),
        level: db.level_name(c).to_string(),
        group: coverage::group_label(db, c),
        description: control.description.to_string(),
        attributes: attributes(db, c),
    }
}

fn list(db: &Database, set: &ControlSet) -> ControlList {
    ControlList { controls: set.ids().map(|c| item(db, c)).collect(), note: None }
}

/// Every node that holds all the words of `needle`, best first, with a hint when there is none.
fn search(db: &Database, needle: &str, within: Option<&ControlSet>) -> ControlList {
    let controls: Vec<ControlItem> = super::search::find(db, needle, within).into_iter().map(|c| item(db, c)).collect();
    let note = controls.is_empty().then(|| super::search::hint(db, needle));
    ControlList { controls, note }
}

fn mappings(
    db: &Database,
    sources: &ControlSet,
    source: String,
    fw: FwId,
    direction: Direction,
    cond: Option<&Condition>,
) -> MappingList {
    let mut rows: Vec<(CtlId, CtlId, MappingRow)> = Vec::new();
    let mut mapped: std::collections::BTreeSet<CtlId> = std::collections::BTreeSet::new();
    // A control with parts stands for them: SOC 2's criteria are mapped point by point.
    let mut expanded = sources.clone();
    for (c, strength) in sources.iter() {
        for d in db.within(c) {
            expanded.insert(d, strength);
        }
    }
    for (member, row, reversed) in group_rows(db, &expanded, fw, direction) {
        let m = &db.mappings[row as usize];
        // The filter reads the row from the set's side: the control in `fw` and the relationship toward it.
        let (other, relationship) =
            if member == m.target { (m.source, m.relationship.reverse()) } else { (m.target, m.relationship) };
        let subject = Subject {
            control: other,
            relationship: Some(relationship),
            provenance: Some(db.provenances[m.provenance as usize].key.as_str()),
            marginal: Some(m.marginal),
        };
        mapped.insert(member);
        if cond.is_none_or(|cond| cond.test(db, subject)) {
            let (first, second) = if reversed { (m.target, m.source) } else { (m.source, m.target) };
            rows.push((first, second, group_row(db, row, reversed)));
        }
    }
    for c in expanded.ids() {
        let links = db.links_to(c, fw);
        if !links.is_empty() {
            mapped.insert(c);
        }
        for link in links {
            let m = &db.mappings[link.mapping as usize];
            let subject = Subject {
                control: link.to,
                relationship: Some(link.relationship),
                provenance: Some(db.provenances[m.provenance as usize].key.as_str()),
                marginal: Some(m.marginal),
            };
            if cond.is_some_and(|cond| !cond.test(db, subject)) {
                continue;
            }
            match direction {
                Direction::Forward => rows.push((c, link.to, mapping_row(db, c, &link))),
                Direction::Backward => {
                    let back =
                        Link { from: link.to, to: c, relationship: link.relationship.reverse(), mapping: link.mapping };
                    rows.push((link.to, c, mapping_row(db, link.to, &back)));
                }
            }
        }
    }
    rows.sort_by_key(|(s, t, _)| (*s, *t));
    let unmapped: Vec<CtlId> =
        sources.ids().filter(|&c| !mapped.contains(&c) && !db.within(c).iter().any(|d| mapped.contains(d))).collect();
    let unmapped_attributes =
        unmapped.iter().map(|&c| (db.qualified(c), db.summary_attributes(c))).filter(|(_, a)| !a.is_empty()).collect();
    let unmapped = unmapped.into_iter().map(|c| ControlInfo::of(db, c)).collect();
    let target = db.framework(fw).key.clone();
    let (source_controls, target_controls) = match direction {
        Direction::Forward => (
            sources.ids().map(|c| ControlInfo::of(db, c)).collect(),
            db.controls_of(fw).map(|c| ControlInfo::of(db, c)).collect(),
        ),
        Direction::Backward => (
            db.controls_of(fw).map(|c| ControlInfo::of(db, c)).collect(),
            sources.ids().map(|c| ControlInfo::of(db, c)).collect(),
        ),
    };
    let source_fws = sources.frameworks(db);
    let note = (!source_fws.is_empty() && source_fws.iter().all(|&s| !db.has_set(s, fw) && s != fw)).then(|| {
        format!(
            "no mapping set links {} and {target}; `coverage SET -> {target} via KEY` follows routes through a third framework",
            source_fws.iter().map(|&f| db.framework(f).key.as_str()).collect::<Vec<_>>().join(", ")
        )
    });
    MappingList {
        source,
        target,
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
        unmapped,
        unmapped_attributes,
        target_controls,
        source_controls,
        every_source: false,
        note,
    }
}

/// The targets of a coverage, gaps or plan: the controls of the framework the filter keeps, in scope.
fn targets(
    db: &Database,
    fw: FwId,
    filter: Option<&Spanned<super::ast::Filter>>,
    opts: &coverage::Options,
) -> Result<Vec<CtlId>, Error> {
    let cond = filter.map(|f| filter::compile(db, f, &[fw], false)).transpose()?;
    let in_scope = |t: CtlId| opts.scope.as_ref().is_none_or(|s| s.admits(db, t));
    Ok(db
        .controls_of(fw)
        .filter(|&t| in_scope(t) && cond.as_ref().is_none_or(|c| c.test(db, Subject::control(t))))
        .collect())
}

/// How a coverage, gaps or plan statement judges: its routes, `with n/a`, its scope.
fn target_options(db: &Database, fw: FwId, options: &TargetOptions) -> Result<coverage::Options, Error> {
    Ok(coverage::Options {
        routes: routes(db, &options.route, Routes::Direct, fw)?,
        with_na: options.with_na,
        scope: options.scope.as_ref().map(|names| scope(db, fw, names)).transpose()?,
        without_marginal: options.without_marginal,
    })
}

/// The categories a `scope` clause names, checked against the framework's scope attribute.
fn scope(db: &Database, fw: FwId, names: &[Name]) -> Result<coverage::Scope, Error> {
    let f = db.framework(fw);
    let span = names[0].span.to(names[names.len() - 1].span);
    let Some(attribute) = f.scope.as_ref().and_then(|a| f.attribute_index(a)) else {
        let msg = format!("{} has no categories to scope", f.key);
        return Err(Diagnostic::new(msg, span).with_help("`scope` applies to frameworks such as soc2").into());
    };
    let known = &f.attributes[attribute].values;
    let mut values = Vec::new();
    for n in names {
        // Security is in every examination: naming it changes nothing.
        if filter::normalize(&n.node) == "security" {
            continue;
        }
        match known.iter().find(|v| filter::normalize(v) == filter::normalize(&n.node)) {
            Some(v) => values.push(v.clone()),
            None => {
                let d = Diagnostic::new(format!("no category of {} is `{}`", f.key, n.node), n.span);
                let categories = known.iter().map(String::as_str).chain(["Security"]);
                let d = match crate::suggest::closest(&n.node, categories) {
                    Some(s) => d.with_label(format!("did you mean `{s}`?")),
                    None => d,
                };
                return Err(d.with_help(format!("categories: Security, {}", known.join(", "))).into());
            }
        }
    }
    Ok(coverage::Scope { attribute, values })
}

/// The frameworks a set's controls come from, or, for an empty set, those its expression names.
fn source_frameworks(db: &Database, sources: &ControlSet, expr: &Spanned<SetExpr>) -> Vec<FwId> {
    let fws = sources.frameworks(db);
    if fws.is_empty() {
        sets::frameworks_named(db, expr)
    } else {
        fws
    }
}

struct CoverageRequest<'a> {
    sources: &'a ControlSet,
    source: String,
    fw: FwId,
    targets: Vec<CtlId>,
    opts: coverage::Options,
    gaps: bool,
}

fn coverage_report(db: &Database, r: &CoverageRequest, source_fws: &[FwId], with_parts: bool) -> CoverageReport {
    let e = coverage::Evaluation::new(db, r.sources, r.fw, &r.opts);
    let everything = source_fws.iter().fold(r.sources.clone(), |set, &f| set.union(ControlSet::of(db.controls_of(f))));
    let complete = coverage::Evaluation::new(db, &everything, r.fw, &r.opts);
    let mut rows = coverage::rows(&e, Some(&complete), r.sources, &r.targets, with_parts);
    let summary = coverage::summarize(db, &rows, &r.targets, r.fw);
    if r.gaps {
        rows.retain(|row| matches!(row.state, State::None | State::Partial));
    }
    let target = db.framework(r.fw).key.clone();
    let note = if r.sources.is_empty() {
        Some("the source set is empty, so nothing is covered".to_string())
    } else if r.opts.routes == Routes::Direct && source_fws.iter().all(|&s| !db.has_set(s, r.fw)) {
        Some(format!(
            "no mapping set links the sources to {target}; add `via KEY` to follow routes through a third framework"
        ))
    } else {
        None
    };
    CoverageReport {
        source: r.source.clone(),
        source_controls: r.sources.len(),
        target,
        routes: routes_text(db, r.opts.routes),
        gaps_only: r.gaps,
        with_parts,
        with_na: r.opts.with_na,
        rows,
        summary,
        note,
    }
}

fn path(db: &Database, c: CtlId, fw: FwId, routes: Routes) -> PathReport {
    let mut rows: Vec<RouteRow> = coverage::routes_from(db, c, fw, None, routes)
        .iter()
        .filter(|r| !r.superseded)
        .map(|r| coverage::route_row(db, r, Strength::Full))
        .collect();
    known_first(&mut rows);
    PathReport {
        from: ControlInfo::of(db, c),
        target: db.framework(fw).key.clone(),
        routes: routes_text(db, routes),
        rows,
    }
}

/// Routes that count come first, direct before derived, then those that prove nothing.
fn known_first(rows: &mut [RouteRow]) {
    coverage::known_first(rows)
}

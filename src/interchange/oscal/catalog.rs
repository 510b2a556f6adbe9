//! OSCAL catalogs (the `catalog` model of OSCAL 1.x, in which NIST publishes SP 800-53
//! and CSF 2.0) read into the neutral form of a catalog tree.
//!
//! Groups make the tree; controls, and the controls under them (enhancements), are
//! controls; the items of a control's `statement` part are its parts. A node goes by
//! the id its publisher prints: its `label` property (`AC-2`, `AC-2(1)`; an item's
//! label after its control's, `AC-2a.`, `AC-2(3)(a)`), or the file's own id where it
//! has no label a query can name. The file's ids (`ac-2`, `ac-2.1`, `ac-2_smt.a`),
//! the statement's id and the other labels (`AC-02`) are aliases, so mappings
//! written against the file's ids find their nodes. A control whose `status`
//! property says `withdrawn` is kept, marked as placing no duty.

use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use crate::db::catalog::{is_id, MAX_TREE_DEPTH};
use crate::diag::DataError;
use crate::interchange::json::{kind, Node, Owned};
use crate::interchange::{one_line, Catalog, Document, Entry, Level};

/// Longest text a statement's parameters may expand to; a file cannot make a description without end.
const MAX_TEXT: usize = 16 * 1024;

/// Reads a parsed JSON file that holds an OSCAL `catalog`.
pub fn read_catalog(display: &str, value: &Value) -> Result<Document, Vec<DataError>> {
    let root = Owned::root(value);
    let Some(c) = root.node().get("catalog") else {
        return Err(vec![DataError::in_doc(display, "$", "missing `catalog`")]);
    };
    let c = c.node();
    if !c.value.is_object() {
        let msg = format!("is {}, where the catalog's object is expected", kind(c.value));
        return Err(vec![DataError::in_doc(display, c.path(), msg)]);
    }
    let mut doc = Document { format: "OSCAL catalog", ..Document::default() };
    super::read::title_version_publisher(c, display, &mut doc);
    let mut r = Reader { display, ..Reader::default() };
    let mut counts: HashMap<String, usize> = HashMap::default();
    count_labels(c.value, &mut counts, 0);
    r.shared_labels = counts.into_iter().filter(|&(_, n)| n > 1).map(|(l, _)| l).collect();
    r.shared_labels.sort();
    r.scope(c);
    r.children(c, None, 1);
    if !r.entries.iter().any(|e| matches!(e.level, Level::Control | Level::Enhancement)) && r.errors.is_empty() {
        let msg = "has no controls: a catalog lists them under `groups` or `controls`";
        r.errors.push(DataError::in_doc(display, c.path(), msg));
    }
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    r.say_where_withdrawn_text_went();
    doc.notes = r.notes();
    let group_level = match r.classes.first() {
        Some(class) if r.classes.iter().all(|k| k == class) && level_word(class) => class.clone(),
        _ => "group".to_string(),
    };
    doc.catalog = Some(Catalog { uuid: c.text("uuid").unwrap_or_default(), group_level, entries: r.entries });
    Ok(doc)
}

/// A group's class that can name the groups' level: a lower-case word not taken by the other levels.
fn level_word(class: &str) -> bool {
    crate::db::catalog::is_name(class) && !["control", "enhancement", "item"].contains(&class)
}

#[derive(Default)]
struct Reader<'a> {
    display: &'a str,
    entries: Vec<Entry>,
    errors: Vec<DataError>,
    /// Every id and alias given so far, with its node.
    names: HashMap<String, usize>,
    /// The parameters in scope: each id's texts, innermost last.
    params: HashMap<String, Vec<String>>,
    /// The ids of the parameters in scope, in the order they came in.
    scoped: Vec<String>,
    /// Withdrawn nodes' links to where their text went: (node, relation, reference).
    moved: Vec<(usize, String, String)>,
    /// The `class` of each group.
    classes: Vec<String>,
    unnamed_groups: usize,
    unnamed_items: usize,
    /// Groups and controls with an empty title.
    untitled: usize,
    /// Labels that several groups or controls carry (a group's number within
    /// its parent, as `1`, `2`): local numbers, not names; those nodes go by their ids.
    shared_labels: Vec<String>,
}

impl Reader<'_> {
    /// A node's groups, then its controls.
    fn children(&mut self, x: Node, parent: Option<usize>, depth: usize) {
        if let Some(groups) = x.get("groups") {
            for g in groups.node().objects("a group", self.display, &mut self.errors) {
                self.group(g.node(), parent, depth);
            }
        }
        if let Some(controls) = x.get("controls") {
            let level = if parent.is_some_and(|p| self.entries[p].level != Level::Group) {
                Level::Enhancement
            } else {
                Level::Control
            };
            for k in controls.node().objects("a control", self.display, &mut self.errors) {
                self.control(k.node(), parent, level, depth);
            }
        }
    }

    fn too_deep(&mut self, x: Node, depth: usize) -> bool {
        if depth <= MAX_TREE_DEPTH {
            return false;
        }
        let n = MAX_TREE_DEPTH;
        let msg = format!("sits more than {n} levels deep; a catalog tree has at most {n}");
        self.errors.push(DataError::in_doc(self.display, x.path(), msg));
        true
    }

    fn group(&mut self, g: Node, parent: Option<usize>, depth: usize) {
        if self.too_deep(g, depth) {
            return;
        }
        let title = self.title(g);
        let (Some((id, aliases)), Some(title)) = (self.naming(g, labels(g), g.text("id"), Vec::new()), title) else {
            // A group without an id or a label has no name to give: its controls sit under the group above.
            self.unnamed_groups += usize::from(g.value.get("id").is_none() && labels(g).is_empty());
            self.children(g, parent, depth);
            return;
        };
        self.classes.push(g.text("class").unwrap_or_default());
        let title = if title.is_empty() { id.clone() } else { one_line(&title) };
        let entry = entry(id, aliases, parent, Level::Group, title, g.path());
        let Some(at) = self.add(entry) else { return };
        self.children(g, Some(at), depth + 1);
    }

    fn control(&mut self, x: Node, parent: Option<usize>, level: Level, depth: usize) {
        if self.too_deep(x, depth) {
            return;
        }
        let own = x.required_text("id", self.display, &mut self.errors);
        let title = self.title(x);
        let (Some(own), Some(title)) = (own, title) else { return };
        let parts = x.get("parts");
        let parts = parts.as_ref().map(|p| p.node().items()).unwrap_or_default();
        let statement = parts.into_iter().find(|s| s.node().text("name").as_deref() == Some("statement"));
        let more: Vec<String> = statement.iter().filter_map(|s| s.node().text("id")).collect();
        let labels = labels(x);
        let Some((id, aliases)) = self.naming(x, labels.clone(), Some(own.clone()), more) else { return };
        let before = self.scoped.len();
        self.scope(x);
        let title = if title.is_empty() { id.clone() } else { one_line(&title) };
        let mut e = entry(id.clone(), aliases, parent, level, title, x.path());
        e.description =
            statement.as_ref().and_then(|s| s.node().text("prose")).map_or(String::new(), |p| self.render(&p, 0));
        let withdrawn = props(x, "status").iter().any(|s| s.eq_ignore_ascii_case("withdrawn"));
        if withdrawn {
            e.withdrawn = "withdrawn".to_string();
        }
        if let Some(at) = self.add(e) {
            if withdrawn {
                self.note_links(x, at);
            }
            if let Some(s) = &statement {
                let by_label = labels.contains(&id) && self.shared_labels.binary_search(&id).is_err();
                self.statement(s.node(), at, by_label.then_some(id.as_str()), depth + 1);
            }
            self.children(x, Some(at), depth + 1);
        }
        for gone in self.scoped.drain(before..) {
            if let Some(texts) = self.params.get_mut(&gone) {
                texts.pop();
            }
        }
    }

    /// A node's title; an empty one is counted (the node then shows its id), a missing one is an error.
    fn title(&mut self, x: Node) -> Option<String> {
        if x.value.get("title").and_then(Value::as_str).is_some_and(|t| t.trim().is_empty()) {
            self.untitled += 1;
            return Some(String::new());
        }
        x.required_text("title", self.display, &mut self.errors)
    }

    /// The id a node goes by, and its other names: its first label a query can
    /// name, else its own id. `None`, with an error, when it has neither; `None`
    /// alone for a node with no id and no label.
    fn naming(
        &mut self,
        x: Node,
        labels: Vec<String>,
        own: Option<String>,
        more: Vec<String>,
    ) -> Option<(String, Vec<String>)> {
        let labels: Vec<String> = labels.into_iter().filter(|l| self.shared_labels.binary_search(l).is_err()).collect();
        let id = labels.iter().find(|l| is_id(l)).or(own.as_ref().filter(|o| is_id(o))).cloned();
        let Some(id) = id else {
            if let Some(own) = own {
                let msg = format!("id `{own}` has characters a query cannot name, and no label can stand for it");
                self.errors.push(DataError::in_doc(self.display, &x.at("id"), msg));
            }
            return None;
        };
        let mut aliases: Vec<String> = Vec::new();
        for a in own.into_iter().chain(labels).chain(more) {
            if is_id(&a) && a != id && !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        Some((id, aliases))
    }

    /// Adds a node under its names; a name another node has is an error, and the node is left out.
    fn add(&mut self, e: Entry) -> Option<usize> {
        for name in std::iter::once(&e.id).chain(&e.aliases) {
            if let Some(&other) = self.names.get(name) {
                let msg =
                    format!("`{name}` names both this and {}; an id or label names one node", self.entries[other].at);
                self.errors.push(DataError::in_doc(self.display, &e.at, msg));
                return None;
            }
        }
        let at = self.entries.len();
        for name in std::iter::once(&e.id).chain(&e.aliases) {
            self.names.insert(name.clone(), at);
        }
        self.entries.push(e);
        Some(at)
    }

    /// The items of a control's statement, as its parts. When one of them has no
    /// name (no id, and no label after a labelled control), none are kept: the
    /// control is read as one requirement, which claims no more than the file says.
    fn statement(&mut self, s: Node, control: usize, prefix: Option<&str>, depth: usize) {
        let mut planned: Vec<(Entry, Option<usize>)> = Vec::new();
        if !self.plan_items(s, None, prefix, depth, &mut planned) {
            self.unnamed_items += 1;
            return;
        }
        let mut placed: Vec<Option<usize>> = Vec::with_capacity(planned.len());
        for (mut e, parent) in planned {
            let parent = match parent {
                None => Some(control),
                Some(p) => placed[p],
            };
            e.parent = parent;
            placed.push(parent.and_then(|_| self.add(e)));
        }
    }

    /// Plans the items under a part, each after its parent; false when one cannot be named.
    fn plan_items(
        &mut self,
        part: Node,
        parent: Option<usize>,
        prefix: Option<&str>,
        depth: usize,
        out: &mut Vec<(Entry, Option<usize>)>,
    ) -> bool {
        let Some(parts) = part.get("parts") else { return true };
        for p in parts.node().objects("an item of a statement", self.display, &mut self.errors) {
            let n = p.node();
            if self.too_deep(n, depth) {
                continue;
            }
            let own = n.text("id").filter(|o| is_id(o));
            let composed = prefix.zip(labels(n).first()).map(|(p, l)| format!("{p}{l}")).filter(|c| is_id(c));
            let by_label = composed.is_some();
            let Some(id) = composed.or(own.clone()) else { return false };
            let prose = n.text("prose").map_or(String::new(), |t| self.render(&t, 0));
            let title = n.text("title").map(|t| one_line(&t)).unwrap_or_default();
            let (title, description) = if title.is_empty() { (prose, String::new()) } else { (title, prose) };
            let aliases = own.into_iter().filter(|o| *o != id).collect();
            let mut e = entry(id.clone(), aliases, None, Level::Item, title, n.path());
            e.description = description;
            out.push((e, parent));
            let me = out.len() - 1;
            if !self.plan_items(n, Some(me), by_label.then_some(id.as_str()), depth + 1, out) {
                return false;
            }
        }
        true
    }

    /// Brings a node's parameters into scope, for the statements under it.
    fn scope(&mut self, x: Node) {
        let Some(params) = x.get("params") else { return };
        for p in params.node().items() {
            let n = p.node();
            let Some(id) = n.text("id") else { continue };
            self.params.entry(id.clone()).or_default().push(param_text(n, &id));
            self.scoped.push(id);
        }
    }

    /// Prose on one line, each `{{ insert: param, ID }}` shown as the parameter
    /// reads (`[Assignment: frequency]`), as far as [`MAX_TEXT`].
    fn render(&self, prose: &str, depth: u8) -> String {
        let mut out = String::new();
        let mut rest = prose;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else { break };
            out.push_str(&rest[..start]);
            let inner = &rest[start + 2..start + len];
            match param_ref(inner).and_then(|id| self.params.get(id)).and_then(|t| t.last()) {
                Some(text) if depth < 2 => out.push_str(&self.render(text, depth + 1)),
                Some(text) => out.push_str(text),
                None => out.push_str(&rest[start..start + len + 2]),
            }
            rest = &rest[start + len + 2..];
            if out.len() > MAX_TEXT {
                rest = "";
                out.push('…');
            }
        }
        out.push_str(rest);
        one_line(&out)
    }

    /// Where a withdrawn node's text went, by its `incorporated-into` and `moved-to` links.
    fn note_links(&mut self, x: Node, at: usize) {
        let Some(links) = x.get("links") else { return };
        for l in links.node().items() {
            let n = l.node();
            let (Some(rel), Some(href)) = (n.text("rel"), n.text("href")) else { continue };
            if matches!(rel.as_str(), "incorporated-into" | "moved-to") {
                self.moved.push((at, rel.replace('-', " "), href));
            }
        }
    }

    /// Adds to each withdrawn node's mark the nodes its text went to, by the names they go by here.
    fn say_where_withdrawn_text_went(&mut self) {
        let mut went: Vec<(usize, Vec<String>)> = Vec::new();
        for (at, rel, href) in std::mem::take(&mut self.moved) {
            let target = href.strip_prefix('#').unwrap_or(&href);
            let shown = self.names.get(target).map_or(target, |&t| self.entries[t].id.as_str());
            let said = format!("{rel} {shown}");
            match went.iter_mut().find(|(a, _)| *a == at) {
                Some((_, v)) => v.push(said),
                None => went.push((at, vec![said])),
            }
        }
        for (at, said) in went {
            self.entries[at].withdrawn = format!("withdrawn ({})", said.join("; "));
        }
    }

    fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.unnamed_groups > 0 {
            out.push(format!(
                "{} group(s) have neither an id nor a label; their controls sit under the group above",
                self.unnamed_groups
            ));
        }
        if self.unnamed_items > 0 {
            out.push(format!(
                "{} control(s) have statement items with neither an id nor a label; each such control is read \
                 as one requirement, without parts",
                self.unnamed_items
            ));
        }
        if self.untitled > 0 {
            out.push(format!(
                "{} group(s) or control(s) have an empty title; each shows its id instead",
                self.untitled
            ));
        }
        if !self.shared_labels.is_empty() {
            let shown: Vec<String> = self.shared_labels.iter().take(5).map(|l| format!("`{l}`")).collect();
            let more = if self.shared_labels.len() > 5 { ", ..." } else { "" };
            out.push(format!(
                "{} label(s) are carried by several groups or controls ({}{more}): they are read as numbers \
                 within their parent, not as names, and those nodes go by their ids",
                self.shared_labels.len(),
                shown.join(", ")
            ));
        }
        out
    }
}

/// Counts the labels of every group and control under `x` (each node's once).
fn count_labels(x: &Value, counts: &mut HashMap<String, usize>, depth: usize) {
    if depth > MAX_TREE_DEPTH + 1 {
        return;
    }
    for key in ["groups", "controls"] {
        let Some(Value::Array(nodes)) = x.get(key) else { continue };
        for n in nodes {
            let mut own: Vec<&str> = Vec::new();
            if let Some(Value::Array(props)) = n.get("props") {
                for p in props {
                    let label = (p.get("name").and_then(Value::as_str) == Some("label"))
                        .then(|| p.get("value").and_then(Value::as_str))
                        .flatten()
                        .filter(|v| !v.is_empty() && !own.contains(v));
                    own.extend(label);
                }
            }
            for l in own {
                *counts.entry(l.to_string()).or_default() += 1;
            }
            count_labels(n, counts, depth + 1);
        }
    }
}

fn entry(id: String, aliases: Vec<String>, parent: Option<usize>, level: Level, title: String, at: &str) -> Entry {
    let (description, withdrawn) = (String::new(), String::new());
    Entry { id, aliases, parent, level, title, description, withdrawn, at: at.to_string() }
}

/// The values of a node's properties called `name`, in order.
fn props(x: Node, name: &str) -> Vec<String> {
    let Some(props) = x.get("props") else { return Vec::new() };
    let named = props.node().items().into_iter().filter(|p| p.node().text("name").as_deref() == Some(name));
    named.filter_map(|p| p.node().text("value")).filter(|v| !v.is_empty()).collect()
}

/// A node's labels, each once: the publisher's own (a `label` without a `class`) first.
fn labels(x: Node) -> Vec<String> {
    let Some(props) = x.get("props") else { return Vec::new() };
    let mut plain = Vec::new();
    let mut classed = Vec::new();
    for p in props.node().items() {
        let n = p.node();
        if n.text("name").as_deref() != Some("label") {
            continue;
        }
        let Some(value) = n.text("value").filter(|v| !v.is_empty()) else { continue };
        let list = if n.value.get("class").is_none() { &mut plain } else { &mut classed };
        if !list.contains(&value) {
            list.push(value);
        }
    }
    classed.retain(|c| !plain.contains(c));
    plain.extend(classed);
    plain
}

/// How a parameter reads in a statement: its values; else `[Selection (one or more): A; B]`;
/// else `[Assignment: LABEL]` (or its id, when it has no label).
fn param_text(p: Node, id: &str) -> String {
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Array(items)) => items.iter().filter_map(|x| x.as_str().map(one_line)).collect(),
            Some(Value::String(s)) => vec![one_line(s)],
            _ => Vec::new(),
        }
    };
    let values = strings(p.value.get("values"));
    if !values.is_empty() {
        return values.join(", ");
    }
    if let Some(select) = p.value.get("select") {
        let choices = strings(select.get("choice"));
        let many = select.get("how-many").and_then(Value::as_str) == Some("one-or-more");
        return format!("[Selection{}: {}]", if many { " (one or more)" } else { "" }, choices.join("; "));
    }
    let label = p.text("label").map(|l| one_line(&l)).filter(|l| !l.is_empty());
    format!("[Assignment: {}]", label.as_deref().unwrap_or(id))
}

/// The parameter an insertion names: `insert: param, ac-02_odp.01`.
fn param_ref(inner: &str) -> Option<&str> {
    let (what, id) = inner.split_once(',')?;
    let what: String = what.chars().filter(|c| !c.is_whitespace()).collect();
    (what == "insert:param").then(|| id.trim()).filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Document, Vec<DataError>> {
        read_catalog("c.json", &serde_json::from_str(text).unwrap())
    }

    fn ids(doc: &Document) -> Vec<String> {
        doc.catalog.as_ref().unwrap().entries.iter().map(|e| e.id.clone()).collect()
    }

    #[test]
    fn labels_name_controls_and_items_and_the_file_ids_are_aliases() {
        let doc = read_str(
            r##"{"catalog": {"uuid": "u-1", "metadata": {"title": "T", "version": "5"}, "groups": [{"id": "ac", "class": "family", "title": "Access Control",
              "controls": [{"id": "ac-2", "title": "Account Management",
                "params": [{"id": "p1", "label": "frequency"}, {"id": "p2", "select": {"how-many": "one-or-more", "choice": ["a", "b {{ insert: param, p1 }}"]}}],
                "props": [{"name": "label", "value": "AC-02", "class": "zero-padded"}, {"name": "label", "value": "AC-2"}],
                "parts": [{"id": "ac-2_smt", "name": "statement", "parts": [
                  {"id": "ac-2_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Review {{ insert: param, p1 }};"},
                  {"id": "ac-2_smt.b", "name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Pick {{insert: param, p2}}.",
                   "parts": [{"id": "ac-2_smt.b.1", "name": "item", "props": [{"name": "label", "value": "1."}], "prose": "One"}]}]},
                  {"id": "ac-2_gdn", "name": "guidance", "prose": "Not a requirement."}],
                "controls": [{"id": "ac-2.1", "title": "Automated", "props": [{"name": "label", "value": "AC-2(1)"}],
                  "parts": [{"id": "ac-2.1_smt", "name": "statement", "prose": "Automate it."}]},
                  {"id": "ac-2.2", "title": "Gone", "props": [{"name": "label", "value": "AC-2(2)"}, {"name": "status", "value": "withdrawn"}],
                   "links": [{"href": "#ac-2_smt.a", "rel": "incorporated-into"}]}]}]}]}}"##,
        )
        .unwrap();
        assert_eq!(ids(&doc), ["ac", "AC-2", "AC-2a.", "AC-2b.", "AC-2b.1.", "AC-2(1)", "AC-2(2)"]);
        let cat = doc.catalog.as_ref().unwrap();
        assert_eq!((cat.uuid.as_str(), cat.group_level.as_str()), ("u-1", "family"));
        let e = &cat.entries;
        assert_eq!(e[1].aliases, ["ac-2", "AC-02", "ac-2_smt"]);
        assert_eq!((e[1].level, e[5].level, e[2].level), (Level::Control, Level::Enhancement, Level::Item));
        assert_eq!((e[4].parent, e[5].parent), (Some(3), Some(1)));
        assert_eq!(e[2].title, "Review [Assignment: frequency];");
        assert_eq!(e[3].title, "Pick [Selection (one or more): a; b [Assignment: frequency]].");
        assert_eq!(e[5].description, "Automate it.");
        assert_eq!(e[6].withdrawn, "withdrawn (incorporated into AC-2a.)");
    }

    #[test]
    fn a_node_without_a_label_goes_by_the_file_id_and_unnamed_items_make_the_control_atomic() {
        let doc = read_str(
            r#"{"catalog": {"metadata": {"title": "T"}, "controls": [{"id": "c-1", "title": "One",
              "parts": [{"name": "statement", "parts": [{"name": "item", "prose": "x"}]}]},
              {"id": "c-2", "title": "Two", "parts": [{"name": "statement", "parts": [{"id": "c-2_a", "name": "item", "prose": "y"}]}]}]}}"#,
        )
        .unwrap();
        assert_eq!(ids(&doc), ["c-1", "c-2", "c-2_a"]);
        assert!(doc.notes[0].starts_with("1 control(s) have statement items with neither an id nor a label"));
    }

    #[test]
    fn each_fault_is_named_by_its_path() {
        let errors = read_str(
            r#"{"catalog": {"groups": [{"id": "g", "controls": [{"id": "x-1", "title": "A"}, {"title": "B"},
              {"id": "x-2", "title": "C", "props": [{"name": "label", "value": "x-1"}]}, 7]}]}}"#,
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "c.json: $.catalog.groups[0]: missing `title`",
                "c.json: $.catalog.groups[0].controls[3]: is a number, where a control is expected",
                "c.json: $.catalog.groups[0].controls[1]: missing `id`",
                "c.json: $.catalog.groups[0].controls[2]: `x-1` names both this and $.catalog.groups[0].controls[0]; \
                 an id or label names one node",
            ]
        );
        let e = read_str(r#"{"catalog": {"metadata": {"title": "T"}}}"#).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "c.json: $.catalog: has no controls: a catalog lists them under `groups` or `controls`"
        );
    }
}

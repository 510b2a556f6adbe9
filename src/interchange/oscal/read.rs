//! OSCAL mapping collections read, leniently.
//!
//! Published files carry fields this reader does not need, older `oscal-version`s,
//! `equivalent-to` beside `equal-to`, a `method` outside the schema's list, or no
//! `provenance` at all: all are read. What a map cannot do without (its
//! relationship, its sources and targets with their `id-ref`s) is an error at
//! its JSON path.

use serde_json::Value;

use crate::diag::DataError;
use crate::interchange::json::{kind, Node, Owned};
use crate::interchange::{one_line, Document, Item, Map, Mapping, Resource, Said, NS};

/// Reads a parsed JSON file as an OSCAL mapping collection.
pub fn read(display: &str, value: &Value) -> Result<Document, Vec<DataError>> {
    let root = Owned::root(value);
    let mut errors = Vec::new();
    let Some(collection) = root.node().get("mapping-collection") else {
        return Err(vec![not_a_collection(display, value)]);
    };
    let c = collection.node();
    if !c.value.is_object() {
        let msg = format!("is {}, where the mapping collection's object is expected", kind(c.value));
        return Err(vec![DataError::in_doc(display, c.path(), msg)]);
    }
    let back_matter = back_matter(c);
    let mut doc = Document { format: "OSCAL mapping collection", ..Document::default() };
    metadata(c, display, &mut doc);
    let Some(mappings) = c.get("mappings") else {
        return Err(vec![DataError::in_doc(display, c.path(), "missing `mappings`: the collection maps nothing")]);
    };
    for mapping in mappings.node().items() {
        if let Some(m) = self::mapping(mapping.node(), display, &back_matter, &mut errors) {
            doc.mappings.push(m);
        }
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// Why a JSON file is not read as a mapping collection, with what it seems to be instead.
fn not_a_collection(display: &str, value: &Value) -> DataError {
    let top: Vec<&str> = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let other = ["profile", "component-definition", "system-security-plan"].into_iter().find(|k| top.contains(k));
    let msg = match other {
        Some(k) => format!(
            "an OSCAL {k}, not a catalog or a mapping collection: crosswalk imports catalogs (a profile resolved \
             into one) and mapping collections"
        ),
        None if value.is_object() => {
            "neither an OSCAL mapping collection (no `mapping-collection`) nor a CPRT export (no `relationships`)"
                .to_string()
        }
        None => format!("not an OSCAL mapping collection: the file holds {}, not an object", kind(value)),
    };
    DataError::in_doc(display, "$", msg)
}

/// An OSCAL document's title (else its file's name), version and publisher (its parties).
pub(super) fn title_version_publisher(c: Node, display: &str, doc: &mut Document) {
    let meta = c.get("metadata");
    let meta = meta.as_ref().map(Owned::node);
    let text = |key: &str| meta.and_then(|m| m.text(key)).map(|t| one_line(&t)).unwrap_or_default();
    doc.title = text("title");
    if doc.title.is_empty() {
        doc.title = display.rsplit('/').next().unwrap_or(display).to_string();
    }
    doc.version = text("version");
    doc.publisher = meta.map(parties).unwrap_or_default();
}

/// The collection's title, version, method and description, as far as it gives them.
fn metadata(c: Node, display: &str, doc: &mut Document) {
    title_version_publisher(c, display, doc);
    let provenance = c.get("provenance");
    let provenance = provenance.as_ref().map(Owned::node);
    let text = |key: &str| provenance.and_then(|p| p.text(key)).map(|t| one_line(&t)).unwrap_or_default();
    doc.method = text("method");
    let mut said = Vec::new();
    for (key, label) in [("matching-rationale", "matching"), ("status", "status")] {
        let value = text(key);
        if !value.is_empty() {
            said.push(format!("{label} {value}"));
        }
    }
    if let Some(p) = provenance {
        said.extend(scores(p));
    }
    let description = text("mapping-description");
    doc.description = match (description.is_empty(), said.is_empty()) {
        (_, true) => description,
        (true, false) => said.join("; "),
        (false, false) => format!("{description} ({})", said.join("; ")),
    };
}

/// The names of the parties the metadata lists, joined.
fn parties(meta: Node) -> String {
    let Some(parties) = meta.get("parties") else { return String::new() };
    let names: Vec<String> = parties.node().items().iter().filter_map(|p| p.node().text("name")).collect();
    names.join(", ")
}

/// A back-matter resource: its UUID, title, the framework key crosswalk wrote there, and its links.
struct Back {
    uuid: String,
    title: String,
    key: Option<String>,
    /// Its `rlinks`' references and its `document-ids`.
    links: Vec<String>,
}

/// The back-matter resources.
fn back_matter(c: Node) -> Vec<Back> {
    let Some(bm) = c.get("back-matter") else { return Vec::new() };
    let Some(resources) = bm.node().get("resources") else { return Vec::new() };
    let texts = |n: Node, list: &str, key: &str| -> Vec<String> {
        let Some(list) = n.get(list) else { return Vec::new() };
        list.node().items().iter().filter_map(|i| i.node().text(key)).collect()
    };
    resources
        .node()
        .items()
        .iter()
        .filter_map(|r| {
            let n = r.node();
            let uuid = n.text("uuid")?;
            let mut links = texts(n, "rlinks", "href");
            links.extend(texts(n, "document-ids", "identifier"));
            Some(Back {
                uuid: uuid.to_ascii_lowercase(),
                title: n.text("title").map(|t| one_line(&t)).unwrap_or_default(),
                key: prop(n, "framework"),
                links,
            })
        })
        .collect()
}

/// The value of crosswalk's property `name` on a node.
fn prop(n: Node, name: &str) -> Option<String> {
    props(n, name).into_iter().next()
}

/// The values of crosswalk's property `name` on a node, in order.
fn props(n: Node, name: &str) -> Vec<String> {
    let Some(props) = n.get("props") else { return Vec::new() };
    props
        .node()
        .items()
        .iter()
        .filter(|p| p.node().text("ns").as_deref() == Some(NS) && p.node().text("name").as_deref() == Some(name))
        .filter_map(|p| p.node().text("value"))
        .collect()
}

type BackMatter = [Back];

fn mapping(m: Node, display: &str, bm: &BackMatter, errors: &mut Vec<DataError>) -> Option<Mapping> {
    if !m.value.is_object() {
        errors.push(DataError::in_doc(display, m.path(), format!("is {}, where a mapping is expected", kind(m.value))));
        return None;
    }
    let source = resource(m, "source-resource", display, bm, errors);
    let target = resource(m, "target-resource", display, bm, errors);
    let Some(maps) = m.get("maps") else {
        errors.push(DataError::in_doc(display, m.path(), "missing `maps`: the mapping relates nothing"));
        return None;
    };
    let maps: Vec<Map> = maps.node().items().iter().filter_map(|x| map(x.node(), display, errors)).collect();
    Some(Mapping { at: m.path().to_string(), source: source?, target: target?, maps })
}

/// A mapping's source or target resource: its `href`, and the title and key of a
/// back-matter resource it points at (`#uuid`).
fn resource(m: Node, key: &str, display: &str, bm: &BackMatter, errors: &mut Vec<DataError>) -> Option<Resource> {
    let Some(r) = m.get(key) else {
        let msg = format!("missing `{key}`: name the catalog the maps' ids belong to");
        errors.push(DataError::in_doc(display, m.path(), msg));
        return None;
    };
    let n = r.node();
    let href = n.required_text("href", display, errors)?;
    let mut out = Resource { href: href.clone(), key: prop(n, "framework"), at: r.path.clone(), ..Resource::default() };
    if let Some(uuid) = href.strip_prefix('#') {
        match bm.iter().find(|b| b.uuid == uuid.to_ascii_lowercase()) {
            Some(b) => {
                out.title = b.title.clone();
                out.key = out.key.or_else(|| b.key.clone());
                out.links = b.links.clone();
            }
            None => {
                let msg = format!("points at back-matter resource `{uuid}`, which the file does not have");
                errors.push(DataError::in_doc(display, &n.at("href"), msg));
                return None;
            }
        }
    }
    Some(out)
}

fn map(x: Node, display: &str, errors: &mut Vec<DataError>) -> Option<Map> {
    if !x.value.is_object() {
        errors.push(DataError::in_doc(display, x.path(), format!("is {}, where a map is expected", kind(x.value))));
        return None;
    }
    let said = relationship(x, display, errors);
    let sources = items(x, "sources", display, errors);
    let targets = items(x, "targets", display, errors);
    let mut notes = scores(x);
    if let Some(q) = x.get("qualifiers") {
        notes.extend(q.node().items().iter().map(|q| qualifier(q.node())));
    }
    Some(Map {
        at: x.path().to_string(),
        sources: sources?,
        targets: targets?,
        said: said?,
        remarks: x.text("remarks").map(|r| one_line(&r)).unwrap_or_default(),
        notes,
        provenance: prop(x, "provenance"),
        marginal: prop(x, "strength").is_some_and(|s| s.eq_ignore_ascii_case("marginal")),
        published_as: props(x, "published-as"),
    })
}

fn relationship(x: Node, display: &str, errors: &mut Vec<DataError>) -> Option<Said> {
    let word = x.required_text("relationship", display, errors)?;
    let said = super::super::said(&word);
    if said.is_none() {
        let msg = super::super::unknown_word(
            &word,
            "OSCAL 1.2 says equivalent-to, equal-to, subset-of, superset-of, intersects-with or no-relationship",
        );
        errors.push(DataError::in_doc(display, &x.at("relationship"), msg));
    }
    said
}

/// A map's `sources` or `targets`: each item's `id-ref`, and the key crosswalk wrote on a member of another framework.
fn items(x: Node, key: &str, display: &str, errors: &mut Vec<DataError>) -> Option<Vec<Item>> {
    let Some(list) = x.get(key) else {
        errors.push(DataError::in_doc(display, x.path(), format!("missing `{key}`")));
        return None;
    };
    let entries = list.node().items();
    if entries.is_empty() {
        errors.push(DataError::in_doc(display, &list.path, format!("no {key}: a map names at least one")));
        return None;
    }
    let mut out = Vec::with_capacity(entries.len());
    let mut ok = true;
    for e in &entries {
        let n = e.node();
        if !n.value.is_object() {
            errors.push(DataError::in_doc(
                display,
                n.path(),
                format!("is {}, where an item with an `id-ref` is expected", kind(n.value)),
            ));
            ok = false;
            continue;
        }
        // `id_ref` is not OSCAL, but some published files spell it so.
        let key = if n.value.get("id-ref").is_none() && n.value.get("id_ref").is_some() { "id_ref" } else { "id-ref" };
        match n.required_text(key, display, errors) {
            Some(id) => out.push(Item { id, key: prop(n, "framework"), at: e.path.clone() }),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A map's (or a provenance's) confidence and coverage, in words.
fn scores(x: Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = x.get("confidence-score") {
        let c = c.node();
        if let Some(p) = c.text("percentage") {
            out.push(format!("confidence {p}"));
        } else if let Some(cat) = c.text("category") {
            out.push(format!("confidence {cat}"));
        }
    }
    if let Some(c) = x.get("coverage") {
        if let Some(t) = c.node().text("target-coverage") {
            out.push(format!("covers {t} of the target"));
        }
    }
    out
}

/// A qualifier in words: `qualifier: target has-requirement restricted: DESCRIPTION`.
fn qualifier(q: Node) -> String {
    let words: Vec<String> =
        ["subject", "predicate", "category"].iter().filter_map(|k| q.text(k)).filter(|t| !t.is_empty()).collect();
    let description = q.text("description").map(|d| one_line(&d)).unwrap_or_default();
    match (words.is_empty(), description.is_empty()) {
        (false, false) => format!("qualifier: {}: {description}", words.join(" ")),
        (false, true) => format!("qualifier: {}", words.join(" ")),
        (true, _) => format!("qualifier: {description}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Relationship;

    fn read_str(text: &str) -> Result<Document, Vec<DataError>> {
        read("t.json", &serde_json::from_str(text).unwrap())
    }

    #[test]
    fn an_older_collection_without_provenance_is_read() {
        let doc = read_str(
            r#"{"mapping-collection": {"uuid": "x", "metadata": {"title": "T", "version": "1", "oscal-version": "1.0.4"},
            "mappings": {"uuid": "y", "source-resource": {"type": "catalog", "href": "a.json"},
              "target-resource": {"type": "catalog", "href": "b.json"},
              "maps": [{"uuid": "z", "relationship": "Equivalent-To", "sources": [{"type": "control", "id-ref": "ac-1"}],
                "targets": [{"type": "statement", "id-ref": "x.1"}, {"type": "statement", "id-ref": "x.2"}],
                "confidence-score": {"percentage": 0.9}, "remarks": "two\n lines", "extra": 1}]}}}"#,
        )
        .unwrap();
        assert_eq!((doc.title.as_str(), doc.version.as_str()), ("T", "1"));
        let m = &doc.mappings[0];
        assert_eq!((m.source.href.as_str(), m.target.href.as_str()), ("a.json", "b.json"));
        let map = &m.maps[0];
        assert_eq!(map.said, Said::Related(Relationship::Equal));
        assert_eq!(map.targets.len(), 2);
        assert_eq!(map.remarks, "two lines");
        assert_eq!(map.notes, ["confidence 0.9"]);
    }

    #[test]
    fn each_fault_is_named_by_its_path() {
        let errors = read_str(
            r#"{"mapping-collection": {"mappings": [{"source-resource": {"href": "a"}, "target-resource": {},
              "maps": [{"relationship": "overlaps", "sources": [{"id-ref": "1"}], "targets": []},
                       {"relationship": "subset-of", "sources": [{"type": "control"}], "targets": [{"id-ref": "2"}]}]}]}}"#,
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "t.json: $.mapping-collection.mappings[0].target-resource: missing `href`",
                "t.json: $.mapping-collection.mappings[0].maps[0].relationship: unknown relationship \"overlaps\"; \
                 OSCAL 1.2 says equivalent-to, equal-to, subset-of, superset-of, intersects-with or no-relationship",
                "t.json: $.mapping-collection.mappings[0].maps[0].targets: no targets: a map names at least one",
                "t.json: $.mapping-collection.mappings[0].maps[1].sources[0]: missing `id-ref`",
            ]
        );
    }

    #[test]
    fn another_oscal_model_is_named() {
        let e = read_str(r#"{"profile": {}}"#).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "t.json: $: an OSCAL profile, not a catalog or a mapping collection: crosswalk imports catalogs (a \
             profile resolved into one) and mapping collections"
        );
    }
}

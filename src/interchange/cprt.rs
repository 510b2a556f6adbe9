//! NIST's Cybersecurity and Privacy Reference Tool (CPRT) JSON: `documents`,
//! `elements` and `relationships`, bare or inside `response.elements` as the
//! tool's export wraps them.
//!
//! A relationship between elements of two documents is a map from its source
//! element to its destination element. Relationships within one document
//! (`projection`: a catalog's tree) are not mappings and are passed over. A
//! relationship whose identifier is a set-theory word (`subset_of`,
//! `intersects_with`, ...) keeps it; an informative reference
//! (`external_reference`, `related`, `mapped_to`) states no relationship type
//! and is read as `intersects-with`, which never counts as more than partial,
//! and its rationale says so.

use serde_json::Value;

use super::json::{Node, Owned};
use super::{one_line, said, Document, Map, Resource, Said};
use crate::diag::DataError;
use crate::model::Relationship;

/// Whether a parsed JSON file looks like a CPRT export.
pub fn is_cprt(value: &Value) -> bool {
    body(value).is_some()
}

/// The object holding `relationships`: the top level, or `response.elements`.
fn body(value: &Value) -> Option<(&Value, &'static str)> {
    if value.get("relationships").is_some() {
        return Some((value, "$"));
    }
    let inner = value.get("response")?.get("elements")?;
    inner.get("relationships").is_some().then_some((inner, "$.response.elements"))
}

/// Reads a CPRT export.
pub fn read(display: &str, value: &Value) -> Result<Document, Vec<DataError>> {
    let Some((body, path)) = body(value) else {
        return Err(vec![DataError::in_doc(display, "$", "not a CPRT export: no `relationships`")]);
    };
    let root = Owned { value: body, path: path.to_string() };
    let root = root.node();
    let mut errors = Vec::new();
    let documents = documents(root);
    let name = display.rsplit('/').next().unwrap_or(display);
    let mut doc = Document { format: "CPRT export", title: name.to_string(), ..Document::default() };
    let mut untyped = 0;
    let Some(relationships) = root.get("relationships") else { unreachable!("checked by body()") };
    for r in relationships.node().objects("a relationship", display, &mut errors) {
        let n = r.node();
        let field = |k: &str, errors: &mut Vec<DataError>| n.required_text(k, display, errors);
        let (sd, se) = (field("source_doc_identifier", &mut errors), field("source_element_identifier", &mut errors));
        let (dd, de) = (field("dest_doc_identifier", &mut errors), field("dest_element_identifier", &mut errors));
        let rel = n.text("relationship_identifier").unwrap_or_default();
        let (Some(sd), Some(se), Some(dd), Some(de)) = (sd, se, dd, de) else { continue };
        if sd == dd {
            continue; // a catalog's own tree
        }
        let (relationship, note) = match said(&rel) {
            Some(s) => (s, None),
            None => {
                untyped += 1;
                let shown = if rel.is_empty() { "no relationship_identifier" } else { rel.as_str() };
                let note = format!("`{shown}`: no relationship type stated; read as intersects-with");
                (Said::Related(Relationship::IntersectsWith), Some(note))
            }
        };
        let at = n.path().to_string();
        let map = Map::pair(&at, se, de, relationship, String::new(), note.into_iter().collect());
        doc.mapping_between(resource(&documents, &sd), resource(&documents, &dd)).maps.push(map);
    }
    if untyped > 0 {
        doc.description = format!("{untyped} reference(s) without a relationship type, read as intersects-with");
        doc.notes.push(format!(
            "{untyped} reference(s) state no relationship type; they are read as intersects-with (partial at most)"
        ));
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// Each document's identifier and title (`name` and `version`).
fn documents(root: Node) -> Vec<(String, String)> {
    let Some(docs) = root.get("documents") else { return Vec::new() };
    docs.node()
        .items()
        .iter()
        .filter_map(|d| {
            let n = d.node();
            let id = n.text("doc_identifier")?;
            let name = n.text("name").map(|t| one_line(&t)).unwrap_or_default();
            let version = n.text("version").unwrap_or_default();
            let title = if version.is_empty() || name.contains(&version) { name } else { format!("{name} {version}") };
            Some((id, title))
        })
        .collect()
}

/// A document's resource: its identifier, and its title when the export lists it.
fn resource(documents: &[(String, String)], id: &str) -> Resource {
    let title = documents.iter().find(|(i, _)| i == id).map(|(_, t)| t.clone()).unwrap_or_default();
    Resource::named(id, &title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_between_documents_are_maps_and_the_tree_is_not() {
        let v: Value = serde_json::from_str(
            r#"{"response": {"elements": {
                "documents": [{"doc_identifier": "CSF_2_0_0", "name": "Cybersecurity Framework", "version": "2.0"},
                              {"doc_identifier": "X_1", "name": "X controls"}],
                "elements": [],
                "relationships": [
                  {"source_doc_identifier": "CSF_2_0_0", "source_element_identifier": "GV", "dest_doc_identifier": "CSF_2_0_0", "dest_element_identifier": "GV.OC", "relationship_identifier": "projection"},
                  {"source_doc_identifier": "CSF_2_0_0", "source_element_identifier": "GV.OC-01", "dest_doc_identifier": "X_1", "dest_element_identifier": "x-1", "relationship_identifier": "external_reference"},
                  {"source_doc_identifier": "CSF_2_0_0", "source_element_identifier": "GV.OC-02", "dest_doc_identifier": "X_1", "dest_element_identifier": "x-2", "relationship_identifier": "subset_of"}]}}}"#,
        )
        .unwrap();
        assert!(is_cprt(&v));
        let doc = read("c.json", &v).unwrap();
        assert_eq!(doc.mappings.len(), 1);
        let m = &doc.mappings[0];
        assert_eq!((m.source.title.as_str(), m.target.title.as_str()), ("Cybersecurity Framework 2.0", "X controls"));
        assert_eq!(m.maps[0].said, Said::Related(Relationship::IntersectsWith));
        assert_eq!(m.maps[0].notes[0], "`external_reference`: no relationship type stated; read as intersects-with");
        assert_eq!(m.maps[1].said, Said::Related(Relationship::SubsetOf));
        assert_eq!(m.maps[1].at, "$.response.elements.relationships[2]");
    }
}

//! CISO Assistant mapping libraries (YAML): `objects.requirement_mapping_set`
//! (or `requirement_mapping_sets`), each from a source framework to a target
//! framework, with `requirement_mappings` read "source RELATIONSHIP target".
//!
//! Requirements are named by URN (`urn:intuitem:risk:req_node:iso27001-2022:a.5.1`).
//! The frameworks crosswalk ships are known by their CISO Assistant names and
//! need no option: ISO/IEC 27001:2022's Annex A (`a.5.1`) is `iso27001` and its
//! clauses (`4.1`) are `iso27001-isms`; NIST CSF 2.0 is `csf`; SOC 2, HIPAA and
//! the GDPR are `soc2`, `hipaa` and `gdpr`. Any other framework loads as an
//! id-only framework named after it.

use serde_json::Value;

use super::json::{Node, Owned};
use super::{one_line, said, unknown_word, Document, Map, Resource};
use crate::diag::DataError;

const NODE: &str = "urn:intuitem:risk:req_node:";
const FRAMEWORK: &str = "urn:intuitem:risk:framework:";
/// The kinds of reasoning IR 8477 names; a `rationale` of one of them is a kind, not a reason.
const KINDS: [&str; 3] = ["syntactic", "semantic", "functional"];

/// Reads a mapping library parsed from YAML.
pub fn read(display: &str, value: &Value) -> Result<Document, Vec<DataError>> {
    let root = Owned::root(value);
    let r = root.node();
    let Some(objects) = r.get("objects") else {
        let msg = "not a CISO Assistant library: it has no `objects` (a mapping library keeps its \
                   requirement_mapping_set there)";
        return Err(vec![DataError::in_doc(display, "$", msg)]);
    };
    let o = objects.node();
    let sets = o.get("requirement_mapping_sets").or_else(|| o.get("requirement_mapping_set"));
    let Some(sets) = sets else {
        let msg = "no `requirement_mapping_set`: this library holds no mapping (a framework library is not imported)";
        return Err(vec![DataError::in_doc(display, o.path(), msg)]);
    };
    let text = |k: &str| r.text(k).map(|t| one_line(&t)).unwrap_or_default();
    let mut doc = Document {
        format: "CISO Assistant mapping library",
        title: text("name"),
        version: text("version"),
        publisher: [text("provider"), text("packager")].into_iter().find(|p| !p.is_empty()).unwrap_or_default(),
        description: text("description"),
        ..Document::default()
    };
    if doc.title.is_empty() {
        doc.title = display.rsplit('/').next().unwrap_or(display).to_string();
    }
    let mut errors = Vec::new();
    for set in sets.node().objects("a requirement mapping set", display, &mut errors) {
        mapping_set(set.node(), display, &mut doc, &mut errors);
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

fn mapping_set(s: Node, display: &str, doc: &mut Document, errors: &mut Vec<DataError>) {
    let source = s.required_text("source_framework_urn", display, errors);
    let target = s.required_text("target_framework_urn", display, errors);
    let Some(list) = s.get("requirement_mappings") else {
        errors.push(DataError::in_doc(display, s.path(), "missing `requirement_mappings`"));
        return;
    };
    let (Some(source), Some(target)) = (source, target) else { return };
    for m in list.node().objects("a requirement mapping", display, errors) {
        let n = m.node();
        let from = requirement(n, "source_requirement_urn", &source, display, errors);
        let to = requirement(n, "target_requirement_urn", &target, display, errors);
        let word = n.required_text("relationship", display, errors);
        let said = word.as_deref().and_then(|w| {
            let s = said(w);
            if s.is_none() {
                let known = "CISO Assistant says equal, subset, superset, intersect or not_related";
                errors.push(DataError::in_doc(display, &n.at("relationship"), unknown_word(w, known)));
            }
            s
        });
        let (Some((from_res, from_id)), Some((to_res, to_id)), Some(said)) = (from, to, said) else { continue };
        let (remarks, notes) = reasons(n);
        let map = Map::pair(n.path(), from_id, to_id, said, remarks, notes);
        doc.mapping_between(from_res, to_res).maps.push(map);
    }
}

/// The rationale (`annotation`, or a `rationale` that is a reason) and the rest in words.
fn reasons(n: Node) -> (String, Vec<String>) {
    let rationale = n.text("rationale").map(|t| one_line(&t)).unwrap_or_default();
    let annotation = n.text("annotation").map(|t| one_line(&t)).unwrap_or_default();
    let mut notes = Vec::new();
    let mut remarks = annotation;
    if KINDS.iter().any(|k| rationale.eq_ignore_ascii_case(k)) {
        notes.push(format!("{} rationale", rationale.to_ascii_lowercase()));
    } else if !rationale.is_empty() {
        remarks = if remarks.is_empty() { rationale } else { format!("{rationale} {remarks}") };
    }
    if let Some(s) = n.text("strength_of_relationship").filter(|s| !s.is_empty()) {
        notes.push(format!("strength {s}"));
    }
    (remarks, notes)
}

/// A requirement's URN: the resource it belongs to (one of ours, by the table in
/// the module's comment, or its framework's URN) and its id there.
fn requirement(
    n: Node,
    key: &str,
    framework_urn: &str,
    display: &str,
    errors: &mut Vec<DataError>,
) -> Option<(Resource, String)> {
    let urn = n.required_text(key, display, errors)?;
    let rest = urn.get(..NODE.len()).filter(|p| p.eq_ignore_ascii_case(NODE)).map(|_| &urn[NODE.len()..]);
    let Some((framework, id)) = rest.and_then(|r| r.split_once(':')).filter(|(f, id)| !f.is_empty() && !id.is_empty())
    else {
        let msg = format!("`{urn}` is not a requirement URN ({NODE}FRAMEWORK:ID)");
        errors.push(DataError::in_doc(display, &n.at(key), msg));
        return None;
    };
    let ours = ours(framework, id);
    let href = if framework_urn.to_ascii_lowercase().ends_with(&format!(":{}", framework.to_ascii_lowercase())) {
        framework_urn.to_string()
    } else {
        format!("{FRAMEWORK}{framework}")
    };
    let mut resource = Resource::named(&href, framework);
    resource.key = ours.map(str::to_string);
    if let Some(k) = ours {
        // Annex A and the clauses are two resources of one CISO Assistant framework.
        resource.href = format!("{href}#{k}");
    }
    Some((resource, id.to_string()))
}

/// The framework crosswalk ships that a CISO Assistant framework's requirement belongs to.
pub fn ours(framework: &str, id: &str) -> Option<&'static str> {
    let f = framework.to_ascii_lowercase();
    if f.starts_with("iso27001-2022") || f == "iso-iec-27001-2022" {
        let annex = id.len() > 2 && id.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("a."));
        return Some(if annex { "iso27001" } else { "iso27001-isms" });
    }
    let table: [(&str, &'static str); 5] =
        [("nist-csf-2.0", "csf"), ("soc2", "soc2"), ("aicpa-tsc", "soc2"), ("hipaa", "hipaa"), ("gdpr", "gdpr")];
    table.iter().find(|(prefix, _)| f.starts_with(prefix)).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_2022_goes_to_annex_a_or_the_clauses_by_its_id() {
        assert_eq!(ours("iso27001-2022", "a.5.1"), Some("iso27001"));
        assert_eq!(ours("iso27001-2022", "4.1"), Some("iso27001-isms"));
        assert_eq!(ours("nist-csf-2.0", "gv.oc-01"), Some("csf"));
        assert_eq!(ours("nist-csf-1.1", "id.am-1"), None);
        assert_eq!(ours("nis2", "art21"), None);
        // An id that starts inside a character is no Annex A id, and no panic.
        assert_eq!(ours("iso27001-2022", "\u{e9}x"), Some("iso27001-isms"));
    }
}

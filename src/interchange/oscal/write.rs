//! A `map` or `crosswalk` result written as an OSCAL 1.2.2 mapping collection, strictly.
//!
//! Everything in the file follows from the rows and the database, so two
//! exports of the same data are the same bytes: every UUID is a version-5 UUID
//! of what it names, and the date is the export's (see [`crate::output::export::date`]).
//! What OSCAL has no field for is written as properties in crosswalk's
//! namespace ([`NS`]), which the reader takes back: a framework's key, a row's
//! provenance key, its strength and the published pairs it carries.

use serde_json::{json, Map as Object, Value};
use uuid::Uuid;

use crate::db::Database;
use crate::interchange::NS;
use crate::model::{CtlId, FwId, MapId, Relationship};
use crate::report::MappingList;

/// The OSCAL version the files are written against.
pub const OSCAL_VERSION: &str = "1.2.2";

/// The namespace of crosswalk's version-5 UUIDs.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes())
}

fn uuid(name: &str) -> String {
    Uuid::new_v5(&namespace(), name.as_bytes()).to_string()
}

/// OSCAL's word for a relationship. `equal` is written `equivalent-to`: the
/// rows judge what the requirements ask, not the words they use.
pub fn word(r: Relationship) -> &'static str {
    match r {
        Relationship::Equal => "equivalent-to",
        Relationship::SupersetOf => "superset-of",
        Relationship::SubsetOf => "subset-of",
        Relationship::IntersectsWith => "intersects-with",
    }
}

/// One map as written: its sources, relationship and targets, from the row shown.
struct Shown {
    sources: Vec<CtlId>,
    targets: Vec<CtlId>,
    relationship: Relationship,
    row: MapId,
}

/// What the file is written from: the statement, the database it ran on, the date.
pub struct Origin<'a> {
    pub title: &'a str,
    pub query: &'a str,
    pub date: &'a str,
}

/// The mapping collection of a `map` or `crosswalk` result, and how many maps it holds; `Err` says why there is none.
pub fn write(db: &Database, list: &MappingList, origin: &Origin) -> Result<(usize, String), String> {
    let mut shown: Vec<Shown> = Vec::new();
    let mut seen: Vec<(MapId, bool)> = Vec::new();
    for &(m, reversed) in list.rows.iter().filter_map(|r| r.row.as_ref()) {
        if seen.contains(&(m, reversed)) {
            continue;
        }
        seen.push((m, reversed));
        let row = &db.mappings[m as usize];
        let (sources, targets, relationship) = if reversed {
            (vec![row.target], row.sources().collect(), row.relationship.reverse())
        } else {
            (row.sources().collect(), vec![row.target], row.relationship)
        };
        shown.push(Shown { sources, targets, relationship, row: m });
    }
    if shown.is_empty() {
        return Err("the result has no mapping rows, and an OSCAL mapping collection maps at least one".to_string());
    }
    // One mapping per pair of frameworks, in the order the rows first name them.
    let mut pairs: Vec<(FwId, FwId)> = Vec::new();
    for s in &shown {
        let pair = (db.control(s.sources[0]).framework, db.control(s.targets[0]).framework);
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    let mut frameworks: Vec<FwId> = Vec::new();
    let mut provenances: Vec<u16> = Vec::new();
    let mut mappings = Vec::new();
    for &(sf, tf) in &pairs {
        let maps: Vec<Value> = shown
            .iter()
            .filter(|s| (db.control(s.sources[0]).framework, db.control(s.targets[0]).framework) == (sf, tf))
            .map(|s| {
                let p = db.mappings[s.row as usize].provenance;
                if !provenances.contains(&p) {
                    provenances.push(p);
                }
                map(db, s, (sf, tf), &mut frameworks)
            })
            .collect();
        for fw in [sf, tf] {
            if !frameworks.contains(&fw) {
                frameworks.push(fw);
            }
        }
        mappings.push(json!({
            "uuid": uuid(&format!("mapping {} {}", db.framework(sf).key, db.framework(tf).key)),
            "source-resource": resource_ref(db, sf),
            "target-resource": resource_ref(db, tf),
            "maps": maps,
        }));
    }
    let mut resources: Vec<Value> = frameworks.iter().map(|&f| framework_resource(db, f)).collect();
    provenances.sort_unstable();
    resources.extend(provenances.iter().map(|&p| provenance_resource(db, p)));
    let body = json!({"mappings": mappings, "back-matter": {"resources": resources}});
    let mut collection = Object::new();
    // The collection's UUID names its content: the same rows, the same UUID; a revision, another.
    collection.insert("uuid".into(), json!(uuid(&format!("collection {body}"))));
    collection.insert("metadata".into(), metadata(db, origin));
    collection.insert("provenance".into(), provenance(db, &provenances));
    collection.insert("mappings".into(), body["mappings"].clone());
    collection.insert("back-matter".into(), body["back-matter"].clone());
    let doc = json!({"mapping-collection": Value::Object(collection)});
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok((shown.len(), text))
}

fn metadata(db: &Database, origin: &Origin) -> Value {
    let remarks = format!(
        "Written by crosswalk {} from the statement `{}` over the database {}.",
        env!("CARGO_PKG_VERSION"),
        crate::interchange::one_line(origin.query),
        db.cite()
    );
    json!({
        "title": crate::interchange::one_line(origin.title),
        "last-modified": format!("{}T00:00:00Z", origin.date),
        "version": db.version,
        "oscal-version": OSCAL_VERSION,
        "remarks": remarks,
    })
}

/// The collection's provenance: the relationships are judged by people, on what
/// the requirements ask; each row's own source is named on it (see [`map`]).
fn provenance(db: &Database, provenances: &[u16]) -> Value {
    let names: Vec<String> = provenances
        .iter()
        .map(|&p| format!("{} ({})", db.provenances[p as usize].title, db.provenances[p as usize].key))
        .collect();
    json!({
        "method": "human",
        "matching-rationale": "semantic",
        "status": "complete",
        "mapping-description": format!(
            "Each map's relationship is judged by NIST IR 8477's test: if an organisation fully implements the \
             sources, is every requirement of the targets met? Its remarks say why it holds. Who asserts the \
             pairs: {}.",
            names.join("; ")
        ),
    })
}

fn resource_ref(db: &Database, fw: FwId) -> Value {
    json!({"type": "catalog", "href": format!("#{}", framework_uuid(db, fw))})
}

fn framework_uuid(db: &Database, fw: FwId) -> String {
    uuid(&format!("framework {}", db.framework(fw).key))
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": value})
}

fn framework_resource(db: &Database, fw: FwId) -> Value {
    let f = db.framework(fw);
    let mut props = vec![prop("framework", &f.key)];
    for (name, value) in [("version", &f.version), ("publisher", &f.publisher)] {
        let value = crate::interchange::one_line(value);
        if !value.is_empty() {
            props.push(prop(name, &value));
        }
    }
    json!({"uuid": framework_uuid(db, fw), "title": crate::interchange::one_line(&f.name), "props": props})
}

fn provenance_resource(db: &Database, p: u16) -> Value {
    let p = &db.provenances[p as usize];
    let mut props = vec![
        prop("provenance", &p.key),
        prop("kind", if p.kind == crate::model::ProvenanceKind::Published { "published" } else { "analysis" }),
    ];
    let publisher = crate::interchange::one_line(&p.publisher);
    if !publisher.is_empty() {
        props.push(prop("publisher", &publisher));
    }
    let mut r = json!({"uuid": uuid(&format!("provenance {}", p.key)), "title": crate::interchange::one_line(&p.title), "props": props});
    if !p.detail.trim().is_empty() {
        r["description"] = json!(p.detail);
    }
    r
}

/// One map: sources, relationship, targets; the rationale as its remarks; the
/// row's provenance, strength and published pairs as properties.
fn map(db: &Database, s: &Shown, (sf, tf): (FwId, FwId), frameworks: &mut Vec<FwId>) -> Value {
    let row = &db.mappings[s.row as usize];
    let mut items = |ids: &[CtlId], side: FwId| -> Vec<Value> {
        ids.iter()
            .map(|&c| {
                let control = db.control(c);
                let kind = if control.part { "statement" } else { "control" };
                let mut item = json!({"type": kind, "id-ref": control.id.as_ref()});
                // A member of another framework than its side's (a clause in a group of Annex A controls).
                if control.framework != side {
                    item["props"] = json!([prop("framework", &db.framework(control.framework).key)]);
                    if !frameworks.contains(&control.framework) {
                        frameworks.push(control.framework);
                    }
                }
                item
            })
            .collect()
    };
    let sources = items(&s.sources, sf);
    let targets = items(&s.targets, tf);
    let mut props = vec![prop("provenance", &db.provenances[row.provenance as usize].key)];
    if row.marginal {
        props.push(prop("strength", "marginal"));
    }
    props.extend(row.published_as.iter().map(|p| prop("published-as", p)));
    let name: Vec<String> = s.sources.iter().chain(&s.targets).map(|&c| db.qualified(c)).collect();
    let mut out = json!({
        "uuid": uuid(&format!("map {} {} {}", name[..s.sources.len()].join("+"), word(s.relationship), name[s.sources.len()..].join("+"))),
        "relationship": word(s.relationship),
        "sources": sources,
        "targets": targets,
        "props": props,
    });
    if !row.rationale.trim().is_empty() {
        out["remarks"] = json!(row.rationale.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_5_and_stable() {
        let a = uuid("framework iso27001");
        assert_eq!(a, uuid("framework iso27001"));
        assert_ne!(a, uuid("framework soc2"));
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn each_word_reads_back_as_its_relationship() {
        for r in Relationship::ALL {
            assert_eq!(crate::interchange::said(word(r)), Some(crate::interchange::Said::Related(r)));
        }
    }
}

//! NIST OLIR mappings in the template of NIST IR 8278A (the columns of IR 8477's
//! set-theory relationship mapping), saved as CSV (or tab-separated) from the workbook.
//!
//! An OLIR relationship reads from the reference document's element to the
//! focal document's: `Reference Document Element RELATIONSHIP Focal Document
//! Element`. Each row becomes a map with the reference element as its source.
//! The template's `Rationale` column names the kind of reasoning (syntactic,
//! semantic, functional), not a reason; a free-text column (`Comments`,
//! `Notes`, `Explanation`, `Justification`) is read as the rationale.

use super::{one_line, said, unknown_word, Document, Map, Resource};
use crate::db::csv_table::{self, CsvTable};
use crate::diag::DataError;

/// The columns the template must have, as a header reads once normalised (see [`column`]).
const FOCAL: &str = "focal document element";
const REFERENCE: &str = "reference document element";
const RELATIONSHIP: &str = "relationship";
/// Free-text columns read as the rationale, the first that a row fills.
const REASONS: [&str; 5] = ["comments", "comment", "notes", "explanation", "justification"];

/// Reads an OLIR template saved as CSV.
pub fn read(display: &str, text: &str) -> Result<Document, Vec<DataError>> {
    let mut errors = Vec::new();
    let delimiter = csv_table::sniff_delimiter(text);
    let text = crate::text::Text::from(text.to_string());
    let table =
        csv_table::parse_delimited(&text, delimiter, |line, msg| errors.push(DataError::new(display, line, msg)));
    let Some(table) = table else { return Err(errors) };
    let col = |name: &str| table.header.iter().position(|h| column(h) == name);
    let (Some(focal), Some(reference), Some(relationship)) = (col(FOCAL), col(REFERENCE), col(RELATIONSHIP)) else {
        let msg = "header lacks the OLIR template's columns; it needs `Focal Document Element`, \
                   `Relationship` and `Reference Document Element` (NIST IR 8278A)";
        errors.push(DataError::new(display, 1, msg));
        return Err(errors);
    };
    let cols = Columns {
        focal,
        reference,
        relationship,
        focal_doc: col("focal document"),
        reference_doc: col("reference document"),
        kind: col("rationale"),
        strength: col("strength of relationship"),
        reasons: REASONS.iter().filter_map(|r| col(r)).collect(),
    };
    let name = display.rsplit('/').next().unwrap_or(display);
    let mut doc = Document { format: "OLIR template", title: name.to_string(), ..Document::default() };
    for row in table.rows.iter() {
        if let Some((docs, map)) = self::row(display, &table, row, &cols, &mut errors) {
            let (reference, focal) = docs;
            doc.mapping_between(Resource::named(&reference, &reference), Resource::named(&focal, &focal))
                .maps
                .push(map);
        }
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// A header cell as the reader compares it: lower case, words only, without `(Optional)` or `(ID)`.
fn column(header: &str) -> String {
    let lower = header.to_ascii_lowercase().replace("(optional)", "").replace("(id)", "");
    lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

struct Columns {
    focal: usize,
    reference: usize,
    relationship: usize,
    focal_doc: Option<usize>,
    reference_doc: Option<usize>,
    kind: Option<usize>,
    strength: Option<usize>,
    reasons: Vec<usize>,
}

/// The documents a row names (reference, focal), and its map from the reference element to the focal one.
fn row(
    display: &str,
    t: &CsvTable,
    row: &csv_table::CsvRow,
    c: &Columns,
    errors: &mut Vec<DataError>,
) -> Option<((String, String), Map)> {
    let at = format!("line {}", row.line);
    let field = |i: usize| t.field(row, i).to_string();
    let (focal, reference, word) = (field(c.focal), field(c.reference), field(c.relationship));
    let mut ok = true;
    for (value, name) in [(&focal, "Focal Document Element"), (&reference, "Reference Document Element")] {
        if value.is_empty() {
            errors.push(DataError::new(display, row.line, format!("empty {name}")));
            ok = false;
        }
    }
    let relationship = said(&word);
    if relationship.is_none() {
        let known = "OLIR says subset of, intersects with, equal, superset of or not related";
        errors.push(DataError::new(display, row.line, unknown_word(&word, known)));
    }
    let (true, Some(relationship)) = (ok, relationship) else { return None };
    let mut notes = Vec::new();
    if let Some(kind) = c.kind.map(&field).filter(|k| !k.is_empty()) {
        notes.push(format!("{} rationale", kind.to_ascii_lowercase()));
    }
    if let Some(s) = c.strength.map(&field).filter(|s| !s.is_empty()) {
        notes.push(format!("strength {s}"));
    }
    let remarks = c.reasons.iter().map(|&i| one_line(t.field(row, i))).find(|r| !r.is_empty()).unwrap_or_default();
    let doc = |i: Option<usize>, default: &str| i.map(&field).filter(|d| !d.is_empty()).unwrap_or(default.to_string());
    let docs = (doc(c.reference_doc, "reference"), doc(c.focal_doc, "focal"));
    let map = Map::pair(&at, reference, focal, relationship, remarks, notes);
    Some((docs, map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::Said;
    use crate::model::Relationship;

    #[test]
    fn a_row_reads_from_the_reference_element_to_the_focal_one() {
        let text = "Focal Document Element,Focal Document Element Description,Rationale,Relationship,Reference Document Element,Strength of Relationship (Optional),Comments\n\
                    PR.DS-11,Backups,Semantic,Superset of,8.13,9,Both ask for tested backups.\n";
        let doc = read("o.csv", text).unwrap();
        let m = &doc.mappings[0];
        assert_eq!((m.source.href.as_str(), m.target.href.as_str()), ("reference", "focal"));
        let map = &m.maps[0];
        assert_eq!((map.sources[0].id.as_str(), map.targets[0].id.as_str()), ("8.13", "PR.DS-11"));
        assert_eq!(map.said, Said::Related(Relationship::SupersetOf));
        assert_eq!(map.remarks, "Both ask for tested backups.");
        assert_eq!(map.notes, ["semantic rationale", "strength 9"]);
    }

    #[test]
    fn faults_are_at_their_lines() {
        let e = read(
            "o.csv",
            "Focal Document Element,Relationship,Reference Document Element\nGV.OC-01,overlaps,5.1\n,equal,5.2\n",
        )
        .unwrap_err();
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown[0], "o.csv:2: unknown relationship \"overlaps\"; OLIR says subset of, intersects with, equal, superset of or not related");
        assert_eq!(shown[1], "o.csv:3: empty Focal Document Element");
        let e = read("o.csv", "Focal,Reference\nA,B\n").unwrap_err();
        assert!(e[0].to_string().starts_with("o.csv:1: header lacks the OLIR template's columns"));
    }
}

//! NIST OLIR mappings in the template of NIST IR 8278A (the columns of IR 8477's
//! set-theory relationship mapping): the workbook itself (`.xlsx`), or a sheet of it
//! saved as CSV (or tab-separated).
//!
//! An OLIR relationship reads from the reference document's element to the
//! focal document's: `Reference Document Element RELATIONSHIP Focal Document
//! Element`. Each row becomes a map with the reference element as its source.
//! The template's `Rationale` column names the kind of reasoning (syntactic,
//! semantic, functional), not a reason; a free-text column (`Comments`,
//! `Notes`, `Explanation`, `Justification`) is read as the rationale.
//!
//! Both sources give the same [`Table`], and each problem is placed where the
//! user will look: a CSV file's line, or a workbook's cell (`Sheet1!C7`).

use super::{one_line, said, unknown_word, xlsx, Document, Map, Resource};
use crate::db::csv_table;
use crate::diag::DataError;

/// The columns the template must have, as a header reads once normalised (see [`column`]).
const FOCAL: &str = "focal document element";
const REFERENCE: &str = "reference document element";
const RELATIONSHIP: &str = "relationship";
/// Free-text columns read as the rationale, the first that a row fills.
const REASONS: [&str; 5] = ["comments", "comment", "notes", "explanation", "justification"];
/// How far down a sheet its header row may be (a workbook may have a title above it).
const HEADER_ROWS: u32 = 20;
const NEEDS: &str =
    "it needs `Focal Document Element`, `Relationship` and `Reference Document Element` (NIST IR 8278A)";

/// The template's rows, from CSV or a sheet: the header, and each row's cells by column.
struct Table {
    header: Vec<String>,
    /// Each row's number (a CSV line, or a 0-based sheet row) and its cells: (column, text), by column.
    rows: Vec<(u32, Vec<(usize, String)>)>,
    /// The sheet the rows come from; `None` for CSV.
    sheet: Option<String>,
}

impl Table {
    /// Where a cell is, as [`super::error_at`] reads it: `line 7`, or `Sheet1!C7`.
    fn at(&self, row: u32, col: usize) -> String {
        match &self.sheet {
            None => format!("line {row}"),
            Some(sheet) => xlsx::cell_ref(sheet, row, col as u32),
        }
    }

    fn field(cells: &[(usize, String)], col: usize) -> &str {
        cells.binary_search_by_key(&col, |(c, _)| *c).map_or("", |i| cells[i].1.as_str())
    }
}

/// Reads an OLIR template saved as CSV.
pub fn read(display: &str, text: &str) -> Result<Document, Vec<DataError>> {
    let mut errors = Vec::new();
    let delimiter = csv_table::sniff_delimiter(text);
    let text = crate::text::Text::from(text.to_string());
    let table =
        csv_table::parse_delimited(&text, delimiter, |line, msg| errors.push(DataError::new(display, line, msg)));
    let Some(t) = table else { return Err(errors) };
    let width = t.header.len();
    let rows = t.rows.iter().map(|r| (r.line, (0..width).map(|i| (i, t.field(r, i).to_string())).collect())).collect();
    let table = Table { header: t.header.clone(), rows, sheet: None };
    let Some(cols) = Columns::of(&table.header) else {
        errors.push(DataError::new(display, 1, format!("header lacks the OLIR template's columns; {NEEDS}")));
        return Err(errors);
    };
    from_table(display, &table, &cols, errors)
}

/// Reads an OLIR template workbook: the first sheet with the template's header
/// row among its first rows, and the rows below it.
pub fn read_workbook(display: &str, text: &str) -> Result<Document, Vec<DataError>> {
    let mut book = xlsx::open(display, text).map_err(|e| vec![e])?;
    for sheet in book.sheets.clone() {
        let mut top: Vec<(u32, Vec<(usize, String)>)> = Vec::new();
        book.cells(display, &sheet, |row, col, text| {
            if row >= HEADER_ROWS {
                return false;
            }
            push_cell(&mut top, row, col, text);
            true
        })
        .map_err(|e| vec![e])?;
        merge_rows(&mut top);
        let header = top.iter().map(|(row, cells)| (*row, dense(cells))).find(|(_, h)| Columns::of(h).is_some());
        let Some((header_row, header)) = header else { continue };
        let Some(cols) = Columns::of(&header) else { continue };
        let wanted = cols.all();
        let mut rows: Vec<(u32, Vec<(usize, String)>)> = Vec::new();
        book.cells(display, &sheet, |row, col, text| {
            if row > header_row && wanted.contains(&(col as usize)) {
                push_cell(&mut rows, row, col, text);
            }
            true
        })
        .map_err(|e| vec![e])?;
        merge_rows(&mut rows);
        return from_table(display, &Table { header, rows, sheet: Some(sheet) }, &cols, Vec::new());
    }
    let msg = format!("no sheet has the OLIR template's header row in its first {HEADER_ROWS} rows; {NEEDS}");
    Err(vec![DataError::new(display, 0, msg)])
}

/// Adds a cell to its row, the last one or a new one (a sheet gives its cells row by row).
fn push_cell(rows: &mut Vec<(u32, Vec<(usize, String)>)>, row: u32, col: u32, text: &str) {
    match rows.last_mut() {
        Some((r, cells)) if *r == row => cells.push((col as usize, text.to_string())),
        _ => rows.push((row, vec![(col as usize, text.to_string())])),
    }
}

/// Rows in order, each once, its cells in column order (a sheet may list them in any order).
fn merge_rows(rows: &mut Vec<(u32, Vec<(usize, String)>)>) {
    rows.sort_by_key(|(r, _)| *r);
    let mut merged: Vec<(u32, Vec<(usize, String)>)> = Vec::with_capacity(rows.len());
    for (row, cells) in rows.drain(..) {
        match merged.last_mut() {
            Some((r, have)) if *r == row => have.extend(cells),
            _ => merged.push((row, cells)),
        }
    }
    for (_, cells) in &mut merged {
        cells.sort_by_key(|(c, _)| *c);
        cells.dedup_by_key(|(c, _)| *c);
    }
    *rows = merged;
}

/// A row's cells laid out by column, as far as its last.
fn dense(cells: &[(usize, String)]) -> Vec<String> {
    let width = cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    let mut out = vec![String::new(); width];
    for (c, text) in cells {
        out[*c].clone_from(text);
    }
    out
}

/// The template's rows as maps, one mapping per pair of documents.
fn from_table(
    display: &str,
    t: &Table,
    cols: &Columns,
    mut errors: Vec<DataError>,
) -> Result<Document, Vec<DataError>> {
    let name = display.rsplit('/').next().unwrap_or(display);
    let mut doc = Document { format: "OLIR template", title: name.to_string(), ..Document::default() };
    for (n, cells) in &t.rows {
        if let Some((docs, map)) = self::row(display, t, *n, cells, cols, &mut errors) {
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

impl Columns {
    /// The template's columns in a header row; `None` when it lacks one it must have.
    fn of(header: &[String]) -> Option<Columns> {
        let col = |name: &str| header.iter().position(|h| column(h) == name);
        Some(Columns {
            focal: col(FOCAL)?,
            reference: col(REFERENCE)?,
            relationship: col(RELATIONSHIP)?,
            focal_doc: col("focal document"),
            reference_doc: col("reference document"),
            kind: col("rationale"),
            strength: col("strength of relationship"),
            reasons: REASONS.iter().filter_map(|r| col(r)).collect(),
        })
    }

    /// Every column the reader reads.
    fn all(&self) -> Vec<usize> {
        let optional = [self.focal_doc, self.reference_doc, self.kind, self.strength];
        let mut out = vec![self.focal, self.reference, self.relationship];
        out.extend(optional.into_iter().flatten().chain(self.reasons.iter().copied()));
        out
    }
}

/// The documents a row names (reference, focal), and its map from the reference element to the focal one.
fn row(
    display: &str,
    t: &Table,
    n: u32,
    cells: &[(usize, String)],
    c: &Columns,
    errors: &mut Vec<DataError>,
) -> Option<((String, String), Map)> {
    let field = |i: usize| Table::field(cells, i).to_string();
    let (focal, reference, word) = (field(c.focal), field(c.reference), field(c.relationship));
    let mut ok = true;
    for (value, name, col) in
        [(&focal, "Focal Document Element", c.focal), (&reference, "Reference Document Element", c.reference)]
    {
        if value.is_empty() {
            errors.push(super::error_at(display, &t.at(n, col), format!("empty {name}")));
            ok = false;
        }
    }
    let relationship = said(&word);
    if relationship.is_none() {
        let known = "OLIR says subset of, intersects with, equal, superset of or not related";
        errors.push(super::error_at(display, &t.at(n, c.relationship), unknown_word(&word, known)));
    }
    let (true, Some(relationship)) = (ok, relationship) else { return None };
    let mut notes = Vec::new();
    if let Some(kind) = c.kind.map(field).filter(|k| !k.is_empty()) {
        notes.push(format!("{} rationale", kind.to_ascii_lowercase()));
    }
    if let Some(s) = c.strength.map(field).filter(|s| !s.is_empty()) {
        notes.push(format!("strength {s}"));
    }
    let remarks =
        c.reasons.iter().map(|&i| one_line(Table::field(cells, i))).find(|r| !r.is_empty()).unwrap_or_default();
    let doc = |i: Option<usize>, default: &str| i.map(field).filter(|d| !d.is_empty()).unwrap_or(default.to_string());
    let docs = (doc(c.reference_doc, "reference"), doc(c.focal_doc, "focal"));
    let mut map = Map::pair(&t.at(n, c.relationship), reference, focal, relationship, remarks, notes);
    map.sources[0].at = t.at(n, c.reference);
    map.targets[0].at = t.at(n, c.focal);
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

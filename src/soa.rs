//! Statements of Applicability: the blank template, and reading a filled one as a set of controls.

use std::path::Path;

use crate::db::csv_table;
use crate::db::load::{self, SourceFile};
use crate::db::Database;
use crate::diag::{DataError, Error};
use crate::model::Strength;
use crate::query::sets::ControlSet;
use crate::report::Implementation;
use crate::suggest;

/// The framework a Statement of Applicability lists.
pub const SOA_FRAMEWORK: &str = "iso27001";
/// The template's columns.
pub const COLUMNS: [&str; 5] = ["control", "title", "applicable", "status", "justification"];
/// The `status` values a filled Statement of Applicability may use.
pub const STATUSES: [&str; 4] = ["implemented", "partial", "planned", "not-implemented"];

/// A blank Statement of Applicability: every Annex A control, ready for a spreadsheet.
pub fn template(db: &Database) -> Result<String, Error> {
    let fw = db.find_framework(SOA_FRAMEWORK).ok_or_else(|| no_framework(db))?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: &[&str]| {
        w.write_record(row).map_err(|e| Error::io("soa template", e.into()))
    };
    write(&mut w, &COLUMNS)?;
    for c in db.controls_of(fw) {
        let control = db.control(c);
        write(&mut w, &[&control.id, &crate::output::csv::inert(&control.title), "", "", ""])?;
    }
    let bytes = w.into_inner().map_err(|e| Error::io("soa template", e.into_error()))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

fn no_framework(db: &Database) -> Error {
    let file = db.frameworks.first().map_or("catalogs/", |f| f.file.as_str());
    Error::Data(vec![DataError::new(
        file,
        0,
        format!("a Statement of Applicability needs the `{SOA_FRAMEWORK}` framework"),
    )])
}

/// What a Statement of Applicability holds: the set of controls it counts,
/// its rows by status, and what in it is contradictory but readable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Soa {
    pub set: ControlSet,
    pub counts: StatusCounts,
    /// `file:line: what and how it was read`, for rows that contradict themselves.
    pub warnings: Vec<String>,
    /// The SHA-256 of the file, so a deliverable can cite exactly what it rests on.
    pub sha256: String,
}

/// The rows of a Statement of Applicability by what they say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub implemented: usize,
    pub partial: usize,
    pub planned: usize,
    pub not_implemented: usize,
    /// Applicable, with no status yet.
    pub not_assessed: usize,
    pub not_applicable: usize,
}

impl StatusCounts {
    /// `5 implemented, 3 partial; also 1 planned, 2 not implemented, 4 not assessed, 1 not applicable`
    pub fn describe(&self) -> String {
        let mut text = format!("{} implemented, {} partial", self.implemented, self.partial);
        let rest: Vec<String> = [
            (self.planned, "planned"),
            (self.not_implemented, "not implemented"),
            (self.not_assessed, "not assessed"),
            (self.not_applicable, "not applicable"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !rest.is_empty() {
            text.push_str(&format!("; the file also lists {}", rest.join(", ")));
        }
        text
    }
}

/// Reads a filled Statement of Applicability: the applicable controls whose
/// status is `implemented` (fully) or `partial` (partly). A control is an
/// Annex A id (`8.24`, `A.8.24`) or `KEY:ID` for another framework's. Every
/// problem of the file is reported together, each with its line; a row that
/// contradicts itself is read as it most likely means and reported as a warning.
pub fn read(db: &Database, path: &Path, shown: &str) -> Result<Soa, Error> {
    if shown.trim().is_empty() {
        let msg = "names no file; give the path of a Statement of Applicability (CSV)";
        return Err(Error::Data(vec![DataError::new("soa(\"\")", 0, msg)]));
    }
    from_text(db, load::read_text(path, shown)?, shown)
}

/// [`read`] for a file already in memory; `shown` names it in messages.
pub fn from_text(db: &Database, text: String, shown: &str) -> Result<Soa, Error> {
    use sha2::Digest as _;
    let sha256: String = sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let file = SourceFile { rel: shown.to_string(), display: shown.to_string(), text: text.into(), table: None };
    let mut errors = Vec::new();
    let soa = parse(db, &file, &mut errors)?;
    if errors.is_empty() {
        Ok(Soa { sha256, ..soa })
    } else {
        Err(Error::Data(errors))
    }
}

/// The columns a Statement of Applicability is read by, each with the names
/// spreadsheets give it; headers are compared ignoring case, spaces and punctuation.
const HEADERS: [(&str, &[&str]); 5] = [
    (
        "control",
        &[
            "control",
            "controlid",
            "controlno",
            "controlnumber",
            "controlref",
            "reference",
            "ref",
            "id",
            "annexacontrol",
        ],
    ),
    ("title", &["title", "controltitle", "controlname", "name"]),
    ("applicable", &["applicable", "applicability", "applies", "inscope", "included", "selected"]),
    ("status", &["status", "implementationstatus", "implemented", "state"]),
    ("justification", &["justification", "reason", "rationale", "notes", "comment", "comments"]),
];

/// The column of each of [`HEADERS`], by a header's name or synonym.
fn columns(header: &[String]) -> [Option<usize>; 5] {
    let squash = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let names: Vec<String> = header.iter().map(|h| squash(h)).collect();
    HEADERS.map(|(_, synonyms)| synonyms.iter().find_map(|syn| names.iter().position(|n| n == syn)))
}

fn parse(db: &Database, file: &SourceFile, errors: &mut Vec<DataError>) -> Result<Soa, Error> {
    let default_fw = db.find_framework(SOA_FRAMEWORK);
    let mut soa = Soa::default();
    let delimiter = csv_table::sniff_delimiter(&file.text);
    let report = |line, msg| errors.push(DataError::new(&file.display, line, msg));
    let Some(table) = csv_table::parse_delimited(&file.text, delimiter, report) else { return Ok(soa) };
    let [control, _, applicable, status, justification] = columns(&table.header);
    let (Some(control), Some(applicable), Some(status)) = (control, applicable, status) else {
        let missing: Vec<&str> = [(control, "control"), (applicable, "applicable"), (status, "status")]
            .iter()
            .filter(|(c, _)| c.is_none())
            .map(|(_, n)| *n)
            .collect();
        let msg = format!(
            "no column for {}; the header must name `control`, `applicable` and `status` (or `Control ID`, `Applicable?`, `Implementation status`)",
            missing.join(", ")
        );
        errors.push(DataError::new(&file.display, 1, msg));
        return Ok(soa);
    };
    let mut seen = std::collections::HashMap::new();
    for row in table.rows.iter() {
        let mut err = |msg: String| errors.push(DataError::new(&file.display, row.line, msg));
        let cell = table.field(row, control);
        let (fw, id) = match split_qualified(db, cell) {
            Some((fw, id)) => (fw, id),
            None => match default_fw {
                Some(fw) => (fw, cell),
                None => return Err(no_framework(db)),
            },
        };
        let Some(c) = db.find_control(fw, id).filter(|&c| db.control(c).mappable) else {
            let ids = db.controls_of(fw).map(|c| db.control(c).id.as_ref());
            let hint = suggest::closest(id, ids).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            err(format!("unknown control `{id}` in {}{hint}", db.framework(fw).key));
            continue;
        };
        if let Some(first) = seen.insert(c, row.line) {
            err(format!("control `{id}` is listed twice (first on line {first})"));
            continue;
        }
        // Both cells are checked, so one pass over the file finds every mistake in a row.
        let (applies_cell, status_cell) = (table.field(row, applicable), table.field(row, status));
        let applies = yes_no(applies_cell);
        if applies.is_none() {
            err(format!("applicable is `{applies_cell}`; write yes or no"));
        }
        let strength = status_strength(status_cell);
        if strength.is_err() {
            err(format!("status is `{status_cell}`; write one of {}, or leave it empty", STATUSES.join(", ")));
        }
        let (Some(applies), Ok(strength)) = (applies, strength) else { continue };
        let applies = resolve_contradiction(&mut soa.warnings, file, row.line, id, applies_cell, applies, strength);
        count(&mut soa.counts, applies, status_cell, strength);
        if let (true, Some(strength)) = (applies, strength) {
            soa.set.insert(c, strength);
            let justification = justification.map_or("", |j| table.field(row, j)).to_string();
            soa.set.note(c, Implementation { status: status_cell.to_string(), justification });
        }
    }
    Ok(soa)
}

/// A row marked not applicable but implemented, or with `applicable` left
/// empty but a status given, is read as applicable, with a warning that says so.
fn resolve_contradiction(
    warnings: &mut Vec<String>,
    file: &SourceFile,
    line: u32,
    id: &str,
    applies_cell: &str,
    applies: bool,
    strength: Option<Strength>,
) -> bool {
    if applies || strength.is_none() {
        return applies;
    }
    let said = if applies_cell.is_empty() {
        "applicable is empty".to_string()
    } else {
        format!("applicable is `{applies_cell}`")
    };
    warnings.push(format!(
        "{}:{line}: `{id}`: {said} but the status says it is implemented; read as applicable (write yes, or clear the status)",
        file.display
    ));
    true
}

fn count(counts: &mut StatusCounts, applies: bool, status_cell: &str, strength: Option<Strength>) {
    let slot = match (applies, strength) {
        (false, _) => &mut counts.not_applicable,
        (true, Some(Strength::Full)) => &mut counts.implemented,
        (true, Some(_)) => &mut counts.partial,
        (true, None) if status_cell.is_empty() => &mut counts.not_assessed,
        (true, None) if status_cell.to_ascii_lowercase().contains("plan") => &mut counts.planned,
        (true, None) => &mut counts.not_implemented,
    };
    *slot += 1;
}

/// `KEY:ID` names a control of another framework than ISO/IEC 27001 Annex A.
fn split_qualified<'a>(db: &Database, cell: &'a str) -> Option<(crate::model::FwId, &'a str)> {
    let (key, id) = cell.split_once(':')?;
    Some((db.find_framework(key)?, id))
}

fn yes_no(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "applicable" => Some(true),
        "" | "no" | "n" | "false" | "0" | "not applicable" | "n/a" | "excluded" => Some(false),
        _ => None,
    }
}

/// `implemented` gives a full source, `partial` a partial one; other statuses none.
fn status_strength(s: &str) -> Result<Option<Strength>, ()> {
    let s = s.to_ascii_lowercase().replace(['_', ' '], "-");
    match s.as_str() {
        "implemented" | "yes" | "done" => Ok(Some(Strength::Full)),
        "partial" | "partially-implemented" | "partly-implemented" => Ok(Some(Strength::Partial)),
        "" | "planned" | "not-implemented" | "no" | "not-started" => Ok(None),
        _ => Err(()),
    }
}

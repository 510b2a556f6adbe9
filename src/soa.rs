//! Statements of Applicability: the blank template, and reading a filled one as a set of controls.

use std::borrow::Cow;
use std::path::Path;

use crate::db::csv_table;
use crate::db::load::{self, SourceFile};
use crate::db::Database;
use crate::diag::{DataError, Error};
use crate::model::Strength;
use crate::query::sets::ControlSet;
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
    for c in db.mappable(fw) {
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

/// Reads a filled Statement of Applicability: the applicable controls whose
/// status is `implemented` (fully) or `partial` (partly). A control is an
/// Annex A id (`8.24`, `A.8.24`) or `KEY:ID` for another framework's. Every
/// problem of the file is reported together, each with its line.
pub fn read(db: &Database, path: &Path, shown: &str) -> Result<ControlSet, Error> {
    if shown.trim().is_empty() {
        let msg = "names no file; give the path of a Statement of Applicability (CSV)";
        return Err(Error::Data(vec![DataError::new("soa(\"\")", 0, msg)]));
    }
    from_text(db, load::read_text(path, shown)?, shown)
}

/// [`read`] for a file already in memory; `shown` names it in messages.
pub fn from_text(db: &Database, text: String, shown: &str) -> Result<ControlSet, Error> {
    let file = SourceFile { rel: shown.to_string(), display: shown.to_string(), text: Cow::Owned(text), table: None };
    let mut errors = Vec::new();
    let set = parse(db, &file, &mut errors)?;
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(Error::Data(errors))
    }
}

fn parse(db: &Database, file: &SourceFile, errors: &mut Vec<DataError>) -> Result<ControlSet, Error> {
    let default_fw = db.find_framework(SOA_FRAMEWORK);
    let mut set = ControlSet::default();
    let delimiter = csv_table::sniff_delimiter(&file.text);
    let report = |line, msg| errors.push(DataError::new(&file.display, line, msg));
    let Some(table) = csv_table::parse_delimited(&file.text, delimiter, report) else { return Ok(set) };
    if !load::require_columns(file, &table, &["control", "applicable", "status"], errors) {
        return Ok(set);
    }
    let col = |name| table.column(name).unwrap_or_default();
    let (control, applicable, status) = (col("control"), col("applicable"), col("status"));
    let mut seen = std::collections::HashMap::new();
    for row in table.rows.iter() {
        let mut err = |msg: String| errors.push(DataError::new(&file.display, row.line, msg));
        let (fw, id) = match split_qualified(db, table.field(row, control)) {
            Some((fw, id)) => (fw, id),
            None => match default_fw {
                Some(fw) => (fw, table.field(row, control)),
                None => return Err(no_framework(db)),
            },
        };
        let Some(c) = db.find_control(fw, id).filter(|&c| db.control(c).mappable) else {
            let ids = db.mappable(fw).map(|c| db.control(c).id.as_ref());
            let hint = suggest::closest(id, ids).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            err(format!("unknown control `{id}` in {}{hint}", db.framework(fw).key));
            continue;
        };
        if let Some(first) = seen.insert(c, row.line) {
            err(format!("control `{id}` is listed twice (first on line {first})"));
            continue;
        }
        // Both cells are checked, so one pass over the file finds every mistake in a row.
        let applies = yes_no(table.field(row, applicable));
        if applies.is_none() {
            err(format!("applicable is `{}`; write yes or no", table.field(row, applicable)));
        }
        let strength = status_strength(table.field(row, status));
        if strength.is_err() {
            err(format!(
                "status is `{}`; write one of {}, or leave it empty",
                table.field(row, status),
                STATUSES.join(", ")
            ));
        }
        if let (Some(true), Ok(Some(strength))) = (applies, strength) {
            set.insert(c, strength);
        }
    }
    Ok(set)
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

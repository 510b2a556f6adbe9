//! Reading a database's files (embedded or from a folder) and parsing them into raw records.

use std::borrow::Cow;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::diag::{DataError, Error};

/// Data files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One file of a database: where it sits in the database folder, the name
/// used in messages, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path inside the database folder, `/`-separated (`catalogs/csf.csv`).
    pub rel: String,
    /// Path shown in messages (`mappings/catalogs/csf.csv`).
    pub display: String,
    pub text: Cow<'static, str>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The shipped database, compiled into the binary.
pub fn embedded_files() -> Vec<SourceFile> {
    embedded::FILES
        .iter()
        .map(|(rel, text)| SourceFile {
            rel: (*rel).to_string(),
            display: format!("mappings/{rel}"),
            text: Cow::Borrowed(*text),
        })
        .collect()
}

/// The database files in `dir`: `provenance.toml`, `catalogs/*.toml`,
/// `catalogs/*.csv` and the mapping sets `*.csv`. Other files are ignored.
/// Unreadable or non-UTF-8 files are reported and skipped.
pub fn dir_files(dir: &Path) -> Result<(Vec<SourceFile>, Vec<DataError>), Error> {
    let shown = dir.display().to_string();
    let mut paths = Vec::new();
    for (sub, rel_prefix) in [(dir.to_path_buf(), ""), (dir.join("catalogs"), "catalogs/")] {
        let entries = match std::fs::read_dir(&sub) {
            Ok(entries) => entries,
            Err(e) if rel_prefix.is_empty() => return Err(Error::io(&shown, e)),
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let wanted = name.ends_with(".csv")
                || (name.ends_with(".toml") && (!rel_prefix.is_empty() || name == "provenance.toml"));
            if wanted && !name.starts_with('.') && entry.path().is_file() {
                paths.push((format!("{rel_prefix}{name}"), entry.path()));
            }
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (rel, path) in paths {
        let display = path.display().to_string();
        match read_lossy(&path, &display, &mut errors) {
            Ok(text) => files.push(SourceFile { rel, display, text: Cow::Owned(text) }),
            Err(Error::Data(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    Ok((files, errors))
}

/// Reads a UTF-8 text file; a file that is too large or not UTF-8 is a data error at its place.
pub fn read_text(path: &Path, display: &str) -> Result<String, Error> {
    String::from_utf8(read_bytes(path, display)?)
        .map_err(|e| Error::Data(vec![not_utf8(display, e.as_bytes(), e.utf8_error())]))
}

/// Reads a text file for a database load: a file that is not UTF-8 is
/// reported and read with replacement characters, so that one bad byte does
/// not hide the rest of the load's problems.
fn read_lossy(path: &Path, display: &str, errors: &mut Vec<DataError>) -> Result<String, Error> {
    let bytes = read_bytes(path, display)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            errors.push(not_utf8(display, e.as_bytes(), e.utf8_error()));
            Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

fn read_bytes(path: &Path, display: &str) -> Result<Vec<u8>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(display, e))?;
    if meta.len() > MAX_FILE_BYTES {
        let msg = format!("file is {} MiB; data files are limited to {} MiB", meta.len() >> 20, MAX_FILE_BYTES >> 20);
        return Err(Error::Data(vec![DataError::new(display, 0, msg)]));
    }
    std::fs::read(path).map_err(|e| Error::io(display, e))
}

fn not_utf8(display: &str, bytes: &[u8], e: std::str::Utf8Error) -> DataError {
    let valid = e.valid_up_to();
    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    DataError::new(display, line, format!("not UTF-8 (invalid byte 0x{:02X}); save the file as UTF-8", bytes[valid]))
}

/// A framework's metadata file, `catalogs/KEY.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkMeta {
    pub key: toml::Spanned<String>,
    #[serde(default)]
    pub aliases: Vec<toml::Spanned<String>>,
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub publisher: String,
    pub levels: Vec<String>,
    /// The levels a user maps.
    pub controls: toml::Spanned<Vec<String>>,
    #[serde(default)]
    pub id_prefixes: Vec<String>,
    #[serde(default)]
    pub attributes: IndexMap<String, AttributeMeta>,
    /// Attributes coverage summaries count by.
    #[serde(default)]
    pub summary: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeMeta {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub values: Vec<String>,
}

/// One entry of `provenance.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceMeta {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub detail: String,
}

/// Parses a TOML file; a syntax or schema error is reported at its line.
pub fn parse_toml<T: serde::de::DeserializeOwned>(file: &SourceFile) -> Result<T, DataError> {
    toml::from_str(strip_bom(&file.text)).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(&file.text, s.start));
        let msg = e.message().trim_end().replace('\n', " ");
        DataError::new(&file.display, line, msg)
    })
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Malformed rows reported one by one before the rest are counted together.
const MAX_MALFORMED: usize = 3;

/// A CSV file read into rows of trimmed fields, with the columns named by its header.
#[derive(Debug, Default)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Vec<CsvRow>,
}

#[derive(Debug)]
pub struct CsvRow {
    pub line: u32,
    pub fields: Vec<String>,
}

impl CsvTable {
    /// The position of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Reads a CSV file. Rows whose field count differs from the header's are
/// reported and skipped; blank lines are ignored; a UTF-8 byte-order mark
/// (as spreadsheets write) is accepted.
pub fn parse_csv(file: &SourceFile, errors: &mut Vec<DataError>) -> Option<CsvTable> {
    let text = strip_bom(&file.text);
    if text.trim().is_empty() {
        errors.push(DataError::new(&file.display, 0, "empty file: expected a header row and data rows"));
        return None;
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut table = CsvTable::default();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
    let mut malformed = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as u32);
                errors.push(DataError::new(&file.display, line, format!("malformed CSV: {}", csv_message(&e))));
                return None;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
        if table.header.is_empty() {
            table.header = fields;
            continue;
        }
        if fields.len() != table.header.len() {
            malformed += 1;
            if malformed > MAX_MALFORMED {
                continue;
            }
            let msg = format!(
                "malformed row: {} field(s) where the header has {} ({}); quote any field that contains a comma",
                fields.len(),
                table.header.len(),
                table.header.join(",")
            );
            errors.push(DataError::new(&file.display, line, msg));
            continue;
        }
        table.rows.push(CsvRow { line, fields });
    }
    if malformed > MAX_MALFORMED {
        let msg = format!("{} more rows have the wrong number of fields", malformed - MAX_MALFORMED);
        errors.push(DataError::new(&file.display, 0, msg));
    }
    Some(table)
}

/// Line numbers of byte offsets, counted forward. The csv crate's own line
/// numbers miss the blank lines before a record.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter { text: text.as_bytes(), offset: 0, line: 1 }
    }

    /// The line of the first character at or after `offset` that is not a line break.
    fn line_at(&mut self, offset: usize) -> u32 {
        let mut target = offset.min(self.text.len());
        while target < self.text.len() && matches!(self.text[target], b'\r' | b'\n') {
            target += 1;
        }
        if target < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.text[self.offset..target].iter().filter(|&&b| b == b'\n').count() as u32;
        self.offset = target;
        self.line
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".to_string(),
        _ => {
            let s = e.to_string();
            // The csv crate prefixes its own position; ours is already in the message.
            match s.find(": ") {
                Some(i) if s.starts_with("CSV") => s[i + 2..].to_string(),
                _ => s,
            }
        }
    }
}

/// Checks that a CSV header has the `required` columns; reports each missing one.
pub fn require_columns(file: &SourceFile, table: &CsvTable, required: &[&str], errors: &mut Vec<DataError>) -> bool {
    let missing: Vec<&str> = required.iter().copied().filter(|c| table.column(c).is_none()).collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "header lacks column(s) {}; expected a header starting {}",
        missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
        required.join(",")
    );
    errors.push(DataError::new(&file.display, 1, msg));
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &'static str) -> SourceFile {
        SourceFile { rel: "x.csv".into(), display: "x.csv".into(), text: Cow::Borrowed(text) }
    }

    #[test]
    fn csv_rows_keep_their_lines_and_skip_blank_ones() {
        let mut errors = Vec::new();
        let t = parse_csv(&file("\u{feff}a,b\n1, 2 \n\n\"x\ny\",3\n4\n"), &mut errors).unwrap();
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].line, t.rows[0].fields[1].as_str()), (2, "2"));
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 6);
    }

    #[test]
    fn empty_csv_is_an_error() {
        let mut errors = Vec::new();
        assert!(parse_csv(&file(" \n"), &mut errors).is_none());
        assert!(errors[0].message.starts_with("empty file"));
    }
}

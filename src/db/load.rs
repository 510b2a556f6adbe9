//! Reading a database's files (embedded or from a folder) and parsing them into raw records.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::diag::{DataError, Error};

/// Files of statements and Statements of Applicability larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Database files larger than this are refused: a table addresses its
/// fields, and the unescaped copies of some, with 32-bit offsets. A file
/// larger than the memory the machine has free is refused too.
pub const MAX_DATA_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// One file of a database: where it sits in the database folder, the name
/// used in messages, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path inside the database folder, `/`-separated (`catalogs/csf.csv`).
    pub rel: String,
    /// Path shown in messages (`mappings/catalogs/csf.csv`).
    pub display: String,
    pub text: Text,
    /// The table of a CSV file read at build time (the shipped database).
    pub table: Option<CsvTable>,
}

mod embedded {
    use super::csv_table::{CsvRow, StaticTable};
    use super::Embedded;
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The fingerprint of the shipped database, computed when the binary was built.
pub const EMBEDDED_SHA256: &str = env!("CROSSWALK_DATABASE_SHA256");

/// The SHA-256 of files' paths and texts, in path order, after `base` (a fingerprint to extend).
pub fn fingerprint(base: Option<&str>, files: &[SourceFile]) -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    if let Some(b) = base {
        hash.update(b.as_bytes());
    }
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.rel.cmp(&b.rel));
    for f in sorted {
        hash.update(f.rel.as_bytes());
        hash.update([0]);
        hash.update(f.text.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The shipped database, compiled into the binary: all of it (`None`), or the
/// files a load of the frameworks named needs, as a store reads them ([`super::store::needed`]).
pub fn embedded_files(frameworks: Option<&std::collections::BTreeSet<String>>) -> Vec<SourceFile> {
    let file = |(rel, _, content): &(&str, &[&str], Embedded)| {
        let (text, table) = match content {
            Embedded::Text(text) => (Text::from_static(text), None),
            Embedded::Table(t) => (Text::default(), Some(CsvTable::from_static(t))),
        };
        SourceFile { rel: (*rel).to_string(), display: format!("mappings/{rel}"), text, table }
    };
    match frameworks {
        None => embedded::FILES.iter().map(file).collect(),
        Some(frameworks) => {
            let linked: Vec<(&str, &[&str])> = embedded::FILES.iter().map(|(rel, fws, _)| (*rel, *fws)).collect();
            super::store::needed(&linked, frameworks).into_iter().map(|i| file(&embedded::FILES[i])).collect()
        }
    }
}

/// The key of the shipped framework a name (key or alias, any case) stands for.
pub fn embedded_key(name: &str) -> Option<&'static str> {
    embedded::NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, key)| *key)
}

/// A shipped file as the build embedded it.
pub(crate) enum Embedded {
    /// Text to parse at run time (TOML, or a CSV file the build could not read cleanly).
    Text(&'static str),
    /// A CSV file already read into a table.
    Table(csv_table::StaticTable),
}

/// The files of a layer given to `--add`: a database folder's (see [`dir_files`]),
/// or one mapping file in another format (an OSCAL mapping collection), read as
/// `imports/NAME` of the layer.
pub fn layer_files(path: &Path) -> Result<(Vec<SourceFile>, Vec<DataError>), Error> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&shown, e))?;
    if meta.is_dir() {
        let (files, errors) = dir_files(path)?;
        if files.is_empty() && errors.is_empty() {
            return Ok((Vec::new(), vec![empty_layer(path, &shown)]));
        }
        return Ok((files, errors));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    if !crate::interchange::is_mapping_file(&name) {
        let msg =
            format!("--add takes a database folder or a mapping file; crosswalk reads {}", crate::interchange::FORMATS);
        return Ok((Vec::new(), vec![DataError::new(&shown, 0, msg)]));
    }
    match read_file(path, &shown, &mut errors) {
        Ok(text) => {
            let file =
                SourceFile { rel: format!("imports/{name}"), display: shown, text: Text::from(text), table: None };
            Ok((vec![file], errors))
        }
        Err(Error::Data(mut e)) => {
            errors.append(&mut e);
            Ok((Vec::new(), errors))
        }
        Err(e) => Err(e),
    }
}

/// The error for a folder given to `--add` with no database file in it: a
/// folder of mapping files, say, which are added one by one or kept in `imports/`.
fn empty_layer(path: &Path, shown: &str) -> DataError {
    let mapping_files: Vec<String> = std::fs::read_dir(path)
        .map(|entries| {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| crate::interchange::is_mapping_file(n))
                .collect();
            names.sort();
            names
        })
        .unwrap_or_default();
    let msg = match mapping_files.first() {
        Some(first) => format!(
            "holds no database files, and --add loads a folder as a database (catalogs/, KEY__KEY.csv, imports/); \
             to import its {} mapping file(s), --add each one (--add {}/{first}), or move them into {shown}/imports/",
            mapping_files.len(),
            shown.trim_end_matches('/')
        ),
        None => "holds no database files: --add takes a database folder (catalogs/, KEY__KEY.csv, imports/) \
                 or a mapping file"
            .to_string(),
    };
    DataError::new(shown, 0, msg)
}

/// The database files in `dir`: `provenance.toml`, `catalogs/*.toml`,
/// `catalogs/*.csv`, the mapping sets `*.csv`, the published pairs a set
/// leaves out, `left-out/*.csv`, catalogs and mapping files in other formats
/// (`imports/*.json`, `.csv`, `.xlsx`, ...), and `database.toml`. Other files are ignored.
/// Unreadable or non-UTF-8 files are reported and skipped, and so is a name
/// that is not a regular file (a folder, a named pipe, a broken link): a
/// mapping set never disappears without a word.
pub fn dir_files(dir: &Path) -> Result<(Vec<SourceFile>, Vec<DataError>), Error> {
    let paths = dir_paths(dir)?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (rel, path) in paths {
        let display = path.display().to_string();
        match read_file(&path, &display, &mut errors) {
            Ok(text) => files.push(SourceFile { rel, display, text: Text::from(text), table: None }),
            Err(Error::Data(mut e)) => errors.append(&mut e),
            // One unreadable file is one more fault of the database, reported with the others.
            Err(Error::Io { source, .. }) => {
                let msg = format!("cannot be read: {}", crate::diag::io_message(&source));
                errors.push(DataError::new(&display, 0, msg));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((files, errors))
}

/// The database files in `dir` (see [`dir_files`]), each with its path inside the folder, in that order.
pub fn dir_paths(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>, Error> {
    let shown = dir.display().to_string();
    let mut paths = Vec::new();
    let subs = [
        (dir.to_path_buf(), ""),
        (dir.join("catalogs"), "catalogs/"),
        (dir.join("left-out"), "left-out/"),
        (dir.join("imports"), "imports/"),
    ];
    for (sub, rel_prefix) in subs {
        let entries = match std::fs::read_dir(&sub) {
            Ok(entries) => entries,
            Err(e) if rel_prefix.is_empty() => return Err(Error::io(&shown, e)),
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let wanted = if rel_prefix == "imports/" {
                crate::interchange::is_mapping_file(&name)
            } else {
                name.ends_with(".csv")
            } || (name.ends_with(".toml")
                && (rel_prefix == "catalogs/" || name == "provenance.toml" || name == "database.toml"));
            if wanted && !name.starts_with('.') {
                paths.push((format!("{rel_prefix}{name}"), entry.path()));
            }
        }
    }
    paths.sort();
    Ok(paths)
}

/// Reads a UTF-8 text file; a file that is too large or not UTF-8 is a data error at its place.
pub fn read_text(path: &Path, display: &str) -> Result<String, Error> {
    String::from_utf8(read_bytes(path, display, MAX_FILE_BYTES)?)
        .map_err(|e| Error::Data(vec![not_utf8(display, e.as_bytes(), e.utf8_error())]))
}

/// Reads a file of a load: a workbook (`.xlsx`) byte for byte, one `char` per
/// byte (see [`crate::interchange::xlsx`]); any other file as text.
fn read_file(path: &Path, display: &str, errors: &mut Vec<DataError>) -> Result<String, Error> {
    if display.to_ascii_lowercase().ends_with(".xlsx") {
        return read_bytes(path, display, MAX_FILE_BYTES).map(|b| crate::interchange::xlsx::bytes_as_text(&b));
    }
    read_lossy(path, display, errors)
}

/// Reads a text file for a database load: a file that is not UTF-8 is
/// reported and read with replacement characters, so that one bad byte does
/// not hide the rest of the load's problems.
fn read_lossy(path: &Path, display: &str, errors: &mut Vec<DataError>) -> Result<String, Error> {
    let bytes = read_bytes(path, display, MAX_DATA_FILE_BYTES)?;
    // Every byte of a UTF-16 file would be an error of its own; one says it all.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let msg = "is UTF-16 (it starts with a UTF-16 byte-order mark); save the file as UTF-8";
        return Err(Error::Data(vec![DataError::new(display, 0, msg)]));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            errors.push(not_utf8(display, e.as_bytes(), e.utf8_error()));
            Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

/// Reads a file: a regular file (or a link to one) of at most `limit` bytes,
/// and no larger than the memory free. A folder, a named pipe or a device is
/// refused rather than skipped, waited on or read without end.
fn read_bytes(path: &Path, display: &str, limit: u64) -> Result<Vec<u8>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(display, e))?;
    if !meta.is_file() {
        return Err(Error::Data(vec![DataError::new(display, 0, format!("is {}, not a file", kind_of(&meta)))]));
    }
    too_large(display, meta.len(), limit)?;
    let bytes = read_up_to(path, meta.len(), limit).map_err(|e| Error::io(display, e))?;
    too_large(display, bytes.len() as u64, limit)?;
    Ok(bytes)
}

/// Refuses a file of `len` bytes over `limit`, or over the memory the machine has free.
fn too_large(display: &str, len: u64, limit: u64) -> Result<(), Error> {
    let msg = if len > limit {
        let what = if limit == MAX_FILE_BYTES { "data files" } else { "database files" };
        format!("file is {} MiB; {what} are limited to {} MiB", len >> 20, limit >> 20)
    } else if let Some(free) = memory_available().filter(|&free| len > free) {
        format!(
            "file is {} MiB, more than the {} MiB of memory free; free memory or split the file",
            len >> 20,
            free >> 20
        )
    } else {
        return Ok(());
    };
    Err(Error::Data(vec![DataError::new(display, 0, msg)]))
}

/// The memory the system can give without swapping (Linux's `MemAvailable`), in bytes.
fn memory_available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Reads at most one byte more than [`MAX_FILE_BYTES`] of any readable file,
/// so that a file growing as it is read cannot exhaust memory.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    read_up_to(path, 0, MAX_FILE_BYTES)
}

/// Reads at most `limit + 1` bytes, into a buffer of the size expected (the file's length).
fn read_up_to(path: &Path, expected: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(expected.min(limit) as usize + 1);
    std::fs::File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// The error for bytes that are not UTF-8, at the line of the first bad byte.
pub fn not_utf8(display: &str, bytes: &[u8], e: std::str::Utf8Error) -> DataError {
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
    /// The levels a user maps and coverage counts.
    pub controls: toml::Spanned<Vec<String>>,
    /// Levels below the controls whose nodes are parts of their parent.
    #[serde(default)]
    pub parts: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    pub id_prefixes: Vec<String>,
    #[serde(default)]
    pub attributes: IndexMap<String, AttributeMeta>,
    /// Attributes coverage summaries count by.
    #[serde(default)]
    pub summary: Vec<String>,
    /// The attribute that limits items to a category a query may leave out of scope.
    #[serde(default)]
    pub scope: Option<String>,
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

/// A database's `database.toml`: its version.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseMeta {
    pub version: String,
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

use super::csv_table;
pub use super::csv_table::{CsvRow, CsvTable};
use crate::text::Text;

/// Reads a CSV file (see [`csv_table::parse`]); problems are reported at their lines.
/// The shipped database's tables were read when the binary was built.
pub fn parse_csv(file: &SourceFile, errors: &mut Vec<DataError>) -> Option<CsvTable> {
    if let Some(table) = &file.table {
        return Some(table.clone());
    }
    let before = errors.len();
    let table = csv_table::parse(&file.text, |line, msg| errors.push(DataError::new(&file.display, line, msg)))?;
    // A header and nothing else: a catalog without controls, a mapping set without mappings.
    if table.rows.is_empty() && errors.len() == before {
        errors.push(DataError::new(&file.display, 0, "no rows below the header: add rows or remove the file"));
    }
    Some(table)
}

/// Checks that a CSV header has the `required` columns; reports each missing one.
pub fn require_columns(file: &SourceFile, table: &CsvTable, required: &[&str], errors: &mut Vec<DataError>) -> bool {
    let missing: Vec<&str> = required.iter().copied().filter(|c| table.column(c).is_none()).collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "header lacks column(s) {}; the header row must name at least {}",
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
        SourceFile { rel: "x.csv".into(), display: "x.csv".into(), text: Text::from_static(text), table: None }
    }

    #[test]
    fn csv_rows_keep_their_lines_and_skip_blank_ones() {
        let mut errors = Vec::new();
        let t = parse_csv(&file("\u{feff}a,b\n1, 2 \n\n\"x\ny\",3\n4\n"), &mut errors).unwrap();
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].line, t.field(&t.rows[0], 1)), (2, "2"));
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 6);
    }

    #[test]
    fn a_quote_left_open_is_an_error_at_its_line_not_lost_rows() {
        let mut errors = Vec::new();
        let text = "a,b,c\n1,2,\"three\n4,5,6\n7,8,9\n";
        assert!(parse_csv(&file(text), &mut errors).is_none());
        assert_eq!((errors[0].line, errors[0].message.starts_with("a quoted field")), (2, true), "{errors:?}");
        // Closed quotes, quotes inside a field and escaped quotes are fine.
        let mut errors = Vec::new();
        let t = parse_csv(&file("a,b\n\"x\ny\",q\"r\n\"say \"\"hi\"\"\",z\n"), &mut errors).unwrap();
        assert_eq!((t.rows.len(), errors.len()), (2, 0), "{errors:?}");
        assert_eq!(t.field(&t.rows[1], 0), "say \"hi\"");
        // Two fields each missing a quote hold the rows between them: the second quote has text after it.
        let mut errors = Vec::new();
        let text = "a,b,c\n1,2,\"three\n4,5,6\n7,8,\"nine\n10,11,12\n";
        assert!(parse_csv(&file(text), &mut errors).is_none());
        assert_eq!(errors[0].line, 4, "{errors:?}");
        assert!(errors[0].message.starts_with("text follows the closing quote of a field opened on line 2"));
        // A quote that closes rows later leaves a row of the wrong length, and says where the field ran to.
        let mut errors = Vec::new();
        parse_csv(&file("a,b,c\n1,\"2\n4,5,6\n7\"\n"), &mut errors);
        assert!(errors[0].message.contains("runs on to line 4"), "{errors:?}");
    }

    #[test]
    fn a_column_named_twice_is_an_error() {
        let mut errors = Vec::new();
        parse_csv(&file("id,title,id\n1,2,3\n"), &mut errors);
        assert_eq!(errors[0].line, 1);
        assert_eq!(errors[0].message, "column `id` appears twice (columns 1 and 3); name each column once");
    }

    #[test]
    fn empty_csv_is_an_error() {
        let mut errors = Vec::new();
        assert!(parse_csv(&file(" \n"), &mut errors).is_none());
        assert!(errors[0].message.starts_with("empty file"));
    }
}

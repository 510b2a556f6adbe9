//! Writing a result to a file: the format from the extension, the file written whole or not at all.

use std::io::Write as _;
use std::path::Path;

use super::xlsx::Sheet;
use super::{data_table, matrix_table, Table};
use crate::db::Database;
use crate::diag::{Diagnostic, Error, Span};
use crate::report::Output;

/// Where an export comes from, for the About sheet of a workbook and the head of a report.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The statement exported, as the user wrote it.
    pub query: String,
    /// The database cited: its version and fingerprint.
    pub database: String,
    /// Files the session read, each with its SHA-256 (Statements of Applicability).
    pub inputs: Vec<(String, String)>,
}

impl Context {
    /// The About sheet: what the workbook is and what it rests on.
    pub fn about(&self, out: &Output) -> super::xlsx::About {
        let date = date();
        let mut lines = vec![
            ("Query".to_string(), self.query.clone()),
            ("Generated".to_string(), date.clone()),
            ("Tool".to_string(), format!("crosswalk {}", env!("CARGO_PKG_VERSION"))),
            ("Database".to_string(), self.database.clone()),
        ];
        for (path, sha) in &self.inputs {
            lines.push(("Statement of Applicability".to_string(), format!("{path} (sha256 {sha})")));
        }
        super::xlsx::About { title: title(out), lines, date }
    }
}

/// What an export is, in words: `Coverage of soc2 from soa("client.csv")`.
pub fn title(out: &Output) -> String {
    match out {
        Output::Coverage(c) if c.gaps_only => format!("Gaps of {} from {}", c.target, c.source),
        Output::Coverage(c) => format!("Coverage of {} from {}", c.target, c.source),
        Output::Mappings(m) => format!("Crosswalk of {} to {}", m.source, m.target),
        Output::Plan(p) => format!("Plan for {} from {}", p.target, p.source),
        Output::Explain(e) => format!("How {} reaches {}", e.source, e.target.qualified()),
        Output::Paths(p) => format!("Routes from {} to {}", p.from.qualified(), p.target),
        Output::Controls(_) => "Controls".to_string(),
        _ => "crosswalk".to_string(),
    }
}

/// Today's date, `YYYY-MM-DD` (UTC); `SOURCE_DATE_EPOCH` fixes it, so builds of a report can be reproduced.
pub fn date() -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
        });
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes `out` to `path` (shown to the user as `shown`) and says what was written.
/// The format follows the extension: `.csv`, `.xlsx`, `.json` or `.md`.
/// `span` is where the file name stands in the query, for errors. A file that
/// is not a regular file the user may write is refused (see [`write_atomically`]).
pub fn write(
    out: &Output,
    db: &Database,
    path: &Path,
    shown: &str,
    span: Span,
    (matrix, bom): (bool, bool),
    context: &Context,
) -> Result<String, Error> {
    write_to(out, db, path, shown, span, (matrix, bom, false), context)
}

/// [`write`]; with `force`, a link, special file or read-only file at `path` is replaced.
pub fn write_to(
    out: &Output,
    db: &Database,
    path: &Path,
    shown: &str,
    span: Span,
    (matrix, bom, force): (bool, bool, bool),
    context: &Context,
) -> Result<String, Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if is_oscal(path) {
        let bytes = oscal(out, db, shown, span, matrix || bom, context)?;
        write_atomically(path, bytes.1.as_bytes(), force, EXPORT_FORCE).map_err(|e| Error::io(shown, e))?;
        return Ok(format!("wrote {} maps to {shown} (OSCAL {})", bytes.0, crate::interchange::oscal::OSCAL_VERSION));
    }
    let long = data_table(out);
    let grid = matrix_table(out);
    if matrix && grid.is_none() {
        let msg = format!("only crosswalk, map, coverage and gaps have a matrix view (exporting to `{shown}`)");
        return Err(Diagnostic::new(msg, span).into());
    }
    let summary = match out {
        Output::Coverage(c) => Some(super::summary_table(&c.summary, true)),
        _ => None,
    };
    let (bytes, rows) = match ext.as_str() {
        "csv" => {
            let t = if matrix { grid.as_ref().unwrap_or(&long) } else { &long };
            (super::csv::render(t, bom).into_bytes(), t.rows.len())
        }
        "xlsx" => {
            let sheets = sheets(out, &long, grid.as_ref(), summary.as_ref());
            let bytes = super::xlsx::workbook(&context.about(out), &sheets)
                .map_err(|e| Error::io(shown, std::io::Error::other(e.to_string())))?;
            (bytes, long.rows.len())
        }
        "json" => (super::json::render(out).into_bytes(), long.rows.len()),
        "html" | "htm" => match super::html::report(out, context) {
            Some(page) => (page.into_bytes(), long.rows.len()),
            None => {
                let msg = format!("only coverage and gaps have an HTML report (exporting to `{shown}`)");
                return Err(Diagnostic::new(msg, span)
                    .with_help("export the result to .csv, .xlsx, .json or .md")
                    .into());
            }
        },
        "md" | "markdown" => (super::markdown::render(&super::blocks(out)).into_bytes(), long.rows.len()),
        _ => {
            let msg = format!("cannot tell the export format of `{shown}`");
            return Err(Diagnostic::new(msg, span)
                .with_help(
                    "end the file name with .csv, .xlsx, .json, .md, .oscal.json or, for coverage and gaps, .html",
                )
                .into());
        }
    };
    write_atomically(path, &bytes, force, EXPORT_FORCE).map_err(|e| Error::io(shown, e))?;
    let view = if matrix && ext == "csv" { "matrix rows" } else { "rows" };
    Ok(format!("wrote {rows} {view} to {shown}"))
}

/// Whether a file name asks for an OSCAL mapping collection: it ends in `.oscal.json`.
pub fn is_oscal(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.to_ascii_lowercase().ends_with(".oscal.json"))
}

/// A `map` or `crosswalk` result as an OSCAL mapping collection: the number of maps and the text.
fn oscal(
    out: &Output,
    db: &Database,
    shown: &str,
    span: Span,
    options: bool,
    context: &Context,
) -> Result<(usize, String), Error> {
    let Output::Mappings(list) = out else {
        let msg = format!("only map and crosswalk have an OSCAL form (exporting to `{shown}`)");
        return Err(Diagnostic::new(msg, span).with_help("export the result to .csv, .xlsx, .json or .md").into());
    };
    if options {
        let msg = format!("an OSCAL mapping collection has no matrix and no byte-order mark (exporting to `{shown}`)");
        return Err(Diagnostic::new(msg, span).into());
    }
    let date = date();
    let origin = crate::interchange::oscal::Origin { title: &title(out), query: &context.query, date: &date };
    crate::interchange::oscal::write(db, list, &origin)
        .map_err(|why| Diagnostic::new(format!("cannot export `{shown}` as OSCAL: {why}"), span).into())
}

/// The sheets of a workbook after its About sheet: the long view, the matrix
/// where there is one, and the summary of a coverage.
fn sheets<'a>(out: &Output, long: &'a Table, grid: Option<&'a Table>, summary: Option<&'a Table>) -> Vec<Sheet<'a>> {
    let name = match out {
        Output::Mappings(_) => "Crosswalk",
        Output::Coverage(c) if c.gaps_only => "Gaps",
        Output::Coverage(_) => "Coverage",
        Output::Controls(_) => "Controls",
        Output::Paths(_) => "Routes",
        Output::Explain(_) => "Explain",
        Output::Plan(_) => "Plan",
        _ => "Result",
    };
    let mut sheets = vec![Sheet { name, table: long, matrix: false }];
    if let Some(s) = summary {
        sheets.push(Sheet { name: "Summary", table: s, matrix: false });
    }
    if let Some(g) = grid {
        sheets.push(Sheet { name: "Matrix", table: g, matrix: true });
    }
    sheets
}

/// Writes the bytes to a temporary file beside `path`, then renames it over
/// `path`: a reader sees the old file or the new one, never half of one, and a
/// failure leaves an existing file as it was and no temporary file behind.
///
/// A new file gets the permissions the umask allows; a replaced file keeps its
/// own. Unless `force`, the export refuses to replace a symbolic link (it would
/// not write through it), a file with other hard links (they would keep the old
/// content), a special file (a pipe, a device) or a file without write permission.
/// What replaces a file an export refuses to replace.
const EXPORT_FORCE: &str = "`crosswalk export --force` replaces it";

/// `otherwise`: what a user can do when an existing file is refused (unless `force`).
pub fn write_atomically(path: &Path, bytes: &[u8], force: bool, otherwise: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        refuse_to_replace(meta, force, otherwise)?;
    }
    // 0o666 is narrowed by the umask when the file is created, as any new file is.
    let mode = existing.as_ref().filter(|m| m.is_file()).map_or(0o666, |m| m.permissions().mode() & 0o7777);
    let mut tmp = tempfile::Builder::new()
        .prefix(".crosswalk-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if existing.is_some() {
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Why an existing file at the export's path is not replaced without `--force`.
fn refuse_to_replace(meta: &std::fs::Metadata, force: bool, otherwise: &str) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder"));
    }
    let why = if kind.is_symlink() {
        "is a symbolic link, which is not written through"
    } else if !kind.is_file() {
        "is not a regular file (a pipe or a device)"
    } else if meta.permissions().readonly() {
        "is read-only"
    } else if meta.nlink() > 1 {
        "has other hard links, which would keep the old content"
    } else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let msg = format!("{why}; not replaced ({otherwise})");
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, msg))
}

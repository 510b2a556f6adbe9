//! Writing a result to a file: the format from the extension, the file written whole or not at all.

use std::io::Write as _;
use std::path::Path;

use super::{data_table, matrix_table, Table};
use crate::diag::{Diagnostic, Error, Span};
use crate::report::Output;

/// Writes `out` to `path` (shown to the user as `shown`) and says what was written.
/// The format follows the extension: `.csv`, `.xlsx`, `.json` or `.md`.
/// `span` is where the file name stands in the query, for errors.
pub fn write(out: &Output, path: &Path, shown: &str, span: Span, matrix: bool, bom: bool) -> Result<String, Error> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
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
            let bytes =
                super::xlsx::workbook(&sheets).map_err(|e| Error::io(shown, std::io::Error::other(e.to_string())))?;
            (bytes, long.rows.len())
        }
        "json" => (super::json::render(out).into_bytes(), long.rows.len()),
        "md" | "markdown" => (super::markdown::render(&super::blocks(out)).into_bytes(), long.rows.len()),
        _ => {
            let msg = format!("cannot tell the export format of `{shown}`");
            return Err(Diagnostic::new(msg, span)
                .with_help("end the file name with .csv, .xlsx, .json or .md")
                .into());
        }
    };
    write_atomically(path, &bytes).map_err(|e| Error::io(shown, e))?;
    let view = if matrix && ext == "csv" { "matrix rows" } else { "rows" };
    Ok(format!("wrote {rows} {view} to {shown}"))
}

/// The sheets of a workbook: the long view, the matrix where there is one, and the summary of a coverage.
fn sheets<'a>(
    out: &Output,
    long: &'a Table,
    grid: Option<&'a Table>,
    summary: Option<&'a Table>,
) -> Vec<(&'static str, &'a Table)> {
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
    let mut sheets = vec![(name, long)];
    if let Some(g) = grid {
        sheets.push(("Matrix", g));
    }
    if let Some(s) = summary {
        sheets.push(("Summary", s));
    }
    sheets
}

/// Writes the bytes to a temporary file beside `path`, then renames it over
/// `path`: a reader sees the old file or the new one, never half of one, and a
/// failure leaves an existing file as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".crosswalk-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

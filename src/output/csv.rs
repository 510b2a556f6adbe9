//! RFC 4180 CSV, with cells a spreadsheet would run as formulas made inert.

use super::Table;

/// Renders a table as CSV (CRLF line ends), optionally behind a UTF-8 byte-order mark for Excel.
pub fn render(t: &Table, bom: bool) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let header: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header.iter().map(|h| inert(h).into_owned()));
    for row in &t.rows {
        let _ = w.write_record(row.iter().map(|c| inert(c).into_owned()));
    }
    let bytes = w.into_inner().unwrap_or_default();
    let text = String::from_utf8(bytes).unwrap_or_default();
    if bom {
        format!("\u{feff}{text}")
    } else {
        text
    }
}

/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
/// read by spreadsheets as a formula; a leading `'` makes it plain text.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Column, Kind};

    #[test]
    fn quotes_and_neutralises() {
        let t = Table {
            columns: vec![
                Column { name: "a".into(), wrap: false, kind: Kind::Text },
                Column { name: "b".into(), wrap: false, kind: Kind::Text },
            ],
            rows: vec![vec!["=HYPERLINK(\"x\")".into(), "x, \"y\"".into()], vec!["-1".into(), "@SUM".into()]],
        };
        assert_eq!(render(&t, false), "a,b\r\n\"'=HYPERLINK(\"\"x\"\")\",\"x, \"\"y\"\"\"\r\n'-1,'@SUM\r\n");
        assert!(render(&t, true).starts_with('\u{feff}'));
    }
}

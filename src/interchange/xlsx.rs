//! Workbooks (`.xlsx`) read for import: sheets read cell by cell, each cell placed as a
//! spreadsheet places it (`Sheet1!C7`).
//!
//! A database load carries every file as text; a workbook is carried byte for byte,
//! one `char` per byte ([`bytes_as_text`]), and turned back here. The archive is
//! unpacked once with a cap before anything is read from it, so a small file cannot
//! unpack to gigabytes; a sheet's cells are streamed, never laid out as a grid, so a
//! cell at `XFD1048576` costs no more than one at `A1`. The reader knows only what
//! a template needs: the workbook's sheets, shared strings, and each cell's text.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use crate::diag::DataError;

/// Most bytes a workbook's archive may unpack to.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;
/// The last row and column a sheet can have (0-based).
const LAST_ROW: u32 = 1_048_575;
const LAST_COLUMN: u32 = 16_383;

/// A workbook's bytes as text, one `char` per byte, as a load carries files.
pub fn bytes_as_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes [`bytes_as_text`] made text of; `None` for text it did not make.
fn text_as_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// An open workbook: its sheets' names, in order, and what reading them needs.
pub struct Workbook {
    zip: ZipArchive<Cursor<Vec<u8>>>,
    /// The shared strings cells name by index.
    strings: Vec<String>,
    pub sheets: Vec<String>,
    /// Each sheet's member of the archive.
    paths: Vec<String>,
}

/// Why a file is not read as a workbook, as an error.
fn not_a_workbook(display: &str, why: impl std::fmt::Display) -> DataError {
    DataError::new(display, 0, format!("not an Excel workbook (.xlsx): {why}"))
}

/// Opens a workbook a load carries as text: its sheets and shared strings.
pub fn open(display: &str, text: &str) -> Result<Workbook, DataError> {
    let bytes = text_as_bytes(text).ok_or_else(|| not_a_workbook(display, "it was read as text"))?;
    check_size(display, &bytes)?;
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(display, e))?;
    let rels = targets(&mut zip, display)?;
    let mut sheets = Vec::new();
    let mut paths = Vec::new();
    each_element(&mut zip, display, "xl/workbook.xml", |e| {
        if e.local_name().as_ref() == b"sheet" {
            let name = attribute(e, |k| k == b"name").unwrap_or_default();
            let id = attribute(e, |k| k.ends_with(b":id")).unwrap_or_default();
            if let Some((_, target)) = rels.iter().find(|(i, _)| *i == id) {
                sheets.push(name);
                paths.push(target.clone());
            }
        }
    })?;
    let mut strings = Vec::new();
    if zip.index_for_name("xl/sharedStrings.xml").is_some() {
        let member = zip.by_name("xl/sharedStrings.xml").map_err(|e| not_a_workbook(display, e))?;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(member));
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf).map_err(|e| not_a_workbook(display, e))? {
                Event::Start(e) if e.local_name().as_ref() == b"si" => strings.push(text_of(&mut xml, b"si", display)?),
                Event::Empty(e) if e.local_name().as_ref() == b"si" => strings.push(String::new()),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
    }
    Ok(Workbook { zip, strings, sheets, paths })
}

/// Unpacks every member of the archive, counting, and refuses an archive that unpacks to more than [`MAX_UNPACKED`].
fn check_size(display: &str, bytes: &[u8]) -> Result<(), DataError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(display, e))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let member = zip.by_index(i).map_err(|e| not_a_workbook(display, e))?;
        let left = MAX_UNPACKED - total;
        total +=
            std::io::copy(&mut member.take(left + 1), &mut std::io::sink()).map_err(|e| not_a_workbook(display, e))?;
        if total > MAX_UNPACKED {
            let msg = format!("unpacks to more than {} MiB; crosswalk reads workbooks up to that", MAX_UNPACKED >> 20);
            return Err(DataError::new(display, 0, msg));
        }
    }
    Ok(())
}

/// The workbook's relationships: (id, the archive member it points at).
fn targets(zip: &mut ZipArchive<Cursor<Vec<u8>>>, display: &str) -> Result<Vec<(String, String)>, DataError> {
    let mut out = Vec::new();
    each_element(zip, display, "xl/_rels/workbook.xml.rels", |e| {
        if e.local_name().as_ref() == b"Relationship" {
            let id = attribute(e, |k| k == b"Id").unwrap_or_default();
            let target = attribute(e, |k| k == b"Target").unwrap_or_default();
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            };
            out.push((id, path));
        }
    })?;
    Ok(out)
}

/// Calls `f` on each element that opens in an archive member.
fn each_element(
    zip: &mut ZipArchive<Cursor<Vec<u8>>>,
    display: &str,
    name: &str,
    mut f: impl FnMut(&BytesStart),
) -> Result<(), DataError> {
    let member = zip.by_name(name).map_err(|e| not_a_workbook(display, format!("{name}: {e}")))?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(member));
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf).map_err(|e| not_a_workbook(display, format!("{name}: {e}")))? {
            Event::Start(e) | Event::Empty(e) => f(&e),
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The value of an element's attribute whose name `key` accepts, unescaped.
fn attribute(e: &BytesStart, key: impl Fn(&[u8]) -> bool) -> Option<String> {
    let a = e.attributes().flatten().find(|a| key(a.key.as_ref()))?;
    let raw = String::from_utf8_lossy(&a.value);
    quick_xml::escape::unescape(&raw).ok().map(|v| v.into_owned())
}

/// The text of the `t` elements inside the element `end` just opened (a shared
/// string's runs, an inline string), up to its end; phonetic runs (`rPh`) left out.
fn text_of<R: std::io::BufRead>(
    xml: &mut quick_xml::Reader<R>,
    end: &[u8],
    display: &str,
) -> Result<String, DataError> {
    let mut out = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf).map_err(|e| not_a_workbook(display, e))? {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_t = true,
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_t = false,
            Event::End(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = false,
            Event::End(e) if e.local_name().as_ref() == end => return Ok(out),
            Event::Text(t) if in_t && !in_phonetic => out.push_str(&t.xml_content().unwrap_or_default()),
            Event::CData(t) if in_t && !in_phonetic => out.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) if in_t && !in_phonetic => out.push_str(&entity(&r)),
            Event::Eof => return Err(not_a_workbook(display, "an element is cut short")),
            _ => {}
        }
        buf.clear();
    }
}

/// The text an entity or character reference stands for (`amp`, `#x41`); nothing for one XML does not define.
fn entity(r: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.decode().unwrap_or_default();
    quick_xml::escape::resolve_xml_entity(&name).unwrap_or_default().to_string()
}

/// A cell reference's 0-based row and column (`C7` is (6, 2)); `None` when it is not one.
fn position(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1) - 1;
    let row = digits.parse::<u32>().ok()?.checked_sub(1)?;
    (row <= LAST_ROW && col <= LAST_COLUMN).then_some((row, col))
}

impl Workbook {
    /// Visits a sheet's cells that hold something, in the order the sheet gives
    /// them (0-based row and column, and the cell's text, trimmed), until `visit` returns false.
    pub fn cells(
        &mut self,
        display: &str,
        sheet: &str,
        mut visit: impl FnMut(u32, u32, &str) -> bool,
    ) -> Result<(), DataError> {
        let Some(i) = self.sheets.iter().position(|s| s == sheet) else { return Ok(()) };
        let at = |msg: String| DataError::in_doc(display, &quoted(sheet), msg);
        let member = self.zip.by_name(&self.paths[i]).map_err(|e| at(format!("the sheet cannot be read: {e}")))?;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(member));
        let mut buf = Vec::new();
        let (mut row, mut next_col) = (0u32, 0u32);
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| at(format!("the sheet cannot be read: {e}")))?;
            let (e, empty) = match event {
                Event::Start(e) => (e.into_owned(), false),
                Event::Empty(e) => (e.into_owned(), true),
                Event::Eof => return Ok(()),
                _ => {
                    buf.clear();
                    continue;
                }
            };
            buf.clear();
            match e.local_name().as_ref() {
                b"row" => {
                    let r = attribute(&e, |k| k == b"r").and_then(|r| r.parse::<u32>().ok());
                    row = r.and_then(|r| r.checked_sub(1)).unwrap_or(row.saturating_add(1)).min(LAST_ROW);
                    next_col = 0;
                }
                b"c" => {
                    let place = attribute(&e, |k| k == b"r").and_then(|r| position(&r));
                    let (r, c) = place.unwrap_or((row, next_col.min(LAST_COLUMN)));
                    (row, next_col) = (r, c.saturating_add(1));
                    if empty {
                        continue;
                    }
                    let kind = attribute(&e, |k| k == b"t").unwrap_or_default();
                    let text = cell_text(&self.strings, &mut xml, &kind)
                        .map_err(|msg| DataError::in_doc(display, &cell_ref(sheet, r, c), msg))?;
                    if !text.trim().is_empty() && !visit(r, c, text.trim()) {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
    }
}

/// The text of the cell just opened, by its type: a shared string, an inline string, or its value as written.
fn cell_text<R: std::io::BufRead>(
    strings: &[String],
    xml: &mut quick_xml::Reader<R>,
    kind: &str,
) -> Result<String, String> {
    let inner = text_of_cell(xml, kind == "inlineStr").map_err(|e| format!("the cell cannot be read: {e}"))?;
    match kind {
        "s" => {
            let i = inner.trim().parse::<usize>().map_err(|_| format!("`{inner}` is no shared string's number"))?;
            let n = strings.len();
            strings.get(i).cloned().ok_or_else(|| format!("the cell names shared string {i}, and the workbook has {n}"))
        }
        "b" => Ok(if inner.trim() == "1" { "TRUE" } else { "FALSE" }.to_string()),
        _ => Ok(inner),
    }
}

/// The text of the cell just opened, up to its end: its inline string's `t` runs,
/// or its value (`v`); a formula (`f`) is left out, its cached value read.
fn text_of_cell<R: std::io::BufRead>(xml: &mut quick_xml::Reader<R>, inline: bool) -> Result<String, quick_xml::Error> {
    let mut out = String::new();
    let (mut taking, mut in_phonetic) = (false, false);
    let wanted: &[u8] = if inline { b"t" } else { b"v" };
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == wanted => taking = true,
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = true,
            Event::End(e) if e.local_name().as_ref() == wanted => taking = false,
            Event::End(e) if e.local_name().as_ref() == b"rPh" => in_phonetic = false,
            Event::End(e) if e.local_name().as_ref() == b"c" => return Ok(out),
            Event::Text(t) if taking && !in_phonetic => out.push_str(&t.xml_content().unwrap_or_default()),
            Event::CData(t) if taking && !in_phonetic => out.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) if taking && !in_phonetic => out.push_str(&entity(&r)),
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// A sheet's name as a cell reference gives it: quoted when it holds anything but letters, digits and `_`.
fn quoted(sheet: &str) -> String {
    if !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

/// A cell's reference: `Sheet1!C7` for 0-based row 6 and column 2.
pub fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    let column: String = letters.into_iter().rev().collect();
    format!("{}!{column}{}", quoted(sheet), u64::from(row) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_placed_as_a_spreadsheet_places_them() {
        assert_eq!(cell_ref("Sheet1", 6, 2), "Sheet1!C7");
        assert_eq!(cell_ref("OLIR Template", 0, 26), "'OLIR Template'!AA1");
        assert_eq!(cell_ref("x", 1_048_575, 16_383), "x!XFD1048576");
        assert_eq!(cell_ref("it's", 0, 0), "'it''s'!A1");
    }

    #[test]
    fn references_read_back_to_their_places() {
        assert_eq!(position("C7"), Some((6, 2)));
        assert_eq!(position("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["", "7", "C", "c7", "C0", "XFE1", "A1048577", "ABCD1", "A-1"] {
            assert_eq!(position(bad), None, "{bad}");
        }
    }

    /// A workbook of one sheet, `Data`, with these cells and shared strings.
    fn book(cells: &str, strings: &str) -> String {
        use std::io::Write as _;
        let members = [
            (
                "xl/workbook.xml",
                r#"<workbook xmlns:r="r"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                    .to_string(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#
                    .to_string(),
            ),
            ("xl/worksheets/sheet1.xml", format!("<worksheet><sheetData>{cells}</sheetData></worksheet>")),
            ("xl/sharedStrings.xml", format!("<sst>{strings}</sst>")),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in members {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        bytes_as_text(&zip.finish().unwrap().into_inner())
    }

    fn read(text: &str) -> Result<Vec<String>, String> {
        let mut book = open("w.xlsx", text).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        book.cells("w.xlsx", "Data", |r, c, t| {
            out.push(format!("{}={t}", cell_ref("Data", r, c)));
            true
        })
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn cells_are_read_with_their_places_and_types() {
        let cells = r#"<row r="2"><c r="B2" t="s"><v>1</v></c><c t="inlineStr"><is><t>in &amp; line</t></is></c>
            <c r="E2"><f>1+1</f><v>2</v></c><c r="F2" t="b"><v>1</v></c><c r="G2"/></row>
            <row><c t="s"><v>0</v></c></row>"#;
        let strings = r#"<si><t>zero</t></si><si><r><t>rich </t></r><r><t>text</t></r><rPh><t>x</t></rPh></si>"#;
        assert_eq!(
            read(&book(cells, strings)).unwrap(),
            ["Data!B2=rich text", "Data!C2=in & line", "Data!E2=2", "Data!F2=TRUE", "Data!A3=zero"]
        );
        let e = read(&book(r#"<row r="7"><c r="C7" t="s"><v>12</v></c></row>"#, "<si><t>a</t></si>")).unwrap_err();
        assert_eq!(e, "w.xlsx: Data!C7: the cell names shared string 12, and the workbook has 1");
    }

    #[test]
    fn a_workbook_travels_as_text_byte_for_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(text_as_bytes(&bytes_as_text(&bytes)), Some(bytes));
        assert_eq!(text_as_bytes("€"), None);
        let e = open("w.xlsx", "plain text").err().unwrap();
        assert!(e.to_string().starts_with("w.xlsx: not an Excel workbook (.xlsx): "), "{e}");
    }
}

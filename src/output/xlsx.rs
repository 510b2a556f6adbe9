//! XLSX workbooks a client accepts as they are: an About sheet that says what
//! the workbook is, one sheet per view with readable headers, numbers stored as
//! numbers, states in colour and in words, a compact matrix with a legend, and
//! print set-up.

use rust_xlsxwriter::{
    Color, ConditionalFormatText, ConditionalFormatTextRule, DocProperties, ExcelDateTime, Format as CellFormat,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthStr;

use super::{Kind, Table};

/// Widest a column is set, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// What a workbook says of itself on its About sheet.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// What the workbook is (`Coverage of soc2 from soa("client.csv")`).
    pub title: String,
    /// (item, value) lines: the query, the date, the tool and database versions, inputs.
    pub lines: Vec<(String, String)>,
    /// The date the workbook is dated, `YYYY-MM-DD`.
    pub date: String,
}

/// One sheet: its name, its table, and how to lay it out.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub table: &'a Table,
    /// A matrix: ids and titles frozen at the left, one narrow column per target.
    pub matrix: bool,
}

/// The colour-blind-safe tints (Okabe-Ito hues, lightened) of each state, also written as words.
const STATES: [(&str, u32); 4] = [("full", 0xC7EAD9), ("partial", 0xF9E2B0), ("none", 0xF6C9B2), ("n/a", 0xE3E3E3)];

/// The compact codes a matrix writes for each relationship, with their meaning.
pub const CODES: [(&str, &str, &str); 4] = [
    ("equal", "=", "equal: the same content"),
    ("superset-of", "⊇", "superset-of: the source contains all of the target (covers it in full)"),
    ("subset-of", "⊆", "subset-of: the source is a narrower part of the target (in part)"),
    ("intersects-with", "∩", "intersects-with: they overlap (in part)"),
];

/// Builds a workbook, About sheet first, and returns its bytes.
pub fn workbook(about: &About, sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&properties(about)?);
    about_sheet(book.add_worksheet(), about)?;
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(s.name)?;
        if s.matrix {
            matrix_sheet(sheet, s.table)?;
        } else {
            table_sheet(sheet, s.table)?;
        }
        print_setup(sheet, about)?;
    }
    book.save_to_buffer()
}

/// Title, subject and a creation date fixed to the workbook's date, so the same
/// result on the same day (or under `SOURCE_DATE_EPOCH`) gives the same bytes.
fn properties(about: &About) -> Result<DocProperties, XlsxError> {
    let mut ymd = about.date.split('-').map(|p| p.parse::<u32>().unwrap_or(1));
    let (y, m, d) = (ymd.next().unwrap_or(2000), ymd.next().unwrap_or(1), ymd.next().unwrap_or(1));
    let created =
        ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))?;
    Ok(DocProperties::new()
        .set_title(&about.title)
        .set_subject("Control mapping: coverage, gaps and crosswalks")
        .set_author("crosswalk")
        .set_keywords("crosswalk, compliance, control mapping")
        .set_creation_datetime(&created))
}

fn header_format() -> CellFormat {
    CellFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xE8EEF4))
        .set_border_bottom(FormatBorder::Thin)
}

/// `target_framework` -> `Target framework`: headers a reader reads; CSV keeps the machine names.
pub fn label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) if !name.contains(':') => first.to_uppercase().chain(chars).collect(),
        _ => spaced,
    }
}

fn about_sheet(sheet: &mut Worksheet, about: &About) -> Result<(), XlsxError> {
    sheet.set_name("About")?;
    let title = CellFormat::new().set_bold().set_font_size(14);
    let key = CellFormat::new().set_bold().set_align(FormatAlign::Top);
    let value = CellFormat::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.write_string_with_format(0, 0, &about.title, &title)?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 100)?;
    let mut row = 2;
    for (k, v) in &about.lines {
        sheet.write_string_with_format(row, 0, k, &key)?;
        sheet.write_string_with_format(row, 1, v, &value)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "States", &key)?;
    let meanings = [
        "met in full: a mapping that says so, or every part that counts met in full",
        "reached in part: some mapping reaches it or one of its parts",
        "nothing reaches it",
        "places no duty on an organisation; left out of totals and percentages",
    ];
    for ((state, tint), meaning) in STATES.iter().zip(meanings) {
        let fill = CellFormat::new().set_background_color(Color::RGB(*tint)).set_align(FormatAlign::Top);
        sheet.write_string_with_format(row, 1, format!("{state}: {meaning}"), &fill)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Relationships", &key)?;
    for (_, code, meaning) in CODES {
        sheet.write_string_with_format(row, 1, format!("{code}  {meaning}"), &value)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Rules", &key)?;
    let rules = [
        "Several partial mappings never add up to full: only a mapping that says so, or every part met in full, makes a target full.",
        "A control a Statement of Applicability marks partial gives at most partial.",
    ];
    for rule in rules {
        sheet.write_string_with_format(row, 1, rule, &value)?;
        row += 1;
    }
    Ok(())
}

fn table_sheet(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let header = header_format();
    let wrapped = CellFormat::new().set_text_wrap().set_align(FormatAlign::Top);
    let plain = CellFormat::new().set_align(FormatAlign::Top);
    let percent = CellFormat::new().set_num_format("0.0%").set_align(FormatAlign::Top);
    for (c, col) in table.columns.iter().enumerate() {
        let c16 = c as u16;
        sheet.write_string_with_format(0, c16, label(&col.name), &header)?;
        let widest = table
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |s| s.width()))
            .max()
            .unwrap_or(0)
            .max(col.name.width().min(20));
        sheet.set_column_width(c16, widest.clamp(6, MAX_WIDTH) as f64 + 2.0)?;
        let text = if widest > MAX_WIDTH { &wrapped } else { &plain };
        for (r, row) in table.rows.iter().enumerate() {
            let Some(cell) = row.get(c).filter(|s| !s.is_empty()) else { continue };
            let r32 = r as u32 + 1;
            match (col.kind, cell.parse::<f64>()) {
                (Kind::Count, Ok(n)) => sheet.write_number_with_format(r32, c16, n, &plain)?,
                (Kind::Percent, Ok(n)) => sheet.write_number_with_format(r32, c16, n / 100.0, &percent)?,
                // Strings are written as strings: a cell starting with `=` stays text.
                _ => sheet.write_string_with_format(r32, c16, cell, text)?,
            };
        }
        if col.kind == Kind::State && !table.rows.is_empty() {
            colour_states(sheet, 1, c16, table.rows.len() as u32, c16)?;
        }
    }
    if !table.columns.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, table.rows.len() as u32, table.columns.len() as u16 - 1)?;
    }
    Ok(())
}

/// The state cells of a range, filled by their word.
fn colour_states(sheet: &mut Worksheet, r0: u32, c0: u16, r1: u32, c1: u16) -> Result<(), XlsxError> {
    for (state, tint) in STATES {
        let rule = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith(state.to_string()))
            .set_format(CellFormat::new().set_background_color(Color::RGB(tint)));
        sheet.add_conditional_format(r0, c0, r1, c1, &rule)?;
    }
    Ok(())
}

/// Sources by targets: ids and titles frozen at the left, narrow target
/// columns, each relationship as its code (`⊇ CC6.1.4` for a part), full ones tinted.
fn matrix_sheet(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let header = header_format().set_rotation(90).set_align(FormatAlign::Center);
    let first = header_format();
    let plain = CellFormat::new().set_align(FormatAlign::Top);
    let full = CellFormat::new().set_background_color(Color::RGB(STATES[0].1)).set_text_wrap();
    let part = CellFormat::new().set_background_color(Color::RGB(STATES[1].1)).set_text_wrap();
    for (c, col) in table.columns.iter().enumerate() {
        let c16 = c as u16;
        let is_target = col.kind == Kind::Relationship;
        sheet.write_string_with_format(0, c16, label(&col.name), if is_target { &header } else { &first })?;
        let width = if is_target {
            7.0
        } else if c == 0 {
            18.0
        } else {
            40.0
        };
        sheet.set_column_width(c16, width)?;
        for (r, row) in table.rows.iter().enumerate() {
            let Some(cell) = row.get(c).filter(|s| !s.is_empty()) else { continue };
            let r32 = r as u32 + 1;
            if is_target {
                let coded = code(cell);
                let gives_full = cell.split("; ").any(|rel| rel.starts_with("equal") || rel.starts_with("superset-of"));
                sheet.write_string_with_format(r32, c16, coded, if gives_full { &full } else { &part })?;
            } else {
                sheet.write_string_with_format(r32, c16, cell, &plain)?;
            }
        }
    }
    sheet.set_row_height(0, 70)?;
    sheet.set_freeze_panes(1, 2)?;
    Ok(())
}

/// `superset-of CC6.1.4; intersects-with` -> `⊇ CC6.1.4; ∩`
pub fn code(cell: &str) -> String {
    let mut out = cell.to_string();
    for (word, code, _) in CODES {
        out = out.replace(word, code);
    }
    out
}

/// Landscape, fit to the page width, the header row on every page, and the title and date in the footer.
fn print_setup(sheet: &mut Worksheet, about: &About) -> Result<(), XlsxError> {
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    let footer = format!("&L{}&C&P of &N&R{}", about.title.replace('&', "&&"), about.date);
    sheet.set_footer(footer);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_as_words_and_matrix_cells_as_codes() {
        assert_eq!(label("target_framework"), "Target framework");
        assert_eq!(label("soc2:CC6.1"), "soc2:CC6.1");
        assert_eq!(code("superset-of CC6.1.4; intersects-with"), "⊇ CC6.1.4; ∩");
    }
}

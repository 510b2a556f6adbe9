//! XLSX workbooks: one sheet per view, bold frozen header, autofilter, readable column widths.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, FormatAlign, Workbook, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::Table;

/// Widest a column is set, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// Builds a workbook from named tables and returns its bytes.
pub fn workbook(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation date: the same result gives the same bytes, run after run.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let header = CellFormat::new().set_bold().set_align(FormatAlign::Top);
    let wrapped = CellFormat::new().set_text_wrap().set_align(FormatAlign::Top);
    let plain = CellFormat::new().set_align(FormatAlign::Top);
    for (name, table) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name)?;
        for (c, col) in table.columns.iter().enumerate() {
            let c16 = c as u16;
            // Strings are written as strings: a cell starting with `=` stays text.
            sheet.write_string_with_format(0, c16, &col.name, &header)?;
            let widest =
                table.rows.iter().map(|r| r.get(c).map_or(0, |s| s.width())).max().unwrap_or(0).max(col.name.width());
            let width = widest.clamp(6, MAX_WIDTH);
            sheet.set_column_width(c16, width as f64 + 2.0)?;
            let format = if widest > MAX_WIDTH { &wrapped } else { &plain };
            for (r, row) in table.rows.iter().enumerate() {
                if let Some(cell) = row.get(c).filter(|s| !s.is_empty()) {
                    sheet.write_string_with_format(r as u32 + 1, c16, cell, format)?;
                }
            }
        }
        if !table.columns.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, table.rows.len() as u32, table.columns.len() as u16 - 1)?;
        }
    }
    book.save_to_buffer()
}

//! CSV files read into tables of trimmed fields with their line numbers.
//!
//! This module stands alone (it uses only `std`, `csv`, `memchr` and
//! [`crate::text`]) because the build script reads the shipped database with
//! it too: the binary embeds the tables already read, so a one-shot query
//! does not parse the CSV again.
//!
//! A table keeps the file's text and the range of each field in it, so a
//! field is never copied: a field with a doubled quote inside (`""`), and
//! every field of a file read by the `csv` crate's slower path, is written
//! once to a side buffer.

use std::borrow::Cow;

use crate::text::Text;

/// Malformed rows reported one by one before the rest are counted together.
const MAX_MALFORMED: usize = 3;

/// A CSV file's header and rows: the file's text, and where each field lies in it.
#[derive(Debug, Default, Clone)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Cow<'static, [CsvRow]>,
    /// The text the fields are ranges of.
    buf: Text,
    /// Fields that are not a range of `buf` as they stand (unescaped quotes).
    side: Text,
    /// `[start, end)` of every field, row after row: in `buf`, or at
    /// `buf.len()` and beyond, in `side`.
    spans: Cow<'static, [[u32; 2]]>,
}

/// A data row: its line in the file and where its fields start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u32,
    /// Index in `spans` of the row's first field.
    pub first: u32,
}

/// A table as the build script writes it into the binary.
#[derive(Debug, Clone, Copy)]
pub struct StaticTable {
    pub header: &'static [&'static str],
    pub rows: &'static [CsvRow],
    pub buf: &'static str,
    pub spans: &'static [[u32; 2]],
}

impl CsvTable {
    /// The position of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Where a row's field in column `col` lies: in `buf` (true) or `side`, and its range there.
    fn locate(&self, row: &CsvRow, col: usize) -> (bool, std::ops::Range<usize>) {
        let [start, end] = self.spans[row.first as usize + col];
        let (start, end, n) = (start as usize, end as usize, self.buf.len());
        if start < n {
            (true, start..end)
        } else {
            (false, start - n..end - n)
        }
    }

    /// The trimmed text of a row's field in column `col`.
    pub fn field(&self, row: &CsvRow, col: usize) -> &str {
        match self.locate(row, col) {
            (true, r) => &self.buf[r],
            (false, r) => &self.side[r],
        }
    }

    /// The field as database text, sharing the file's text rather than copying it.
    pub fn text(&self, row: &CsvRow, col: usize) -> Text {
        match self.locate(row, col) {
            (true, r) => self.buf.slice(r),
            (false, r) => self.side.slice(r),
        }
    }

    /// A table the build embedded, borrowed rather than copied.
    pub fn from_static(t: &StaticTable) -> CsvTable {
        CsvTable {
            header: t.header.iter().map(|h| h.to_string()).collect(),
            rows: Cow::Borrowed(t.rows),
            buf: Text::from_static(t.buf),
            side: Text::default(),
            spans: Cow::Borrowed(t.spans),
        }
    }

    /// The table as Rust source for a `StaticTable`, for the build script: its fields only, one after another.
    pub fn to_rust(&self) -> String {
        let (mut buf, mut spans) = (String::new(), Vec::new());
        let mut rows = Vec::new();
        for r in self.rows.iter() {
            rows.push(format!("CsvRow{{line:{},first:{}}}", r.line, spans.len()));
            for col in 0..self.header.len() {
                let start = buf.len();
                buf.push_str(self.field(r, col));
                spans.push(format!("[{start},{}]", buf.len()));
            }
        }
        format!(
            "StaticTable{{header:&{:?},rows:&[{}],buf:{:?},spans:&[{}]}}",
            self.header,
            rows.join(","),
            buf,
            spans.join(",")
        )
    }
}

/// A table being read: rows, field ranges, and the side buffer.
struct Builder {
    header: Vec<String>,
    rows: Vec<CsvRow>,
    spans: Vec<[u32; 2]>,
    /// Where `side` starts, as `spans` count: the length of the text.
    side_base: usize,
    side: String,
}

impl Builder {
    fn new(text_len: usize) -> Builder {
        Builder { header: Vec::new(), rows: Vec::new(), spans: Vec::new(), side_base: text_len, side: String::new() }
    }

    /// Writes a field to the side buffer; its range there.
    fn side_field(&mut self, field: &str) -> [u32; 2] {
        let start = self.side_base + self.side.len();
        self.side.push_str(field);
        [start as u32, (self.side_base + self.side.len()) as u32]
    }

    fn finish(self, buf: &Text) -> CsvTable {
        CsvTable {
            header: self.header,
            rows: Cow::Owned(self.rows),
            buf: buf.clone(),
            side: Text::from(self.side),
            spans: Cow::Owned(self.spans),
        }
    }
}

/// The range of `field` (a piece of `text` at `offset`) with white space trimmed at both ends.
fn trimmed(field: &str, offset: usize) -> [u32; 2] {
    let start = offset + (field.len() - field.trim_start().len());
    let end = start + field.trim().len();
    [start as u32, end as u32]
}

/// Reads CSV text. Rows whose field count differs from the header's are
/// reported and skipped; blank lines are ignored; a UTF-8 byte-order mark (as
/// spreadsheets write) is accepted. `report(line, message)` receives each
/// problem (line 0: the file as a whole); `None` when nothing could be read.
pub fn parse(text: &Text, report: impl FnMut(u32, String)) -> Option<CsvTable> {
    parse_delimited(text, b',', report)
}

/// The field separator of a file a spreadsheet saved: `,`, or `;` or a tab where the
/// header has no comma (spreadsheets in many locales save CSV with `;`).
pub fn sniff_delimiter(text: &str) -> u8 {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if header.contains(',') {
        b','
    } else if header.contains(';') {
        b';'
    } else if header.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// [`parse`] with another field separator. A file whose quotes and row
/// lengths are regular is read in one pass that copies nothing; any other is
/// read by the `csv` crate, whose reading and messages the fast pass keeps.
pub fn parse_delimited(text: &Text, delimiter: u8, mut report: impl FnMut(u32, String)) -> Option<CsvTable> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        report(0, "empty file: expected a header row and data rows".to_string());
        return None;
    }
    let offset = text.len() - body.len();
    // The csv crate drops a second byte-order mark too; so does the slower path.
    let regular = if body.starts_with('\u{feff}') { None } else { fast(body, offset, text.len(), delimiter) };
    match regular {
        Some((builder, header_line)) => {
            duplicate_columns(&builder.header, |msg| report(header_line, msg));
            Some(builder.finish(text))
        }
        None => slow(body, text, delimiter, report),
    }
}

/// Reads a regular file in one pass: every quoted field closed, nothing but
/// blanks after its closing quote, every row as long as the header. `None`
/// when the file is not regular. Returns the table and the header's line.
fn fast(body: &str, offset: usize, text_len: usize, delimiter: u8) -> Option<(Builder, u32)> {
    let b = body.as_bytes();
    let mut table = Builder::new(text_len);
    let mut record: Vec<[u32; 2]> = Vec::new();
    let (mut i, mut line, mut header_line) = (0, 1u32, 0);
    loop {
        while i < b.len() && matches!(b[i], b'\n' | b'\r') {
            line += u32::from(b[i] == b'\n' || b.get(i + 1) != Some(&b'\n'));
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let record_line = line;
        record.clear();
        (i, line) = read_record(body, (i, line), offset, delimiter, &mut table, &mut record)?;
        if record.len() == 1 && record[0][0] == record[0][1] {
            continue;
        }
        if table.header.is_empty() {
            let field = |[s, e]: [u32; 2]| match (s as usize) < text_len {
                true => body[s as usize - offset..e as usize - offset].to_string(),
                false => table.side[s as usize - text_len..e as usize - text_len].to_string(),
            };
            let header = record.iter().map(|&s| field(s)).collect();
            (table.header, header_line) = (header, record_line);
            continue;
        }
        if record.len() != table.header.len() {
            return None;
        }
        table.rows.push(CsvRow { line: record_line, first: table.spans.len() as u32 });
        table.spans.extend_from_slice(&record);
    }
    Some((table, header_line))
}

/// Reads the fields of the record at `i` (on line `line`) into `record`; returns where
/// reading goes on, at the record's end, and its line there.
fn read_record(
    body: &str,
    (mut i, mut line): (usize, u32),
    offset: usize,
    delimiter: u8,
    table: &mut Builder,
    record: &mut Vec<[u32; 2]>,
) -> Option<(usize, u32)> {
    let b = body.as_bytes();
    loop {
        // A separator that ends the text leaves an empty field after it.
        let span = if b.get(i) == Some(&b'"') {
            let (span, next, breaks) = quoted_field(body, i, offset, delimiter, table)?;
            (i, line) = (next, line + breaks);
            span
        } else {
            let end = memchr::memchr3(delimiter, b'\n', b'\r', &b[i..]).map_or(b.len(), |p| i + p);
            let span = trimmed(&body[i..end], offset + i);
            i = end;
            span
        };
        record.push(span);
        if i < b.len() && b[i] == delimiter {
            i += 1;
            continue;
        }
        return Some((i, line));
    }
}

/// A quoted field starting at `i`: its range, where reading goes on, and the
/// line breaks inside it; `None` when it is never closed or text follows its closing quote.
fn quoted_field(
    body: &str,
    i: usize,
    offset: usize,
    delimiter: u8,
    table: &mut Builder,
) -> Option<([u32; 2], usize, u32)> {
    let b = body.as_bytes();
    let (mut j, mut doubled) = (i + 1, false);
    let close = loop {
        let q = j + memchr::memchr(b'"', &b[j..])?;
        if b.get(q + 1) == Some(&b'"') {
            (doubled, j) = (true, q + 2);
            continue;
        }
        break q;
    };
    let mut next = close + 1;
    while next < b.len() && b[next] != delimiter && matches!(b[next], b' ' | b'\t') {
        next += 1;
    }
    if next < b.len() && b[next] != delimiter && !matches!(b[next], b'\n' | b'\r') {
        return None;
    }
    let inside = &body[i + 1..close];
    let span =
        if doubled { table.side_field(inside.replace("\"\"", "\"").trim()) } else { trimmed(inside, offset + i + 1) };
    Some((span, next, line_breaks(inside.as_bytes())))
}

/// Reads a file with the `csv` crate: rows of the wrong length are reported
/// and skipped, quotes that swallow rows are refused.
fn slow(body: &str, text: &Text, delimiter: u8, mut report: impl FnMut(u32, String)) -> Option<CsvTable> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body.as_bytes());
    let mut table = Builder::new(text.len());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(body);
    let mut malformed = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                report(line, format!("malformed CSV: {}", message(&e)));
                return None;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        if table.header.is_empty() {
            table.header = record.iter().map(|f| f.trim().to_string()).collect();
            duplicate_columns(&table.header, |msg| report(line, msg));
            continue;
        }
        if record.len() != table.header.len() {
            malformed += 1;
            if malformed <= MAX_MALFORMED {
                let last = lines.line_at(reader.position().byte() as usize).saturating_sub(1).max(line);
                report(line, malformed_row(record.len(), &table.header, line, last));
            }
            continue;
        }
        table.rows.push(CsvRow { line, first: table.spans.len() as u32 });
        for f in record.iter() {
            let span = table.side_field(f.trim());
            table.spans.push(span);
        }
    }
    if malformed > MAX_MALFORMED {
        report(0, format!("{} more rows have the wrong number of fields", malformed - MAX_MALFORMED));
    }
    // The csv crate is lenient with quotes: a field left open runs to the end of
    // the file, and text after a closing quote joins the field, so rows vanish.
    if let Some((line, msg)) = quote_problem(body, delimiter) {
        report(line, msg);
        return None;
    }
    Some(table.finish(text))
}

/// Why a row of `fields` fields, on lines `line` to `last`, is not read.
fn malformed_row(fields: usize, header: &[String], line: u32, last: u32) -> String {
    let advice = if last > line {
        format!("its quoted field runs on to line {last}, check that each quote is closed")
    } else {
        "quote any field that contains a comma".to_string()
    };
    let (n, names) = (header.len(), header.join(","));
    format!("malformed row: {fields} field(s) where the header has {n} ({names}); {advice}")
}

/// Reports each column name the header gives more than once: only the first would be read.
fn duplicate_columns(header: &[String], mut report: impl FnMut(String)) {
    for (i, name) in header.iter().enumerate() {
        if let Some(first) = header[..i].iter().position(|h| h == name).filter(|_| !name.is_empty()) {
            report(format!(
                "column `{name}` appears twice (columns {} and {}); name each column once",
                first + 1,
                i + 1
            ));
        }
    }
}

/// A quote that swallows rows: a quoted field the text never closes, or one
/// whose closing quote has text after it (the likely sign of two fields each
/// missing a quote, which together hold the rows between them). Quotes are
/// read as RFC 4180 reads them: a quote opens a field only at its start, and
/// `""` inside a quoted field is a quote. Returns the line and the message.
fn quote_problem(text: &str, delimiter: u8) -> Option<(u32, String)> {
    let (mut line, mut opened) = (1u32, 0u32);
    let (mut at_start, mut quoted, mut closed) = (true, false, false);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends_field = b == delimiter || b == b'\n' || b == b'\r';
        if quoted && closed {
            closed = false;
            if b != b'"' {
                quoted = false;
                if !ends_field && b != b' ' && b != b'\t' {
                    let msg = format!(
                        "text follows the closing quote of a field opened on line {opened}, so the rows between \
                         were read into it; check the quotes (a quote inside a field is written twice: \"\")"
                    );
                    return Some((line, msg));
                }
            }
        } else if quoted && b == b'"' {
            closed = true;
        } else if !quoted && b == b'"' && at_start {
            (quoted, opened) = (true, line);
        }
        if !quoted {
            at_start = ends_field;
        }
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
        }
    }
    let msg = "a quoted field opened on this line is never closed, so every row after it was read into it; \
               close the quote";
    (quoted && !closed).then(|| (opened, msg.to_string()))
}

fn message(e: &csv::Error) -> String {
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

/// The line breaks in some bytes: `\n`, `\r\n`, and a `\r` alone (as old Mac
/// files end lines, and as the csv crate reads them).
pub fn line_breaks(bytes: &[u8]) -> u32 {
    let lone_cr = bytes.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count();
    let last_cr = usize::from(bytes.last() == Some(&b'\r'));
    (bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr + last_cr) as u32
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
        self.line += line_breaks(&self.text[self.offset..target]);
        self.offset = target;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A table's header, and each row's line and fields.
    fn shape(t: &CsvTable) -> (Vec<String>, Vec<(u32, Vec<String>)>) {
        let rows = t.rows.iter().map(|r| (r.line, (0..t.header.len()).map(|c| t.field(r, c).to_string()).collect()));
        (t.header.clone(), rows.collect())
    }

    /// What a parse gives: the table's shape and the problems reported.
    type Parsed = (Option<(Vec<String>, Vec<(u32, Vec<String>)>)>, Vec<(u32, String)>);

    fn parse_both(text: &str, delimiter: u8) -> (Parsed, Parsed) {
        let text = Text::from(text.to_string());
        let mut fast_errors = Vec::new();
        let fast = parse_delimited(&text, delimiter, |l, m| fast_errors.push((l, m))).map(|t| shape(&t));
        let mut slow_errors = Vec::new();
        let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let slow = if body.trim().is_empty() {
            slow_errors.push((0, "empty file: expected a header row and data rows".to_string()));
            None
        } else {
            super::slow(body, &text, delimiter, |l, m| slow_errors.push((l, m))).map(|t| shape(&t))
        };
        ((fast, fast_errors), (slow, slow_errors))
    }

    #[test]
    fn a_separator_at_the_very_end_is_an_empty_last_field() {
        let (fast, slow) = parse_both("a,b\n1,", b',');
        assert_eq!(fast, slow);
        assert_eq!(fast.0.unwrap().1, [(2, vec!["1".to_string(), String::new()])]);
    }

    proptest! {
        /// The one-pass reader reads every text as the `csv` crate does, with the same problems.
        #[test]
        fn the_fast_reader_agrees_with_the_csv_crate(
            text in "(a|b|,|;|\"|\"\"| |\t|\n|\r|\r\n|\u{feff}|é){0,40}",
            delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
        ) {
            let (fast, slow) = parse_both(&text, delimiter);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn regular_files_agree_too(rows in proptest::collection::vec(("[a-c ]{0,3}", "[a-c ,\"\n]{0,4}"), 1..6)) {
            let mut text = String::from("x,y\n");
            for (a, b) in rows {
                text.push_str(&format!("{a},\"{}\"\n", b.replace('"', "\"\"")));
            }
            let (fast, slow) = parse_both(&text, b',');
            prop_assert_eq!(fast, slow);
        }
    }
}

//! CSV files read into tables of trimmed fields with their line numbers.
//!
//! This module stands alone (it uses only `std` and `csv`) because the build
//! script reads the shipped database with it too: the binary embeds the
//! tables already read, so a one-shot query does not parse the CSV again.

use std::borrow::Cow;

/// Malformed rows reported one by one before the rest are counted together.
const MAX_MALFORMED: usize = 3;

/// A CSV file's header and rows. The fields are kept in one buffer: loading
/// the shipped database reads thousands of them, and one allocation per
/// field would be most of the cost.
#[derive(Debug, Default, Clone)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Cow<'static, [CsvRow]>,
    buf: Cow<'static, str>,
    /// End offset in `buf` of every field, row after row.
    ends: Cow<'static, [u32]>,
}

/// A data row: its line in the file and where its fields start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u32,
    /// Index in `ends` of the row's first field.
    pub first: u32,
}

/// A table as the build script writes it into the binary.
#[derive(Debug, Clone, Copy)]
pub struct StaticTable {
    pub header: &'static [&'static str],
    pub rows: &'static [CsvRow],
    pub buf: &'static str,
    pub ends: &'static [u32],
}

impl CsvTable {
    /// The position of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The trimmed text of a row's field in column `col`.
    pub fn field(&self, row: &CsvRow, col: usize) -> &str {
        let i = row.first as usize + col;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    /// The field as database text: borrowed when the table is the binary's own.
    pub fn text(&self, row: &CsvRow, col: usize) -> Cow<'static, str> {
        match &self.buf {
            Cow::Borrowed(buf) => {
                let i = row.first as usize + col;
                let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
                Cow::Borrowed(&buf[start..self.ends[i] as usize])
            }
            Cow::Owned(_) => Cow::Owned(self.field(row, col).to_string()),
        }
    }

    /// A table the build embedded, borrowed rather than copied.
    pub fn from_static(t: &StaticTable) -> CsvTable {
        CsvTable {
            header: t.header.iter().map(|h| h.to_string()).collect(),
            rows: Cow::Borrowed(t.rows),
            buf: Cow::Borrowed(t.buf),
            ends: Cow::Borrowed(t.ends),
        }
    }

    /// The table as Rust source for a `StaticTable`, for the build script.
    pub fn to_rust(&self) -> String {
        let rows: Vec<String> =
            self.rows.iter().map(|r| format!("CsvRow{{line:{},first:{}}}", r.line, r.first)).collect();
        let ends: Vec<String> = self.ends.iter().map(u32::to_string).collect();
        format!(
            "StaticTable{{header:&{:?},rows:&[{}],buf:{:?},ends:&[{}]}}",
            self.header,
            rows.join(","),
            self.buf,
            ends.join(",")
        )
    }

    fn push_row(&mut self, line: u32, record: &csv::StringRecord) {
        let (buf, ends) = (self.buf.to_mut(), self.ends.to_mut());
        self.rows.to_mut().push(CsvRow { line, first: ends.len() as u32 });
        for f in record.iter() {
            buf.push_str(f.trim());
            ends.push(buf.len() as u32);
        }
    }
}

/// Reads CSV text. Rows whose field count differs from the header's are
/// reported and skipped; blank lines are ignored; a UTF-8 byte-order mark (as
/// spreadsheets write) is accepted. `report(line, message)` receives each
/// problem (line 0: the file as a whole); `None` when nothing could be read.
pub fn parse(text: &str, report: impl FnMut(u32, String)) -> Option<CsvTable> {
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

/// [`parse`] with another field separator.
pub fn parse_delimited(text: &str, delimiter: u8, mut report: impl FnMut(u32, String)) -> Option<CsvTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        report(0, "empty file: expected a header row and data rows".to_string());
        return None;
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut table = CsvTable::default();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
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
        table.push_row(line, &record);
    }
    if malformed > MAX_MALFORMED {
        report(0, format!("{} more rows have the wrong number of fields", malformed - MAX_MALFORMED));
    }
    // The csv crate is lenient with quotes: a field left open runs to the end of
    // the file, and text after a closing quote joins the field, so rows vanish.
    if let Some((line, msg)) = quote_problem(text, delimiter) {
        report(line, msg);
        return None;
    }
    Some(table)
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

//! Plain-text tables for a terminal: aligned columns, long text wrapped to the width.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::{Block, Table};

/// Narrowest a wrapped column is squeezed to.
const MIN_WRAP: usize = 12;
/// Longest word a wrapped column keeps whole when space is short.
const MAX_WORD: usize = 40;
/// Narrowest any column is cut to when a table cannot otherwise fit.
const MIN_CUT: usize = 4;

/// Renders blocks as text; tables fit `width` when given.
pub fn render(blocks: &[Block], width: Option<usize>) -> String {
    let mut out = String::new();
    render_to(&mut out, blocks, width);
    out
}

/// [`render`], appending to `out`.
pub fn render_to(out: &mut String, blocks: &[Block], width: Option<usize>) {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 && matches!(block, Block::Heading(_) | Block::Table(_)) {
            out.push('\n');
        }
        match block {
            Block::Heading(h) => {
                let _ = writeln!(out, "{}", wrap(h, width.unwrap_or(usize::MAX)).join("\n"));
            }
            Block::Text(t) => {
                // Lines that fit are kept as written, so aligned text (help) stays aligned.
                let limit = width.unwrap_or(usize::MAX);
                for line in t.lines() {
                    if text_width(line) <= limit {
                        let _ = writeln!(out, "{line}");
                    } else {
                        let _ = writeln!(out, "{}", wrap(line, limit).join("\n"));
                    }
                }
            }
            Block::Fields(fields) => fields_text(out, fields, width),
            Block::Table(t) => table_text(out, t, width),
        }
    }
}

/// The columns a text takes on a terminal: its length when it is printable
/// ASCII (nearly every cell), else as Unicode says.
fn text_width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.len()
    } else {
        s.width()
    }
}

/// A cell's lines: the cell's own lines when each fits its column whole, as most do.
enum CellLines<'a> {
    /// One line that prints as written (nearly every cell): nothing to allocate.
    One(&'a str, usize),
    Fit(Vec<(&'a str, usize)>),
    Wrapped(Vec<String>),
}

/// Whether a line can be printed as written: no runs of spaces to fold, no blanks at its ends.
fn plain(line: &str) -> bool {
    !line.contains("  ") && !line.starts_with(' ') && !line.ends_with(' ')
}

/// A cell measured once, for its column's width and for its lines: its width
/// as [`text_width`] gives it, and whether it is one line of printable ASCII that is [`plain`].
#[derive(Clone, Copy)]
struct Measure {
    width: usize,
    simple: bool,
}

impl Measure {
    fn of(cell: &str) -> Measure {
        let bytes = cell.as_bytes();
        // Every byte looked at, not stopping at the first other one: the loop runs on whole words.
        let printable = bytes.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f));
        if !printable {
            return Measure { width: cell.width(), simple: false };
        }
        let double = bytes.iter().zip(bytes.iter().skip(1)).fold(false, |d, (&a, &b)| d | ((a == b' ') & (b == b' ')));
        let simple = !double && !cell.starts_with(' ') && !cell.ends_with(' ');
        Measure { width: cell.len(), simple }
    }
}

impl<'a> CellLines<'a> {
    fn of(cell: &'a str, width: usize, measure: Measure) -> CellLines<'a> {
        if measure.simple && measure.width <= width {
            return CellLines::One(cell, measure.width);
        }
        let mut lines = Vec::with_capacity(1);
        for line in cell.split('\n') {
            let w = text_width(line);
            if w > width || !plain(line) {
                return CellLines::Wrapped(wrap(cell, width));
            }
            lines.push((line, w));
        }
        CellLines::Fit(lines)
    }

    fn len(&self) -> usize {
        match self {
            CellLines::One(..) => 1,
            CellLines::Fit(lines) => lines.len(),
            CellLines::Wrapped(lines) => lines.len(),
        }
    }

    /// Line `l` and its width; empty past the last.
    fn line(&self, l: usize) -> (&str, usize) {
        match self {
            CellLines::One(line, w) if l == 0 => (line, *w),
            CellLines::One(..) => ("", 0),
            CellLines::Fit(lines) => lines.get(l).copied().unwrap_or(("", 0)),
            CellLines::Wrapped(lines) => lines.get(l).map_or(("", 0), |s| (s.as_str(), text_width(s))),
        }
    }
}

fn fields_text(out: &mut String, fields: &[(String, String)], width: Option<usize>) {
    let name_w = fields.iter().map(|(n, _)| n.width()).max().unwrap_or(0);
    let value_w = width.map_or(usize::MAX, |w| w.saturating_sub(name_w + 2).max(MIN_WRAP));
    for (name, value) in fields {
        for (i, line) in wrap(value, value_w).iter().enumerate() {
            let label = if i == 0 { name.as_str() } else { "" };
            let _ = writeln!(out, "{}{}  {line}", label, " ".repeat(name_w - label.width()));
        }
    }
}

fn table_text(out: &mut String, t: &Table, width: Option<usize>) {
    // Each cell measured once, row after row.
    let measures: Vec<Measure> = t.rows.iter().flatten().map(|cell| Measure::of(cell)).collect();
    let widths = column_widths(t, &measures, width);
    let mut cells: Vec<CellLines> = Vec::with_capacity(widths.len());
    let line = |out: &mut String, cells: &[CellLines]| {
        let height = cells.iter().map(CellLines::len).max().unwrap_or(1);
        for l in 0..height {
            let start = out.len();
            // Padding is written only when a piece follows it: a line ends without blanks.
            let mut pad = 0;
            for (i, cell) in cells.iter().enumerate() {
                let (piece, piece_w) = cell.line(l);
                if !piece.is_empty() {
                    spaces(out, pad);
                    out.push_str(piece);
                    pad = 0;
                }
                if i + 1 < cells.len() {
                    pad += widths[i] - piece_w + 2;
                }
            }
            // A piece may end in other white space; the line does not.
            let end = start + out[start..].trim_end().len();
            out.truncate(end);
            out.push('\n');
        }
    };
    cells.extend(t.columns.iter().zip(&widths).map(|(c, &w)| CellLines::of(&c.name, w, Measure::of(&c.name))));
    line(out, &cells);
    let _ = writeln!(out, "{}", widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("  "));
    let mut at = 0;
    for row in &t.rows {
        cells.clear();
        let row_measures = &measures[at..at + row.len()];
        at += row.len();
        cells.extend(row.iter().zip(row_measures).zip(&widths).map(|((cell, &m), &w)| CellLines::of(cell, w, m)));
        line(out, &cells);
    }
}

/// Appends `n` spaces.
fn spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// How narrow a phase of fitting lets a column go.
#[derive(Clone, Copy)]
enum Floor {
    /// Room for the column's longest word, within bounds.
    Words,
    /// A few characters: long words are cut.
    Cut,
    /// One character: the table fits whatever it costs.
    One,
}

/// Natural widths, with the wrapping columns narrowed until the table fits.
/// `measures` holds each row's cells' measures, row after row.
fn column_widths(t: &Table, measures: &[Measure], width: Option<usize>) -> Vec<usize> {
    let mut widths: Vec<usize> = t.columns.iter().map(|c| text_width(&c.name).max(1)).collect();
    let mut at = 0;
    for row in &t.rows {
        for (w, m) in widths.iter_mut().zip(&measures[at..at + row.len()]) {
            *w = (*w).max(m.width);
        }
        at += row.len();
    }
    let Some(limit) = width else { return widths };
    // A wrapping column keeps room for its longest word, up to a point, so ids are not cut.
    let floors: Vec<usize> = (0..t.columns.len())
        .map(|i| {
            let words = t.rows.iter().filter_map(|r| r.get(i)).flat_map(|s| s.split_whitespace());
            words.map(text_width).max().unwrap_or(0).clamp(MIN_WRAP, MAX_WORD)
        })
        .collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    // Narrow the wrapping columns to their floors first; then, if the table is
    // still too wide, below them (long words are cut), and last the columns
    // that would rather not wrap, down to a few characters each.
    // (only the wrapping columns, floor of column i) of each phase.
    let phases = [(true, Floor::Words), (true, Floor::Cut), (false, Floor::Cut), (false, Floor::One)];
    for (wrapping_only, floor) in phases {
        let floor_of = |i: usize| match floor {
            Floor::Words => floors[i],
            Floor::Cut => MIN_CUT,
            Floor::One => 1,
        };
        while total(&widths) > limit {
            // Take one column from the widest column that can still give.
            let widest = (0..widths.len())
                .filter(|&i| (t.columns[i].wrap || !wrapping_only) && widths[i] > floor_of(i))
                .max_by_key(|&i| (widths[i], usize::MAX - i));
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    widths
}

/// Splits text into lines of at most `width` columns, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        // The line's width is kept as it grows: measuring it again for every word made
        // long unwrapped cells quadratic.
        let (mut line, mut line_w) = (String::new(), 0);
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word;
            let mut word_w = word.width();
            if !line.is_empty() && line_w + 1 + word_w > width {
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            while word_w > width {
                let cut = split_at_width(word, width);
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                lines.push(word[..cut].to_string());
                word = &word[cut..];
                word_w = word.width();
            }
            if !line.is_empty() {
                line.push(' ');
                line_w += 1;
            }
            line.push_str(word);
            line_w += word_w;
        }
        lines.push(line);
    }
    lines
}

fn split_at_width(word: &str, width: usize) -> usize {
    let mut used = 0;
    for (i, c) in word.char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width && i > 0 {
            return i;
        }
        used += w;
    }
    word.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Column, Kind};

    #[test]
    fn wraps_long_columns_to_fit() {
        let t = Table {
            columns: vec![
                Column { name: "id".into(), wrap: false, kind: Kind::Text },
                Column { name: "text".into(), wrap: true, kind: Kind::Text },
            ],
            rows: vec![vec!["8.24".into(), "one two three four five six seven eight".into()]],
        };
        let out = render(&[Block::Table(t)], Some(24));
        assert_eq!(
            out,
            "id    text\n----  ------------------\n8.24  one two three four\n      five six seven\n      eight\n"
        );
        assert!(out.lines().all(|l| l.width() <= 24));
    }

    #[test]
    fn a_cell_measured_simple_has_the_lines_the_general_path_gives_it() {
        let lines =
            |c: &CellLines| (0..c.len()).map(|l| c.line(l)).map(|(s, w)| (s.to_string(), w)).collect::<Vec<_>>();
        for cell in ["plain words", "two  spaces", " leading", "trailing ", "café", "a\nb", "tab\there", "", "x"] {
            let m = Measure::of(cell);
            assert_eq!(m.simple, plain(cell) && !cell.contains(['\n', '\t', 'é']) && m.width == cell.len(), "{cell:?}");
            assert_eq!(m.width, text_width(cell), "{cell:?}");
            for width in [1, 4, 11, 40] {
                let general = Measure { simple: false, ..m };
                let (fast, slow) = (CellLines::of(cell, width, m), CellLines::of(cell, width, general));
                assert_eq!(lines(&fast), lines(&slow), "{cell:?} in {width}");
            }
        }
    }

    #[test]
    fn wrap_cuts_words_longer_than_the_width() {
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
    }
}

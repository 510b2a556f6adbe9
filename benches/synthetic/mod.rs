//! A synthetic database folder in the shipped format, for measurements at scale.
//!
//! `frameworks` frameworks (`fw00`, `fw01`, ...) of `controls` controls each,
//! in groups of 100, and `rows` mapping rows spread evenly over every pair of
//! frameworks (`fw00__fw01.csv`, ...), each pair of controls mapped once. A
//! rationale is about 180 bytes, with commas (so most are quoted), like the
//! shipped sets'. The output depends on the arguments only.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

/// The shape of a synthetic database.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub frameworks: usize,
    pub controls: usize,
    pub rows: usize,
}

impl Shape {
    /// 10 frameworks of 1,000 controls, as the scale measurements use.
    pub fn rows(rows: usize) -> Shape {
        Shape { frameworks: 10, controls: 1000, rows }
    }
}

/// A framework's key.
pub fn key(f: usize) -> String {
    format!("fw{f:02}")
}

/// A control's id: `G3.042` is the 42nd control of the third group.
pub fn control_id(c: usize) -> String {
    format!("G{}.{:03}", c / 100 + 1, c % 100 + 1)
}

/// A small deterministic generator (SplitMix64): the same shape gives the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: [&str; 24] = [
    "access",
    "records",
    "reviewed",
    "keys",
    "rotated",
    "staff",
    "trained",
    "suppliers",
    "assessed",
    "logs",
    "monitored",
    "backups",
    "tested",
    "incidents",
    "handled",
    "assets",
    "listed",
    "changes",
    "approved",
    "data",
    "encrypted",
    "risks",
    "treated",
    "owners",
];

/// One rationale of about 180 bytes: clauses of words, separated by commas.
fn rationale(rng: &mut Rng, out: &mut String) {
    out.clear();
    out.push_str("The source ");
    while out.len() < 170 {
        for _ in 0..4 {
            out.push_str(WORDS[rng.below(WORDS.len())]);
            out.push(' ');
        }
        out.pop();
        out.push_str(if rng.below(3) == 0 { "; " } else { ", " });
    }
    out.truncate(out.len() - 2);
    out.push_str(" in part.");
}

/// Writes the database folder `dir` (created if need be).
pub fn write(dir: &Path, shape: Shape) -> io::Result<()> {
    std::fs::create_dir_all(dir.join("catalogs"))?;
    std::fs::write(dir.join("database.toml"), format!("version = \"synthetic-{}\"\n", shape.rows))?;
    std::fs::write(
        dir.join("provenance.toml"),
        "[synthetic]\nkind = \"analysis\"\ntitle = \"Synthetic rows for measurements\"\n",
    )?;
    for f in 0..shape.frameworks {
        catalog(dir, f, shape.controls)?;
    }
    let pairs: Vec<(usize, usize)> =
        (0..shape.frameworks).flat_map(|a| (a + 1..shape.frameworks).map(move |b| (a, b))).collect();
    for (i, &(a, b)) in pairs.iter().enumerate() {
        let n = shape.rows / pairs.len() + usize::from(i < shape.rows % pairs.len());
        mapping_set(dir, (a, b), n, shape.controls, i as u64)?;
    }
    Ok(())
}

fn catalog(dir: &Path, f: usize, controls: usize) -> io::Result<()> {
    let k = key(f);
    let meta = format!(
        "key = \"{k}\"\nname = \"Synthetic framework {f}\"\nversion = \"1\"\npublisher = \"nobody\"\n\
         levels = [\"group\", \"control\"]\ncontrols = [\"control\"]\n"
    );
    std::fs::write(dir.join(format!("catalogs/{k}.toml")), meta)?;
    let mut csv = String::from("id,parent,level,title,description\n");
    for g in 0..controls.div_ceil(100) {
        let _ =
            writeln!(csv, "G{},,group,Group {} of {k},\"The controls of group {}, in order.\"", g + 1, g + 1, g + 1);
    }
    for c in 0..controls {
        let id = control_id(c);
        let _ = writeln!(
            csv,
            "{id},G{},control,Control {id} of {k},\"What control {id} asks, in a sentence of our own, with a comma.\"",
            c / 100 + 1
        );
    }
    std::fs::write(dir.join(format!("catalogs/{k}.csv")), csv)
}

/// `n` rows between frameworks `a` and `b`, each pair of controls once: the
/// k-th row is the pair number `k * stride` modulo the number of pairs, and
/// a stride prime to it visits each pair once.
fn mapping_set(dir: &Path, (a, b): (usize, usize), n: usize, controls: usize, seed: u64) -> io::Result<()> {
    let space = controls * controls;
    assert!(n <= space, "{n} rows do not fit {controls} x {controls} pairs");
    let mut rng = Rng(seed);
    let mut stride = (space / 3 + rng.below(space / 3 + 1)) | 1;
    while gcd(stride, space) != 1 {
        stride += 2;
    }
    let file = std::fs::File::create(dir.join(format!("{}__{}.csv", key(a), key(b))))?;
    let mut out = io::BufWriter::new(file);
    out.write_all(b"source_id,target_id,relationship,provenance,rationale\n")?;
    let mut text = String::new();
    for k in 0..n {
        let pair = k * stride % space;
        let relationship = match rng.below(10) {
            0 => "equal",
            1 | 2 => "superset-of",
            3 | 4 => "subset-of",
            _ => "intersects-with",
        };
        rationale(&mut rng, &mut text);
        let (s, t) = (control_id(pair / controls), control_id(pair % controls));
        writeln!(out, "{s},{t},{relationship},synthetic,\"{text}\"")?;
    }
    out.flush()
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

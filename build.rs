//! Embeds the shipped database (`mappings/`) in the binary, its CSV files already read into tables.

use std::fmt::Write as _;

use sha2::Digest as _;
use std::path::Path;

#[allow(dead_code)]
#[path = "src/db/csv_table.rs"]
mod csv_table;

#[allow(dead_code)]
#[path = "src/text.rs"]
mod text;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    println!("cargo::rerun-if-changed=mappings");
    println!("cargo::rerun-if-changed=src/db/csv_table.rs");
    println!("cargo::rerun-if-changed=src/text.rs");
    let mut files = Vec::new();
    for (dir, prefix) in
        [(root.clone(), ""), (root.join("catalogs"), "catalogs/"), (root.join("left-out"), "left-out/")]
    {
        println!("cargo::rerun-if-changed={}", dir.display());
        // Only the database folder itself must exist.
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(_) if !prefix.is_empty() => continue,
            Err(e) => panic!("reading {}: {e}", dir.display()),
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let wanted = name.ends_with(".csv")
                || (name.ends_with(".toml")
                    && (prefix == "catalogs/" || name == "provenance.toml" || name == "database.toml"));
            if path.is_file() && wanted && !name.starts_with('.') {
                files.push((format!("{prefix}{name}"), path));
            }
        }
    }
    files.sort();
    // The database's fingerprint: the SHA-256 of every file's path and bytes, in path order.
    let mut hash = sha2::Sha256::new();
    for (rel, path) in &files {
        hash.update(rel.as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(path).unwrap_or_default());
        hash.update([0]);
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo::rustc-env=CROSSWALK_DATABASE_SHA256={digest}");
    let meta = std::fs::read_to_string(root.join("database.toml")).unwrap_or_default();
    let version = meta
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("version").map(|v| v.trim_start_matches([' ', '=']).trim().trim_matches('"'))
        })
        .unwrap_or("unversioned")
        .to_string();
    println!("cargo::rustc-env=CROSSWALK_DATABASE_VERSION={version}");
    let mut out = String::from(
        "/// The shipped database: (path inside mappings/, the frameworks a mapping set's rows link, content).\n\
         pub(super) static FILES: &[(&str, &[&str], Embedded)] = &[\n",
    );
    let texts: Vec<text::Text> =
        files.iter().map(|(_, path)| text::Text::from(std::fs::read_to_string(path).unwrap_or_default())).collect();
    let tables: Vec<Option<csv_table::CsvTable>> = files
        .iter()
        .zip(&texts)
        .map(|((rel, _), text)| {
            let mut clean = true;
            let table = if rel.ends_with(".csv") { csv_table::parse(text, |_, _| clean = false) } else { None };
            // A file with problems stays text, so that the loader reports them at run time.
            table.filter(|_| clean)
        })
        .collect();
    for (i, (rel, path)) in files.iter().enumerate() {
        println!("cargo::rerun-if-changed={}", path.display());
        // The rows of left-out/A__B.csv are pairs of the set A__B.csv.
        let set = rel.strip_prefix("left-out/").unwrap_or(rel);
        let linked = files.iter().position(|(r, _)| r == set).map(|s| set_frameworks(set, tables[s].as_ref()));
        let linked = linked.unwrap_or_default();
        write!(out, "    ({rel:?}, &{linked:?}, ").expect("writing to a String");
        match &tables[i] {
            Some(t) => writeln!(out, "Embedded::Table({})),", t.to_rust()),
            None => writeln!(out, "Embedded::Text(include_str!({:?}))),", path.display().to_string()),
        }
        .expect("writing to a String");
    }
    out.push_str("];\n");
    out.push_str("/// Framework names, keys and aliases in lower case, to keys.\npub(super) static NAMES: &[(&str, &str)] = &[\n");
    for ((rel, _), text) in files.iter().zip(&texts) {
        if let Some(stem) = rel.strip_prefix("catalogs/").and_then(|r| r.strip_suffix(".toml")) {
            for (name, key) in framework_names(stem, text) {
                writeln!(out, "    ({name:?}, {key:?}),").expect("writing to a String");
            }
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("writing embedded.rs");
}

/// The frameworks a mapping set's rows link, as the loader reads them: the two of
/// its name (`A__B.csv`), and those a group's members name (`5.7 + KEY:8.2`).
/// Empty for a file that is not a mapping set.
fn set_frameworks(rel: &str, table: Option<&csv_table::CsvTable>) -> Vec<String> {
    let Some((a, b)) = rel.strip_suffix(".csv").filter(|r| !r.contains('/')).and_then(|r| r.split_once("__")) else {
        return Vec::new();
    };
    let mut keys = std::collections::BTreeSet::from([a.to_string(), b.to_string()]);
    if let Some((t, col)) = table.and_then(|t| Some((t, t.column("source_id")?))) {
        for row in t.rows.iter() {
            let cell = t.field(row, col);
            if cell.contains('+') {
                keys.extend(cell.split('+').filter_map(|m| m.trim().split_once(':')).map(|(k, _)| k.to_string()));
            }
        }
    }
    keys.into_iter().collect()
}

/// A catalog's key and its aliases, in lower case, each with the key (`catalogs/STEM.toml`).
fn framework_names(stem: &str, text: &str) -> Vec<(String, String)> {
    let table: toml::Table = text.parse().unwrap_or_default();
    let key = table.get("key").and_then(|k| k.as_str()).unwrap_or(stem).to_string();
    let aliases = table.get("aliases").and_then(|a| a.as_array()).cloned().unwrap_or_default();
    let aliases = aliases.iter().filter_map(|a| a.as_str());
    std::iter::once(key.as_str()).chain(aliases).map(|n| (n.to_ascii_lowercase(), key.clone())).collect()
}

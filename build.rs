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
    let mut out = String::from("/// The shipped database: (path inside mappings/, content).\npub(super) static FILES: &[(&str, Embedded)] = &[\n");
    for (rel, path) in files {
        println!("cargo::rerun-if-changed={}", path.display());
        let text = text::Text::from(std::fs::read_to_string(&path).unwrap_or_default());
        let mut clean = true;
        let table = if rel.ends_with(".csv") { csv_table::parse(&text, |_, _| clean = false) } else { None };
        match table {
            // A file with problems stays text, so that the loader reports them at run time.
            Some(t) if clean => writeln!(out, "    ({rel:?}, Embedded::Table({})),", t.to_rust()),
            _ => writeln!(out, "    ({rel:?}, Embedded::Text(include_str!({:?}))),", path.display().to_string()),
        }
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("writing embedded.rs");
}

//! Embeds the shipped database (`mappings/`) in the binary.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    println!("cargo::rerun-if-changed=mappings");
    let mut files = Vec::new();
    for (dir, prefix) in [(root.clone(), ""), (root.join("catalogs"), "catalogs/")] {
        println!("cargo::rerun-if-changed={}", dir.display());
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let wanted = name.ends_with(".csv")
                || (name.ends_with(".toml") && (!prefix.is_empty() || name == "provenance.toml"));
            if path.is_file() && wanted && !name.starts_with('.') {
                files.push((format!("{prefix}{name}"), path));
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// The shipped database: (path inside mappings/, text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in files {
        println!("cargo::rerun-if-changed={}", path.display());
        writeln!(out, "    ({rel:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("writing embedded.rs");
}

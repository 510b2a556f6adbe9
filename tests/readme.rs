//! The READMEs tell the truth: their examples print what they show, and the row counts they
//! give are the shipped database's.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");
/// The README shows its examples at this width.
const WIDTH: &str = "100";

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `crosswalk check --json`, the figures a user sees.
fn stats() -> Value {
    let o = Command::new(EXE).args(["check", "--json"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn set<'a>(stats: &'a Value, file: &str) -> &'a Value {
    let sets = stats["mapping_sets"].as_array().unwrap();
    sets.iter().find(|s| s["file"] == format!("mappings/{file}")).unwrap_or_else(|| panic!("no set {file}"))
}

/// A set's `**Rows.**` line as `mappings/README.md` writes it.
fn rows_line(set: &Value) -> String {
    let rel = &set["by_relationship"];
    let count = |k: &str| rel[k].as_u64().unwrap();
    let mut provenance: Vec<(&String, &Value)> = set["by_provenance"].as_object().unwrap().iter().collect();
    provenance.sort_by_key(|(k, _)| *k);
    let provenance: Vec<String> = provenance.iter().map(|(k, n)| format!("`{k}` {n}")).collect();
    format!(
        "**Rows.** {} rows from {} source to {} target controls: equal {}, superset-of {}, subset-of {}, \
         intersects-with {}; by provenance {}.",
        set["rows"],
        set["source_side"]["mapped"],
        set["target_side"]["mapped"],
        count("equal"),
        count("superset-of"),
        count("subset-of"),
        count("intersects-with"),
        provenance.join(", ")
    )
}

#[test]
fn each_set_section_of_the_database_readme_gives_its_live_counts() {
    let stats = stats();
    let text = read("mappings/README.md");
    let mut sections = 0;
    for section in text.split("\n### ").skip(1) {
        let heading = section.lines().next().unwrap();
        let Some(file) = heading.split('`').find(|s| s.ends_with(".csv")) else { continue };
        let line = section.lines().find(|l| l.starts_with("**Rows.**"));
        let line = line.unwrap_or_else(|| panic!("the section on {file} has no **Rows.** line"));
        assert_eq!(line, rows_line(set(&stats, file)), "mappings/README.md, section on {file}");
        sections += 1;
    }
    assert_eq!(sections, stats["mapping_sets"].as_array().unwrap().len(), "one section per shipped set");
}

#[test]
fn the_readme_table_of_sets_gives_their_row_counts() {
    let stats = stats();
    let text = read("README.md");
    let mut named = 0;
    // | `iso27001 -> csf`, `iso27001-isms -> csf` | where the pairs come from | 299 + 123 |
    for line in text.lines().filter(|l| l.starts_with("| `") && l.contains(" -> ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let last = cells[cells.len() - 1];
        if !last.chars().all(|c| c.is_ascii_digit() || c == '+' || c == ' ') {
            continue; // another table: statements, timings
        }
        let names: Vec<&str> = cells[0].split('`').filter(|s| s.contains(" -> ")).collect();
        let counts: Vec<&str> = last.split('+').map(str::trim).collect();
        assert_eq!(names.len(), counts.len(), "README: {line}");
        for (name, count) in names.iter().zip(counts) {
            let file = name.replace(" -> ", "__") + ".csv";
            assert_eq!(count, set(&stats, &file)["rows"].to_string(), "README: rows of `{name}`");
            named += 1;
        }
    }
    assert_eq!(named, stats["mapping_sets"].as_array().unwrap().len(), "the README names every shipped set");
}

/// The README's `$ crosswalk ...` examples with the output shown under each.
fn examples(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for block in text.split("```").skip(1).step_by(2) {
        let body = block.split_once('\n').map_or("", |(_, b)| b);
        if !body.starts_with("$ ") {
            continue; // a file or a listing, not a session
        }
        for line in body.lines() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                out.push((cmd.to_string(), String::new()));
            } else if let Some((_, shown)) = out.last_mut() {
                shown.push_str(line);
                shown.push('\n');
            }
        }
    }
    out
}

#[test]
fn the_readme_examples_print_what_the_readme_shows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tests/data")).unwrap();
    std::fs::create_dir_all(dir.path().join("tests/data/oscal")).unwrap();
    std::fs::create_dir_all(dir.path().join("tests/data/oscal-catalog")).unwrap();
    let files = [
        "soa-client.csv",
        "oscal/iso-soc2-sample.json",
        "oscal-catalog/sp800-53.json",
        "oscal-catalog/sp800-53-iso.json",
    ];
    for file in files {
        let file = format!("tests/data/{file}");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(&file), dir.path().join(&file)).unwrap();
    }
    // `crosswalk` in an example is the binary under test, at the README's width.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let wrapper = format!("#!/bin/sh\nexec '{EXE}' --width {WIDTH} \"$@\"\n");
    std::fs::write(bin.join("crosswalk"), wrapper).unwrap();
    std::fs::set_permissions(bin.join("crosswalk"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let examples = examples(&read("README.md"));
    assert!(examples.len() >= 4, "the README's examples were not found");
    for (cmd, shown) in examples {
        let o = Command::new("sh")
            .args(["-c", &format!("{cmd} 2>&1")])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("CROSSWALK_HISTORY", "")
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
        assert_eq!(printed.trim_end(), shown.trim_end(), "README example `$ {cmd}`");
    }
}

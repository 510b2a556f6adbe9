//! Mapping files in other formats: OSCAL mapping collections loaded with `--add`, their
//! catalogs resolved, their maps kept in meaning, and each broken file reported at its place.

use std::path::{Path, PathBuf};
use std::process::Command;

use crosswalk::db::{self, DataSource, Database, LoadOptions};

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn load_adding(file: &str, map: &[(&str, &str)]) -> Database {
    let options = LoadOptions {
        framework_map: map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        ..LoadOptions::default()
    };
    let (db, errors) = db::load_with_errors_using(DataSource::Embedded, &[PathBuf::from(file)], &options).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    db
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(EXE).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// The `state` of each target row of a coverage CSV, as `ID=STATE`.
fn states(csv: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, state) = (col("target_id"), col("state"));
    reader.records().map(|r| r.unwrap()).map(|r| format!("{}={}", &r[id], &r[state])).collect()
}

/// The first six columns of each row of a mapping CSV (source, relationship, target), joined by spaces.
fn pairs(csv: &str) -> Vec<String> {
    csv.lines().skip(1).map(|l| l.split(',').take(6).collect::<Vec<_>>().join(" ")).collect()
}

const SAMPLE: &str = "tests/data/oscal/iso-soc2-sample.json";
const CLOUD: &str = "tests/data/oscal/cloud-csf.json";

#[test]
fn a_map_to_two_targets_covers_each_but_each_covers_it_only_in_part() {
    let coverage = |q: &str| {
        let (code, out, err) = run(&["--add", SAMPLE, "-f", "csv", "-e", q]);
        assert_eq!(code, 0, "{err}");
        states(&out)
    };
    // 5.13 equivalent-to {CC6.1.1, CC6.1.2}: 5.13 meets each point of focus.
    assert_eq!(
        coverage("coverage iso27001{5.13} -> soc2 where id = CC6.1 with parts")[1..3],
        ["CC6.1.1=full", "CC6.1.2=full"]
    );
    // One point of focus alone gives 5.13 in part, the two together in full.
    assert_eq!(coverage("coverage soc2{CC6.1.1} -> iso27001 where id = 5.13"), ["5.13=partial"]);
    assert_eq!(coverage("coverage soc2{CC6.1.1, CC6.1.2} -> iso27001 where id = 5.13"), ["5.13=full"]);
    // Several sources: a group row, full only with both.
    assert_eq!(coverage("coverage iso27001{5.1} -> soc2 where id = CC5.3 with parts")[1], "CC5.3.1=none");
    assert_eq!(coverage("coverage iso27001{5.1, 5.37} -> soc2 where id = CC5.3 with parts")[1], "CC5.3.1=full");
    // `a1.2` and `A.8.13` are read as the catalogs spell them.
    assert_eq!(coverage("coverage iso27001{8.13} -> soc2 where id = A1.2"), ["A1.2=full"]);
}

#[test]
fn the_load_says_what_it_replaced_and_kept_out() {
    let (code, out, err) = run(&["--add", SAMPLE, "-e", "map iso27001:5.13 -> soc2"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: tests/data/oscal/iso-soc2-sample.json: maps iso27001 and soc2: its rows take the place of the 362 row(s) of mappings/iso27001__soc2.csv in this load"),
        "{err}"
    );
    assert!(err.contains("1 map(s) say no-relationship; they are kept out of coverage"), "{err}");
    // A map without remarks says so in its rationale, with what else the file says of it.
    assert!(
        out.contains("Sample ISO 27001 to SOC 2 mapping gives no rationale for this map. [confidence 0.8] [from the map: iso27001:5.13 equal soc2:CC6.1.1 + CC6.1.2]"),
        "{out}"
    );
    let db = load_adding(SAMPLE, &[]);
    let p = db.provenances.iter().find(|p| p.key == "iso-soc2-sample").expect("the file's provenance");
    assert_eq!(p.title, "Sample ISO 27001 to SOC 2 mapping");
    assert_eq!(p.publisher, "Example Mapping Group");
    assert!(p.detail.contains("version 0.3, method human"), "{}", p.detail);
}

#[test]
fn an_unknown_catalog_loads_as_an_id_only_framework_and_the_load_says_so() {
    let (code, out, err) = run(&["--add", CLOUD, "-e", "frameworks"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the catalog `Example Cloud Control Set v2` is no loaded framework: its 7 id(s) load as the id-only framework `example-cloud-control-set-v2`"), "{err}");
    assert!(
        err.contains("the catalog `https://example.org/oscal/NIST_CSF_v2.0_catalog.json` is no loaded framework"),
        "{err}"
    );
    assert!(out.contains("example-cloud-control-set-v2"), "{out}");
    // Named with --framework-map, the target is the shipped CSF, and its ids are found in any case.
    let map = "https://example.org/oscal/NIST_CSF_v2.0_catalog.json=csf";
    let (code, out, err) = run(&["--add", CLOUD, "--framework-map", map, "-f", "csv", "-e", "coverage example-cloud-control-set-v2 -> csf where id = PR.DS-11 or id = PR.AA-01 or id = PR.AA-05 or id = DE.CM-01 or id = DE.CM-09"]);
    assert_eq!(code, 0, "{err}");
    let s = states(&out);
    for want in ["PR.DS-11=full", "PR.AA-01=full", "PR.AA-05=full", "DE.CM-01=none", "DE.CM-09=none"] {
        assert!(s.contains(&want.to_string()), "{want} in {s:?}");
    }
    // {log-03, log-04} subset-of {DE.CM-01, DE.CM-09}: the two CSF items together contain each log control.
    let (_, out, err) = run(&[
        "--add",
        CLOUD,
        "--framework-map",
        map,
        "-f",
        "csv",
        "-e",
        "coverage csf{DE.CM-01, DE.CM-09} -> example-cloud-control-set-v2",
    ]);
    assert_eq!(
        states(&out),
        ["bkp-01=none", "iam-02=none", "log-03=full", "log-04=full", "gov-01=none", "gov-02=none", "phy-09=none"],
        "{err}"
    );
    // Several sources to several targets that only intersect: no row can say it, and the load says so.
    assert!(err.contains("1 map(s) from several sources to several targets say intersects-with"), "{err}");
    assert!(err.contains("kept out: $.mapping-collection.mappings[0].maps[3]"), "{err}");
}

#[test]
fn a_qualifier_and_coverage_are_kept_in_the_rationale() {
    let db = load_adding(CLOUD, &[("Example Cloud Control Set v2", "ccs")]);
    let fw = db.find_framework("ccs").expect("the id-only framework takes the mapped key");
    assert_eq!(db.framework(fw).name, "Example Cloud Control Set v2");
    let rationales: Vec<&str> = db.mappings.iter().map(|m| m.rationale.as_ref()).collect();
    assert!(rationales.iter().any(|r| r.starts_with("Identity lifecycle and access permissions, as one control. [qualifier: target has-requirement addressable: Least privilege is reviewed yearly.]")), "{rationales:?}");
    assert!(rationales.iter().any(|r| r.contains("[covers 0.6 of the target]")), "{rationales:?}");
}

#[test]
fn broken_mapping_files_are_reported_at_their_place() {
    let root = Path::new("tests/broken-imports");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let (_, errors) =
            db::load_with_errors_using(DataSource::Embedded, std::slice::from_ref(&case), &LoadOptions::default())
                .unwrap();
        assert!(!errors.is_empty(), "{name}: the fault was not found");
        let text: String = errors.iter().map(|e| format!("{e}\n")).collect();
        insta::assert_snapshot!(format!("import_{name}"), text);
        let (code, _, err) = run(&["--add", case.to_str().unwrap(), "check"]);
        assert_eq!(code, 3, "{name}: {err}");
    }
}

#[test]
fn a_file_that_is_not_a_mapping_file_is_refused() {
    let (code, _, err) = run(&["--add", "README.md", "check"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("README.md: --add takes a database folder or a mapping file"), "{err}");
    let (code, _, err) = run(&["--add", "tests/data/oscal/missing.json", "check"]);
    assert_eq!(code, 4, "{err}");
    let (code, _, err) = run(&["--data", SAMPLE, "check"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("--data takes a database folder; a mapping file is added on top of one with --add FILE"),
        "{err}"
    );
    let (code, _, err) = run(&["--framework-map", "no-equals-sign", "check"]);
    assert_eq!(code, 2, "{err}");
}

mod no_input_panics {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use crosswalk::db::{self, load::SourceFile, LoadOptions};

    /// JSON built from the words of the mapping model, so that random documents reach deep into the reader.
    fn value() -> impl Strategy<Value = Value> {
        let words = prop::sample::select(vec![
            "mapping-collection",
            "metadata",
            "title",
            "mappings",
            "maps",
            "source-resource",
            "target-resource",
            "href",
            "relationship",
            "sources",
            "targets",
            "id-ref",
            "remarks",
            "props",
            "ns",
            "name",
            "value",
            "back-matter",
            "resources",
            "uuid",
            "confidence-score",
            "coverage",
            "qualifiers",
            "equal-to",
            "subset-of",
            "superset-of",
            "intersects-with",
            "no-relationship",
            "5.1",
            "A.8.24",
            "CC6.1",
            "#x",
            "urn:crosswalk:oscal",
            "framework",
            "iso27001",
            "soc2",
            "csf",
            "catalog",
            "groups",
            "controls",
            "parts",
            "params",
            "label",
            "statement",
            "item",
            "prose",
            "status",
            "withdrawn",
            "links",
            "rel",
            "incorporated-into",
            "#5.1",
            "{{ insert: param, 5.1 }}",
            "",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            words.clone().prop_map(|w| json!(w)),
            "\\PC{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((words.clone(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    fn load(text: String) {
        load_as("x.json", text);
    }

    /// The members of a small OLIR template workbook: (name, bytes), its sheet and strings first.
    fn sample_workbook_members() -> Vec<(String, Vec<u8>)> {
        use std::io::Read as _;
        let bytes = sample_workbook_bytes();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out: Vec<(String, Vec<u8>)> = (0..zip.len())
            .map(|i| {
                let mut member = zip.by_index(i).unwrap();
                let mut bytes = Vec::new();
                member.read_to_end(&mut bytes).unwrap();
                (member.name().to_string(), bytes)
            })
            .collect();
        out.sort_by_key(|(n, _)| !(n.contains("sheet1") || n.contains("sharedStrings") || n.contains("workbook.xml")));
        out
    }

    /// Members packed into a workbook again.
    fn pack(members: &[(String, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in members {
            zip.start_file(name.as_str(), options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A small OLIR template workbook, written once.
    fn sample_workbook_bytes() -> Vec<u8> {
        static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        BYTES
            .get_or_init(|| {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let rows = [
                    ["Focal Document Element", "Relationship", "Reference Document Element", "Comments"],
                    ["PR.DS-11", "equal", "8.13", "Backups."],
                    ["PR.DS-01", "subset of", "A.8.24", ""],
                ];
                for (r, row) in rows.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        sheet.write_string(r as u32, c as u16, *cell).unwrap();
                    }
                }
                book.save_to_buffer().unwrap()
            })
            .clone()
    }

    fn load_as(name: &str, text: String) {
        let mut files = db::load::embedded_files(None);
        let rel = format!("imports/{name}");
        files.push(SourceFile { rel, display: name.into(), text: text.into(), table: None });
        let mut errors = Vec::new();
        let options = LoadOptions { framework_map: vec![("#x".into(), "new-one".into())], ..LoadOptions::default() };
        let _ = db::from_files_using(&files, &options, &mut errors);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,200}") {
            load(text.clone());
            load_as("x.csv", text);
        }

        #[test]
        fn any_olir_table_is_read_or_refused(
            rows in prop::collection::vec(prop::collection::vec(prop::sample::select(vec![
                "PR.DS-11", "8.13", "A.5.1", "equal", "subset of", "not related", "x y", "", "\"",
                "Focal Document", "NIST Cybersecurity Framework 2.0",
            ]), 3..6), 0..6)
        ) {
            let mut text = String::from("Focal Document Element,Relationship,Reference Document Element,Focal Document,Comments\n");
            for r in rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            load_as("x.csv", text);
        }

        #[test]
        fn any_workbook_is_read_or_refused(
            cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            junk in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            // A real workbook with bytes of its sheets and strings changed (packed again, so that
            // the reader gets past the archive), the archive itself changed, and bytes that are no workbook.
            let members = sample_workbook_members();
            let mut changed = members.clone();
            for (at, byte) in &cuts {
                let (_, bytes) = changed.iter_mut().filter(|(n, _)| n.ends_with(".xml")).nth(at.index(3)).unwrap();
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
            let mut packed = pack(&members);
            for (at, byte) in &cuts {
                let i = at.index(packed.len());
                packed[i] = *byte;
            }
            for bytes in [pack(&changed), packed, junk] {
                load_as("x.xlsx", crosswalk::interchange::xlsx::bytes_as_text(&bytes));
            }
        }

        #[test]
        fn any_yaml_is_read_or_refused(inner in value()) {
            let text = serde_json::to_string_pretty(&json!({"name": "x", "objects": {"requirement_mapping_set": inner}})).unwrap();
            // JSON is YAML; and the same text cut anywhere is refused or read, never a panic.
            load_as("x.yaml", text.clone());
            let cut = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
            load_as("x.yaml", text[..cut].to_string());
        }

        #[test]
        fn any_cprt_export_is_read_or_refused(inner in value()) {
            let doc = json!({"documents": [{"doc_identifier": "A", "name": "NIST Cybersecurity Framework 2.0"}], "relationships": inner});
            load(doc.to_string());
        }

        #[test]
        fn any_document_is_read_or_refused(inner in value()) {
            load(json!({"mapping-collection": inner}).to_string());
        }

        #[test]
        fn any_catalog_is_read_or_refused(inner in value()) {
            load(json!({"catalog": inner}).to_string());
        }

        #[test]
        fn any_catalog_tree_is_read_or_refused(controls in prop::collection::vec(super::no_input_panics_control(3), 0..5)) {
            let doc = json!({"catalog": {"metadata": {"title": "t"}, "groups": [{"id": "g", "title": "G", "controls": controls}]}});
            load(doc.to_string());
        }

        #[test]
        fn any_map_is_read_or_refused(maps in prop::collection::vec(super::no_input_panics_map(), 0..6)) {
            let doc = json!({"mapping-collection": {"metadata": {"title": "t"}, "mappings": [{
                "source-resource": {"href": "iso27001.json"}, "target-resource": {"href": "x/unknown.json"}, "maps": maps}]}});
            load(doc.to_string());
        }
    }
}

/// A map whose every part is drawn from few words, valid and not: ids known, unknown and unnameable.
fn no_input_panics_map() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let ids = prop::sample::select(vec!["5.1", "A.5.15", "a.8.24", "8", "99.9", "", "a b", "x(", "iso27001-5.2"]);
    let rel = prop::sample::select(vec![
        "equal-to",
        "equivalent-to",
        "subset-of",
        "superset-of",
        "intersects-with",
        "no-relationship",
        "nope",
    ]);
    let items = prop::collection::vec(ids.prop_map(|i| serde_json::json!({"type": "control", "id-ref": i})), 0..4);
    (rel, items.clone(), items).prop_map(|(r, s, t)| serde_json::json!({"relationship": r, "sources": s, "targets": t}))
}

/// A control of a catalog drawn from few words, `depth` levels of enhancements and items deep:
/// ids and labels that clash, parameters that insert one another, withdrawn controls.
fn no_input_panics_control(depth: u32) -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    use serde_json::json;
    let names = prop::sample::select(vec!["c-1", "c-2", "C-1", "c 1", "", "a.", "(1)", "c-1_smt.a"]);
    let prose = prop::sample::select(vec![
        "Do it {{ insert: param, p1 }}.",
        "{{ insert: param, p2 }} {{ insert: param, p2 }}",
        "{{ insert: param,",
        "plain",
    ]);
    let item = (names.clone(), names.clone(), prose.clone())
        .prop_map(|(id, label, prose)| json!({"id": id, "name": "item", "props": [{"name": "label", "value": label}], "prose": prose}));
    let items = item.prop_recursive(depth, 12, 3, |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..3)).prop_map(|(mut i, kids)| {
            i["parts"] = json!(kids);
            i
        })
    });
    let params = json!([{"id": "p1", "select": {"how-many": "one-or-more", "choice": ["x {{ insert: param, p2 }}"]}},
                        {"id": "p2", "label": "y {{ insert: param, p1 }}"}]);
    let leaf = (names.clone(), names, any::<bool>(), prop::collection::vec(items, 0..3)).prop_map(
        move |(id, label, gone, items)| {
            let status = if gone { "withdrawn" } else { "active" };
            json!({"id": id, "title": "T", "params": params,
               "props": [{"name": "label", "value": label}, {"name": "status", "value": status}],
               "links": [{"href": "#c-2", "rel": "incorporated-into"}],
               "parts": [{"id": "s", "name": "statement", "parts": items}]})
        },
    );
    leaf.prop_recursive(depth, 12, 3, |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..3)).prop_map(|(mut c, kids)| {
            c["controls"] = json!(kids);
            c
        })
    })
}

mod oscal_export {
    use super::run;
    use std::path::Path;
    use std::process::Command;

    /// Exports a statement to an OSCAL file in `dir`, on a fixed date; returns the file's text.
    fn export(dir: &Path, name: &str, args: &[&str], query: &str) -> String {
        let path = dir.join(name);
        let o = Command::new(super::EXE)
            .args(args)
            .args(["export", query, "-o"])
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn the_iso_soc2_set_goes_out_and_comes_back_as_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let first = export(dir.path(), "iso-soc2.oscal.json", &[], "crosswalk iso27001 -> soc2");
        // Two exports of the same data are the same bytes.
        assert_eq!(first, export(dir.path(), "again.oscal.json", &[], "crosswalk iso27001 -> soc2"));
        assert!(first.contains("\"last-modified\": \"2026-01-01T00:00:00Z\""));
        let file = dir.path().join("iso-soc2.oscal.json");
        let file = file.to_str().unwrap();
        // Read back, the file stands in for the shipped set: every row, group and view is the same.
        for q in [
            "map iso27001 -> soc2",
            "map soc2 -> iso27001",
            "coverage iso27001 -> soc2 with parts",
            "gaps iso27001{5.*} -> soc2",
        ] {
            let (code, shipped, err) = run(&["-f", "json", "-e", q]);
            assert_eq!(code, 0, "{err}");
            let (code, back, err) = run(&["--add", file, "-f", "json", "-e", q]);
            assert_eq!(code, 0, "{err}");
            assert!(err.contains("its rows take the place of the 362 row(s) of mappings/iso27001__soc2.csv"), "{err}");
            assert_eq!(back, shipped, "`{q}` after export and import");
        }
        // And exported again from there, it is the same file but for the database's fingerprint.
        let again = export(dir.path(), "back.oscal.json", &["--add", file], "crosswalk iso27001 -> soc2");
        let strip = |t: &str| {
            t.lines().filter(|l| !l.contains("\"remarks\": \"Written by crosswalk")).collect::<Vec<_>>().join("\n")
        };
        assert_eq!(strip(&again), strip(&first));
    }

    #[test]
    fn a_group_read_from_its_target_goes_out_as_one_map_to_several_targets() {
        let dir = tempfile::tempdir().unwrap();
        let sample = super::SAMPLE;
        let text = export(dir.path(), "s.oscal.json", &["--add", sample], "map soc2{CC6.1.1, CC6.1.2} -> iso27001");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let maps = doc["mapping-collection"]["mappings"][0]["maps"].as_array().unwrap();
        let said: Vec<String> = maps
            .iter()
            .map(|m| {
                let ids = |k: &str| {
                    m[k].as_array().unwrap().iter().map(|i| i["id-ref"].as_str().unwrap()).collect::<Vec<_>>().join("+")
                };
                format!("{} {} {}", ids("sources"), m["relationship"].as_str().unwrap(), ids("targets"))
            })
            .collect();
        assert_eq!(said, ["CC6.1.1+CC6.1.2 superset-of 5.13", "CC6.1.1 subset-of 5.13", "CC6.1.2 subset-of 5.13"]);
    }

    #[test]
    fn only_mappings_have_an_oscal_form() {
        let (code, _, err) = run(&["export", "gaps iso27001 -> soc2", "-o", "/nonexistent/x.oscal.json"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("only map and crosswalk have an OSCAL form"), "{err}");
        let (code, _, err) = run(&["export", "map iso27001:5.37 -> gdpr", "-o", "/nonexistent/x.oscal.json"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("the result has no mapping rows"), "{err}");
    }

    /// The OSCAL mapping schema, where the reference data sits beside the clone.
    const SCHEMA: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/oscal/trestle-oscal_mapping_schema.json");

    #[test]
    fn an_export_is_valid_against_the_oscal_mapping_schema() {
        let Ok(schema) = std::fs::read_to_string(SCHEMA) else {
            println!("note: {SCHEMA} is not here; the schema check is skipped (the exports are still checked above)");
            return;
        };
        let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let dir = tempfile::tempdir().unwrap();
        for (args, q) in [
            (&[][..], "crosswalk iso27001 -> soc2"),
            (&[][..], "crosswalk hipaa -> csf"),
            (&["--add", super::SAMPLE][..], "map soc2 -> iso27001"),
        ] {
            let text = export(dir.path(), "v.oscal.json", args, q);
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).take(5).collect();
            assert!(errors.is_empty(), "`{q}`: {errors:#?}");
        }
        // The check can fail: a map without sources is refused.
        let mut broken: serde_json::Value =
            serde_json::from_str(&export(dir.path(), "b.oscal.json", &[], "map iso27001:8.24 -> hipaa")).unwrap();
        broken["mapping-collection"]["mappings"][0]["maps"][0]["sources"] = serde_json::json!([]);
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn two_catalogs_whose_files_share_a_name_are_two_frameworks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    let doc = serde_json::json!({"mapping-collection": {"metadata": {"title": "Two catalogs"}, "mappings": [{
        "source-resource": {"type": "catalog", "href": "catalogs/Alpha/catalog.json"},
        "target-resource": {"type": "catalog", "href": "catalogs/Beta/catalog.json"},
        "maps": [{"relationship": "subset-of", "sources": [{"type": "control", "id-ref": "a-1"}],
                  "targets": [{"type": "control", "id-ref": "b-1"}, {"type": "control", "id-ref": "b-2"}]}]}]}});
    std::fs::write(&file, doc.to_string()).unwrap();
    let (code, out, err) =
        run(&["--add", file.to_str().unwrap(), "-f", "csv", "-e", "coverage beta-catalog -> alpha-catalog"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("load as the id-only framework `alpha-catalog`") && err.contains("`beta-catalog`"), "{err}");
    // a-1 subset-of {b-1, b-2}: the two together contain a-1.
    assert_eq!(states(&out), ["a-1=full"]);
}

#[test]
fn an_olir_row_reads_from_the_reference_element_to_the_focal_one() {
    let file = "tests/data/olir/iso-to-csf.csv";
    let (code, out, err) = run(&["--add", file, "-f", "csv", "-e", "map iso27001{8.13, 5.3, 5.24} -> csf"]);
    assert_eq!(code, 0, "{err}");
    // The documents' names are the shipped catalogs' names; `A.5.24` is ISO's 5.24.
    assert!(err.contains("its rows take the place of the 327 row(s) of mappings/iso27001__csf.csv"), "{err}");
    assert_eq!(
        pairs(&out),
        [
            "iso27001 5.3 Segregation of duties subset-of csf PR.AA-05",
            "iso27001 5.24 Information security incident management planning and preparation intersects-with csf RS.MA-01",
            "iso27001 8.13 Information backup equal csf PR.DS-11",
        ]
    );
    assert!(out.contains("Both ask for backups that are kept and tested. [semantic rationale; strength 10]"), "{out}");
    assert!(out.contains("iso-to-csf.csv gives no rationale for this map. [semantic rationale; strength 5]"), "{out}");
    assert!(err.contains("1 map(s) say no-relationship"), "{err}");
}

#[test]
fn a_cprt_reference_without_a_type_counts_as_partial_at_most() {
    let file = "tests/data/cprt/csf-to-cloud.json";
    let (code, out, err) = run(&[
        "--add",
        file,
        "--framework-map",
        "CSF_2_0_0=csf",
        "-f",
        "csv",
        "-e",
        "coverage csf -> example-cloud-standard-1-0",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 reference(s) state no relationship type; they are read as intersects-with"), "{err}");
    // PR.DS-11 is referenced without a type: partial; DE.CM-01 superset-of ECS-LG-2: full; PR.AA-05 subset-of ECS-IA-3: partial.
    assert_eq!(states(&out), ["ECS-BK-1=partial", "ECS-IA-3=partial", "ECS-LG-2=full"]);
}

#[test]
fn a_cprt_export_names_csf_as_nist_does_and_needs_no_framework_map() {
    // NIST's export calls CSF 2.0 `NIST Cybersecurity Framework`, version `Version  2.0`.
    let text = std::fs::read_to_string("tests/data/cprt/csf-to-cloud.json").unwrap();
    let text = text.replace(
        r#""name": "Cybersecurity Framework", "version": "2.0""#,
        r#""name": "NIST Cybersecurity Framework", "version": "Version  2.0""#,
    );
    assert!(text.contains("Version  2.0"), "the fixture names CSF as expected");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cprt-CSF_2_0_0-export.json");
    std::fs::write(&file, text).unwrap();
    let (code, out, err) =
        run(&["--add", file.to_str().unwrap(), "-f", "csv", "-e", "coverage csf -> example-cloud-standard-1-0"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("id-only framework `nist-cybersecurity"), "{err}");
    assert_eq!(states(&out), ["ECS-BK-1=partial", "ECS-IA-3=partial", "ECS-LG-2=full"]);
}

#[test]
fn a_ciso_assistant_library_resolves_its_urns_to_our_frameworks() {
    let file = "tests/data/ciso/iso-to-csf.yaml";
    let (code, out, err) =
        run(&["--add", file, "-f", "csv", "-e", "map iso27001{8.13, 8.24} + iso27001-isms{6.1.2} -> csf"]);
    assert_eq!(code, 0, "{err}");
    // Annex A (`a.8.13`) and the clauses (`6.1.2`) of one CISO Assistant framework go to two of ours, with no option.
    assert!(err.contains("maps iso27001 and csf: its rows take the place of the 327 row(s)"), "{err}");
    assert!(err.contains("maps iso27001-isms and csf: its rows take the place of the 125 row(s)"), "{err}");
    assert!(err.contains("1 map(s) say no-relationship"), "{err}");
    // The library's reverse set states the same pairs again: one row each.
    assert_eq!(
        pairs(&out),
        [
            "iso27001 8.13 Information backup equal csf PR.DS-11",
            "iso27001 8.24 Use of cryptography intersects-with csf PR.DS-01",
            "iso27001-isms 6.1.2 Information security risk assessment superset-of csf ID.RA-05",
        ]
    );
    assert!(out.contains("Both keep and test backups. [semantic rationale; strength 9]"), "{out}");
    assert!(out.contains("The risk assessment weighs likelihood and impact."), "{out}");
}

mod check_file {
    use super::run;

    #[test]
    fn a_mapping_file_is_linted_without_a_session() {
        let (code, out, err) = run(&["check", "tests/data/ciso/iso-to-csf.yaml"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("tests/data/ciso/iso-to-csf.yaml: CISO Assistant mapping library \"Sample ISO/IEC 27001:2022 to NIST CSF 2.0 mapping\", version 2\n"), "{out}");
        assert!(
            out.contains(
                "  iso27001 -> csf               2 rows  (equal 1, superset-of 0, subset-of 0, intersects-with 1)\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "  kept out, no-relationship: $.objects.requirement_mapping_sets[0].requirement_mappings[3]\n"
            ),
            "{out}"
        );
        // A library states each pair both ways: one count, not a line each.
        assert!(
            out.contains("  repeated: 2 map(s) state again, read the other way, a map before them (agreeing)\n"),
            "{out}"
        );
        assert!(out.ends_with("ok: no errors\n"), "{out}");
    }

    #[test]
    fn unknown_ids_come_with_suggestions_and_the_exit_code_says_data() {
        let (code, out, err) =
            run(&["check", "tests/broken-imports/unknown-ids.json", "tests/data/oscal/iso-soc2-sample.json"]);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("unknown control `164.312(a)(2)(v)` in hipaa; did you mean `164.312(a)(2)(i)`?"), "{err}");
        // Each file has its report; the second is clean.
        assert!(out.contains("3 error(s); see above\n"), "{out}");
        assert!(out.ends_with("ok: no errors\n"), "{out}");
    }

    #[test]
    fn inverse_maps_that_disagree_and_repeated_maps_are_named() {
        let (code, _, err) = run(&["check", "tests/broken-imports/inverse-disagrees.json"]);
        assert_eq!(code, 3);
        assert!(err.contains("read this way that is subset-of, and a pair has one relationship"), "{err}");
        let (code, out, err) = run(&["check", "-f", "json", "tests/broken-imports/bad-json.json"]);
        assert_eq!(code, 3);
        assert!(err.contains("bad-json.json:13:63: not valid JSON"), "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report[0]["errors"][0]["line"], 13);
        assert_eq!(report[0]["errors"][0]["column"], 63);
        let (code, _, err) = run(&["check", "tests/data"]);
        assert_eq!(code, 3);
        assert!(err.contains("check FILE reads a mapping file"), "{err}");
    }
}

#[test]
fn a_database_folder_reads_the_mapping_files_in_its_imports_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("imports")).unwrap();
    std::fs::copy(SAMPLE, dir.path().join("imports/iso-soc2-sample.json")).unwrap();
    // A file of another kind there is left alone, as in the rest of the folder.
    std::fs::write(dir.path().join("imports/notes.txt"), "not a mapping").unwrap();
    let folder = dir.path().to_str().unwrap();
    let (code, out, err) =
        run(&["--add", folder, "-f", "csv", "-e", "coverage soc2{CC6.1.1, CC6.1.2} -> iso27001 where id = 5.13"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(states(&out), ["5.13=full"]);
    assert!(err.contains("imports/iso-soc2-sample.json: maps iso27001 and soc2"), "{err}");
}

#[test]
fn a_folder_of_mapping_files_given_to_add_is_refused_with_the_way_to_add_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/data/oscal/iso-soc2-sample.json", dir.path().join("iso-soc2-sample.json")).unwrap();
    let shown = dir.path().display().to_string();
    let (code, out, err) = run(&["--add", &shown, "-e", "frameworks"]);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    assert!(err.contains("holds no database files"), "{err}");
    assert!(err.contains(&format!("--add {shown}/iso-soc2-sample.json")), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["--add", &empty.path().display().to_string(), "-e", "frameworks"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("holds no database files: --add takes a database folder"), "{err}");
}

#[test]
fn a_framework_map_that_names_no_catalog_is_warned_of() {
    let file = "tests/data/oscal/iso-soc2-sample.json";
    let (code, _, err) = run(&["--add", file, "--framework-map", "https://example.org/iso27001.jsn=iso27001", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "warning: --framework-map https://example.org/iso27001.jsn=iso27001: no file of this load names a catalog"
        ),
        "{err}"
    );
    // A catalog file named by the path it was given with is named.
    let catalog = "tests/data/oscal-catalog/example.json";
    let (code, _, err) = run(&["--add", catalog, "--framework-map", &format!("{catalog}=demo"), "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("--framework-map"), "{err}");
    let (_, _, err) = run(&["--framework-map", "x=y", "check"]);
    assert!(
        err.contains("no file of this load names a catalog (it names the catalogs of files given with --add)"),
        "{err}"
    );
}

mod oscal_catalogs {
    use super::{load_adding, run, states};
    use std::path::Path;

    const SP800_53: &str = "tests/data/oscal-catalog/sp800-53.json";
    const SP800_53_ISO: &str = "tests/data/oscal-catalog/sp800-53-iso.json";
    const EXAMPLE: &str = "tests/data/oscal-catalog/example.json";
    const EXAMPLE_ISO: &str = "tests/data/oscal-catalog/example-iso.json";

    /// Runs a query with files added; returns (exit code, stdout, stderr).
    fn adding(files: &[&str], args: &[&str]) -> (i32, String, String) {
        let mut all: Vec<&str> = files.iter().flat_map(|f| ["--add", f]).collect();
        all.extend(args);
        run(&all)
    }

    /// A coverage query's states, as `ID=STATE`, with the example catalog and its mapping added.
    fn example_states(query: &str) -> Vec<String> {
        let (code, out, err) = adding(&[EXAMPLE, EXAMPLE_ISO], &["-f", "csv", "-e", query]);
        assert_eq!(code, 0, "{err}");
        states(&out)
    }

    #[test]
    fn an_sp800_53_catalog_loads_with_the_ids_nist_prints_and_its_own_as_aliases() {
        let db = load_adding(SP800_53, &[]);
        let fw = db.find_framework("sp800-53").expect("the catalog loads under its file's name");
        let f = db.framework(fw);
        assert_eq!(f.name, "NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE");
        assert_eq!(
            (f.version.as_str(), f.publisher.as_str()),
            ("5.1.1+u4", "Joint Task Force, Transformation Initiative")
        );
        assert_eq!(f.levels, ["family", "control", "enhancement", "item"]);
        assert_eq!(db.controls_of(fw).count(), 27);
        // The id a user types is the label NIST prints; the file's ids, the statement's and the zero-padded label find it too.
        let id = |name: &str| db.find_control(fw, name).map(|c| db.control(c).id.to_string());
        for name in ["IA-2(1)", "ia-2.1", "ia-2.1_smt", "IA-02(01)"] {
            assert_eq!(id(name).as_deref(), Some("IA-2(1)"), "{name}");
        }
        assert_eq!(id("ac-2_smt.d.1").as_deref(), Some("AC-2d.1."));
        let item = db.find_control(fw, "AC-2j.").unwrap();
        assert!(db.control(item).part);
        // The statement's text is NIST's, with each parameter as it reads.
        assert_eq!(
            db.control(item).title,
            "Review accounts for compliance with account management requirements [Assignment: frequency];"
        );
        let enhancement = db.control(db.find_control(fw, "IA-2(1)").unwrap());
        assert!(enhancement.enhancement && enhancement.is_control());
        assert_eq!(db.control(enhancement.parent.unwrap()).id, "IA-2");
    }

    #[test]
    fn a_mapping_collection_names_a_loaded_catalog_by_its_uuid() {
        let (code, out, err) = adding(
            &[SP800_53, SP800_53_ISO],
            &["-f", "csv", "-e", "coverage iso27001{5.16, 5.17, 5.18, 8.5} -> sp800-53 where family = ia"],
        );
        assert_eq!(code, 0, "{err}");
        assert!(!err.contains("id-only"), "{err}");
        let s = states(&out);
        for want in ["IA-2=partial", "IA-2(1)=partial", "IA-2(2)=none", "IA-6=full", "IA-5(1)=partial"] {
            assert!(s.contains(&want.to_string()), "{want} in {s:?}");
        }
        // Without the catalog, the collection's source is a catalog no loaded framework answers to.
        let (code, _, err) = adding(&[SP800_53_ISO], &["check"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("is no loaded framework: its 11 id(s) load as the id-only framework"), "{err}");
    }

    #[test]
    fn a_mapping_collection_names_a_loaded_catalog_by_its_title() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("by-title.json");
        let doc = serde_json::json!({"mapping-collection": {"metadata": {"title": "By title"}, "mappings": [{
            "source-resource": {"type": "catalog", "href": "#cat"}, "target-resource": {"type": "catalog", "href": "#iso"},
            "maps": [{"relationship": "subset-of", "sources": [{"type": "control", "id-ref": "ex-3"}],
                      "targets": [{"type": "control", "id-ref": "8.15"}]}]}],
            "back-matter": {"resources": [{"uuid": "cat", "title": "Example Control Catalog"},
                                          {"uuid": "iso", "title": "ISO/IEC 27001:2022 Annex A"}]}}});
        std::fs::write(&file, doc.to_string()).unwrap();
        let (code, out, err) =
            adding(&[EXAMPLE, file.to_str().unwrap()], &["-f", "csv", "-e", "coverage iso27001{8.15} -> example"]);
        assert_eq!(code, 0, "{err}");
        assert!(states(&out).contains(&"EX-3=full".to_string()), "{out}");
    }

    #[test]
    fn an_enhancement_is_a_requirement_of_its_own() {
        // 8.13 contains EX-1 whole: EX-1 and its items are full, its enhancement is not.
        assert_eq!(
            example_states("coverage iso27001{8.13} -> example with parts")[..4],
            ["EX-1=full", "EX-1a.=full", "EX-1b.=full", "EX-1(1)=none"]
        );
        // A mapping to the enhancement reaches the enhancement, not its control.
        assert_eq!(example_states("coverage iso27001{5.30} -> example")[..2], ["EX-1=none", "EX-1(1)=partial"]);
        // A control in a set does not bring its enhancements; its family does; its items together make it.
        assert_eq!(example_states("coverage example{EX-1} -> iso27001 where id = 5.30"), ["5.30=none"]);
        assert_eq!(example_states("coverage example{ex} -> iso27001 where id = 5.30"), ["5.30=partial"]);
        assert_eq!(example_states("coverage example{EX-1a., EX-1b.} -> iso27001 where id = 8.13"), ["8.13=partial"]);
    }

    #[test]
    fn withdrawn_controls_are_kept_out_of_coverage_and_maps_to_them_are_warned_of() {
        let (code, out, err) =
            adding(&[EXAMPLE, EXAMPLE_ISO], &["-f", "json", "-e", "coverage iso27001{8.15} -> example"]);
        assert_eq!(code, 0, "{err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let rows = doc["rows"].as_array().unwrap();
        let row = |id: &str| rows.iter().find(|r| r["target"]["id"] == id).unwrap();
        assert_eq!(row("EX-2")["state"], "n/a");
        assert_eq!(row("EX-2")["not_applicable"], "withdrawn (moved to EX-3)");
        assert_eq!(row("EX-1(2)")["not_applicable"], "withdrawn (incorporated into EX-1b.)");
        assert_eq!(row("EX-3")["state"], "full");
        assert_eq!(doc["summary"]["na"], 2);
        // check FILE warns of each map that names a withdrawn control, and the file is still clean.
        let (code, out, err) = run(&["--add", EXAMPLE, "check", EXAMPLE_ISO]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("  warning: $.mapping-collection.mappings[0].maps[3]: names `example:EX-2`, which its catalog has withdrawn (moved to EX-3); map what took its place instead\n"), "{out}");
        assert!(out.contains("names `example:EX-1(2)`"), "{out}");
        assert!(out.ends_with("ok: no errors\n"), "{out}");
        // A load says it too, on stderr.
        assert!(err.is_empty(), "{err}");
        let (_, _, err) = adding(&[EXAMPLE, EXAMPLE_ISO], &["-e", "frameworks"]);
        assert!(err.contains("warning: tests/data/oscal-catalog/example-iso.json: $.mapping-collection.mappings[0].maps[2]: names `example:EX-1(2)`"), "{err}");
    }

    #[test]
    fn check_file_summarises_a_catalog() {
        let (code, out, err) = run(&["check", EXAMPLE]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out,
            "tests/data/oscal-catalog/example.json: OSCAL catalog \"Example Control Catalog\", version 2\n  \
             framework example: 5 controls, 2 withdrawn; by level: 1 family, 3 control, 2 enhancement, 2 item\nok: no errors\n"
        );
    }

    #[test]
    fn framework_map_names_the_key_of_a_catalog_file() {
        let (code, out, err) =
            adding(&[EXAMPLE], &["--framework-map", "Example Control Catalog=demo", "-e", "show demo:EX-01"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("control   demo:EX-1 Backups\n"), "{out}");
        // A key that is taken, or that a query cannot name, is refused.
        let (code, _, err) = adding(&[EXAMPLE], &["--framework-map", "example.json=csf", "check"]);
        assert_eq!(code, 3);
        assert!(
            err.contains("--framework-map names `csf` for this catalog, which is a loaded framework already"),
            "{err}"
        );
        let (code, _, err) = adding(&[EXAMPLE], &["--framework-map", "example.json=Not A Key", "check"]);
        assert_eq!(code, 3);
        assert!(err.contains("which cannot be a key"), "{err}");
    }

    /// A catalog whose groups number their subgroups `1`, `2` within each parent, as
    /// national catalogs do, with a control left untitled; and a collection that names
    /// ids of another edition of it.
    fn numbered_catalog_and_stale_collection(dir: &Path) -> (String, String) {
        let group = |id: &str, label: &str, controls: serde_json::Value| serde_json::json!({"id": id, "title": format!("Group {id}"), "props": [{"name": "label", "value": label}], "controls": controls});
        let control = |id: &str| serde_json::json!({"id": id, "title": format!("Control {id}")});
        let catalog = serde_json::json!({"catalog": {"uuid": "0f1e2d3c-4b5a-4697-8877-665544332211",
            "metadata": {"title": "Numbered Catalog", "version": "2", "oscal-version": "1.1.2"},
            "groups": [
                {"id": "GA", "title": "A", "props": [{"name": "label", "value": "GA"}], "groups": [
                    group("GA.1", "1", serde_json::json!([control("GA.1.1"), control("GA.1.2")])),
                    group("GA.2", "2", serde_json::json!([control("GA.2.1")]))]},
                {"id": "GB", "title": "B", "props": [{"name": "label", "value": "GB"}], "groups": [
                    group("GB.1", "1", serde_json::json!([{"id": "GB.1.1", "title": ""}]))]}]}});
        let map = |rel: &str, source: &str, targets: &[&str]| {
            let targets: Vec<_> = targets.iter().map(|t| serde_json::json!({"type": "control", "id-ref": t})).collect();
            // `id_ref` is not OSCAL's spelling, but published files use it.
            serde_json::json!({"relationship": rel, "sources": [{"type": "control", "id_ref": source}], "targets": targets})
        };
        let collection = serde_json::json!({"mapping-collection": {"metadata": {"title": "Stale"}, "mappings": [{
            "source-resource": {"type": "catalog", "href": "iso.json"}, "target-resource": {"type": "catalog", "href": "numbered.json"},
            "maps": [map("equivalent-to", "5.12", &["GA.1.1"]),
                     map("subset-of", "5.13", &["GA.2.1", "GA.9.9"]),
                     map("superset-of", "5.14", &["GB.7.7"]),
                     map("subset-of", "5.15", &["GA.1"]),
                     map("subset-of", "5.16", &["GA.1.2", "GB.1.1"])]}]}});
        let (cat, col) = (dir.join("numbered.json"), dir.join("stale.json"));
        std::fs::write(&cat, catalog.to_string()).unwrap();
        std::fs::write(&col, collection.to_string()).unwrap();
        (cat.display().to_string(), col.display().to_string())
    }

    #[test]
    fn labels_shared_by_several_groups_are_numbers_and_the_groups_go_by_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, _) = numbered_catalog_and_stale_collection(dir.path());
        let (code, out, err) = adding(&[&catalog], &["-e", "show numbered:GA.1", "-e", "show numbered:GB.1"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("1 label(s) are carried by several groups or controls (`1`)"), "{err}");
        assert!(out.contains("numbered:GA.1 Group GA.1") && out.contains("numbered:GB.1 Group GB.1"), "{out}");
        // A node without a title shows its id, and the load counts such nodes.
        assert!(err.contains("1 group(s) or control(s) have an empty title; each shows its id instead"), "{err}");
        let (_, out, _) = adding(&[&catalog], &["-e", "show numbered:GB.1.1"]);
        assert!(out.contains("numbered:GB.1.1 GB.1.1\n"), "{out}");
    }

    #[test]
    fn skip_unknown_ids_leaves_out_whole_maps_that_name_ids_a_catalog_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let (catalog, collection) = numbered_catalog_and_stale_collection(dir.path());
        let map = ["--framework-map", "iso.json=iso27001"];
        let query = ["-f", "csv", "-e", "coverage iso27001{5.12, 5.13, 5.14, 5.15} -> numbered"];
        // By default, the file is refused, each unknown id at its place.
        let (code, _, err) = adding(&[&catalog, &collection], &[&map[..], &query[..]].concat());
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("$.mapping-collection.mappings[0].maps[1].targets[1]: unknown control `GA.9.9`"), "{err}");
        // With the option, those maps are left out whole, each with a warning; the rest loads.
        let (code, out, err) =
            adding(&[&catalog, &collection], &[&map[..], &["--skip-unknown-ids"], &query[..]].concat());
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("3 map(s) left out (--skip-unknown-ids), for 3 id(s) their catalogs do not have"),
            "{err}"
        );
        assert!(err.contains("warning: ") && err.contains("unknown control `GB.7.7` in numbered"), "{err}");
        // So is a map to a node no mapping may link (a group here; a CSF category in published libraries).
        assert!(err.contains("maps[3].targets[0]: `GA.1` is a group of numbered"), "{err}");
        // A source subset-of several targets together says nothing of one target, and the load says so.
        assert!(
            err.contains("1 map(s) say their source is subset-of or intersects-with several targets together"),
            "{err}"
        );
        // check counts each row as read from the set's source, as the file states it.
        let (code, summary, err) = run(&[
            "check",
            "--add",
            &catalog,
            "--framework-map",
            "iso.json=iso27001",
            "--skip-unknown-ids",
            &collection,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(summary.contains("2 rows  (equal 1, superset-of 0, subset-of 1, intersects-with 0)"), "{summary}");
        let s = states(&out);
        // GA.2.1 is not claimed by the half of a map that named it with an unknown id.
        for want in ["GA.1.1=full", "GA.2.1=none", "GB.1.1=none"] {
            assert!(s.contains(&want.to_string()), "{want} in {s:?}");
        }
    }
}

mod olir_workbooks {
    use super::{pairs, run};
    use std::path::Path;

    const CSV: &str = "tests/data/olir/iso-to-csf.csv";

    /// Writes a workbook: sheets of rows, numbers written as numbers.
    fn workbook(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate().filter(|(_, cell)| !cell.is_empty()) {
                    match cell.parse::<f64>() {
                        Ok(n) => sheet.write_number(r as u32, c as u16, n).unwrap(),
                        Err(_) => sheet.write_string(r as u32, c as u16, cell).unwrap(),
                    };
                }
            }
        }
        book.save(path).unwrap();
    }

    /// The rows of the sample OLIR CSV, header first.
    fn sample_rows() -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(CSV).unwrap();
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
    }

    /// The sample as the template workbook has it: a cover sheet, then a title above the header.
    fn sample_workbook(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<Vec<String>>)) -> String {
        let mut rows = vec![vec!["ISO/IEC 27001:2022 to CSF 2.0".to_string()], vec![]];
        rows.extend(sample_rows());
        edit(&mut rows);
        let cover = vec![vec!["General Information".to_string()], vec!["Submitter".to_string(), "Example".to_string()]];
        let path = dir.join(name);
        workbook(&path, &[("General Information", cover), ("OLIR Template", rows)]);
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn a_workbook_reads_as_its_sheet_saved_as_csv_does() {
        let dir = tempfile::tempdir().unwrap();
        let book = sample_workbook(dir.path(), "iso-to-csf.xlsx", |_| ());
        let query = ["-f", "csv", "-e", "map iso27001{8.13, 8.24, 5.3, 5.24} -> csf"];
        let (code, from_csv, err) = run(&[&["--add", CSV][..], &query].concat());
        assert_eq!(code, 0, "{err}");
        let (code, from_book, err) = run(&[&["--add", book.as_str()][..], &query].concat());
        assert_eq!(code, 0, "{err}");
        assert_eq!(pairs(&from_book).len(), 4);
        // The same rows, rationales and strengths (a number cell reads as the CSV's digits).
        assert_eq!(from_book.replace("iso-to-csf.xlsx", "iso-to-csf.csv"), from_csv);
        assert!(err.contains("iso-to-csf.xlsx: 1 map(s) say no-relationship"), "{err}");
    }

    #[test]
    fn a_broken_workbook_is_reported_at_its_cells() {
        let dir = tempfile::tempdir().unwrap();
        let broken = sample_workbook(dir.path(), "broken.xlsx", |rows| {
            rows[3][4] = "overlaps".to_string(); // row 4, the first under the header: Relationship in column E
            rows[4][1] = String::new(); // row 5: no Focal Document Element (column B)
        });
        // Ids are checked once the file reads: an unknown ISO control in row 6, column G.
        let unknown = sample_workbook(dir.path(), "unknown.xlsx", |rows| rows[5][6] = "A.5.99".to_string());
        let mut shown = String::new();
        for book in [broken, unknown] {
            let (code, _, err) = run(&["--add", &book, "check"]);
            assert_eq!(code, 3, "{err}");
            shown.push_str(&err.replace(&format!("{}/", dir.path().display()), ""));
        }
        insta::assert_snapshot!("import_olir-workbook-broken", shown);
        // A workbook with no template header, a file that is no workbook, and one that unpacks too far.
        let plain = dir.path().join("plain.xlsx");
        workbook(&plain, &[("Sheet1", vec![vec!["Focal".to_string(), "Reference".to_string()]])]);
        let (code, _, err) = run(&["--add", plain.to_str().unwrap(), "check"]);
        assert_eq!(code, 3);
        assert!(err.contains("plain.xlsx: no sheet has the OLIR template's header row in its first 20 rows"), "{err}");
        let text = dir.path().join("text.xlsx");
        std::fs::write(&text, "Focal Document Element,Relationship,Reference Document Element\n").unwrap();
        let (code, _, err) = run(&["--add", text.to_str().unwrap(), "check"]);
        assert_eq!(code, 3);
        assert!(err.contains("text.xlsx: not an Excel workbook (.xlsx): "), "{err}");
    }

    #[test]
    fn a_workbook_that_unpacks_to_more_than_the_limit_is_refused_unread() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..=256 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
        let (code, _, err) = run(&["--add", path.to_str().unwrap(), "check"]);
        assert_eq!(code, 3);
        assert!(err.contains("unpacks to more than 256 MiB; crosswalk reads workbooks up to that"), "{err}");
    }
}

//! The shipped database holds the published catalogs exactly, and a broken database is reported with file and line.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crosswalk::db::{self, DataSource, Database};

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");

fn shipped() -> Database {
    db::load(DataSource::Embedded).expect("the shipped database loads without errors")
}

/// The ids of a framework's nodes at a level, in catalog order.
fn ids_at(db: &Database, key: &str, level: &str) -> Vec<String> {
    let fw = db.find_framework(key).unwrap_or_else(|| panic!("framework {key}"));
    db.framework(fw)
        .controls
        .clone()
        .filter(|&c| db.level_name(c) == level)
        .map(|c| db.control(c).id.to_string())
        .collect()
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn iso27001_has_the_93_annex_a_controls_in_4_themes() {
    let db = shipped();
    assert_eq!(ids_at(&db, "iso27001", "theme"), strings(&["5", "6", "7", "8"]));
    let expected: Vec<String> = [(5, 37), (6, 8), (7, 14), (8, 34)]
        .iter()
        .flat_map(|&(theme, n)| (1..=n).map(move |i| format!("{theme}.{i}")))
        .collect();
    assert_eq!(expected.len(), 93);
    assert_eq!(ids_at(&db, "iso27001", "control"), expected);
}

#[test]
fn iso27001_isms_has_clauses_4_to_10() {
    let db = shipped();
    assert_eq!(ids_at(&db, "iso27001-isms", "clause"), strings(&["4", "5", "6", "7", "8", "9", "10"]));
    assert_eq!(ids_at(&db, "iso27001-isms", "subclause"), strings(&ISMS_SUBCLAUSES));
}

#[test]
fn csf_has_6_functions_22_categories_106_subcategories() {
    let db = shipped();
    assert_eq!(ids_at(&db, "csf", "function"), strings(&["GV", "ID", "PR", "DE", "RS", "RC"]));
    assert_eq!(ids_at(&db, "csf", "category"), strings(&CSF_CATEGORIES));
    assert_eq!(ids_at(&db, "csf", "subcategory"), strings(&CSF_SUBCATEGORIES));
}

#[test]
fn soc2_has_13_series_8_privacy_groups_61_criteria() {
    let db = shipped();
    let series = ["CC1", "CC2", "CC3", "CC4", "CC5", "CC6", "CC7", "CC8", "CC9", "A", "C", "PI", "P"];
    assert_eq!(ids_at(&db, "soc2", "series"), strings(&series));
    assert_eq!(ids_at(&db, "soc2", "group"), strings(&["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]));
    assert_eq!(ids_at(&db, "soc2", "criterion"), strings(&SOC2_CRITERIA));
}

#[test]
fn hipaa_has_22_standards_and_48_specifications_each_required_or_addressable() {
    let db = shipped();
    let fw = db.find_framework("hipaa").unwrap();
    let designation = db.framework(fw).attribute_index("designation").expect("designation attribute");
    assert_eq!(ids_at(&db, "hipaa", "section"), strings(&["164.308", "164.310", "164.312", "164.314", "164.316"]));
    let mut found: Vec<(String, String, char)> = db
        .controls_of(fw)
        .map(|c| {
            let control = db.control(c);
            let d = control.attributes[designation].first().and_then(|v| v.chars().next()).unwrap_or('?');
            (control.id.to_string(), db.level_name(c).to_string(), d)
        })
        .collect();
    let mut expected: Vec<(String, String, char)> =
        HIPAA.iter().map(|&(i, l, d)| (i.to_string(), l.to_string(), d)).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(found.iter().filter(|f| f.1 == "standard").count(), 22);
    assert_eq!(found.iter().filter(|f| f.1 == "specification").count(), 48);
}

#[test]
fn gdpr_has_99_articles_in_11_chapters() {
    let db = shipped();
    let chapters = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"];
    assert_eq!(ids_at(&db, "gdpr", "chapter"), strings(&chapters));
    let articles: Vec<String> = (1..=99).map(|i| i.to_string()).collect();
    assert_eq!(ids_at(&db, "gdpr", "article"), articles);
    // The last article of each chapter, as the Regulation divides them.
    let last = [4, 11, 23, 43, 50, 59, 76, 84, 91, 93, 99];
    let fw = db.find_framework("gdpr").unwrap();
    for (chapter, end) in chapters.iter().zip(last) {
        let c = db.find_control(fw, &end.to_string()).unwrap();
        assert_eq!(db.control(db.control(c).parent.unwrap()).id, *chapter, "article {end}");
    }
}

#[test]
fn every_control_has_a_title_and_its_own_description() {
    let db = shipped();
    for (i, c) in db.controls.iter().enumerate() {
        let name = db.qualified(i as u32);
        assert!(!c.title.is_empty(), "{name} has no title");
        assert!(c.description.len() >= 40, "{name} has no real description: {:?}", c.description);
        assert_ne!(c.description.to_lowercase(), c.title.to_lowercase(), "{name} repeats its title");
    }
}

#[test]
fn iso27002_attributes_of_sample_controls() {
    let db = shipped();
    let fw = db.find_framework("iso27001").unwrap();
    // control: type; properties; concepts; capabilities; domains (ISO/IEC 27002:2022 attribute tables).
    let samples = [
        (
            "5.1",
            [
                "Preventive",
                "Confidentiality;Integrity;Availability",
                "Identify",
                "Governance",
                "Governance_and_Ecosystem;Resilience",
            ],
        ),
        (
            "5.7",
            [
                "Preventive;Detective;Corrective",
                "Confidentiality;Integrity;Availability",
                "Identify;Detect;Respond",
                "Threat_and_vulnerability_management",
                "Defence;Resilience",
            ],
        ),
        (
            "6.3",
            [
                "Preventive",
                "Confidentiality;Integrity;Availability",
                "Protect",
                "Human_resource_security",
                "Governance_and_Ecosystem",
            ],
        ),
        (
            "7.4",
            [
                "Preventive;Detective",
                "Confidentiality;Integrity;Availability",
                "Protect;Detect",
                "Physical_security",
                "Protection;Defence",
            ],
        ),
        (
            "8.8",
            [
                "Preventive",
                "Confidentiality;Integrity;Availability",
                "Identify;Protect",
                "Threat_and_vulnerability_management",
                "Governance_and_Ecosystem;Protection;Defence",
            ],
        ),
        ("8.13", ["Corrective", "Integrity;Availability", "Recover", "Continuity", "Protection"]),
        (
            "8.16",
            [
                "Detective;Corrective",
                "Confidentiality;Integrity;Availability",
                "Detect;Respond",
                "Information_security_event_management",
                "Defence",
            ],
        ),
        (
            "8.24",
            ["Preventive", "Confidentiality;Integrity;Availability", "Protect", "Secure_configuration", "Protection"],
        ),
    ];
    for (id, expected) in samples {
        let c = db.control(db.find_control(fw, id).unwrap());
        let found: Vec<String> = c.attributes.iter().map(|v| v.join(";")).collect();
        assert_eq!(found, expected, "attributes of iso27001:{id}");
    }
}

#[test]
fn ids_match_the_reference_lists_when_they_are_present() {
    // The public reference data sits beside the repository in CI; a clone without it skips this check.
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    if !reference.is_dir() {
        return;
    }
    let db = shipped();
    let read = |file: &str, level: Option<&str>| -> Vec<String> {
        let mut rdr = csv::Reader::from_path(reference.join(file)).expect("reference file");
        let header = rdr.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (id, lvl) = (col("id"), header.iter().position(|h| h == "level"));
        let mut out: Vec<String> = rdr
            .records()
            .map(|r| r.unwrap())
            .filter(|r| level.is_none_or(|l| lvl.map(|i| &r[i]) == Some(l)))
            .map(|r| r[id].to_string())
            .collect();
        out.sort();
        out
    };
    let ours = |key: &str, level: &str| {
        let mut v = ids_at(&db, key, level);
        v.sort();
        v
    };
    assert_eq!(ours("iso27001", "control"), read("catalog_iso27001-2022_annex-a.csv", Some("control")));
    assert_eq!(ours("csf", "subcategory"), read("catalog_nist-csf-2.0.csv", Some("subcategory")));
    assert_eq!(ours("soc2", "criterion"), read("catalog_soc2-tsc-2017_ids.csv", Some("criterion")));
    assert_eq!(ours("gdpr", "article"), read("catalog_gdpr.csv", Some("article")));
    let mut hipaa = ours("hipaa", "standard");
    hipaa.extend(ours("hipaa", "specification"));
    hipaa.sort();
    let mut reference_hipaa = read("catalog_hipaa-security-rule.csv", Some("standard"));
    reference_hipaa.extend(read("catalog_hipaa-security-rule.csv", Some("implementation_specification")));
    reference_hipaa.sort();
    assert_eq!(hipaa, reference_hipaa);
}

#[test]
fn broken_databases_report_every_fault_with_file_and_line() {
    let root = Path::new("tests/broken");
    let mut cases: Vec<_> =
        std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 50, "at least fifty broken databases");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let (_, errors) = db::load_with_errors(DataSource::Dir(&case)).unwrap();
        assert!(!errors.is_empty(), "{name}: the fault was not found");
        let text: String = errors.iter().map(|e| format!("{e}\n")).collect();
        insta::assert_snapshot!(format!("broken_{name}"), text);
        // The command line refuses it too, with the data error code.
        let o = Command::new(EXE).args(["check", "--data"]).arg(&case).output().unwrap();
        assert_eq!(o.status.code(), Some(3), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

/// A copy of a valid broken-corpus base (the `unknown-relationship` case, repaired) to spoil.
fn base_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new("tests/broken/unknown-relationship");
    for rel in
        ["provenance.toml", "catalogs/alpha.toml", "catalogs/alpha.csv", "catalogs/beta.toml", "catalogs/beta.csv"]
    {
        std::fs::create_dir_all(dir.path().join(rel).parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), dir.path().join(rel)).unwrap();
    }
    let set = std::fs::read_to_string(from.join("alpha__beta.csv")).unwrap().replace("overlaps", "equal");
    std::fs::write(dir.path().join("alpha__beta.csv"), set).unwrap();
    assert_eq!(db::load_with_errors(DataSource::Dir(dir.path())).unwrap().1, []);
    dir
}

/// The errors of a database folder, with the folder's path replaced by `DB`.
fn errors_of(dir: &Path) -> String {
    let (_, errors) = db::load_with_errors(DataSource::Dir(dir)).unwrap();
    let text: String = errors.iter().map(|e| format!("{e}\n")).collect();
    text.replace(&dir.display().to_string(), "DB")
}

#[test]
fn files_that_cannot_be_kept_in_git_are_reported_not_skipped() {
    // A named pipe named like a mapping set: read, it would block for ever; skipped, its set would vanish.
    let dir = base_copy();
    std::fs::remove_file(dir.path().join("alpha__beta.csv")).unwrap();
    assert!(Command::new("mkfifo").arg(dir.path().join("alpha__beta.csv")).status().unwrap().success());
    assert_eq!(errors_of(dir.path()), "DB/alpha__beta.csv: is a named pipe, not a file\n");
    // Links that lead nowhere, or round in a loop (kept out of git: they would trip tools that walk tests/).
    let dir = base_copy();
    std::os::unix::fs::symlink("alpha__delta.csv", dir.path().join("alpha__gamma.csv")).unwrap();
    std::os::unix::fs::symlink("alpha__gamma.csv", dir.path().join("alpha__delta.csv")).unwrap();
    std::os::unix::fs::symlink("no-such-file.csv", dir.path().join("beta__gamma.csv")).unwrap();
    assert_eq!(
        errors_of(dir.path()),
        "DB/alpha__delta.csv: cannot be read: too many levels of symbolic links\n\
         DB/alpha__gamma.csv: cannot be read: too many levels of symbolic links\n\
         DB/beta__gamma.csv: cannot be read: no such file or directory\n"
    );
    // A file over the size limit is not read (a sparse file: no disk is used).
    let dir = base_copy();
    let huge = std::fs::File::create(dir.path().join("catalogs/beta.csv")).unwrap();
    huge.set_len(db::load::MAX_DATA_FILE_BYTES + 1).unwrap();
    let errors = errors_of(dir.path());
    assert!(
        errors.contains("DB/catalogs/beta.csv: file is 2048 MiB; database files are limited to 2048 MiB"),
        "{errors}"
    );
}

#[test]
fn a_long_parent_chain_and_a_long_cycle_load_in_linear_time() {
    // Checking each node's ancestors one by one was quadratic: 9 s for 40,000 nodes, minutes for these.
    let started = Instant::now();
    for cycle in [false, true] {
        let dir = base_copy();
        let mut csv = String::from("id,parent,level,title,description\n");
        let n = 200_000;
        for i in 0..n {
            let parent = if i > 0 {
                format!("C{}", i - 1)
            } else if cycle {
                format!("C{}", n - 1)
            } else {
                String::new()
            };
            csv.push_str(&format!("C{i},{parent},criterion,Node {i},A node of a long chain.\n"));
        }
        csv.push_str("B1,,criterion,a,b\nB2,,criterion,a,b\nB3,,criterion,a,b\n");
        std::fs::write(dir.path().join("catalogs/beta.csv"), csv).unwrap();
        let errors = errors_of(dir.path());
        let expected = if cycle { "`C0` is its own ancestor" } else { "`C32` sits more than 32 levels deep" };
        assert!(errors.contains(expected), "{errors}");
        assert_eq!(errors.lines().count(), if cycle { 2 } else { 1 }, "{errors}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

#[test]
fn thousands_of_unknown_ids_are_reported_in_linear_time() {
    // Each unknown id was looked up by a scan and suggested by comparing it with every id: 14 s for 8,000.
    let dir = base_copy();
    let mut catalog = String::from("id,parent,level,title,description\n");
    let mut set = String::from("source_id,target_id,relationship,provenance,rationale\n");
    for i in 0..20_000 {
        catalog.push_str(&format!("B{i},,criterion,Criterion {i},One of many.\n"));
        set.push_str(&format!("A1,X{i},equal,test,Names an id that is not there.\n"));
    }
    std::fs::write(dir.path().join("catalogs/beta.csv"), catalog).unwrap();
    std::fs::write(dir.path().join("alpha__beta.csv"), set).unwrap();
    let started = Instant::now();
    let errors = errors_of(dir.path());
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    assert_eq!(errors.lines().filter(|l| l.contains("unknown control `X")).count(), 20_000);
    // The first errors of the file still suggest a near id.
    assert!(errors.contains("DB/alpha__beta.csv:2: unknown control `X0` in beta (target_id); did you mean `B0`?"));
}

#[test]
fn the_tiny_test_database_is_valid() {
    let (_, errors) = db::load_with_errors(DataSource::Dir(Path::new("tests/data/tiny"))).unwrap();
    assert_eq!(errors, []);
}

// Published identifier lists, written out so that these tests need nothing but the repository.

/// NIST CSF 2.0 categories.
const CSF_CATEGORIES: [&str; 22] = [
    "GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC", "ID.AM", "ID.RA", "ID.IM", "PR.AA", "PR.AT", "PR.DS",
    "PR.PS", "PR.IR", "DE.CM", "DE.AE", "RS.MA", "RS.AN", "RS.CO", "RS.MI", "RC.RP", "RC.CO",
];
/// NIST CSF 2.0 subcategories.
const CSF_SUBCATEGORIES: [&str; 106] = [
    "GV.OC-01", "GV.OC-02", "GV.OC-03", "GV.OC-04", "GV.OC-05", "GV.RM-01", "GV.RM-02", "GV.RM-03", "GV.RM-04",
    "GV.RM-05", "GV.RM-06", "GV.RM-07", "GV.RR-01", "GV.RR-02", "GV.RR-03", "GV.RR-04", "GV.PO-01", "GV.PO-02",
    "GV.OV-01", "GV.OV-02", "GV.OV-03", "GV.SC-01", "GV.SC-02", "GV.SC-03", "GV.SC-04", "GV.SC-05", "GV.SC-06",
    "GV.SC-07", "GV.SC-08", "GV.SC-09", "GV.SC-10", "ID.AM-01", "ID.AM-02", "ID.AM-03", "ID.AM-04", "ID.AM-05",
    "ID.AM-07", "ID.AM-08", "ID.RA-01", "ID.RA-02", "ID.RA-03", "ID.RA-04", "ID.RA-05", "ID.RA-06", "ID.RA-07",
    "ID.RA-08", "ID.RA-09", "ID.RA-10", "ID.IM-01", "ID.IM-02", "ID.IM-03", "ID.IM-04", "PR.AA-01", "PR.AA-02",
    "PR.AA-03", "PR.AA-04", "PR.AA-05", "PR.AA-06", "PR.AT-01", "PR.AT-02", "PR.DS-01", "PR.DS-02", "PR.DS-10",
    "PR.DS-11", "PR.PS-01", "PR.PS-02", "PR.PS-03", "PR.PS-04", "PR.PS-05", "PR.PS-06", "PR.IR-01", "PR.IR-02",
    "PR.IR-03", "PR.IR-04", "DE.CM-01", "DE.CM-02", "DE.CM-03", "DE.CM-06", "DE.CM-09", "DE.AE-02", "DE.AE-03",
    "DE.AE-04", "DE.AE-06", "DE.AE-07", "DE.AE-08", "RS.MA-01", "RS.MA-02", "RS.MA-03", "RS.MA-04", "RS.MA-05",
    "RS.AN-03", "RS.AN-06", "RS.AN-07", "RS.AN-08", "RS.CO-02", "RS.CO-03", "RS.MI-01", "RS.MI-02", "RC.RP-01",
    "RC.RP-02", "RC.RP-03", "RC.RP-04", "RC.RP-05", "RC.RP-06", "RC.CO-03", "RC.CO-04",
];
/// AICPA TSC 2017 criteria.
const SOC2_CRITERIA: [&str; 61] = [
    "CC1.1", "CC1.2", "CC1.3", "CC1.4", "CC1.5", "CC2.1", "CC2.2", "CC2.3", "CC3.1", "CC3.2", "CC3.3", "CC3.4",
    "CC4.1", "CC4.2", "CC5.1", "CC5.2", "CC5.3", "CC6.1", "CC6.2", "CC6.3", "CC6.4", "CC6.5", "CC6.6", "CC6.7",
    "CC6.8", "CC7.1", "CC7.2", "CC7.3", "CC7.4", "CC7.5", "CC8.1", "CC9.1", "CC9.2", "A1.1", "A1.2", "A1.3", "C1.1",
    "C1.2", "PI1.1", "PI1.2", "PI1.3", "PI1.4", "PI1.5", "P1.1", "P2.1", "P3.1", "P3.2", "P4.1", "P4.2", "P4.3",
    "P5.1", "P5.2", "P6.1", "P6.2", "P6.3", "P6.4", "P6.5", "P6.6", "P6.7", "P7.1", "P8.1",
];
/// ISO/IEC 27001:2022 subclauses of clauses 4 to 10.
const ISMS_SUBCLAUSES: [&str; 34] = [
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3", "7.1", "7.2",
    "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2", "9.2.1", "9.2.2", "9.3",
    "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
];
/// HIPAA Security Rule standards and implementation specifications, with Required (R) or Addressable (A).
const HIPAA: [(&str, &str, char); 70] = [
    ("164.308(a)(1)", "standard", 'R'),
    ("164.308(a)(2)", "standard", 'R'),
    ("164.308(a)(3)", "standard", 'R'),
    ("164.308(a)(4)", "standard", 'R'),
    ("164.308(a)(5)", "standard", 'R'),
    ("164.308(a)(6)", "standard", 'R'),
    ("164.308(a)(7)", "standard", 'R'),
    ("164.308(a)(8)", "standard", 'R'),
    ("164.308(b)(1)", "standard", 'R'),
    ("164.310(a)(1)", "standard", 'R'),
    ("164.310(b)", "standard", 'R'),
    ("164.310(c)", "standard", 'R'),
    ("164.310(d)(1)", "standard", 'R'),
    ("164.312(a)(1)", "standard", 'R'),
    ("164.312(b)", "standard", 'R'),
    ("164.312(c)(1)", "standard", 'R'),
    ("164.312(d)", "standard", 'R'),
    ("164.312(e)(1)", "standard", 'R'),
    ("164.314(a)(1)", "standard", 'R'),
    ("164.314(b)(1)", "standard", 'R'),
    ("164.316(a)", "standard", 'R'),
    ("164.316(b)(1)", "standard", 'R'),
    ("164.308(a)(1)(ii)(A)", "specification", 'R'),
    ("164.308(a)(1)(ii)(B)", "specification", 'R'),
    ("164.308(a)(1)(ii)(C)", "specification", 'R'),
    ("164.308(a)(1)(ii)(D)", "specification", 'R'),
    ("164.308(a)(3)(ii)(A)", "specification", 'A'),
    ("164.308(a)(3)(ii)(B)", "specification", 'A'),
    ("164.308(a)(3)(ii)(C)", "specification", 'A'),
    ("164.308(a)(4)(ii)(A)", "specification", 'R'),
    ("164.308(a)(4)(ii)(B)", "specification", 'A'),
    ("164.308(a)(4)(ii)(C)", "specification", 'A'),
    ("164.308(a)(5)(ii)(A)", "specification", 'A'),
    ("164.308(a)(5)(ii)(B)", "specification", 'A'),
    ("164.308(a)(5)(ii)(C)", "specification", 'A'),
    ("164.308(a)(5)(ii)(D)", "specification", 'A'),
    ("164.308(a)(6)(ii)", "specification", 'R'),
    ("164.308(a)(7)(ii)(A)", "specification", 'R'),
    ("164.308(a)(7)(ii)(B)", "specification", 'R'),
    ("164.308(a)(7)(ii)(C)", "specification", 'R'),
    ("164.308(a)(7)(ii)(D)", "specification", 'A'),
    ("164.308(a)(7)(ii)(E)", "specification", 'A'),
    ("164.308(b)(3)", "specification", 'R'),
    ("164.310(a)(2)(i)", "specification", 'A'),
    ("164.310(a)(2)(ii)", "specification", 'A'),
    ("164.310(a)(2)(iii)", "specification", 'A'),
    ("164.310(a)(2)(iv)", "specification", 'A'),
    ("164.310(d)(2)(i)", "specification", 'R'),
    ("164.310(d)(2)(ii)", "specification", 'R'),
    ("164.310(d)(2)(iii)", "specification", 'A'),
    ("164.310(d)(2)(iv)", "specification", 'A'),
    ("164.312(a)(2)(i)", "specification", 'R'),
    ("164.312(a)(2)(ii)", "specification", 'R'),
    ("164.312(a)(2)(iii)", "specification", 'A'),
    ("164.312(a)(2)(iv)", "specification", 'A'),
    ("164.312(c)(2)", "specification", 'A'),
    ("164.312(e)(2)(i)", "specification", 'A'),
    ("164.312(e)(2)(ii)", "specification", 'A'),
    ("164.314(a)(2)(i)", "specification", 'R'),
    ("164.314(a)(2)(i)(B)", "specification", 'R'),
    ("164.314(a)(2)(i)(C)", "specification", 'R'),
    ("164.314(a)(2)(ii)", "specification", 'R'),
    ("164.314(a)(2)(iii)", "specification", 'R'),
    ("164.314(b)(2)(i)", "specification", 'R'),
    ("164.314(b)(2)(ii)", "specification", 'R'),
    ("164.314(b)(2)(iii)", "specification", 'R'),
    ("164.314(b)(2)(iv)", "specification", 'R'),
    ("164.316(b)(2)(i)", "specification", 'R'),
    ("164.316(b)(2)(ii)", "specification", 'R'),
    ("164.316(b)(2)(iii)", "specification", 'R'),
];

#[test]
fn soc2_criteria_have_their_points_of_focus_numbered_in_order() {
    let db = shipped();
    let fw = db.find_framework("soc2").unwrap();
    let mut total = 0;
    for c in db.controls_of(fw) {
        let criterion = db.control(c);
        let points: Vec<&str> = criterion.children.iter().map(|&p| db.control(p).id.as_ref()).collect();
        assert!(!points.is_empty(), "{} has no points of focus", criterion.id);
        let expected: Vec<String> = (1..=points.len()).map(|n| format!("{}.{n}", criterion.id)).collect();
        assert_eq!(points, expected, "points of {} run 1..n in order", criterion.id);
        assert!(criterion.children.iter().all(|&p| db.control(p).part && db.level_name(p) == "point"));
        total += points.len();
    }
    assert_eq!(total, 330, "the 2022 revision's points of focus");
}

#[test]
fn gdpr_parts_are_cited_as_the_official_journal_cites_them() {
    let db = shipped();
    let fw = db.find_framework("gdpr").unwrap();
    for c in db.framework(fw).controls.clone().filter(|&c| db.control(c).part) {
        let part = db.control(c);
        let parent = db.control(part.parent.unwrap());
        // 32(1) under 32, 32(1)(a) under 32(1): the parent's id and one more bracket.
        let rest =
            part.id.strip_prefix(parent.id.as_ref()).unwrap_or_else(|| panic!("{} under {}", part.id, parent.id));
        let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or_else(|| panic!("{}", part.id));
        assert!(
            inner.chars().all(|ch| ch.is_ascii_digit()) || inner.chars().all(|ch| ch.is_ascii_lowercase()),
            "{}",
            part.id
        );
    }
    let id = |s: &str| db.find_control(fw, s).unwrap_or_else(|| panic!("gdpr:{s}"));
    assert_eq!(db.control(id("32(1)(a)")).parent, Some(id("32(1)")));
    assert_eq!(db.control(id("33(3)(b)")).parent, Some(id("33(3)")));
}

#[test]
fn gdpr_items_that_place_no_duty_are_marked_with_a_reason() {
    let db = shipped();
    let fw = db.find_framework("gdpr").unwrap();
    let na = |s: &str| !db.control(db.find_control(fw, s).unwrap()).applicable;
    for chapter in ["VI", "VII", "X", "XI"] {
        assert!(na(chapter), "chapter {chapter}");
    }
    for article in ["1", "2", "3", "4", "51", "68", "83", "92", "99"] {
        assert!(na(article), "article {article} places no duty");
    }
    for article in ["5", "24", "28", "30", "32", "33", "34", "35", "37", "82"] {
        assert!(!na(article), "article {article} binds a controller or processor");
    }
    // Every mark says why.
    for c in db.framework(fw).controls.clone() {
        let node = db.control(c);
        if !node.applicable && node.parent.is_none_or(|p| db.control(p).applicable) && !node.children.is_empty() {
            let all_kids = node.children.iter().all(|&k| !db.control(k).applicable);
            assert!(!node.not_applicable.is_empty() || all_kids, "{} is n/a without a reason", node.id);
        }
    }
}

/// Lookups tell a control's framework by the range of ids its framework holds.
#[test]
fn each_framework_holds_one_range_of_controls_and_only_its_own() {
    // An imported map naming an unknown catalog adds an id-only framework after the others.
    let cloud = std::path::PathBuf::from("tests/data/oscal/cloud-csf.json");
    let with_import = db::load_layers(DataSource::Embedded, &[cloud]).unwrap();
    assert!(with_import.frameworks.len() > shipped().frameworks.len());
    for db in [shipped(), with_import] {
        let mut next = 0;
        for (f, fw) in db.frameworks.iter().enumerate() {
            assert_eq!(fw.controls.start, next, "{}", fw.key);
            next = fw.controls.end;
            assert!(fw.controls.clone().all(|c| db.control(c).framework as usize == f), "{}", fw.key);
        }
        assert_eq!(next as usize, db.controls.len());
    }
}

//! The HTML report, checked in a real browser: headless Chromium loads the page
//! and the counts it renders are the counts of the CSV for the same query.
//!
//! CI installs Chromium and sets `CROSSWALK_REQUIRE_BROWSER=1`; elsewhere the
//! browser checks are skipped when no Chromium is found, and say so.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_crosswalk");
const QUERY: &str = "coverage soa(\"tests/data/soa-client.csv\") + iso27001-isms -> soc2";

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(std::env::var_os("CROSSWALK_REQUIRE_BROWSER").is_none(), "CI requires Chromium for the report test");
        eprintln!("no Chromium on PATH: the browser checks of the HTML report are skipped");
    }
    found
}

fn export(query: &str, path: &Path) {
    let o = Command::new(EXE).args(["export", query, "-o", path.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Chromium, headless, as the machine allows it: no sandbox for root, no network, a fresh profile.
fn headless(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--user-data-dir={}", profile.display()),
    ]);
    cmd
}

/// The values of `attr` on the elements of `html` that carry it, in order.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!("{attr}=\"");
    html.match_indices(&key).map(|(i, _)| &html[i + key.len()..]).map(|rest| &rest[..rest.find('"').unwrap()]).collect()
}

/// The summary line of group `all` as the page renders it: (count name, value).
fn rendered_totals(dom: &str) -> Vec<(String, usize)> {
    let row =
        dom.split("<tr data-group=\"all\">").nth(1).expect("the summary's `all` row").split("</tr>").next().unwrap();
    row.split("data-count=\"")
        .skip(1)
        .map(|cell| {
            let name = &cell[..cell.find('"').unwrap()];
            let value = cell[cell.find('>').unwrap() + 1..cell.find('<').unwrap()].trim().parse().unwrap();
            (name.to_string(), value)
        })
        .collect()
}

#[test]
fn the_report_renders_the_counts_of_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (html, csv) = (dir.path().join("report.html"), dir.path().join("report.csv"));
    export(QUERY, &html);
    export(QUERY, &csv);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "self-contained");
    // The states of the CSV's rows.
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let state = reader.headers().unwrap().iter().position(|h| h == "state").unwrap();
    let states: Vec<String> = reader.records().map(|r| r.unwrap()[state].to_string()).collect();
    let count = |s: &str| states.iter().filter(|x| *x == s).count();
    let Some(browser) = chromium() else { return };
    let profile = dir.path().join("profile");
    let o = headless(&browser, &profile).arg("--dump-dom").arg(format!("file://{}", html.display())).output().unwrap();
    let dom = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(dom.contains("<details"), "the browser rendered the page: {}", String::from_utf8_lossy(&o.stderr));
    let totals = rendered_totals(&dom);
    let get = |k: &str| totals.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap();
    assert_eq!(
        (get("full"), get("partial"), get("none"), get("na")),
        (count("full"), count("partial"), count("none"), count("n/a"))
    );
    // One heatmap cell and one item per row of the CSV, each with its state.
    let cells: Vec<&str> = dom
        .split("class=\"cells\"")
        .skip(1)
        .flat_map(|g| attribute_values(g.split("</div>").next().unwrap(), "data-state"))
        .collect();
    assert_eq!(cells, states, "the map shows every item in catalog order with its state");
    // A screenshot to look at.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let o = headless(&browser, &profile)
        .args(["--window-size=1200,1600", &format!("--screenshot={}", shot.display())])
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(shot.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_report_of_the_whole_of_soc2_stays_light() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("soc2.html");
    export("gaps iso27001 + iso27001-isms -> soc2 with parts", &html);
    let size = std::fs::metadata(&html).unwrap().len();
    assert!(size < 1024 * 1024, "{size} bytes");
}

#[test]
fn only_coverage_and_gaps_have_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(EXE)
        .args(["export", "crosswalk iso27001 -> soc2", "-o", dir.path().join("x.html").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only coverage and gaps have an HTML report"));
}

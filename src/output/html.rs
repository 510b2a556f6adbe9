//! An HTML report of a coverage or its gaps: one self-contained page, no
//! script and nothing fetched, that opens offline in any browser. A heatmap of
//! the target framework by group, the summary, and each item with what reaches
//! it, what is open and what would close it, unfolded on demand.

use std::fmt::Write as _;

use super::export::Context;
use super::{closing_text, what_is_open};
use crate::model::State;
use crate::report::*;

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#1d2329}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
h3{font-size:14px;margin:14px 0 6px}.meta{color:#57606a;margin:0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{border:1px solid #d8dee4;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6}td.n{text-align:right}
.cells{display:flex;flex-wrap:wrap;gap:4px}
.cell{display:inline-block;min-width:64px;padding:4px 6px;border-radius:4px;font-size:12px;text-decoration:none;color:#1d2329;border:1px solid #0000001f}
.full{background:#c7ead9}.partial{background:#f9e2b0}.none{background:#f6c9b2}.na{background:#e3e3e3;color:#6e7781}
.legend span{margin-right:12px}.legend .cell{min-width:0}
details{border:1px solid #d8dee4;border-radius:6px;margin:6px 0;padding:4px 10px}
details[open]{padding-bottom:10px}summary{cursor:pointer}
.state{display:inline-block;min-width:56px;text-align:center;border-radius:4px;padding:0 4px;margin-right:6px;font-size:12px}
.open li{margin:2px 0}.small{font-size:12px;color:#57606a}
@media print{details{break-inside:avoid}details:not([open]) > :not(summary){display:none}}
";

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn class(state: State) -> &'static str {
    match state {
        State::Full => "full",
        State::Partial => "partial",
        State::None => "none",
        State::NotApplicable => "na",
    }
}

/// The report of a coverage or gaps result; `None` for results that have no report.
pub fn report(out: &Output, context: &Context) -> Option<String> {
    let Output::Coverage(c) = out else { return None };
    let about = context.about(out);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"generator\" content=\"crosswalk {}\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&about.title)
    );
    let _ = writeln!(h, "<header><h1>{}</h1>", esc(&about.title));
    for (k, v) in &about.lines {
        let _ = writeln!(h, "<p class=\"meta\"><b>{}</b>: {}</p>", esc(k), esc(v));
    }
    let _ = writeln!(h, "<p class=\"meta\"><b>Routes</b>: {}</p></header>", esc(&c.routes));
    heatmap(&mut h, c);
    summary(&mut h, &c.summary);
    items(&mut h, c);
    let _ = writeln!(
        h,
        "<footer class=\"small\"><p>Several partial mappings never add up to full: only a mapping that says so, \
         or every part met in full, makes a target full. A control a Statement of Applicability marks partial \
         gives at most partial.</p></footer></body></html>"
    );
    Some(h)
}

fn summary(h: &mut String, s: &Summary) {
    let _ =
        writeln!(h, "<section id=\"summary\"><h2>Summary</h2><table id=\"summary-table\"><thead><tr><th>group</th>");
    let heads = ["total", "full", "partial", "none", "n/a", "closable", "beyond", "full %", "partial %"];
    for head in heads {
        let _ = write!(h, "<th>{head}</th>");
    }
    let _ = writeln!(h, "</tr></thead><tbody>");
    let line = |h: &mut String, name: String, c: &Counts| {
        let _ = write!(h, "<tr data-group=\"{}\"><td>{}</td>", esc(&name), esc(&name));
        let values = [c.total, c.full, c.partial, c.none, c.na, c.closable, c.beyond];
        let keys = ["total", "full", "partial", "none", "na", "closable", "beyond"];
        for (k, v) in keys.iter().zip(values) {
            let _ = write!(h, "<td class=\"n\" data-count=\"{k}\">{v}</td>");
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            percent(c.full, c.total),
            percent(c.partial, c.total)
        );
    };
    line(h, "all".to_string(), &s.counts);
    for g in &s.groups {
        line(h, format!("{}: {}", g.by, g.group), &g.counts);
    }
    let _ = writeln!(h, "</tbody></table></section>");
}

/// The target framework as coloured cells, one per item, grouped by top-level group.
fn heatmap(h: &mut String, c: &CoverageReport) {
    let _ = writeln!(h, "<section id=\"map\"><h2>Map of {}</h2><p class=\"legend\">", esc(&c.target));
    for (state, label) in [("full", "full"), ("partial", "partial"), ("none", "none"), ("na", "n/a")] {
        let _ = write!(h, "<span><span class=\"cell {state}\">{label}</span></span>");
    }
    let _ = writeln!(h, "</p>");
    let mut group: Option<&str> = None;
    for r in c.rows.iter().filter(|r| r.part_of.is_none()) {
        if group != Some(r.group.as_str()) {
            if group.is_some() {
                let _ = writeln!(h, "</div>");
            }
            let _ = writeln!(h, "<h3>{}</h3><div class=\"cells\">", esc(&r.group));
            group = Some(&r.group);
        }
        let parts = r.parts.as_ref().map(|p| format!(" ({}/{} {} met)", p.full, p.total, p.noun)).unwrap_or_default();
        let count = r.parts.as_ref().map(|p| format!("<br><small>{}/{}</small>", p.full, p.total)).unwrap_or_default();
        let _ = write!(
            h,
            "<a class=\"cell {}\" data-state=\"{}\" href=\"#{}\" title=\"{} {}: {}{}\">{}{count}</a>",
            class(r.state),
            r.state,
            esc(&anchor(&r.target)),
            esc(&r.target.id),
            esc(&r.target.title),
            r.state,
            esc(&parts),
            esc(&r.target.id)
        );
    }
    if group.is_some() {
        let _ = writeln!(h, "</div>");
    }
    let _ = writeln!(h, "</section>");
}

fn anchor(c: &ControlInfo) -> String {
    format!("{}-{}", c.framework, c.id)
}

/// Each item, folded: its state and parts met; unfolded, what reaches it (with
/// the rationale), what is open, and what would close it.
fn items(h: &mut String, c: &CoverageReport) {
    let heading = if c.gaps_only { "Gaps" } else { "Items" };
    let _ = writeln!(h, "<section id=\"items\"><h2>{heading}</h2>");
    for r in c.rows.iter().filter(|r| r.part_of.is_none()) {
        let mut parts =
            r.parts.as_ref().map(|p| format!(" · {}/{} {} met", p.full, p.total, p.noun)).unwrap_or_default();
        for value in r.attributes.values() {
            parts.push_str(&format!(" · {value}"));
        }
        let _ = writeln!(
            h,
            "<details id=\"{}\" class=\"item\" data-state=\"{}\"><summary><span class=\"state {}\">{}</span><b>{}</b> {}{}</summary>",
            esc(&anchor(&r.target)),
            r.state,
            class(r.state),
            r.state,
            esc(&r.target.qualified()),
            esc(&r.target.title),
            esc(&parts)
        );
        if let Some(why) = &r.not_applicable {
            let _ = writeln!(h, "<p>Places no duty on an organisation: {}</p>", esc(why));
        }
        if !r.covered_by.is_empty() {
            let _ = writeln!(h, "<table><thead><tr><th>source</th><th>gives</th><th>why</th></tr></thead><tbody>");
            for k in &r.covered_by {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
                    esc(&k.short()),
                    class(k.gives.into()),
                    k.gives,
                    esc(&k.rationale.to_string())
                );
            }
            let _ = writeln!(h, "</tbody></table>");
        }
        if matches!(r.state, State::Partial | State::None) {
            let open = what_is_open(r, "\n");
            if !open.is_empty() {
                let _ = writeln!(h, "<p><b>Open</b></p><ul class=\"open\">");
                for line in open.lines() {
                    let _ = writeln!(h, "<li>{}</li>", esc(line));
                }
                let _ = writeln!(h, "</ul>");
            }
            let closing = closing_text(r, "\n");
            if !closing.is_empty() {
                let mut lines = closing.lines();
                let head = lines.next().unwrap_or_default();
                let _ = writeln!(h, "<p><b>Gap</b>: {}</p><ul class=\"open\">", esc(head));
                for line in lines {
                    let _ = writeln!(h, "<li>{}</li>", esc(line));
                }
                let _ = writeln!(h, "</ul>");
            }
        }
        let _ = writeln!(h, "</details>");
    }
    let _ = writeln!(h, "</section>");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<script>\"a\" & 'b'</script>"), "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
    }
}

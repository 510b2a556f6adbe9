//! JSON: the report types as serde writes them, pretty-printed, one document per statement.

use crate::report::Output;

pub fn render(out: &Output) -> String {
    // The report types hold only strings, numbers and lists: serialising cannot fail.
    let mut text = serde_json::to_string_pretty(out).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    text.push('\n');
    text
}

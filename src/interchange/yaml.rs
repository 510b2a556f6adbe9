//! YAML read for import, as the JSON value the readers walk: syntax errors at
//! their line and column, and nothing that could take unbounded time or memory.
//!
//! Anchors and aliases are refused (an alias is a copy: a few lines can stand
//! for billions of nodes), and so is nesting deeper than JSON's limit, before
//! any tree is built.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

use crate::diag::DataError;

/// Deepest nesting read, as serde_json reads JSON.
const MAX_DEPTH: usize = 128;

/// Parses a YAML file (its first document) into a JSON value.
pub fn parse(display: &str, text: &str) -> Result<Value, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check(display, text)?;
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        let m = e.marker();
        DataError::at(display, m.line() as u32, m.col() as u32 + 1, format!("not valid YAML: {}", e.info()))
    })?;
    Ok(docs.into_iter().next().map_or(Value::Null, value))
}

/// One pass over the events: no alias, and no nesting past [`MAX_DEPTH`].
fn check(display: &str, text: &str) -> Result<(), DataError> {
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            DataError::at(display, m.line() as u32, m.col() as u32 + 1, format!("not valid YAML: {}", e.info()))
        })?;
        let at = |msg: &str| DataError::at(display, mark.line() as u32, mark.col() as u32 + 1, msg.to_string());
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Alias(_) => return Err(at("YAML aliases (`*name`) are not read; write the value out")),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(at(&format!("nested more than {MAX_DEPTH} deep")));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

fn value(y: Yaml) -> Value {
    match y {
        Yaml::Real(s) => s.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::String(s), Value::Number),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::String(s) => Value::String(s),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(value).collect()),
        Yaml::Hash(h) => {
            let mut out = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) | Yaml::Real(s) => s,
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => continue,
                };
                out.insert(key, value(v));
            }
            Value::Object(out)
        }
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_reads_as_json_and_its_faults_are_placed() {
        let v = parse("m.yaml", "a:\n  - b: 1\n    c: x\n").unwrap();
        assert_eq!(v, serde_json::json!({"a": [{"b": 1, "c": "x"}]}));
        let e = parse("m.yaml", "a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.to_string().starts_with("m.yaml:2:"), "{e}");
        let e = parse("m.yaml", "a: &x [1]\nb: *x\n").unwrap_err();
        assert_eq!(e.to_string(), "m.yaml:2:4: YAML aliases (`*name`) are not read; write the value out");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse("m.yaml", &deep).unwrap_err().message.starts_with("nested more than 128 deep"));
    }
}

//! JSON read for import: syntax errors at their line and column, and a walker that names each place by its path.

use serde_json::Value;

use crate::diag::DataError;

/// Parses a JSON file; a syntax error is placed at its line and column. Nesting deeper
/// than serde_json's limit (128) is refused as an error, not followed.
pub fn parse(display: &str, text: &str) -> Result<Value, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the file ends before the JSON does",
            _ => "not valid JSON",
        };
        let detail = e.to_string();
        // serde_json appends " at line L column C"; the place is ours to print.
        let detail = detail.rsplit_once(" at line ").map_or(detail.as_str(), |(d, _)| d);
        DataError::at(display, e.line() as u32, e.column() as u32, format!("{what}: {detail}"))
    })
}

/// A JSON value and the path that leads to it (`$.mapping-collection.mappings[0]`).
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    pub value: &'a Value,
    path: &'a str,
}

/// A node whose path is owned: the child of a node.
#[derive(Debug, Clone)]
pub struct Owned<'a> {
    pub value: &'a Value,
    pub path: String,
}

impl<'a> Owned<'a> {
    pub fn root(value: &'a Value) -> Owned<'a> {
        Owned { value, path: "$".to_string() }
    }

    pub fn node(&self) -> Node<'_> {
        Node { value: self.value, path: &self.path }
    }
}

impl<'a> Node<'a> {
    pub fn path(&self) -> &str {
        self.path
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<Owned<'a>> {
        self.value.get(key).map(|value| Owned { value, path: format!("{}.{key}", self.path) })
    }

    /// The path of member `key`, whether or not it is there.
    pub fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The items of an array, each with its path; a single object stands for an array of one
    /// (OSCAL's JSON allows either where the schema says so).
    pub fn items(&self) -> Vec<Owned<'a>> {
        match self.value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, value)| Owned { value, path: format!("{}[{i}]", self.path) })
                .collect(),
            Value::Null => Vec::new(),
            value => vec![Owned { value, path: self.path.to_string() }],
        }
    }

    /// The items of an array that are objects; each other item is reported as not being `what`.
    pub fn objects(&self, what: &str, display: &str, errors: &mut Vec<DataError>) -> Vec<Owned<'a>> {
        let (objects, others): (Vec<_>, Vec<_>) = self.items().into_iter().partition(|i| i.value.is_object());
        for o in others {
            let msg = format!("is {}, where {what} is expected", kind(o.value));
            errors.push(DataError::in_doc(display, &o.path, msg));
        }
        objects
    }

    /// The text of member `key` when it is a string (trimmed); a number is read as its digits.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.value.get(key)? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Member `key` as text, or an error at its path saying it is missing or of the wrong kind.
    pub fn required_text(&self, key: &str, display: &str, errors: &mut Vec<DataError>) -> Option<String> {
        match self.value.get(key) {
            None | Some(Value::Null) => {
                errors.push(DataError::in_doc(display, self.path, format!("missing `{key}`")));
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                errors.push(DataError::in_doc(display, &self.at(key), "is empty"));
                None
            }
            Some(_) => match self.text(key) {
                Some(s) => Some(s),
                None => {
                    let msg = format!("is {}, where text is expected", kind(&self.value[key]));
                    errors.push(DataError::in_doc(display, &self.at(key), msg));
                    None
                }
            },
        }
    }
}

/// What kind of JSON value this is, in words.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_is_at_its_line_and_column() {
        let e = parse("x.json", "{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!((e.line, e.column), (3, 7));
        assert_eq!(e.to_string(), "x.json:3:7: not valid JSON: expected `:`");
        let e = parse("x.json", "{\"a\": [1, 2").unwrap_err();
        assert!(e.message.starts_with("the file ends before the JSON does"), "{e}");
    }

    #[test]
    fn paths_name_members_and_items() {
        let v: Value = serde_json::from_str(r#"{"m": [{"id": "a"}, {"id": 5}], "one": {"id": "b"}}"#).unwrap();
        let root = Owned::root(&v);
        let m = root.node().get("m").unwrap();
        let items = m.node().items();
        assert_eq!(items[1].path, "$.m[1]");
        assert_eq!(items[1].node().text("id").as_deref(), Some("5"));
        let one = root.node().get("one").unwrap();
        assert_eq!(one.node().items()[0].path, "$.one");
        let mut errors = Vec::new();
        assert_eq!(items[0].node().required_text("x", "f.json", &mut errors), None);
        assert_eq!(errors[0].to_string(), "f.json: $.m[0]: missing `x`");
    }
}

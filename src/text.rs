//! Text held once: the binary's own, or a range of a file's text that every row quoting it shares.
//!
//! A database of a million rows keeps each file's text as it was read, and
//! each title or rationale is a range of it: no copy, and no allocation per
//! row. This module uses only `std`, as the build script reads it too.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A piece of text: borrowed from the binary, or a range of a shared buffer.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    /// `buf[start..end]`.
    Shared {
        buf: Arc<String>,
        start: u32,
        end: u32,
    },
    /// A text too long for 32-bit offsets (never a data file's: those are limited below that).
    Owned(Arc<str>),
}

impl Text {
    /// Text of the binary.
    pub const fn from_static(s: &'static str) -> Text {
        Text(Repr::Static(s))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared { buf, start, end } => &buf[*start as usize..*end as usize],
            Repr::Owned(s) => s,
        }
    }

    /// A range of this text (byte offsets within it, on character boundaries), sharing its buffer.
    pub fn slice(&self, range: Range<usize>) -> Text {
        match &self.0 {
            Repr::Static(s) => Text(Repr::Static(&s[range])),
            Repr::Shared { buf, start, .. } => {
                // Checks the range as `str` indexing would.
                let _ = &self.as_str()[range.clone()];
                let (s, e) = (*start as usize + range.start, *start as usize + range.end);
                Text(Repr::Shared { buf: Arc::clone(buf), start: s as u32, end: e as u32 })
            }
            Repr::Owned(s) => Text::from(s[range].to_string()),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        match u32::try_from(s.len()) {
            Ok(end) => Text(Repr::Shared { buf: Arc::new(s), start: 0, end }),
            Err(_) => Text(Repr::Owned(s.into())),
        }
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text::from_static(s)
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from_static("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_share_the_buffer_and_compare_as_text() {
        let whole = Text::from("id,title\n8.24,Use of cryptography\n".to_string());
        let title = whole.slice(14..33);
        assert_eq!(title, "Use of cryptography");
        assert_eq!(title.slice(7..19).as_str(), "cryptography");
        assert_eq!(Text::from_static("Use of cryptography"), title);
        let mut set = std::collections::HashSet::new();
        set.insert(title);
        assert!(set.contains("Use of cryptography"));
    }
}

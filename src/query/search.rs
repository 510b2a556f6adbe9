//! `search`: controls that hold every word a person typed, found by word, stem or prefix, best first.
//!
//! A word of the query matches a word of a control when they are the same,
//! when one starts the other (`crypt`, `cryptography`), when their stems are
//! the same (`encrypted`, `encryption`), or when their cores are (`encrypt`,
//! `cryptography`: both `crypt` once the `en-` and `-ography` are set aside).
//! A hit in the id counts most, then the title and aliases, then the
//! description; the best hits come first, ties in catalog order.

use crate::db::Database;
use crate::model::CtlId;
use crate::query::sets::ControlSet;
use crate::suggest;

/// Suffixes a stem drops, longest first.
const SUFFIXES: [&str; 22] = [
    "ographies",
    "ography",
    "ographic",
    "ations",
    "ation",
    "itions",
    "ition",
    "ments",
    "ment",
    "ities",
    "ity",
    "ions",
    "ion",
    "ings",
    "ing",
    "ness",
    "ies",
    "ed",
    "es",
    "ly",
    "al",
    "s",
];
/// Prefixes a core drops, where enough is left.
const PREFIXES: [&str; 5] = ["en", "de", "re", "un", "non"];
/// Shortest stem that counts as a match.
const MIN_STEM: usize = 4;
/// Shortest query word that matches the words it starts (`log`, `logging`).
const MIN_PREFIX: usize = 3;

/// How well one query word matches one word of a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    None,
    /// The same core, affixes set aside.
    Core,
    /// The same stem, or one word starts the other.
    Stem,
    Exact,
}

/// Most different words one search looks for: each is matched with every word of the database.
pub const MAX_WORDS: usize = 32;

/// The words of a query, each once, in the order first given, with how many times it is given.
pub fn query_words(needle: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for w in words(needle) {
        match at.get(&w) {
            Some(&i) => out[i].1 += 1,
            None => {
                at.insert(w.clone(), out.len());
                out.push((w, 1));
            }
        }
    }
    out
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

fn stem(word: &str) -> String {
    if let Some(rest) = word.strip_suffix("ies").filter(|r| r.chars().count() >= MIN_STEM - 1) {
        return format!("{rest}y");
    }
    SUFFIXES
        .iter()
        .find_map(|s| word.strip_suffix(s).filter(|rest| rest.chars().count() >= MIN_PREFIX))
        .unwrap_or(word)
        .to_string()
}

fn core(word: &str) -> String {
    let s = stem(word);
    match PREFIXES.iter().find_map(|p| s.strip_prefix(p).filter(|rest| rest.chars().count() >= 5)) {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

fn word_match(query: &str, word: &str) -> Match {
    Word::new(query).matches(&Word::new(word))
}

/// A word in lower case, with its stem and core and their lengths in characters.
#[derive(Debug, Clone)]
pub struct Word {
    word: String,
    len: usize,
    stem: String,
    stem_len: usize,
    core: String,
    core_len: usize,
}

impl Word {
    fn new(word: &str) -> Word {
        let (stem, core) = (stem(word), core(word));
        let count = |s: &str| s.chars().count();
        Word { len: count(word), stem_len: count(&stem), core_len: count(&core), word: word.to_string(), stem, core }
    }

    /// How well this query word matches a word of a control.
    fn matches(&self, word: &Word) -> Match {
        let (q, w) = (self, word);
        if q.word == w.word {
            return Match::Exact;
        }
        let prefix =
            (q.len >= MIN_PREFIX && w.word.starts_with(&q.word)) || (w.len >= MIN_STEM && q.word.starts_with(&w.word));
        let stems = q.stem_len >= MIN_PREFIX
            && w.stem_len >= MIN_PREFIX
            && (q.stem == w.stem || w.stem.starts_with(&q.stem) || q.stem.starts_with(&w.stem));
        if prefix || stems {
            return Match::Stem;
        }
        if q.core_len >= 5
            && w.core_len >= 5
            && (q.core == w.core || w.core.starts_with(&q.core) || q.core.starts_with(&w.core))
        {
            return Match::Core;
        }
        Match::None
    }
}

/// Every control's words, field by field (id, title, aliases, description),
/// worked out once per database: a batch may search thousands of times. Each
/// distinct word is held once, and a field holds the numbers of its words, so a
/// query word is compared with each distinct word once per search.
#[derive(Debug, Default)]
pub struct Words {
    vocabulary: Vec<Word>,
    controls: Vec<[Vec<u32>; 4]>,
}

impl Words {
    fn of(db: &Database) -> Words {
        let mut numbers: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut vocabulary = Vec::new();
        let mut split = |text: &str| {
            let mut field: Vec<u32> = words(text)
                .map(|w| {
                    *numbers.entry(w).or_insert_with_key(|w| {
                        vocabulary.push(Word::new(w));
                        (vocabulary.len() - 1) as u32
                    })
                })
                .collect();
            field.sort_unstable();
            field.dedup();
            field
        };
        let controls = db
            .controls
            .iter()
            .map(|c| [split(&c.id), split(&c.title), split(&c.aliases.join(" ")), split(&c.description)])
            .collect();
        Words { vocabulary, controls }
    }
}

/// Field weights: the id, the title, the aliases, the description.
const WEIGHTS: [u32; 4] = [8, 4, 4, 1];

/// A control's score for the query, or `None` when some word matches nowhere;
/// `matches[q][w]` is how well query word `q` matches vocabulary word `w`.
/// A control's score: each query word's best match in its fields, weighted, as many times as the query gives the word.
fn score(fields: &[Vec<u32>; 4], matches: &[(Vec<Match>, u32)]) -> Option<u32> {
    let mut total = 0;
    for (m, times) in matches {
        let points = fields
            .iter()
            .zip(WEIGHTS)
            .map(|(words, weight)| {
                let factor = match words.iter().map(|&w| m[w as usize]).max().unwrap_or(Match::None) {
                    Match::Exact => 3,
                    Match::Stem => 2,
                    Match::Core => 1,
                    Match::None => 0,
                };
                factor * weight
            })
            .max()
            .unwrap_or(0);
        if points == 0 {
            return None;
        }
        total += points * times;
    }
    Some(total)
}

/// The controls that hold every word of `needle`, best first; `within` limits them to a set.
pub fn find(db: &Database, needle: &str, within: Option<&ControlSet>) -> Vec<CtlId> {
    // A word given twice is matched once and counts twice.
    let query: Vec<(Word, u32)> = query_words(needle).iter().map(|(w, n)| (Word::new(w), *n)).collect();
    let index = db.words.get_or_init(|| std::sync::Arc::new(Words::of(db)));
    let matches: Vec<(Vec<Match>, u32)> =
        query.iter().map(|(q, n)| (index.vocabulary.iter().map(|w| q.matches(w)).collect(), *n)).collect();
    let mut hits: Vec<(u32, CtlId)> = (0..db.controls.len() as CtlId)
        .filter(|&c| within.is_none_or(|s| s.strength(c).is_some()))
        .filter_map(|c| score(&index.controls[c as usize], &matches).map(|s| (s, c)))
        .collect();
    hits.sort_by_key(|&(s, c)| (std::cmp::Reverse(s), c));
    hits.into_iter().map(|(_, c)| c).collect()
}

/// Advice when nothing matches: the closest word the database uses for each word that matches nowhere.
pub fn hint(db: &Database, needle: &str) -> String {
    let mut vocabulary: Vec<String> = Vec::new();
    for c in &db.controls {
        vocabulary.extend(words(&c.title));
        vocabulary.extend(words(&c.description));
    }
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let unknown: Vec<String> = query_words(needle)
        .into_iter()
        .map(|(q, _)| q)
        .filter(|q| !vocabulary.iter().any(|w| word_match(q, w) != Match::None))
        .collect();
    let close: Vec<String> = unknown
        .iter()
        .filter_map(|q| suggest::closest(q, vocabulary.iter().map(String::as_str)).map(|s| format!("`{s}` for `{q}`")))
        .collect();
    if !close.is_empty() {
        format!("no control matches; did you mean {}?", close.join(", "))
    } else if unknown.is_empty() {
        "no control holds all these words together; try fewer words, or search without `in`".to_string()
    } else {
        "no control matches; try another word, or `list KEY` to browse a framework".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_given_twice_is_matched_once_and_counts_twice() {
        let db = crate::db::load(crate::db::DataSource::Embedded).unwrap();
        let index = Words::of(&db);
        // Each word matched as often as it is given: what `find` computes once per word.
        let every = |needle: &str| -> Vec<CtlId> {
            let matches: Vec<(Vec<Match>, u32)> = words(needle)
                .map(|q| (index.vocabulary.iter().map(|w| Word::new(&q).matches(w)).collect(), 1))
                .collect();
            let mut hits: Vec<(u32, CtlId)> = (0..db.controls.len() as CtlId)
                .filter_map(|c| score(&index.controls[c as usize], &matches).map(|s| (s, c)))
                .collect();
            hits.sort_by_key(|&(s, c)| (std::cmp::Reverse(s), c));
            hits.into_iter().map(|(_, c)| c).collect()
        };
        for needle in ["log log access", "access log log", "encrypt", "backup backup backup restore", "policy Policy"] {
            assert_eq!(find(&db, needle, None), every(needle), "{needle}");
        }
        assert_eq!(query_words("Log log ACCESS log"), [("log".to_string(), 3), ("access".to_string(), 1)]);
    }

    #[test]
    fn words_match_by_stem_prefix_and_core() {
        assert_eq!(word_match("encrypt", "encryption"), Match::Stem);
        assert_eq!(word_match("encrypt", "cryptography"), Match::Core);
        assert_eq!(word_match("log", "logging"), Match::Stem);
        assert_eq!(word_match("lo", "logging"), Match::None, "too short to be a prefix");
        assert_eq!(word_match("policies", "policy"), Match::Stem);
        assert_eq!(word_match("logs", "logging"), Match::Stem);
        assert_eq!(word_match("backup", "backups"), Match::Stem);
        assert_eq!(word_match("access", "accessible"), Match::Stem);
        assert_eq!(word_match("encrypt", "decrypt"), Match::Core);
        assert_eq!(word_match("policy", "police"), Match::None);
    }
}

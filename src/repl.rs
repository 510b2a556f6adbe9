//! The interactive shell: rustyline with history, completion and multi-line input, over the shared session path.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use crate::db::Database;
use crate::query::parse;
use crate::session::Session;

const BANNER: &str = "crosswalk: type `help` for the statements, Tab to complete, Ctrl-D to leave.";

/// Runs the shell until Ctrl-D, `quit` or `exit`. Errors never end the session.
pub fn run(session: &mut Session) -> io::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(true)
        .max_history_size(2000)
        .map_err(io::Error::other)?
        .build();
    let vars = Rc::new(RefCell::new(Vec::new()));
    let helper = ReplHelper::new(session.db, vars.clone());
    let mut editor: Editor<ReplHelper, rustyline::history::DefaultHistory> =
        Editor::with_config(config).map_err(io::Error::other)?;
    editor.set_helper(Some(helper));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let (mut out, mut err) = (io::stdout(), io::stderr());
    writeln!(err, "{BANNER}")?;
    loop {
        match editor.readline("crosswalk> ") {
            Ok(line) => {
                let trimmed = line.trim();
                if matches!(trimmed, "quit" | "exit" | "\\q") {
                    break;
                }
                session.run(&line, "input", &mut out, &mut err, true)?;
                *vars.borrow_mut() = session.env.vars.keys().cloned().collect();
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(io::Error::other(e)),
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// Where history is kept: `CROSSWALK_HISTORY`, or the user's data directory.
fn history_file() -> Option<PathBuf> {
    match std::env::var_os("CROSSWALK_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::data_dir().map(|d| d.join("crosswalk").join("history.txt")),
    }
}

/// Completion of keywords, framework names, control ids and `$names`; multi-line input.
struct ReplHelper {
    words: Vec<String>,
    /// Per framework name (key and aliases, lower case): its ids.
    ids: Vec<(String, Vec<String>)>,
    vars: Rc<RefCell<Vec<String>>>,
}

impl ReplHelper {
    fn new(db: &Database, vars: Rc<RefCell<Vec<String>>>) -> ReplHelper {
        let mut words: Vec<String> =
            parse::STATEMENT_KEYWORDS.iter().chain(&parse::CLAUSE_KEYWORDS).map(|s| s.to_string()).collect();
        words.extend(["table", "csv", "json", "markdown", "quit"].map(String::from));
        let mut ids = Vec::new();
        for fw in &db.frameworks {
            let list: Vec<String> = fw.controls.clone().map(|c| db.control(c).id.to_string()).collect();
            for name in std::iter::once(&fw.key).chain(&fw.aliases) {
                words.push(name.clone());
                ids.push((name.to_lowercase(), list.clone()));
            }
        }
        ReplHelper { words, ids, vars }
    }

    fn ids_of(&self, framework: &str) -> Option<&[String]> {
        let f = framework.to_lowercase();
        self.ids.iter().find(|(k, _)| *k == f).map(|(_, ids)| ids.as_slice())
    }
}

/// The candidates for the word before the cursor, and where that word starts.
fn candidates(h: &ReplHelper, line: &str, pos: usize) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || "._-:$()*".contains(c))).map_or(0, |i| i + 1);
    let word = &before[start..];
    let matching = |pool: &[String], prefix: &str| -> Vec<String> {
        pool.iter().filter(|c| c.to_lowercase().starts_with(&prefix.to_lowercase())).cloned().collect()
    };
    if let Some((fw, id)) = word.split_once(':') {
        let ids = h.ids_of(fw).unwrap_or_default();
        return (start + fw.len() + 1, matching(ids, id));
    }
    if let Some(var) = word.strip_prefix('$') {
        return (start + 1, matching(&h.vars.borrow(), var));
    }
    // Inside `KEY{...`: ids of that framework.
    if let Some(open) = before[..start].rfind('{').filter(|&o| !before[o..].contains('}')) {
        let key_start =
            before[..open].rfind(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).map_or(0, |i| i + 1);
        if let Some(ids) = h.ids_of(&before[key_start..open]) {
            return (start, matching(ids, word));
        }
    }
    (start, matching(&h.words, word))
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = candidates(self, line, pos);
        Ok((start, found.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect()))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        // An open bracket or string, or a trailing `\`, asks for another line.
        Ok(if parse::split(ctx.input()).1 { ValidationResult::Incomplete } else { ValidationResult::Valid(None) })
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ReplHelper {
        let db = crate::db::load(crate::db::DataSource::Embedded).expect("shipped database");
        ReplHelper::new(&db, Rc::new(RefCell::new(vec!["mine".into()])))
    }

    #[test]
    fn completes_ids_keywords_and_names() {
        let h = helper();
        let (start, c) = candidates(&h, "show soc2:CC6.", 14);
        assert_eq!(start, 10);
        assert!(c.contains(&"CC6.1".to_string()) && c.iter().all(|c| c.starts_with("CC6.")), "{c:?}");
        assert_eq!(candidates(&h, "cover", 5), (0, vec!["coverage".to_string()]));
        assert_eq!(candidates(&h, "gaps $mi", 8), (6, vec!["mine".to_string()]));
        let (_, c) = candidates(&h, "list iso27001{8.2", 17);
        assert!(c.contains(&"8.24".to_string()), "{c:?}");
    }
}

//! The interactive shell: rustyline with history, completion and multi-line input, over the shared session path.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use crate::db::Database;
use crate::model::FwId;
use crate::query::{filter, parse};
use crate::session::Session;

const BANNER: &str = "crosswalk: type `help` for the statements, Tab to complete, `quit` or Ctrl-D to leave.";
const PROMPT: &str = "crosswalk> ";
/// The prompt of a line that continues a statement (an open bracket or string, a trailing `\`).
const MORE: &str = "       ...> ";

/// Runs the shell until Ctrl-D, `quit` or `exit`. Errors never end the session.
pub fn run(session: &mut Session) -> io::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .max_history_size(2000)
        .map_err(io::Error::other)?
        .build();
    let vars = Rc::new(RefCell::new(Vec::new()));
    let helper = ReplHelper::new(session.db, vars.clone());
    let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config).map_err(io::Error::other)?;
    editor.set_helper(Some(helper));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let (mut out, mut err) = (io::stdout(), io::stderr());
    writeln!(err, "{BANNER}")?;
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { MORE };
        match editor.readline(prompt) {
            Ok(line) => {
                if pending.is_empty() && matches!(line.trim(), "quit" | "exit" | "\\q") {
                    break;
                }
                pending.push_str(&line);
                pending.push('\n');
                // A statement left open continues on the next line, under the continuation prompt.
                if parse::split(&pending).1 {
                    continue;
                }
                let statement = std::mem::take(&mut pending);
                remember(&mut editor, history.as_ref(), statement.trim_end());
                session.run(&statement, "input", &mut out, &mut err, true)?;
                *vars.borrow_mut() = session.env.vars.keys().cloned().collect();
            }
            // Ctrl-C drops the line, and the statement it continued.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(io::Error::other(e)),
        }
    }
    Ok(())
}

/// Adds a statement to the history and writes it out at once, so a killed
/// shell loses none of it.
fn remember(editor: &mut Editor<ReplHelper, DefaultHistory>, file: Option<&PathBuf>, statement: &str) {
    if statement.is_empty() || editor.add_history_entry(statement).is_err() {
        return;
    }
    if let Some(h) = file {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.history_mut().append(h);
    }
}

/// Where history is kept: `CROSSWALK_HISTORY`, or the user's data directory.
fn history_file() -> Option<PathBuf> {
    match std::env::var_os("CROSSWALK_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::data_dir().map(|d| d.join("crosswalk").join("history.txt")),
    }
}

/// What completion knows of the database: words, ids, fields and their values.
struct ReplHelper {
    words: Vec<String>,
    /// Per framework name (key and aliases, lower case): the framework and its ids.
    frameworks: Vec<(String, FwId, Vec<String>)>,
    /// Per framework: its fields (`where`) and each field's values.
    fields: Vec<Vec<(String, Vec<String>)>>,
    vars: Rc<RefCell<Vec<String>>>,
}

impl ReplHelper {
    fn new(db: &Database, vars: Rc<RefCell<Vec<String>>>) -> ReplHelper {
        let mut words: Vec<String> =
            parse::STATEMENT_KEYWORDS.iter().chain(&parse::CLAUSE_KEYWORDS).map(|s| s.to_string()).collect();
        words.extend(["table", "csv", "json", "markdown", "quit", "exit"].map(String::from));
        let mut frameworks = Vec::new();
        let mut fields = Vec::new();
        for (i, fw) in db.frameworks.iter().enumerate() {
            let fw_id = i as FwId;
            let list: Vec<String> = fw.controls.clone().map(|c| db.control(c).id.to_string()).collect();
            for name in std::iter::once(&fw.key).chain(&fw.aliases) {
                words.push(name.clone());
                frameworks.push((name.to_lowercase(), fw_id, list.clone()));
            }
            let names = filter::fields(db, &[fw_id], true);
            let with_values = names
                .into_iter()
                .flat_map(|(name, aliases)| std::iter::once(name).chain(aliases))
                .map(|name| {
                    let values = filter::values(db, &name, &[fw_id]);
                    (name, values)
                })
                .collect();
            fields.push(with_values);
        }
        ReplHelper { words, frameworks, fields, vars }
    }

    fn framework(&self, name: &str) -> Option<&(String, FwId, Vec<String>)> {
        let name = name.to_lowercase();
        self.frameworks.iter().find(|(k, _, _)| *k == name)
    }

    /// The frameworks a condition at the end of a line filters: the target
    /// after `->` when the condition follows it, else those the line names,
    /// else every one.
    fn named_in(&self, line: &str) -> Vec<FwId> {
        if let Some(arrow) = line.rfind("->").or_else(|| line.rfind("<-")) {
            let target = line[arrow + 2..].split_whitespace().next().unwrap_or_default();
            if let Some(f) = self.framework(target) {
                return vec![f.1];
            }
        }
        let mut found: Vec<FwId> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .filter_map(|w| self.framework(w).map(|f| f.1))
            .collect();
        if found.is_empty() {
            found = (0..self.fields.len() as FwId).collect();
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn fields_of(&self, fws: &[FwId]) -> Vec<String> {
        let mut out: Vec<String> =
            fws.iter().flat_map(|&f| self.fields[f as usize].iter().map(|(n, _)| n.clone())).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn values_of(&self, fws: &[FwId], field: &str) -> Vec<String> {
        let mut out: Vec<String> = fws
            .iter()
            .flat_map(|&f| self.fields[f as usize].iter().filter(|(n, _)| n.eq_ignore_ascii_case(field)))
            .flat_map(|(_, v)| v.clone())
            .collect();
        out.dedup();
        out
    }
}

/// The candidates for the word before the cursor, and where that word starts.
fn candidates(h: &ReplHelper, line: &str, pos: usize) -> (usize, Vec<String>) {
    let before = &line[..pos];
    if let Some(found) = file_name(before) {
        return found;
    }
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || "._-:$()*/".contains(c))).map_or(0, |i| i + 1);
    let word = &before[start..];
    let matching = |pool: &[String], prefix: &str| -> Vec<String> {
        pool.iter().filter(|c| c.to_lowercase().starts_with(&prefix.to_lowercase())).cloned().collect()
    };
    if let Some((fw, id)) = word.split_once(':') {
        let ids = h.framework(fw).map_or(&[][..], |f| f.2.as_slice());
        return (start + fw.len() + 1, matching(ids, id));
    }
    if let Some(var) = word.strip_prefix('$') {
        return (start + 1, matching(&h.vars.borrow(), var));
    }
    // Inside `KEY{...`: ids of that framework.
    if let Some(open) = before[..start].rfind('{').filter(|&o| !before[o..].contains('}')) {
        let key_start =
            before[..open].rfind(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).map_or(0, |i| i + 1);
        if let Some(f) = h.framework(&before[key_start..open]) {
            return (start, matching(&f.2, word));
        }
    }
    let tokens: Vec<&str> = before[..start].split_whitespace().collect();
    let last = tokens.last().map(|t| t.to_ascii_lowercase()).unwrap_or_default();
    let pool: Vec<String> = match last.as_str() {
        "where" | "and" | "or" | "not" => h.fields_of(&h.named_in(before)),
        "=" | "!=" | "~" if tokens.len() >= 2 => h.values_of(&h.named_in(before), tokens[tokens.len() - 2]),
        "help" => crate::help::TOPICS.map(String::from).to_vec(),
        "format" => ["table", "csv", "json", "markdown"].map(String::from).to_vec(),
        "with" => ["parts", "n/a"].map(String::from).to_vec(),
        "without" => vec!["marginal".to_string()],
        "scope" => {
            let mut v = vec!["security".to_string()];
            v.extend(h.values_of(&h.named_in(before), "applies_to"));
            v
        }
        _ => h.words.clone(),
    };
    (start, matching(&pool, word))
}

/// Inside `soa("...`: the files and folders that complete the path typed so far.
fn file_name(before: &str) -> Option<(usize, Vec<String>)> {
    let open = before.rfind("soa(\"")? + "soa(\"".len();
    let typed = &before[open..];
    if typed.contains('"') {
        return None;
    }
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let entries = std::fs::read_dir(if dir.is_empty() { "." } else { dir }).ok()?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let folder = e.file_type().is_ok_and(|t| t.is_dir());
            let wanted = !name.starts_with('.') && name.starts_with(prefix) && (folder || name.ends_with(".csv"));
            wanted.then(|| if folder { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    Some((open + dir.len(), names))
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = candidates(self, line, pos);
        Ok((start, found.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect()))
    }
}

impl Validator for ReplHelper {}
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

    fn complete(h: &ReplHelper, line: &str) -> Vec<String> {
        candidates(h, line, line.len()).1
    }

    #[test]
    fn completes_ids_keywords_and_names() {
        let h = helper();
        let (start, c) = candidates(&h, "show soc2:CC6.", 14);
        assert_eq!(start, 10);
        assert!(c.contains(&"CC6.1".to_string()) && c.iter().all(|c| c.starts_with("CC6.")), "{c:?}");
        assert_eq!(candidates(&h, "cover", 5), (0, vec!["coverage".to_string()]));
        assert_eq!(candidates(&h, "gaps $mi", 8), (6, vec!["mine".to_string()]));
        let c = complete(&h, "list iso27001{8.2");
        assert!(c.contains(&"8.24".to_string()), "{c:?}");
    }

    #[test]
    fn completes_by_context() {
        let h = helper();
        // After `where`: the fields of the frameworks the statement names.
        let c = complete(&h, "coverage iso27001 -> soc2 where se");
        assert_eq!(c, ["series"]);
        // After `field =`: the field's values.
        let c = complete(&h, "coverage iso27001 -> soc2 where series = CC");
        assert!(c.contains(&"CC6".to_string()) && !c.iter().any(|v| v == "soc2"), "{c:?}");
        let c = complete(&h, "list hipaa where designation = ");
        assert_eq!(c, ["Required", "Addressable"]);
        assert_eq!(complete(&h, "help fi"), ["filters"]);
        assert_eq!(complete(&h, "format j"), ["json"]);
        assert_eq!(complete(&h, "gaps $m -> soc2 scope pri"), ["Privacy"]);
        // Inside `soa("`: file names.
        let c = complete(&h, "let x = soa(\"tests/data/soa-c");
        assert_eq!(c, ["soa-client.csv"]);
    }
}

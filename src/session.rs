//! Running source text through the pipeline: the one path the REPL, batch mode, one-shot queries and exports share.

use std::io::{self, Write};
use std::sync::Arc;

use crate::db::Database;
use crate::diag::{self, Diagnostic, Error, Lines, Span};
use crate::output::{self, export, Format};
use crate::query::ast::{Spanned, Statement};
use crate::query::eval::{self, Env};
use crate::query::parse::{self, Chunk};
use crate::query::sets::ControlSet;
use crate::report::Output;
use crate::workers::{self, Pool};

/// How the `export` command writes its file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// Sources as rows, targets as columns.
    pub matrix: bool,
    /// A UTF-8 byte-order mark before CSV.
    pub bom: bool,
    /// Replace a link, a special file or a read-only file.
    pub force: bool,
}

/// The statements with a table to export, as the grammar's `exportable` lists them.
fn exportable(stmt: &Statement) -> bool {
    matches!(
        stmt,
        Statement::List(_)
            | Statement::Search { .. }
            | Statement::Map { .. }
            | Statement::Crosswalk { .. }
            | Statement::Coverage { .. }
            | Statement::Plan { .. }
            | Statement::Path { .. }
            | Statement::Explain { .. }
    )
}

/// A statement evaluated and its result rendered: what the session prints for it.
pub(crate) struct Done {
    pub warnings: Vec<String>,
    /// The name and set of a `let` evaluated ahead, which the session takes when it prints it.
    pub named: Option<(String, Arc<ControlSet>)>,
    pub result: Result<Printed, Error>,
}

impl Done {
    pub fn failed(e: Error) -> Done {
        Done { warnings: Vec::new(), named: None, result: Err(e) }
    }
}

/// A statement's result as text.
pub(crate) enum Printed {
    /// A result, for `out`, opening with a blank line.
    Result(String),
    /// What `let`, `format` or `export` did, for `err`.
    Said(String),
}

/// Renders a statement's result into `buf` (kept for its memory), after a blank line.
pub(crate) fn rendered(
    result: Result<Output, Error>,
    stmt: &Statement,
    format: Format,
    width: Option<usize>,
    mut buf: String,
) -> Result<Printed, Error> {
    let output = result?;
    if let (Output::Message(m), Statement::Let { .. } | Statement::Format(_) | Statement::Export { .. }) =
        (&output, stmt)
    {
        return Ok(Printed::Said(m.text.clone()));
    }
    buf.clear();
    buf.push('\n');
    output::render_to(&mut buf, &output, format, width);
    Ok(Printed::Result(buf))
}

/// One run of a source's statements: where they come from, and how it went so far.
pub(crate) struct Run<'s> {
    pub src: &'s str,
    name: &'s str,
    keep_going: bool,
    outcome: Outcome,
    /// Indexed once, on the first error: a long file with many errors is read once, not once per error.
    lines: Option<Lines>,
}

/// Failing statements whose places a summary names.
pub const SUMMARY_PLACES: usize = 5;

/// A database and the state statements share (named sets, format).
pub struct Session<'a> {
    pub db: &'a Database,
    pub env: Env,
    /// Table width; `None` for no wrapping.
    pub width: Option<usize>,
    /// Read the terminal's width again before each statement (the shell, when
    /// no `--width` is given), so a resized window is used at once.
    pub follow_terminal: bool,
    /// Whether results go to a terminal: their control characters are then shown escaped.
    pub terminal: bool,
    /// Most errors printed in full; later failures are only counted.
    pub max_errors: Option<usize>,
    /// Every failure of the session so far.
    pub failures: Failures,
    /// Threads to evaluate a batch's statements on (batch mode); 1 evaluates each in turn.
    pub workers: usize,
    /// Whether something was printed, so the next output is set apart by a blank line.
    printed: bool,
    /// The text of the statement being printed; kept between statements so its memory is reused.
    buf: String,
}

/// How a run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Statements run, failed or not.
    pub statements: usize,
    /// Statements that failed.
    pub failed: usize,
    /// The exit code of the first failure.
    pub first_code: Option<u8>,
}

/// The failures of a whole session, across runs: how many, and where the first were.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Failures {
    pub statements: usize,
    pub failed: usize,
    pub first_code: Option<u8>,
    /// `FILE:LINE:COL` of the first [`SUMMARY_PLACES`] failing statements.
    pub places: Vec<String>,
    /// Errors counted but not printed (past `max_errors`).
    pub unprinted: usize,
    /// Files of statements that could not be read.
    pub unreadable: usize,
}

impl Failures {
    fn record(&mut self, code: u8, place: impl FnOnce() -> String) {
        self.failed += 1;
        self.first_code.get_or_insert(code);
        if self.places.len() < SUMMARY_PLACES {
            self.places.push(place());
        }
    }

    /// One line for the end of a run: how many statements failed and where the first were.
    pub fn summary(&self) -> Option<String> {
        if self.failed == 0 && self.unreadable == 0 {
            return None;
        }
        let mut line = format!("{} of {} statement(s) failed", self.failed, self.statements);
        if !self.places.is_empty() {
            line.push_str(&format!(": {}", self.places.join(", ")));
        }
        if self.failed > self.places.len() {
            line.push_str(&format!(" and {} more", self.failed - self.places.len()));
        }
        if self.unreadable > 0 {
            line.push_str(&format!("; {} file(s) could not be read", self.unreadable));
        }
        if self.unprinted > 0 {
            line.push_str(&format!(" ({} error(s) not shown, past --max-errors)", self.unprinted));
        }
        Some(diag::visible(&line).into_owned() + "\n")
    }
}

impl<'a> Session<'a> {
    pub fn new(db: &'a Database, env: Env, width: Option<usize>) -> Session<'a> {
        Session {
            db,
            env,
            width,
            follow_terminal: false,
            terminal: false,
            max_errors: None,
            failures: Failures::default(),
            workers: 1,
            printed: false,
            buf: String::new(),
        }
    }

    /// Runs every statement of `src` in order. Results go to `out`, errors
    /// (rendered against `name`, a file name or `query`) to `err`. Stops at the
    /// first failing statement unless `keep_going`. An error writing to `out`
    /// (a closed pipe) ends the run and is returned; the failures before it are
    /// in [`Session::failures`]. With [`Session::workers`] above 1, statements
    /// are evaluated ahead on other threads; what is printed is the same.
    pub fn run(
        &mut self,
        src: &str,
        name: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
        keep_going: bool,
    ) -> io::Result<Outcome> {
        self.pooled(|session, pool| session.run_in(pool, src, name, out, err, keep_going))
    }

    /// Calls `work` with a pool of [`Session::workers`] threads for its runs,
    /// or with none for one thread. The shell follows the terminal's width
    /// statement by statement, so it runs one at a time.
    pub fn pooled<R>(&mut self, work: impl FnOnce(&mut Session<'a>, Option<&mut Pool>) -> R) -> R {
        if self.workers > 1 && !self.follow_terminal {
            let (db, width, threads) = (self.db, self.width, self.workers);
            return workers::pool(db, width, threads, |pool| work(self, Some(pool)));
        }
        work(self, None)
    }

    /// [`Session::run`], with the threads of `pool` (a batch's, shared by its
    /// files) for a source of [`workers::FROM_STATEMENTS`] or more.
    pub fn run_in(
        &mut self,
        pool: Option<&mut Pool>,
        src: &str,
        name: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
        keep_going: bool,
    ) -> io::Result<Outcome> {
        let chunks = parse::split(src).0;
        let mut run = Run { src, name, keep_going, outcome: Outcome::default(), lines: None };
        if let Some(pool) = pool.filter(|_| chunks.len() >= workers::FROM_STATEMENTS) {
            workers::run(pool, self, &mut run, &chunks, out, err)?;
            return Ok(run.outcome);
        }
        for chunk in chunks {
            let done = match self.parse(src, chunk) {
                Ok(stmt) => self.evaluate(&stmt, src),
                Err(e) => Done::failed(e),
            };
            if !self.emit(&mut run, chunk, done, out, err)? {
                break;
            }
        }
        Ok(run.outcome)
    }

    /// The memory of the text last printed, for another statement's text.
    pub(crate) fn spare_buffer(&mut self) -> String {
        std::mem::take(&mut self.buf)
    }

    /// Parses one statement of `src`, with the help for a framework named in two words.
    pub(crate) fn parse(&self, src: &str, chunk: Chunk) -> Result<Spanned<Statement>, Error> {
        parse::parse_chunk(src, chunk).map_err(|d| Error::from(framework_hint(self.db, src, d)))
    }

    /// Evaluates one statement in the session and renders its result.
    pub(crate) fn evaluate(&mut self, stmt: &Spanned<Statement>, src: &str) -> Done {
        let result = eval::eval(self.db, &mut self.env, stmt, src);
        if self.follow_terminal {
            self.width = terminal_size::terminal_size().map(|(w, _)| w.0 as usize).or(self.width);
        }
        let warnings = std::mem::take(&mut *self.env.warnings.borrow_mut());
        let result = rendered(result, &stmt.node, self.env.format, self.width, self.spare_buffer());
        Done { warnings, named: None, result }
    }

    /// Prints a statement's warnings and result, or counts and reports its
    /// failure. `Ok(false)` when the run stops there. What `let`, `format` and
    /// `export` say of what they did goes to `err`, so that `-e 'let ...' -e
    /// 'gaps ...' > gaps.csv` writes a clean file.
    pub(crate) fn emit(
        &mut self,
        run: &mut Run,
        chunk: Chunk,
        done: Done,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<bool> {
        run.outcome.statements += 1;
        self.failures.statements += 1;
        for w in done.warnings {
            say(&format!("warning: {}", if self.terminal { diag::visible_lines(&w).into_owned() } else { w }), err)?;
        }
        let failure = match done.result {
            Ok(Printed::Said(text)) => {
                if let Some((name, set)) = done.named {
                    self.env.vars.insert(name, set);
                }
                say(&if self.terminal { diag::visible_lines(&text).into_owned() } else { text }, err)?;
                return Ok(true);
            }
            Ok(Printed::Result(text)) => {
                // The text opens with the blank line that sets it apart from the result before.
                self.print(&text[usize::from(!self.printed)..], out)?;
                self.buf = text;
                return Ok(true);
            }
            Err(e) => e,
        };
        let (src, name) = (run.src, run.name);
        let lines = run.lines.get_or_insert_with(|| Lines::new(src));
        run.outcome.failed += 1;
        run.outcome.first_code.get_or_insert(failure.exit_code());
        let place = || {
            let (line, col) = lines.line_col(src, chunk.start);
            format!("{name}:{line}:{col}")
        };
        self.failures.record(failure.exit_code(), place);
        self.report(&failure, name, src, lines, chunk.start, err)?;
        Ok(run.keep_going)
    }

    /// The `export` command: writes the result of `query`, one exportable
    /// statement, to `path`. The file is only ever the one given: the export is
    /// built from the parsed statement, so no text in the query can name another.
    pub fn export(
        &mut self,
        query: &str,
        path: &str,
        options: ExportOptions,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Outcome> {
        let name = "export";
        let mut outcome = Outcome { statements: 1, ..Outcome::default() };
        self.failures.statements += 1;
        // What was written is a message, not a result: it goes with the errors, so stdout holds results only.
        let _ = out;
        let written = self.export_statement(query, path, options).map(|text| say(&text, err));
        match written {
            Ok(printed) => printed?,
            Err(e) => {
                let lines = Lines::new(query);
                (outcome.failed, outcome.first_code) = (1, Some(e.exit_code()));
                self.failures.record(e.exit_code(), || format!("{name}:1:1"));
                self.report(&e, name, query, &lines, 0, err)?;
            }
        }
        Ok(outcome)
    }

    fn export_statement(&mut self, query: &str, path: &str, options: ExportOptions) -> Result<String, Error> {
        let chunks = parse::split(query).0;
        let Some(&chunk) = chunks.first() else {
            let d = Diagnostic::new("nothing to export", Span::new(0, query.len()));
            return Err(d.with_help("give a statement: crosswalk export 'crosswalk iso27001 -> soc2' -o x.csv").into());
        };
        if let Some(second) = chunks.get(1) {
            let d = Diagnostic::new("export takes one statement", Span::new(second.start, second.end));
            return Err(d
                .with_help("a file run with `crosswalk run` can `let` names, then `export ... to \"FILE\"`")
                .into());
        }
        let stmt = parse::parse_chunk(query, chunk).map_err(|d| framework_hint(self.db, query, d))?;
        if !exportable(&stmt.node) {
            let word = query[chunk.start..chunk.end].split_whitespace().next().unwrap_or_default();
            let at = Span::new(chunk.start, chunk.start + word.len());
            let d = if matches!(stmt.node, Statement::Export { .. }) {
                let msg = "the query is an export itself; give only the statement, the file comes from -o";
                Diagnostic::new(msg, at).with_help("crosswalk export 'crosswalk iso27001 -> soc2' -o x.csv")
            } else {
                let help = "export map, crosswalk, coverage, gaps, list, search, path or explain";
                Diagnostic::new(format!("`{word}` cannot be exported"), at).with_help(help)
            };
            return Err(d.into());
        }
        let output = eval::eval(self.db, &mut self.env, &stmt, query)?;
        let target = self.env.base_dir.join(path);
        let ExportOptions { matrix, bom, force } = options;
        let context = eval::export_context(self.db, &self.env, query[chunk.start..chunk.end].to_string());
        export::write_to(&output, self.db, &target, path, stmt.span, (matrix, bom, force), &context)
    }

    /// Writes a statement's text (with the blank line before it) at once, and flushes it, so
    /// that a program reading the output as it comes gets each result whole.
    fn print(&mut self, text: &str, out: &mut dyn Write) -> io::Result<()> {
        let text = if self.terminal { diag::visible_lines(text) } else { text.into() };
        out.write_all(text.as_bytes())?;
        out.flush()?;
        self.printed = true;
        Ok(())
    }

    /// Prints a statement's error, unless `max_errors` have been printed already.
    fn report(
        &mut self,
        e: &Error,
        name: &str,
        src: &str,
        lines: &Lines,
        start: usize,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        let printed = self.failures.failed - self.failures.unprinted - 1;
        if self.max_errors.is_some_and(|max| printed >= max) {
            self.failures.unprinted += 1;
            return Ok(());
        }
        let mut text = diag::render_at(e, name, src, lines);
        if !matches!(e, Error::Query(_)) {
            let (line, col) = lines.line_col(src, start);
            text.push_str(&format!("  --> in the statement at {}:{line}:{col}\n", diag::visible(name)));
        }
        err.write_all(text.as_bytes())?;
        err.flush()
    }
}

/// A framework written as people say it (`SOC 2`, `ISO 27001`, `"SOC 2"`) where a
/// statement stopped parsing: when the words, joined, name a framework of the
/// database, the help gives its key.
fn framework_hint(db: &Database, src: &str, d: Diagnostic) -> Diagnostic {
    let key_of = |words: &[&str]| {
        [words.concat(), words.join("-")].iter().find_map(|name| db.find_framework(name)).map(|f| &db.framework(f).key)
    };
    let (Some(before), Some(found)) = (src.get(..d.span.start), src.get(d.span.start..d.span.end)) else { return d };
    if found == "\"" {
        let quoted = src[d.span.end..].split('"').next().unwrap_or_default();
        let words: Vec<&str> = quoted.split_whitespace().collect();
        return match key_of(&words) {
            Some(key) => d.with_help(format!("a framework is named by its key or an alias, without quotes: `{key}`")),
            None => d,
        };
    }
    let name_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let trimmed = before.trim_end();
    let previous = &trimmed[trimmed.trim_end_matches(name_char).len()..];
    let spaced = trimmed.len() < before.len();
    if !spaced || previous.is_empty() || found.is_empty() || !found.chars().all(name_char) {
        return d;
    }
    match key_of(&[previous, found]) {
        Some(key) => d.with_help(format!(
            "a framework is named in one word, its key or an alias: `{previous} {found}` is `{key}`"
        )),
        None => d,
    }
}

/// Writes a message line (what a statement did, not a result) to `err`.
fn say(text: &str, err: &mut dyn Write) -> io::Result<()> {
    err.write_all(text.trim_end().as_bytes())?;
    err.write_all(b"\n")?;
    err.flush()
}

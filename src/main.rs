//! The `crosswalk` binary: parse the command line, load the database, hand over, map errors to exit codes.
#![forbid(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use crosswalk::cli::{Cli, Command, Common, SoaAction};
use crosswalk::db::load::MAX_FILE_BYTES;
use crosswalk::db::{self, DataSource, Database};
use crosswalk::diag::{self, exit, Error};
use crosswalk::output::Format;
use crosswalk::query::eval::Env;
use crosswalk::session::{ExportOptions, Session};
use crosswalk::workers::{self, STACK_BYTES};
use crosswalk::{batch, check, repl, soa};

/// The work runs on the main thread when the system lets its stack grow to
/// `STACK_BYTES` (Linux's default), and on a thread with that stack when a
/// lower `ulimit -s` would not: starting a thread costs a third of a
/// millisecond, a tenth of a one-shot query.
fn main() -> ExitCode {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Stack).current;
    if limit.is_none_or(|bytes| bytes >= STACK_BYTES as u64) {
        return work();
    }
    let worker = std::thread::Builder::new().name("crosswalk".into()).stack_size(STACK_BYTES).spawn(work);
    match worker {
        Ok(handle) => handle.join().unwrap_or(ExitCode::from(PANIC)),
        Err(_) => work(),
    }
}

/// The exit code of a panic (the Rust runtime's own); its message is already printed.
const PANIC: u8 = 101;

fn work() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Io(e)) => {
            let e = Error::io("writing the output", e);
            let _ = io::stderr().write_all(diag::render(&e, "", "").as_bytes());
            ExitCode::from(exit::IO)
        }
        Err(Failure::Error(e)) => {
            let _ = io::stderr().write_all(diag::render(&e, "", "").as_bytes());
            ExitCode::from(e.exit_code())
        }
    }
}

enum Failure {
    Io(io::Error),
    Error(Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Error(e)
    }
}

fn source(common: &Common) -> DataSource<'_> {
    match common.data.as_deref() {
        None => DataSource::Embedded,
        Some(path) if db::store::is_store(path) => DataSource::Store(path, None),
        Some(dir) => DataSource::Dir(dir),
    }
}

fn options(common: &Common) -> db::LoadOptions {
    db::LoadOptions { framework_map: common.framework_map.clone(), skip_unknown_ids: common.skip_unknown_ids }
}

fn load(cli: &Cli) -> Result<Database, Error> {
    let common = &cli.common;
    let needs;
    // A query that names its frameworks reads only theirs, from a store or the shipped database.
    let source = match source(common) {
        DataSource::Store(path, None) if common.add.is_empty() => {
            needs = statements(cli, MAX_FILE_BYTES).and_then(|texts| {
                let store = db::store::Store::open(path).ok()?;
                frameworks_needed(&texts, &|name| store.key(name).map(str::to_string))
            });
            DataSource::Store(path, needs.as_ref())
        }
        DataSource::Embedded if common.add.is_empty() => {
            needs = statements(cli, READ_AHEAD_BYTES)
                .and_then(|texts| frameworks_needed(&texts, &|name| db::load::embedded_key(name).map(str::to_string)));
            needs.as_ref().map_or(DataSource::Embedded, DataSource::EmbeddedPart)
        }
        other => other,
    };
    let db = db::load_using(source, &common.add, &options(common))?;
    say_notes(&db);
    Ok(db)
}

/// Statement files of the shipped database read ahead, to load only the
/// frameworks they name, when they are this small at most: reading the whole
/// database costs about what parsing a hundred statements again does.
const READ_AHEAD_BYTES: u64 = 4096;

/// What the load did that a user should know of, and what looks like a mistake: on stderr, so results stay clean.
fn say_notes(db: &Database) {
    let mut err = io::stderr();
    for note in &db.notes {
        let _ = writeln!(err, "note: {}", diag::visible(note));
    }
    for warning in &db.warnings {
        let _ = writeln!(err, "warning: {}", diag::visible(warning));
    }
}

/// The statements of `-e`, `run FILE ...` (regular files of `limit` bytes in
/// all at most: a pipe read here would be empty when the run reads it) or
/// `export`; `None` for the shell and standard input.
fn statements(cli: &Cli, limit: u64) -> Option<Vec<String>> {
    if !cli.execute.is_empty() {
        return Some(cli.execute.clone());
    }
    match &cli.command {
        Some(Command::Run { files, .. }) => {
            let mut total = 0;
            for f in files {
                let meta = std::fs::metadata(f).ok().filter(|m| m.is_file() && f != "-")?;
                total += meta.len();
            }
            if total > limit {
                return None;
            }
            files.iter().map(std::fs::read_to_string).collect::<Result<_, _>>().ok()
        }
        Some(Command::Export { query, .. }) => Some(vec![query.clone()]),
        _ => None,
    }
}

/// The frameworks `texts` name (as `key` resolves names), so that a load reads
/// only theirs; `None` for the whole database (a statement that looks at every framework).
fn frameworks_needed(
    texts: &[String],
    key: &dyn Fn(&str) -> Option<String>,
) -> Option<std::collections::BTreeSet<String>> {
    let srcs: Vec<&str> = texts.iter().map(String::as_str).collect();
    crosswalk::query::needs::frameworks(&srcs, key)
}

fn session<'a>(db: &'a Database, common: &Common) -> Session<'a> {
    let terminal = io::stdout().is_terminal();
    let width =
        common.width.or_else(|| terminal.then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize)).flatten());
    let format = common.format.unwrap_or_default();
    let mut session = Session::new(db, Env { format, ..Env::default() }, width);
    session.terminal = terminal;
    session
}

fn run(cli: Cli) -> Result<u8, Failure> {
    if let Some(code) = refuse_format(&cli) {
        return Ok(code);
    }
    if let Some(result) = without_database(&cli) {
        return quiet_when_piped(result, exit::OK);
    }
    let db = load(&cli)?;
    let mut session = session(&db, &cli.common);
    let result = dispatch(&cli, &db, &mut session);
    let code = session.failures.first_code.unwrap_or(exit::OK);
    drop(session);
    // The process ends next, and the system takes its memory back at once:
    // freeing a large database row by row first would only take time.
    std::mem::forget(db);
    quiet_when_piped(result, code)
}

/// Output piped into `head` and closed early: quiet, and `code` (a success
/// unless a statement failed before).
fn quiet_when_piped(result: Result<u8, Failure>, code: u8) -> Result<u8, Failure> {
    match result {
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        other => other,
    }
}

/// The commands that need no database: `check` loads its own, to report every error.
fn without_database(cli: &Cli) -> Option<Result<u8, Failure>> {
    let mut out = io::stdout().lock();
    Some(match &cli.command {
        Some(Command::Check { json, stats, files }) => {
            let json = *json || cli.common.format == Some(Format::Json);
            if files.is_empty() {
                check(&cli.common, json, *stats, &mut out)
            } else {
                check_files(&cli.common, files, json, &mut out)
            }
        }
        Some(Command::Completions { shell }) => {
            // Generated into memory: the generator panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "crosswalk", &mut script);
            out.write_all(&script).map(|()| exit::OK).map_err(Failure::Io)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command()).render(&mut out).map(|()| exit::OK).map_err(Failure::Io)
        }
        Some(Command::Build { dir, output }) => build(dir, output),
        _ => return None,
    })
}

fn dispatch(cli: &Cli, db: &Database, session: &mut Session) -> Result<u8, Failure> {
    let (mut out, mut err) = (io::stdout().lock(), io::stderr());
    if !cli.execute.is_empty() {
        let mut code = exit::OK;
        for query in &cli.execute {
            let outcome = session.run(query, "query", &mut out, &mut err, false)?;
            if let Some(c) = outcome.first_code {
                code = c;
                break;
            }
        }
        return Ok(code);
    }
    match &cli.command {
        Some(Command::Run { files, keep_going, max_errors, jobs }) => {
            session.max_errors = *max_errors;
            session.workers = jobs.map_or_else(workers::available, usize::from);
            Ok(batch::run(session, files, *keep_going, &mut out, &mut err)?)
        }
        Some(Command::Export { query, output, matrix, bom, force }) => {
            let options = ExportOptions { matrix: *matrix, bom: *bom, force: *force };
            let outcome = session.export(query, output, options, &mut out, &mut err)?;
            Ok(outcome.first_code.unwrap_or(exit::OK))
        }
        Some(Command::Soa { action: SoaAction::Template }) => {
            out.write_all(soa::template(db)?.as_bytes())?;
            Ok(exit::OK)
        }
        Some(Command::Repl) => {
            drop(out);
            follow_terminal(session, cli);
            repl::run(session)?;
            Ok(exit::OK)
        }
        Some(Command::Check { .. } | Command::Completions { .. } | Command::Man | Command::Build { .. }) => {
            unreachable!("handled before the database is loaded")
        }
        None if io::stdin().is_terminal() => {
            drop(out);
            follow_terminal(session, cli);
            repl::run(session)?;
            Ok(exit::OK)
        }
        None => {
            session.workers = workers::available();
            Ok(batch::run(session, &["-".to_string()], false, &mut out, &mut err)?)
        }
    }
}

/// In the shell, on a terminal and with no `--width`, each result takes the
/// terminal's width as it is then, so a resized window is used at once.
/// Batch mode reads the width once: a file of statements asks no question
/// of the terminal per statement.
fn follow_terminal(session: &mut Session, cli: &Cli) {
    session.follow_terminal = session.terminal && cli.common.width.is_none();
}

/// `-f` where a command cannot honour it is an error of the command line, not ignored.
fn refuse_format(cli: &Cli) -> Option<u8> {
    let format = cli.common.format?;
    let why = match (&cli.command, format) {
        (Some(Command::Export { .. }), _) if cli.execute.is_empty() => {
            "export takes its format from the file name's extension (.csv, .xlsx, .json, .md, .html, .oscal.json); drop -f"
        }
        (Some(Command::Check { .. }), Format::Csv | Format::Markdown) => "check prints text, or JSON with -f json",
        (Some(Command::Soa { .. }), f) if f != Format::Csv => "soa template prints CSV, for a spreadsheet; drop -f",
        (Some(Command::Completions { .. } | Command::Man), _) => "completions and man print scripts; drop -f",
        (Some(Command::Build { .. }), _) => "build writes a store, not a result; drop -f",
        _ => return None,
    };
    let _ = writeln!(io::stderr(), "error: {why}");
    Some(exit::USAGE)
}

/// `check FILE...`: each mapping file read against the database; errors on stderr, the report on stdout.
fn check_files(common: &Common, files: &[std::path::PathBuf], json: bool, out: &mut dyn Write) -> Result<u8, Failure> {
    let mut failed = false;
    let mut reports = Vec::new();
    for file in files {
        let report = check::file(source(common), &common.add, &options(common), file)?;
        for e in &report.errors {
            writeln!(io::stderr(), "{}", diag::visible(&e.to_string()))?;
        }
        failed |= !report.errors.is_empty();
        reports.push(report);
    }
    if json {
        let text = serde_json::to_string_pretty(&reports).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    } else {
        for r in &reports {
            let text = check::render_file(r);
            let text = if io::stdout().is_terminal() { diag::visible_lines(&text) } else { text.into() };
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(if failed { exit::DATA } else { exit::OK })
}

/// `crosswalk build DIR -o FILE`: compiles a folder that validates into a store.
fn build(dir: &std::path::Path, output: &std::path::Path) -> Result<u8, Failure> {
    match db::store::build(dir, output) {
        Ok((files, bytes)) => {
            let shown = diag::visible(&output.display().to_string()).into_owned();
            writeln!(io::stderr(), "wrote {shown}: {files} files, {:.1} MiB", bytes as f64 / (1 << 20) as f64)?;
            Ok(exit::OK)
        }
        Err(Error::Data(errors)) => {
            let mut err = io::stderr();
            for e in &errors {
                writeln!(err, "{}", diag::visible(&e.to_string()))?;
            }
            writeln!(err, "error: {} has {} error(s); the store is not written", dir.display(), errors.len())?;
            Ok(exit::DATA)
        }
        Err(e) => Err(Failure::Error(e)),
    }
}

fn check(common: &Common, json: bool, stats: bool, out: &mut dyn Write) -> Result<u8, Failure> {
    let (db, errors) = db::load_with_errors_using(source(common), &common.add, &options(common))?;
    say_notes(&db);
    let mut err = io::stderr();
    for e in &errors {
        writeln!(err, "{}", diag::visible(&e.to_string()))?;
    }
    let failed = !errors.is_empty();
    let report = check::report(&db, errors);
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    } else {
        let text = check::render_text(&report, stats);
        let text = if io::stdout().is_terminal() { diag::visible_lines(&text) } else { text.into() };
        out.write_all(text.as_bytes())?;
    }
    Ok(if failed { exit::DATA } else { exit::OK })
}

/// mimalloc: a statement builds and drops thousands of small strings and
/// vectors, and this allocator does that about a third faster than the
/// system's (a batch of 10,000 statements: 2.2 s with glibc's, 1.6 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

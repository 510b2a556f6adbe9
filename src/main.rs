//! The `crosswalk` binary: parse the command line, load the database, hand over, map errors to exit codes.
#![forbid(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use crosswalk::cli::{Cli, Command, Common, SoaAction};
use crosswalk::db::{self, DataSource, Database};
use crosswalk::diag::{self, exit, Error};
use crosswalk::query::eval::Env;
use crosswalk::session::Session;
use crosswalk::{batch, check, repl, soa};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // Output piped into `head` and closed early: a quiet success.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Err(Failure::Io(e)) => {
            let _ = writeln!(io::stderr(), "error: {e}");
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
    common.data.as_deref().map_or(DataSource::Embedded, DataSource::Dir)
}

fn load(common: &Common) -> Result<Database, Error> {
    db::load_layers(source(common), &common.add)
}

fn session<'a>(db: &'a Database, common: &Common) -> Session<'a> {
    let width = common.width.or_else(|| {
        io::stdout().is_terminal().then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize)).flatten()
    });
    Session::new(db, Env { format: common.format, ..Env::default() }, width)
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let (mut out, mut err) = (io::stdout().lock(), io::stderr());
    if let Some(Command::Check { json, stats }) = cli.command {
        return check(&cli.common, json, stats, &mut out);
    }
    let db = load(&cli.common)?;
    let mut session = session(&db, &cli.common);
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
    match cli.command {
        Some(Command::Run { files, keep_going }) => {
            Ok(batch::run(&mut session, &files, keep_going, &mut out, &mut err)?)
        }
        Some(Command::Export { query, output, matrix, bom }) => {
            let quoted = output.replace('\\', "\\\\").replace('"', "\\\"");
            let options = format!("{}{}", if matrix { " matrix" } else { "" }, if bom { " bom" } else { "" });
            let statement = format!("export {} to \"{quoted}\"{options}", query.trim());
            let outcome = session.run(&statement, "export", &mut out, &mut err, false)?;
            Ok(outcome.first_code.unwrap_or(exit::OK))
        }
        Some(Command::Soa { action: SoaAction::Template }) => {
            out.write_all(soa::template(&db)?.as_bytes())?;
            Ok(exit::OK)
        }
        Some(Command::Repl) => {
            drop(out);
            repl::run(&mut session)?;
            Ok(exit::OK)
        }
        Some(Command::Check { .. }) => unreachable!("handled above"),
        None if io::stdin().is_terminal() => {
            drop(out);
            repl::run(&mut session)?;
            Ok(exit::OK)
        }
        None => Ok(batch::run(&mut session, &["-".to_string()], false, &mut out, &mut err)?),
    }
}

fn check(common: &Common, json: bool, stats: bool, out: &mut dyn Write) -> Result<u8, Failure> {
    let (db, errors) = db::load_layers_with_errors(source(common), &common.add)?;
    let mut err = io::stderr();
    for e in &errors {
        writeln!(err, "{e}")?;
    }
    let failed = !errors.is_empty();
    let report = check::report(&db, errors);
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(check::render_text(&report, stats).as_bytes())?;
    }
    Ok(if failed { exit::DATA } else { exit::OK })
}

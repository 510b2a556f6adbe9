//! Running source text through the pipeline: the one path the REPL, batch mode, one-shot queries and exports share.

use std::io::{self, Write};

use crate::db::Database;
use crate::diag::{self, Error};
use crate::output;
use crate::query::eval::{self, Env};
use crate::query::parse;

/// A database and the state statements share (named sets, format).
pub struct Session<'a> {
    pub db: &'a Database,
    pub env: Env,
    /// Table width; `None` for no wrapping.
    pub width: Option<usize>,
    /// Whether something was printed, so the next output is set apart by a blank line.
    printed: bool,
}

/// How a run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Statements that failed.
    pub failed: usize,
    /// The exit code of the first failure.
    pub first_code: Option<u8>,
}

impl<'a> Session<'a> {
    pub fn new(db: &'a Database, env: Env, width: Option<usize>) -> Session<'a> {
        Session { db, env, width, printed: false }
    }

    /// Runs every statement of `src` in order. Results go to `out`, errors
    /// (rendered against `name`, a file name or `query`) to `err`. Stops at the
    /// first failing statement unless `keep_going`. An error writing to `out`
    /// (a closed pipe) ends the run and is returned.
    pub fn run(
        &mut self,
        src: &str,
        name: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
        keep_going: bool,
    ) -> io::Result<Outcome> {
        let mut outcome = Outcome::default();
        for chunk in parse::split(src).0 {
            let result = parse::parse_chunk(src, chunk)
                .map_err(Error::from)
                .and_then(|stmt| eval::eval(self.db, &mut self.env, &stmt, src));
            match result {
                Ok(output) => {
                    let text = output::render(&output, self.env.format, self.width);
                    if self.printed {
                        out.write_all(b"\n")?;
                    }
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                    self.printed = true;
                }
                Err(e) => {
                    let mut text = diag::render(&e, name, src);
                    if !matches!(e, Error::Query(_)) {
                        let (line, col) = diag::line_col(src, chunk.start);
                        text.push_str(&format!("  --> in the statement at {name}:{line}:{col}\n"));
                    }
                    err.write_all(text.as_bytes())?;
                    err.flush()?;
                    outcome.failed += 1;
                    outcome.first_code.get_or_insert(e.exit_code());
                    if !keep_going {
                        break;
                    }
                }
            }
        }
        Ok(outcome)
    }
}

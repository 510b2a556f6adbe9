//! Batch mode: statements from files or standard input, run through the shared session path.

use std::io::{self, Read, Write};
use std::path::Path;

use crate::db::load;
use crate::diag::{self, exit, Error};
use crate::session::Session;
use crate::workers::Pool;

/// Runs each file (`-` for standard input) in order, sharing named sets
/// between them. With `keep_going`, every statement runs and the run ends
/// with a summary of the failures on `err`. Returns the exit code: that of
/// the first failure, or 0. Statements are evaluated on [`Session::workers`]
/// threads; what is printed is the same as one at a time.
pub fn run(
    session: &mut Session,
    files: &[String],
    keep_going: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    // One pool for every file: its threads start once, for the first file long enough.
    session.pooled(|session, pool| run_files(pool, session, files, keep_going, out, err))
}

fn run_files(
    mut pool: Option<&mut Pool>,
    session: &mut Session,
    files: &[String],
    keep_going: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    for file in files {
        let (name, text) = match read(file) {
            Ok(read) => read,
            Err(e) => {
                err.write_all(diag::render(&e, file, "").as_bytes())?;
                session.failures.unreadable += 1;
                session.failures.first_code.get_or_insert(exit::IO);
                if keep_going {
                    continue;
                }
                break;
            }
        };
        let outcome = session.run_in(pool.as_deref_mut(), &text, &name, out, err, keep_going)?;
        if outcome.failed > 0 && !keep_going {
            break;
        }
    }
    if keep_going {
        if let Some(summary) = session.failures.summary() {
            err.write_all(summary.as_bytes())?;
        }
    }
    Ok(session.failures.first_code.unwrap_or(exit::OK))
}

/// A query file's name for messages and its text.
fn read(file: &str) -> Result<(String, String), Error> {
    let (name, bytes) = if file == "-" {
        let mut bytes = Vec::new();
        let limit = load::MAX_FILE_BYTES + 1;
        io::stdin().take(limit).read_to_end(&mut bytes).map_err(|e| Error::io("<stdin>", e))?;
        ("<stdin>".to_string(), bytes)
    } else {
        // A pipe is a fine source of statements (`crosswalk run <(make-queries)`), so any readable file is read.
        (file.to_string(), load::read_capped(Path::new(file)).map_err(|e| Error::io(file, e))?)
    };
    if bytes.len() as u64 > load::MAX_FILE_BYTES {
        let msg = format!("longer than {} MiB; split the statements into several files", load::MAX_FILE_BYTES >> 20);
        return Err(Error::io(&name, io::Error::new(io::ErrorKind::InvalidData, msg)));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => {
            let d = load::not_utf8(&name, e.as_bytes(), e.utf8_error());
            Err(Error::io(&name, io::Error::new(io::ErrorKind::InvalidData, d.message)))
        }
    }
}

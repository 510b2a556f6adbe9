//! Batch mode: statements from files or standard input, run through the shared session path.

use std::io::{self, Read, Write};

use crate::diag::{self, exit, Error};
use crate::session::{Outcome, Session};

/// Runs each file (`-` for standard input) in order, sharing named sets
/// between them. Returns the exit code: that of the first failure, or 0.
pub fn run(
    session: &mut Session,
    files: &[String],
    keep_going: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let mut total = Outcome::default();
    for file in files {
        let (name, text) = match read(file) {
            Ok(read) => read,
            Err(e) => {
                err.write_all(diag::render(&e, file, "").as_bytes())?;
                total.failed += 1;
                total.first_code.get_or_insert(exit::IO);
                if keep_going {
                    continue;
                }
                break;
            }
        };
        let outcome = session.run(&text, &name, out, err, keep_going)?;
        total.failed += outcome.failed;
        if total.first_code.is_none() {
            total.first_code = outcome.first_code;
        }
        if outcome.failed > 0 && !keep_going {
            break;
        }
    }
    Ok(total.first_code.unwrap_or(exit::OK))
}

/// A query file's name for messages and its text.
fn read(file: &str) -> Result<(String, String), Error> {
    if file == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).map_err(|e| Error::io("<stdin>", e))?;
        return Ok(("<stdin>".to_string(), text));
    }
    let text = crate::db::load::read_text(std::path::Path::new(file), file).map_err(|e| match e {
        Error::Data(errs) => Error::io(file, io::Error::new(io::ErrorKind::InvalidData, errs[0].message.clone())),
        other => other,
    })?;
    Ok((file.to_string(), text))
}

//! The command line: the clap definition only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

const ABOUT: &str = "Map security and privacy controls between frameworks, and ask what a set of controls covers.";

const AFTER_HELP: &str = "\
Examples:
  crosswalk -e 'gaps iso27001 -> soc2'
  crosswalk -e 'show iso27001:8.24'
  crosswalk -f csv -e 'crosswalk iso27001 -> soc2' > iso-soc2.csv
  crosswalk soa template > soa.csv      (fill it in, then:)
  crosswalk -e 'coverage soa(\"soa.csv\") -> hipaa'
  crosswalk run queries.cwq             (a file of statements)
  crosswalk                             (the interactive shell; `help` inside)

Exit codes: 0 success, 1 query error, 2 bad command line, 3 data error
(the database or an input file), 4 file not readable or writable.";

const RUN_HELP: &str = "\
Examples:
  crosswalk run audit.cwq                 statements, one per line; # comments
  crosswalk run -f csv audit.cwq > out.csv
  printf 'gaps iso27001 -> soc2\\n' | crosswalk run -
  crosswalk run --keep-going a.cwq b.cwq  report every failing statement
  crosswalk run --keep-going --max-errors 10 big.cwq

A failing statement is reported with its file and line; the run stops there
unless --keep-going, which ends with a count of the failures and where the
first were. In a file of 8 statements or more, they are evaluated on several
threads (--jobs) and printed in order, as one at a time would print them; an
export or a soa(...) file is touched in its turn, and none after the failure
that stops a run.
Exit codes: 0 success, 1 query error, 3 data error, 4 I/O.";

const EXPORT_HELP: &str = "\
Examples:
  crosswalk export 'crosswalk iso27001 -> soc2' -o iso-soc2.xlsx
  crosswalk export 'gaps soa(\"soa.csv\") -> hipaa' -o gaps.csv --bom
  crosswalk export 'crosswalk iso27001 -> csf' -o matrix.csv --matrix
  crosswalk export 'coverage soa(\"soa.csv\") -> soc2' -o report.html
  crosswalk export 'crosswalk iso27001 -> soc2' -o iso-soc2.oscal.json

XLSX: one sheet per view (long rows; a matrix for crosswalks and coverage; a
summary for coverage, and an About sheet that cites the query, the database
and the SoA's SHA-256), frozen header, autofilter. HTML: a report for coverage
and gaps, one self-contained page to print or send. A name ending .oscal.json:
an OSCAL 1.2.2 mapping collection of a map or crosswalk, which --add reads
back. CSV cells that a spreadsheet would run as a formula are written inert. The file is written whole or not at
all: an existing file is left as it was when the export fails. A symbolic
link, a special file or a read-only file at FILE is not replaced unless --force;
a replaced file keeps its permissions.";

const CHECK_HELP: &str = "\
Examples:
  crosswalk check                         validate the shipped database
  crosswalk check --stats                 rows by relationship and provenance, unmapped controls
  crosswalk --data ./mydb check --json    validate a database folder, as JSON

  crosswalk check iso-soc2.oscal.json      lint a mapping file without loading it into a session

Every problem is reported as FILE:LINE: MESSAGE (or FILE: JSON-PATH: MESSAGE)
on stderr; the exit code is 3 when the data has errors. mappings/README.md
describes the files.";

/// The version, with the shipped database's: a deliverable cites both.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    ", database ",
    env!("CROSSWALK_DATABASE_VERSION"),
    " (sha256 ",
    env!("CROSSWALK_DATABASE_SHA256"),
    ")"
);

#[derive(Debug, Parser)]
#[command(name = "crosswalk", version = VERSION, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Run a query (one or more statements) and exit; may be given several times.
    #[arg(short = 'e', long = "execute", value_name = "QUERY", global = false)]
    pub execute: Vec<String>,

    #[command(flatten)]
    pub common: Common,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Output format [default: table]. `check` takes json; `export` takes the format from the file name.
    #[arg(short = 'f', long, value_enum, global = true)]
    pub format: Option<Format>,

    /// Load the database from DIR instead of the shipped one (see mappings/README.md).
    #[arg(long, value_name = "DIR", global = true)]
    pub data: Option<PathBuf>,

    /// Add the frameworks and mapping sets of DIR, or a file in another format (an OSCAL catalog or mapping
    /// collection or a CPRT export, .json; an OLIR template, .xlsx, or saved as .csv or .tsv; a CISO Assistant
    /// library, .yaml), on top of the database; may be given several times.
    #[arg(long, value_name = "DIR|FILE", global = true)]
    pub add: Vec<PathBuf>,

    /// The catalog an imported mapping file names NAME (its href or title) is the framework KEY; a KEY that is not
    /// loaded names the id-only framework its ids load as. An imported catalog file named NAME (its file name or
    /// title) loads as KEY. May be given several times.
    #[arg(long, value_name = "NAME=KEY", global = true, value_parser = framework_map)]
    pub framework_map: Vec<(String, String)>,

    /// In an imported mapping file, leave out each map that names an id its catalog does not have (a file
    /// written against another edition of a catalog, say) or a node no mapping may link (a CSF category), with
    /// a warning for each, instead of refusing the file. A map is left out whole: dropping one of its members
    /// would claim more than the file says.
    #[arg(long, global = true)]
    pub skip_unknown_ids: bool,

    /// Width of table output [default: the terminal's; no wrapping when not a terminal].
    #[arg(long, value_name = "COLUMNS", global = true)]
    pub width: Option<usize>,
}

/// Reads `NAME=KEY`; NAME may hold `=` itself (a URL's query), so the last `=` splits.
fn framework_map(s: &str) -> Result<(String, String), String> {
    match s.rsplit_once('=') {
        Some((name, key)) if !name.trim().is_empty() && !key.trim().is_empty() => {
            Ok((name.trim().to_string(), key.trim().to_string()))
        }
        _ => Err("expected NAME=KEY: a catalog's href or title, `=`, and a framework key".to_string()),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Interactive shell with history and completion (the default on a terminal).
    Repl,
    /// Run files of statements; `-` reads standard input.
    #[command(after_help = RUN_HELP)]
    Run {
        /// Files of statements (`.cwq`); `-` for standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Go on after a failing statement (the exit code still reports the first failure); a
        /// summary of the failures ends the run.
        #[arg(long)]
        keep_going: bool,
        /// Print at most N errors in full; later failures are only counted in the summary.
        #[arg(long, value_name = "N")]
        max_errors: Option<usize>,
        /// Evaluate statements on N threads, 1 to 64 [default: one per core, at most 8]; the
        /// output is the same for any N.
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: Option<u16>,
    },
    /// Validate the database and summarise it.
    #[command(after_help = CHECK_HELP)]
    Check {
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Per mapping set: rows by relationship and provenance, and which controls are unmapped.
        #[arg(long)]
        stats: bool,
        /// Mapping files to check instead (OSCAL, CPRT, OLIR, CISO Assistant), each read against the database.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Export a result to a file (.csv, .xlsx, .json, .md, .html, .oscal.json).
    #[command(after_help = EXPORT_HELP)]
    Export {
        /// The statement to export: crosswalk, map, coverage, gaps, list, search, path or explain.
        query: String,
        /// The file to write; its extension picks the format.
        #[arg(short, long, value_name = "FILE")]
        output: String,
        /// Sources as rows, targets as columns (CSV; XLSX always has a matrix sheet).
        #[arg(long)]
        matrix: bool,
        /// Start a CSV with a UTF-8 byte-order mark, for Excel.
        #[arg(long)]
        bom: bool,
        /// Replace FILE even when it is a symbolic link, a special file or read-only.
        #[arg(long)]
        force: bool,
    },
    /// Compile a database folder into one file that queries read without parsing it (`--data FILE`).
    #[command(after_help = BUILD_HELP)]
    Build {
        /// The database folder; it must validate without an error.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The store to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Statements of Applicability.
    Soa {
        #[command(subcommand)]
        action: SoaAction,
    },
    /// Print a completion script for a shell: `crosswalk completions bash > /etc/bash_completion.d/crosswalk`.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (troff): `crosswalk man > crosswalk.1; man ./crosswalk.1`.
    Man,
}

const BUILD_HELP: &str = "\
Examples:
  crosswalk build ./mydb -o mydb.cws
  crosswalk --data mydb.cws -e 'coverage fw00 -> fw01'

A query given with -e, `run FILE` or `export` reads from the store only the
catalogs of the frameworks it names and the mapping sets between them; the
shell, standard input, and statements that look at every framework (frameworks,
search, show, path and explain through any framework, soa()) read it whole.
The answer is the folder's, byte for byte. A store whose folder has changed
since the build, or that is damaged or of another format, is refused (exit 3):
build it again.";

const COMPLETIONS_HELP: &str = "\
Examples:
  crosswalk completions bash > ~/.local/share/bash-completion/completions/crosswalk
  crosswalk completions zsh > \"${fpath[1]}/_crosswalk\"
  crosswalk completions fish > ~/.config/fish/completions/crosswalk.fish
  crosswalk completions powershell >> $PROFILE";

#[derive(Debug, Subcommand)]
pub enum SoaAction {
    /// Print a blank Statement of Applicability (CSV) for the 93 Annex A controls.
    Template,
}

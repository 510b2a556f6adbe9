//! crosswalk: a control-mapping engine for information-security compliance.
//!
//! ```text
//! mappings/ (catalogs + mapping sets, text files)
//!    -> db::load            load, validate, index        -> Database
//!    -> query::parse        text -> statements (AST)     -> Spanned<Statement>
//!    -> query::eval         statement + db -> result     -> report::Output
//!    -> output::render      result -> table | csv | json | markdown
//!       output::export      result -> .csv | .xlsx | .json | .md file
//! ```
//!
//! The REPL, batch mode, one-shot queries and exports all go through
//! [`session::Session::run`], which runs a source text through that pipeline.
//! Batch mode evaluates statements ahead on several threads ([`workers`]) and
//! prints them, in order, through the same session.
#![forbid(unsafe_code)]

pub mod batch;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod db;
pub mod diag;
pub mod help;
pub mod interchange;
pub mod model;
pub mod output;
pub mod query;
pub mod repl;
pub mod report;
pub mod session;
pub mod soa;
pub mod suggest;
pub mod text;
pub mod workers;

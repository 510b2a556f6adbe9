//! The query language: parse text into statements, evaluate them against a database.

pub mod ast;
pub mod eval;
pub mod filter;
pub mod needs;
pub mod parse;
pub mod search;
pub mod sets;
pub mod split;

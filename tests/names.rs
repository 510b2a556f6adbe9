//! Every framework key and control id a database may define can be named in a query: the loader's
//! rules and the grammar agree.

use crosswalk::db::catalog::{is_id, is_name};
use crosswalk::query::parse;
use proptest::prelude::*;

fn sexp(src: &str) -> Result<String, String> {
    match parse::parse(src).remove(0) {
        Ok(s) => Ok(s.node.to_string()),
        Err(d) => Err(d.message),
    }
}

fn nameable(key: &str, id: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(sexp(&format!("list {key}")), Ok(format!("(list {key})")));
    prop_assert_eq!(sexp(&format!("show {key}:{id}")), Ok(format!("(show {key}:{id})")));
    prop_assert_eq!(sexp(&format!("list {key}{{{id}}}")), Ok(format!("(list ({key} {id}))")));
    prop_assert_eq!(sexp(&format!("map {key}:{id} -> {key}")), Ok(format!("(map {key}:{id} -> {key})")));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, max_global_rejects: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn accepted_keys_and_ids_parse_as_themselves(
        key in "[a-z][a-z0-9-]{0,10}",
        id in "[A-Za-z0-9][A-Za-z0-9._-]{0,6}(\\([A-Za-z0-9._-]{1,4}\\)[A-Za-z0-9._-]{0,2}){0,3}",
    ) {
        prop_assume!(is_name(&key) && is_id(&id));
        nameable(&key, &id)?;
    }
}

#[test]
fn keys_the_grammar_cannot_read_are_refused() {
    for key in ["a--b", "a-", "-a", "A", "1a", "a_b", "a.b", ""] {
        assert!(!is_name(key), "{key}");
    }
    for id in ["a()", "a((b))", "(a)", "a..b", "a->b", "a(b", "a)b(", "", "a b", "a:b", "a*"] {
        assert!(!is_id(id), "{id}");
    }
    for (key, id) in [("iso27001-isms", "6.1.2"), ("hipaa", "164.312(a)(2)(iv)"), ("csf", "PR.AA-05")] {
        assert!(is_name(key) && is_id(id), "{key}:{id}");
        nameable(key, id).unwrap();
    }
}

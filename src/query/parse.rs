//! Text to statements: split a source into statements, parse each with the pest grammar, build the AST.

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::split::{check_size, unclosed};
pub use super::split::{split, Chunk};
use crate::diag::{Diagnostic, Span};
use crate::suggest;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/query.pest"]
struct QueryParser;

/// The statement keywords, for suggestions and completion.
pub const STATEMENT_KEYWORDS: [&str; 15] = [
    "frameworks",
    "show",
    "list",
    "search",
    "map",
    "crosswalk",
    "coverage",
    "gaps",
    "plan",
    "path",
    "explain",
    "let",
    "export",
    "format",
    "help",
];

/// The keywords inside statements, for completion.
pub const CLAUSE_KEYWORDS: [&str; 19] = [
    "in",
    "to",
    "where",
    "and",
    "or",
    "not",
    "via",
    "direct",
    "union",
    "intersect",
    "except",
    "soa",
    "matrix",
    "with",
    "parts",
    "n/a",
    "scope",
    "without",
    "marginal",
];

/// Parses every statement of a source; each result stands alone, so one bad
/// statement does not hide the others.
pub fn parse(src: &str) -> Vec<Result<Spanned<Statement>, Diagnostic>> {
    split(src).0.into_iter().map(|c| parse_chunk(src, c)).collect()
}

/// Parses one statement of `src`; spans are offsets into `src`.
pub fn parse_chunk(src: &str, chunk: Chunk) -> Result<Spanned<Statement>, Diagnostic> {
    let text = &src[chunk.start..chunk.end];
    check_size(text).map_err(|d| d.shift(chunk.start))?;
    let mut pairs =
        QueryParser::parse(Rule::statement_input, text).map_err(|e| syntax_error(text, e).shift(chunk.start))?;
    check_operators(&pairs).map_err(|d| d.shift(chunk.start))?;
    let input = pairs.next().expect("statement_input matched");
    let stmt = input.into_inner().next().expect("a statement inside statement_input");
    let mut built = statement(stmt)?;
    built.shift_spans(chunk.start);
    Ok(built)
}

/// Most operators (`|`, `&`, `-`, `and`, `or`, ...) one statement may chain.
pub const MAX_OPERATORS: usize = 128;

/// Refuses a statement that chains more operators than [`MAX_OPERATORS`]: each
/// is a level of the tree that evaluation walks recursively. The tokens are
/// counted in the grammar's flat list, so only real operators count.
fn check_operators(pairs: &pest::iterators::Pairs<Rule>) -> Result<(), Diagnostic> {
    let operators = pairs.clone().flatten().filter(|p| {
        matches!(p.as_rule(), Rule::op_union | Rule::op_except | Rule::op_inter | Rule::kw_and | Rule::kw_or)
    });
    match operators.enumerate().nth(MAX_OPERATORS) {
        None => Ok(()),
        Some((_, op)) => {
            let msg = format!("the statement chains more than {MAX_OPERATORS} operators");
            let help = "build the set in steps with `let`, or list the ids in one `KEY{...}`";
            Err(Diagnostic::new(msg, span_of(&op)).with_help(help))
        }
    }
}

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn name(pair: Pair<Rule>) -> Name {
    Spanned::new(pair.as_str().to_string(), span_of(&pair))
}

/// The text of a `string` pair with its escapes resolved.
fn string(pair: Pair<Rule>) -> Name {
    let span = span_of(&pair);
    let body = pair.into_inner().next().map_or("", |p| p.as_str());
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    Spanned::new(out, span)
}

fn statement(pair: Pair<Rule>) -> Result<Spanned<Statement>, Diagnostic> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    let mut next = || inner.next().expect("grammar guarantees this part");
    let node = match rule {
        Rule::let_stmt => Statement::Let { name: name(next()), set: set_expr(next()) },
        Rule::frameworks_stmt => Statement::Frameworks,
        Rule::show_stmt => Statement::Show(control_ref(next())),
        Rule::list_stmt => Statement::List(set_expr(next())),
        Rule::search_stmt => {
            let text = string(next());
            Statement::Search { text, within: inner.next().map(set_expr) }
        }
        Rule::map_stmt => {
            let set = set_expr(next());
            let backward = next().into_inner().next().is_some_and(|p| p.as_rule() == Rule::backward);
            let direction = if backward { Direction::Backward } else { Direction::Forward };
            Statement::Map { set, direction, framework: name(next()), filter: inner.next().map(where_clause) }
        }
        Rule::crosswalk_stmt => {
            let set = set_expr(next());
            let _arrow = next();
            Statement::Crosswalk { set, framework: name(next()), filter: inner.next().map(where_clause) }
        }
        Rule::coverage_stmt | Rule::gaps_stmt | Rule::plan_stmt => {
            let set = set_expr(next());
            let _arrow = next();
            let framework = name(next());
            let options = target_options(rule, inner)?;
            match rule {
                Rule::plan_stmt => Statement::Plan { set, framework, options },
                _ => Statement::Coverage { gaps: rule == Rule::gaps_stmt, set, framework, options },
            }
        }
        Rule::path_stmt => {
            let control = control_ref(next());
            let _arrow = next();
            Statement::Path { control, framework: name(next()), route: inner.next().map_or(Route::Default, route) }
        }
        Rule::explain_stmt => {
            let set = set_expr(next());
            let _arrow = next();
            Statement::Explain { set, target: control_ref(next()), route: inner.next().map_or(Route::Default, route) }
        }
        Rule::export_stmt => export(inner)?,
        Rule::format_stmt => Statement::Format(name(next())),
        Rule::help_stmt => Statement::Help(inner.next().map(name)),
        other => unreachable!("not a statement rule: {other:?}"),
    };
    Ok(Spanned::new(node, span))
}

/// The clauses after the target framework: each at most once, and each where its statement takes it.
fn target_options<'a>(rule: Rule, clauses: impl Iterator<Item = Pair<'a, Rule>>) -> Result<TargetOptions, Diagnostic> {
    let mut options = TargetOptions::default();
    let mut seen: Vec<&str> = Vec::new();
    for p in clauses {
        let span = span_of(&p);
        let clause = match p.as_rule() {
            Rule::where_clause => "where",
            Rule::route => "a route (`direct` or `via KEY`)",
            Rule::with_clause => "with",
            Rule::scope_clause => "scope",
            Rule::without_clause => "without",
            _ => "except",
        };
        if seen.contains(&clause) {
            let d = Diagnostic::new(format!("`{}` is given twice", clause.trim_start_matches("a ")), span);
            let help = if clause == "where" {
                "combine the conditions in one `where` with `and` or `or`"
            } else {
                "give each clause once"
            };
            return Err(d.with_help(help));
        }
        seen.push(clause);
        match p.as_rule() {
            Rule::where_clause => options.filter = Some(where_clause(p)),
            Rule::route => options.route = route(p),
            Rule::with_clause => with_items(rule, p, &mut options)?,
            Rule::without_clause => options.without_marginal = true,
            Rule::scope_clause => {
                let items = p.into_inner().filter(|q| !is_keyword(q.as_rule()));
                options.scope =
                    Some(items.map(|q| if q.as_rule() == Rule::string { string(q) } else { name(q) }).collect());
            }
            _ if rule != Rule::plan_stmt => {
                let d = Diagnostic::new("only `plan` takes `except`", span);
                return Err(
                    d.with_help("to leave controls out of the source set, subtract them: `SET - iso27001{7.*}`")
                );
            }
            _ => options.except = p.into_inner().find(|q| q.as_rule() == Rule::set_expr).map(set_expr),
        }
    }
    Ok(options)
}

fn with_items(rule: Rule, pair: Pair<Rule>, options: &mut TargetOptions) -> Result<(), Diagnostic> {
    for item in pair.into_inner().filter(|p| p.as_rule() == Rule::with_item) {
        if item.as_str().eq_ignore_ascii_case("parts") {
            if rule == Rule::plan_stmt {
                let d = Diagnostic::new("`plan` lists controls to add, not parts", span_of(&item));
                return Err(d.with_help("`gaps SET -> KEY with parts` lists the open parts"));
            }
            options.with_parts = true;
        } else {
            options.with_na = true;
        }
    }
    Ok(())
}

fn export<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Result<Statement, Diagnostic> {
    let statement = Box::new(self::statement(inner.next().expect("exported statement"))?);
    let path = string(inner.next().expect("path"));
    let (mut matrix, mut bom) = (false, false);
    for opt in inner {
        if opt.as_str().eq_ignore_ascii_case("matrix") {
            matrix = true;
        } else {
            bom = true;
        }
    }
    Ok(Statement::Export { statement, path, matrix, bom })
}

fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

fn route(pair: Pair<Rule>) -> Route {
    match pair.into_inner().find(|p| p.as_rule() == Rule::framework) {
        Some(fw) => Route::Via(name(fw)),
        None => Route::Direct,
    }
}

fn control_ref(pair: Pair<Rule>) -> ControlRef {
    debug_assert_eq!(pair.as_rule(), Rule::control_ref);
    let mut inner = pair.into_inner();
    let framework = name(inner.next().expect("framework"));
    let id = inner.next().expect("id");
    let id = if id.as_rule() == Rule::quoted_id { string(id) } else { name(id) };
    ControlRef { framework, id }
}

fn set_expr(pair: Pair<Rule>) -> Spanned<SetExpr> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::set_expr => {
            let mut inner = pair.into_inner();
            let set = set_expr(inner.next().expect("union"));
            match inner.next() {
                Some(w) => Spanned::new(SetExpr::Filtered(Box::new(set), where_clause(w)), span),
                None => set,
            }
        }
        Rule::set_union | Rule::set_inter => binary_sets(pair),
        Rule::framework => Spanned::new(SetExpr::Framework(name(pair)), span),
        Rule::control_ref => Spanned::new(SetExpr::Control(control_ref(pair)), span),
        Rule::variable => Spanned::new(SetExpr::Var(name(pair.into_inner().next().expect("name"))), span),
        Rule::soa_call => {
            let file = pair.into_inner().find(|p| p.as_rule() == Rule::string).expect("file name");
            Spanned::new(SetExpr::Soa(string(file)), span)
        }
        Rule::framework_items => {
            let mut inner = pair.into_inner();
            let framework = name(inner.next().expect("framework"));
            Spanned::new(SetExpr::Items { framework, items: inner.map(item).collect() }, span)
        }
        other => unreachable!("not a set rule: {other:?}"),
    }
}

/// `a | b - c` and `a & b`, left-associative.
fn binary_sets(pair: Pair<Rule>) -> Spanned<SetExpr> {
    let mut inner = pair.into_inner();
    let mut acc = set_expr(inner.next().expect("operand"));
    while let Some(op) = inner.next() {
        let rhs = set_expr(inner.next().expect("operand after operator"));
        let span = acc.span.to(rhs.span);
        let (a, b) = (Box::new(acc), Box::new(rhs));
        let node = match op.as_rule() {
            Rule::op_union => SetExpr::Union(a, b),
            Rule::op_except => SetExpr::Except(a, b),
            Rule::op_inter => SetExpr::Intersect(a, b),
            other => unreachable!("not a set operator: {other:?}"),
        };
        acc = Spanned::new(node, span);
    }
    acc
}

fn item(pair: Pair<Rule>) -> Spanned<Item> {
    let span = span_of(&pair);
    let node = match pair.as_rule() {
        Rule::range => {
            let mut inner = pair.into_inner();
            Item::Range(name(inner.next().expect("from")), name(inner.next().expect("to")))
        }
        Rule::pattern => Item::Pattern(pair.as_str().to_string()),
        Rule::quoted_id => Item::Id(string(pair).node),
        Rule::control_id => Item::Id(pair.as_str().to_string()),
        other => unreachable!("not an item: {other:?}"),
    };
    Spanned::new(node, span)
}

fn where_clause(pair: Pair<Rule>) -> Spanned<Filter> {
    filter(pair.into_inner().find(|p| p.as_rule() == Rule::filter).expect("filter"))
}

fn filter(pair: Pair<Rule>) -> Spanned<Filter> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::filter | Rule::filter_and => {
            let is_or = pair.as_rule() == Rule::filter;
            let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule())).map(filter);
            let first = parts.next().expect("operand");
            parts.fold(first, |a, b| {
                let span = a.span.to(b.span);
                let node =
                    if is_or { Filter::Or(Box::new(a), Box::new(b)) } else { Filter::And(Box::new(a), Box::new(b)) };
                Spanned::new(node, span)
            })
        }
        Rule::filter_not => filter(pair.into_inner().next().expect("operand")),
        Rule::negation => {
            let inner = pair.into_inner().find(|p| p.as_rule() == Rule::filter_not).expect("negated");
            Spanned::new(Filter::Not(Box::new(filter(inner))), span)
        }
        Rule::comparison => {
            let mut inner = pair.into_inner();
            let field = name(inner.next().expect("field"));
            let op = match inner.next().expect("operator").as_str() {
                "=" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                _ => CmpOp::Contains,
            };
            let value = inner.next().expect("value");
            let value = if value.as_rule() == Rule::string { string(value) } else { name(value) };
            Spanned::new(Filter::Compare { field, op, value }, span)
        }
        other => unreachable!("not a filter rule: {other:?}"),
    }
}

/// Turns a pest error into a diagnostic in the user's words.
fn syntax_error(text: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = token_at(text, pos);
    let span = Span::new(pos, pos + found.len());
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if pos == first_word_start(text) {
        return unknown_statement(found, span);
    }
    if let Some(d) = unclosed(text) {
        return d;
    }
    // "`=`, `!=` or `~`" joins the other choices as three, so the list reads as one list.
    let split = |w: &'static str| -> Vec<&'static str> {
        if w.starts_with('`') {
            w.split(", ").flat_map(|p| p.split(" or ")).collect()
        } else {
            vec![w]
        }
    };
    let mut words: Vec<&str> = expected.iter().filter_map(|r| rule_words(*r)).flat_map(split).collect();
    // Optional continuations read best after what the statement needs.
    let optional =
        ["`where`", "`direct`", "`via KEY`", "`with`", "`without`", "`scope`", "`except`", "the end of the statement"];
    words.sort_unstable_by_key(|w| (optional.iter().position(|o| o == w), *w));
    words.dedup();
    let wanted = match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    };
    let found_words = if found.is_empty() { "the end of the statement".to_string() } else { format!("`{found}`") };
    let mut d = Diagnostic::new(format!("expected {wanted}, found {found_words}"), span);
    if let Some(help) = syntax_help(text, pos, &expected) {
        d = d.with_help(help);
    }
    d
}

fn first_word_start(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

fn unknown_statement(found: &str, span: Span) -> Diagnostic {
    let d = Diagnostic::new(format!("`{found}` is not a statement"), span);
    match suggest::closest(found, STATEMENT_KEYWORDS) {
        Some(s) => d.with_label(format!("did you mean `{s}`?")),
        None => d.with_help(format!("statements: {}; `help` explains each", STATEMENT_KEYWORDS.join(", "))),
    }
}

/// Advice for the mistakes people make most.
fn syntax_help(text: &str, pos: usize, expected: &[Rule]) -> Option<String> {
    let before = text[..pos].trim_end();
    // An arrow inside braces: the `}` that ends the list is missing before it.
    let open = before.rfind('{').filter(|&o| !text[o..pos].contains('}'));
    if let Some(o) = open {
        let inside = &text[o..text[o..].find('}').map_or(text.len(), |c| o + c)];
        if inside.contains("->") || inside.contains("<-") {
            return Some("an arrow inside `{ }`: end the list with `}` before the arrow".into());
        }
    }
    if expected.contains(&Rule::direction) || expected.contains(&Rule::forward) {
        return Some("write the target framework after an arrow: `map SET -> KEY`".into());
    }
    if before.ends_with(':') {
        return Some("write a control id right after the colon: `iso27001:8.24`, `csf:PR.AA-05`".into());
    }
    if expected.contains(&Rule::cmp_op) {
        return Some("compare a field with `=`, `!=` or `~` (contains): `where function = PR`".into());
    }
    if text[pos..].starts_with(':') && before.contains('-') {
        return Some(
            "the `-` was read as part of an id; put spaces around `-` to subtract one set from another".into(),
        );
    }
    if text[pos..].starts_with('\'') {
        return Some("strings take double quotes: \"text\"".into());
    }
    None
}

/// The word (or single character) at a position, for "found `...`".
fn token_at(text: &str, pos: usize) -> &str {
    let rest = &text[pos.min(text.len())..];
    let word_len = rest.find(|c: char| !(c.is_alphanumeric() || "_.-:$".contains(c))).unwrap_or(rest.len());
    if word_len > 0 {
        return &rest[..word_len];
    }
    rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
}

/// What a grammar rule is, in a user's words; `None` for rules users never need to hear of.
fn rule_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the statement",
        Rule::set_expr | Rule::set_union | Rule::set_inter => "a set of controls",
        Rule::framework | Rule::framework_items => "a framework key",
        Rule::control_ref => "a control (KEY:ID)",
        Rule::control_id | Rule::quoted_id => "a control id",
        Rule::pattern | Rule::range => "an id, a pattern or a range",
        Rule::variable => "a `$name`",
        Rule::soa_call => "`soa(\"FILE\")`",
        Rule::direction => "an arrow (`->` or `<-`)",
        Rule::forward => "`->`",
        Rule::backward => "`<-`",
        Rule::string => "a \"string\"",
        Rule::name => "a name",
        Rule::where_clause | Rule::kw_where => "`where`",
        Rule::route => "`direct` or `via KEY`",
        Rule::with_clause | Rule::kw_with => "`with`",
        Rule::with_item => "`parts` or `n/a`",
        Rule::except_clause => "`except`",
        Rule::scope_clause => "`scope`",
        Rule::without_clause | Rule::kw_without => "`without`",
        Rule::without_item => "`marginal`",
        Rule::kw_via => "`via`",
        Rule::kw_direct => "`direct`",
        Rule::filter | Rule::filter_and | Rule::filter_not | Rule::comparison | Rule::negation => "a condition",
        Rule::field => "a field name",
        Rule::cmp_op => "`=`, `!=` or `~`",
        Rule::word => "a value",
        Rule::op_union => "`|`",
        Rule::op_except => "`-`",
        Rule::op_inter => "`&`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_in => "`in`",
        Rule::kw_to => "`to`",
        Rule::export_option => "`matrix` or `bom`",
        Rule::format_name => "a format (table, csv, json, markdown)",
        Rule::help_topic => "a topic",
        Rule::list_stmt
        | Rule::search_stmt
        | Rule::map_stmt
        | Rule::crosswalk_stmt
        | Rule::coverage_stmt
        | Rule::gaps_stmt
        | Rule::plan_stmt
        | Rule::path_stmt
        | Rule::explain_stmt
        | Rule::kw_list
        | Rule::kw_search
        | Rule::kw_map
        | Rule::kw_crosswalk
        | Rule::kw_coverage
        | Rule::kw_gaps
        | Rule::kw_plan
        | Rule::kw_path
        | Rule::kw_explain => {
            "a statement to export (map, crosswalk, coverage, gaps, plan, list, search, path, explain)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(src: &str) -> String {
        match parse(src).remove(0) {
            Ok(s) => s.node.to_string(),
            Err(d) => format!("error: {}", d.message),
        }
    }

    #[test]
    fn builds_the_tree() {
        assert_eq!(sexp("map soc2:CC6.1 <- iso27001"), "(map soc2:CC6.1 <- iso27001)");
        assert_eq!(
            sexp("coverage iso27001{5.*, 8.1..8.16} | $mine -> soc2 where series = CC6 via csf"),
            "(coverage (| (iso27001 (glob 5.*) (range 8.1 8.16)) $mine) soc2 (where (= series \"CC6\")) (via csf))"
        );
        assert_eq!(
            sexp("LIST iso27001 where property = confidentiality and not (concept = detect or title ~ \"log\")"),
            "(list (where iso27001 (and (= property \"confidentiality\") (not (or (= concept \"detect\") (~ title \"log\"))))))"
        );
        assert_eq!(sexp("show hipaa:164.312(a)(2)(iv)"), "(show hipaa:164.312(a)(2)(iv))");
        assert_eq!(
            sexp("list (hipaa:164.308(a)(1) | hipaa:164.312(b))"),
            "(list (| hipaa:164.308(a)(1) hipaa:164.312(b)))"
        );
        assert_eq!(sexp("list csf:PR.AA-05 - csf:PR.AA-01"), "(list (- csf:PR.AA-05 csf:PR.AA-01))");
        assert_eq!(
            sexp("let mine = soa(\"a b.csv\") & iso27001{8.*}"),
            "(let mine (& (soa \"a b.csv\") (iso27001 (glob 8.*))))"
        );
        assert_eq!(
            sexp("export crosswalk iso27001 -> soc2 to \"x.xlsx\" matrix"),
            "(export (crosswalk iso27001 soc2) \"x.xlsx\" matrix)"
        );
        assert_eq!(sexp("explain $m -> soc2:CC6.1 direct"), "(explain $m soc2:CC6.1 direct)");
    }

    #[test]
    fn spans_point_into_the_whole_source() {
        let src = "frameworks\nmap soc2:CC61 -> iso27001";
        let stmts = parse(src);
        let Statement::Map { set, .. } = &stmts[1].as_ref().unwrap().node else { panic!("not a map") };
        let SetExpr::Control(c) = &set.node else { panic!("not a control") };
        assert_eq!(&src[c.id.span.start..c.id.span.end], "CC61");
    }

    #[test]
    fn syntax_errors_speak_of_the_language() {
        assert_eq!(sexp("mapp soc2:CC6.1 -> iso27001"), "error: `mapp` is not a statement");
        assert_eq!(
            sexp("map soc2:CC6.1 iso27001"),
            "error: expected an arrow (`->` or `<-`) or `where`, found `iso27001`"
        );
        assert_eq!(sexp("map soc2:CC6.1 ->"), "error: expected a framework key, found the end of the statement");
    }
}

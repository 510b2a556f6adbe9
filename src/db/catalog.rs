//! Framework metadata and catalogs: checked, and turned into frameworks and their trees of controls.

use rustc_hash::FxHashMap as HashMap;

use super::load::{self, CsvRow, CsvTable, FrameworkMeta, SourceFile};
use super::validate::{find_line, Rejected};
use super::Database;
use crate::diag::DataError;
use crate::model::*;
use crate::suggest;

/// Columns every catalog has.
pub const CATALOG_COLUMNS: [&str; 5] = ["id", "parent", "level", "title", "description"];
/// Optional columns with a meaning of their own: other spellings of the id, and
/// why an item places no duty on an organisation.
pub const OPTIONAL_COLUMNS: [&str; 2] = ["aliases", "not_applicable"];

pub(super) fn catalogs(files: &[&SourceFile], db: &mut Database, errors: &mut Vec<DataError>, rejected: &mut Rejected) {
    let mut metas: Vec<&SourceFile> = files.iter().copied().filter(|f| is_catalog(f, ".toml")).collect();
    // Frameworks in key order (`iso27001` before `iso27001-isms`), whatever the file system's order.
    metas.sort_by(|a, b| stem(&a.rel).cmp(stem(&b.rel)));
    for csv_file in files.iter().filter(|f| is_catalog(f, ".csv")) {
        let name = stem(&csv_file.rel);
        if !metas.iter().any(|m| stem(&m.rel) == name) {
            let msg = format!("catalog has no metadata file; add catalogs/{name}.toml (see mappings/README.md)");
            errors.push(DataError::new(&csv_file.display, 0, msg));
        }
    }
    if metas.is_empty() {
        errors.push(DataError::new(
            "catalogs/",
            0,
            "no catalogs found: expected catalogs/KEY.toml and catalogs/KEY.csv",
        ));
    }
    for meta_file in metas {
        let stem = stem(&meta_file.rel);
        let Ok(meta) = load::parse_toml::<FrameworkMeta>(meta_file).map_err(|e| errors.push(e)) else {
            rejected.frameworks.insert(stem.to_string());
            continue;
        };
        let Some(fw) = framework(meta_file, meta, stem, errors) else {
            rejected.frameworks.insert(stem.to_string());
            continue;
        };
        let csv_rel = format!("catalogs/{stem}.csv");
        let Some(csv_file) = files.iter().find(|f| f.rel == csv_rel) else {
            let msg = format!("framework `{}` has no catalog; add {csv_rel}", fw.key);
            errors.push(DataError::new(&meta_file.display, 0, msg));
            continue;
        };
        let Some(table) = load::parse_csv(csv_file, errors) else {
            rejected.frameworks.insert(fw.key);
            continue;
        };
        catalog(csv_file, &table, fw, db, errors, rejected);
    }
}

fn is_catalog(f: &SourceFile, ext: &str) -> bool {
    f.rel.starts_with("catalogs/") && f.rel.ends_with(ext) && !f.rel[9..].contains('/')
}

/// A file's name without its folder and extension.
pub(super) fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Checks a framework's metadata and turns it into a [`Framework`] with no controls yet.
fn framework(file: &SourceFile, meta: FrameworkMeta, stem: &str, errors: &mut Vec<DataError>) -> Option<Framework> {
    let at = |span: std::ops::Range<usize>| load::line_of(&file.text, span.start);
    let mut ok = true;
    let key = meta.key.get_ref();
    if !is_name(key) || key != stem {
        let msg = if is_name(key) {
            format!("key `{key}` does not match the file name; rename the file to {key}.toml or the key to `{stem}`")
        } else {
            format!("key `{key}` must be lower-case letters and digits, starting with a letter, with single `-` between them")
        };
        errors.push(DataError::new(&file.display, at(meta.key.span()), msg));
        ok = false;
    }
    for alias in &meta.aliases {
        if !is_name(alias.get_ref()) {
            let msg = format!(
                "alias `{}` must be lower-case letters and digits, starting with a letter, with single `-` between them",
                alias.get_ref()
            );
            errors.push(DataError::new(&file.display, at(alias.span()), msg));
            ok = false;
        }
    }
    ok &= levels_ok(file, &meta.levels, errors);
    for level in meta.controls.get_ref() {
        if !meta.levels.contains(level) {
            let msg =
                format!("`controls` names level `{level}`, which is not in `levels` ({})", meta.levels.join(", "));
            errors.push(DataError::new(&file.display, at(meta.controls.span()), msg));
            ok = false;
        }
    }
    for name in &meta.summary {
        if !meta.attributes.contains_key(name) {
            let msg = format!("`summary` names `{name}`, which is not a declared attribute");
            errors.push(DataError::new(&file.display, find_line(&file.text, "summary"), msg));
            ok = false;
        }
    }
    if let Some(name) = meta.scope.as_ref().filter(|n| !meta.attributes.contains_key(*n)) {
        let msg = format!("`scope` names `{name}`, which is not a declared attribute");
        errors.push(DataError::new(&file.display, find_line(&file.text, "scope"), msg));
        ok = false;
    }
    let part_levels = meta.parts.as_ref().map_or(&[][..], |p| p.get_ref().as_slice());
    if let Some(parts) = &meta.parts {
        ok &= check_parts(&meta.levels, meta.controls.get_ref(), parts.get_ref(), |msg| {
            errors.push(DataError::new(&file.display, at(parts.span()), msg))
        });
    }
    let parts: Vec<bool> = meta.levels.iter().map(|l| part_levels.contains(l)).collect();
    let mappable = meta.levels.iter().zip(&parts).map(|(l, &p)| p || meta.controls.get_ref().contains(l)).collect();
    let attributes = meta
        .attributes
        .into_iter()
        .map(|(name, a)| AttributeDef {
            label: if a.label.is_empty() { name.clone() } else { a.label },
            name,
            aliases: a.aliases,
            values: a.values,
        })
        .collect();
    ok.then(|| Framework {
        key: key.clone(),
        aliases: meta.aliases.into_iter().map(|a| a.into_inner()).collect(),
        name: meta.name,
        version: meta.version,
        publisher: meta.publisher,
        levels: meta.levels,
        mappable,
        enhancements: vec![false; parts.len()],
        parts,
        id_prefixes: meta.id_prefixes,
        attributes,
        summary: meta.summary,
        scope: meta.scope,
        controls: 0..0,
        file: file.display.clone(),
    })
}

/// Part levels name known levels below every control level, and no control level.
fn check_parts(levels: &[String], controls: &[String], parts: &[String], mut err: impl FnMut(String)) -> bool {
    let mut ok = true;
    let lowest_control = levels.iter().rposition(|l| controls.contains(l)).unwrap_or(0);
    for level in parts {
        match levels.iter().position(|l| l == level) {
            None => err(format!("`parts` names level `{level}`, which is not in `levels` ({})", levels.join(", "))),
            Some(_) if controls.contains(level) => {
                err(format!("level `{level}` is in both `controls` and `parts`; a part is not counted as a control"))
            }
            Some(i) if i < lowest_control => err(format!(
                "`parts` names level `{level}`, which is above the control level `{}`; parts sit below the controls",
                levels[lowest_control]
            )),
            Some(_) => continue,
        }
        ok = false;
    }
    ok
}

/// Most levels a catalog may name: a control's level is stored in a byte.
pub const MAX_LEVELS: usize = u8::MAX as usize + 1;

/// Deepest a catalog tree may be: every walk up or down a tree is bounded by it.
pub const MAX_TREE_DEPTH: usize = 32;

/// Finds each cycle of parents in one pass over the tree and cuts it at the
/// member that comes first in the file, which is reported.
fn break_cycles(
    file: &SourceFile,
    order: &[CtlId],
    first: CtlId,
    controls: &mut [Control],
    errors: &mut Vec<DataError>,
) {
    const DONE: u32 = u32::MAX;
    // 0: not seen; DONE: known to reach a root; otherwise the walk (1-based) that is visiting it.
    let mut state = vec![0u32; controls.len() - first as usize];
    let slot = |c: CtlId| (c - first) as usize;
    for (walk, &start) in order.iter().enumerate() {
        let stamp = walk as u32 + 1;
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(c) = at {
            match state[slot(c)] {
                0 => {
                    state[slot(c)] = stamp;
                    path.push(c);
                    at = controls[c as usize].parent;
                }
                s if s == stamp => {
                    let cycle = &path[path.iter().position(|&p| p == c).unwrap_or(0)..];
                    let cut = cycle.iter().copied().min_by_key(|&m| controls[m as usize].line).unwrap_or(c);
                    let node = &mut controls[cut as usize];
                    let msg = format!("`{}` is its own ancestor; parents must form a tree", node.id);
                    errors.push(DataError::new(&file.display, node.line, msg));
                    node.parent = None;
                    break;
                }
                _ => break,
            }
        }
        for c in path {
            state[slot(c)] = DONE;
        }
    }
}

/// Reports a tree deeper than [`MAX_TREE_DEPTH`] at its first control too deep,
/// and cuts such controls from their parents, in one pass (the tree has no cycles).
fn limit_depth(
    file: &SourceFile,
    order: &[CtlId],
    first: CtlId,
    controls: &mut [Control],
    errors: &mut Vec<DataError>,
) {
    // Depth of each control: 0 when not known yet; a root is 1.
    let mut depth = vec![0usize; controls.len() - first as usize];
    let slot = |c: CtlId| (c - first) as usize;
    let mut reported = false;
    for &start in order {
        let mut path = Vec::new();
        let mut at = Some(start);
        let mut known = 0;
        while let Some(c) = at {
            if depth[slot(c)] > 0 {
                known = depth[slot(c)];
                break;
            }
            path.push(c);
            at = controls[c as usize].parent;
        }
        let mut d = known;
        for &c in path.iter().rev() {
            d += 1;
            if d > MAX_TREE_DEPTH {
                let node = &mut controls[c as usize];
                if !std::mem::replace(&mut reported, true) {
                    let n = MAX_TREE_DEPTH;
                    let msg = format!("`{}` sits more than {n} levels deep; a catalog tree has at most {n}", node.id);
                    errors.push(DataError::new(&file.display, node.line, msg));
                }
                (node.parent, d) = (None, 1);
            }
            depth[slot(c)] = d;
        }
    }
}

/// Checks a catalog's `levels`: some, at most [`MAX_LEVELS`], each named once.
fn levels_ok(file: &SourceFile, levels: &[String], errors: &mut Vec<DataError>) -> bool {
    let line = find_line(&file.text, "levels");
    let mut problems = Vec::new();
    if levels.is_empty() {
        problems.push((0, "`levels` is empty: name the tree's levels, top down".to_string()));
    }
    if levels.len() > MAX_LEVELS {
        problems.push((line, format!("`levels` names {} levels; a catalog has at most {MAX_LEVELS}", levels.len())));
    }
    for (i, level) in levels.iter().enumerate() {
        if levels[..i].iter().any(|l| l.eq_ignore_ascii_case(level)) {
            problems.push((line, format!("`levels` names `{level}` twice; each level is named once")));
        }
    }
    let ok = problems.is_empty();
    errors.extend(problems.into_iter().map(|(line, msg)| DataError::new(&file.display, line, msg)));
    ok
}

/// Framework keys and aliases: what a query can name, as the grammar's
/// `framework` rule reads it (a `-` is followed by a letter or digit).
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Control ids: what a query can name after `KEY:`, as the grammar's
/// `control_id` rule reads it: letters, digits, `.`, `_` and `-`, and groups
/// of them in parentheses, not nested and not empty (`164.312(a)(2)(iv)`).
pub fn is_id(s: &str) -> bool {
    let (mut in_group, mut group_len) = (false, 0);
    for c in s.chars() {
        match c {
            '(' if in_group => return false,
            '(' => (in_group, group_len) = (true, 0),
            ')' if !in_group || group_len == 0 => return false,
            ')' => in_group = false,
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') => group_len += 1,
            _ => return false,
        }
    }
    !in_group && s.starts_with(|c: char| c.is_ascii_alphanumeric()) && !s.contains("->") && !s.contains("..")
}

/// Which column holds what, in one catalog file.
struct CatalogColumns {
    fixed: [usize; 5],
    aliases: Option<usize>,
    not_applicable: Option<usize>,
    /// (column, attribute index)
    attributes: Vec<(usize, usize)>,
}

fn catalog_columns(
    file: &SourceFile,
    table: &CsvTable,
    fw: &Framework,
    errors: &mut Vec<DataError>,
) -> Option<CatalogColumns> {
    if !load::require_columns(file, table, &CATALOG_COLUMNS, errors) {
        return None;
    }
    let fixed = CATALOG_COLUMNS.map(|c| table.column(c).unwrap_or_default());
    let mut attributes = Vec::new();
    let mut ok = true;
    for (col, name) in table.header.iter().enumerate() {
        if CATALOG_COLUMNS.contains(&name.as_str()) || OPTIONAL_COLUMNS.contains(&name.as_str()) {
            continue;
        }
        match fw.attributes.iter().position(|a| &a.name == name) {
            Some(a) => attributes.push((col, a)),
            None => {
                let declared: Vec<&str> = fw.attributes.iter().map(|a| a.name.as_str()).collect();
                let msg = format!(
                    "column `{name}` is not a declared attribute of `{}`; declare it under [attributes.{name}] in {}.toml{}",
                    fw.key,
                    fw.key,
                    if declared.is_empty() { String::new() } else { format!(" (declared: {})", declared.join(", ")) }
                );
                errors.push(DataError::new(&file.display, 1, msg));
                ok = false;
            }
        }
    }
    ok.then_some(CatalogColumns {
        fixed,
        aliases: table.column("aliases"),
        not_applicable: table.column("not_applicable"),
        attributes,
    })
}

/// Reads a catalog's rows into controls of `fw`, then links parents.
fn catalog(
    file: &SourceFile,
    table: &CsvTable,
    mut fw: Framework,
    db: &mut Database,
    errors: &mut Vec<DataError>,
    rejected: &mut Rejected,
) {
    let Some(cols) = catalog_columns(file, table, &fw, errors) else {
        rejected.frameworks.insert(fw.key);
        return;
    };
    let fw_id = db.frameworks.len() as FwId;
    let first = db.controls.len() as CtlId;
    let mut seen: HashMap<&str, u32> = HashMap::default();
    let mut parents: Vec<(CtlId, &str, u32)> = Vec::new();
    for row in table.rows.iter() {
        let Some(control) = control_row(file, table, row, &cols, &fw, fw_id, errors) else {
            rejected.ids.insert((fw.key.clone(), table.field(row, cols.fixed[0]).to_string()));
            continue;
        };
        if let Some(first_line) = seen.insert(table.field(row, cols.fixed[0]), row.line) {
            let msg = format!("duplicate id `{}` (first defined on line {first_line})", control.id);
            errors.push(DataError::new(&file.display, row.line, msg));
            seen.insert(table.field(row, cols.fixed[0]), first_line);
            continue;
        }
        let parent = table.field(row, cols.fixed[1]);
        if !parent.is_empty() {
            parents.push((db.controls.len() as CtlId, parent, row.line));
        }
        db.controls.push(control);
    }
    fw.controls = first..db.controls.len() as CtlId;
    link_parents(file, &fw, &parents, &mut db.controls, errors);
    check_part_parents(file, &fw, &db.controls, errors);
    mark_applicability(&fw, &mut db.controls);
    db.frameworks.push(fw);
}

fn control_row(
    file: &SourceFile,
    table: &CsvTable,
    row: &CsvRow,
    cols: &CatalogColumns,
    fw: &Framework,
    fw_id: FwId,
    errors: &mut Vec<DataError>,
) -> Option<Control> {
    let f = |i: usize| table.field(row, cols.fixed[i]);
    let err = |errors: &mut Vec<DataError>, msg: String| errors.push(DataError::new(&file.display, row.line, msg));
    let (id, level, title) = (f(0), f(2), f(3));
    if id.is_empty() {
        err(errors, "empty id".into());
        return None;
    }
    if !is_id(id) {
        err(errors, format!("id `{id}` has characters a query cannot name; use letters, digits and . _ - ( )"));
        return None;
    }
    let Some(level_index) = fw.level_index(level).filter(|&i| fw.levels[i] == level) else {
        let hint = suggest::closest(level, fw.levels.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        err(
            errors,
            format!("unknown level `{level}` for `{id}`; {hint}levels of `{}`: {}", fw.key, fw.levels.join(", ")),
        );
        return None;
    };
    if title.is_empty() {
        err(errors, format!("`{id}` has no title"));
    }
    let mut attributes = vec![Vec::new(); fw.attributes.len()];
    for &(col, a) in &cols.attributes {
        attributes[a] = attribute_values(table.field(row, col), &fw.attributes[a], id, |m| err(errors, m));
    }
    let aliases = cols.aliases.map(|c| split_list(table.field(row, c))).unwrap_or_default();
    for alias in aliases.iter().filter(|a| !is_id(a)) {
        err(errors, format!("alias `{alias}` of `{id}` has characters a query cannot name"));
    }
    Some(Control {
        framework: fw_id,
        id: table.text(row, cols.fixed[0]),
        parent: None,
        level: level_index as u8,
        mappable: fw.mappable[level_index],
        part: fw.parts[level_index],
        enhancement: false,
        not_applicable: cols.not_applicable.map_or(Text::default(), |c| table.text(row, c)),
        applicable: true,
        title: table.text(row, cols.fixed[3]),
        description: table.text(row, cols.fixed[4]),
        attributes,
        aliases,
        children: Vec::new(),
        line: row.line,
    })
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split(';').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect()
}

/// Splits an attribute cell into values, each checked against the declared ones and spelled as declared.
fn attribute_values(cell: &str, def: &AttributeDef, id: &str, mut err: impl FnMut(String)) -> Vec<String> {
    let mut out = Vec::new();
    for value in split_list(cell) {
        if def.values.is_empty() {
            out.push(value);
            continue;
        }
        match def.values.iter().find(|v| v.eq_ignore_ascii_case(&value)) {
            Some(v) => out.push(v.clone()),
            None => {
                let hint = suggest::closest(&value, def.values.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                err(format!(
                    "`{id}`: `{value}` is not a value of {}; {hint}allowed: {}",
                    def.name,
                    def.values.join(", ")
                ));
            }
        }
    }
    out
}

fn link_parents(
    file: &SourceFile,
    fw: &Framework,
    parents: &[(CtlId, &str, u32)],
    controls: &mut [Control],
    errors: &mut Vec<DataError>,
) {
    let range = fw.controls.clone();
    let by_id: HashMap<&str, CtlId> = range.clone().map(|c| (controls[c as usize].id.as_ref(), c)).collect();
    let mut links = Vec::new();
    let mut hints = suggest::Budget::default();
    for &(child, parent, line) in parents {
        let child_id = &controls[child as usize].id;
        match by_id.get(parent) {
            Some(&p) if controls[p as usize].level > controls[child as usize].level => {
                let (pl, cl) = (
                    &fw.levels[controls[p as usize].level as usize],
                    &fw.levels[controls[child as usize].level as usize],
                );
                let msg =
                    format!("`{child_id}` is a {cl} but its parent `{parent}` is a {pl}, which is lower in the tree");
                errors.push(DataError::new(&file.display, line, msg));
            }
            Some(&p) => links.push((child, p, line)),
            None => {
                let hint = hints
                    .closest(parent, by_id.keys().copied().filter(|id| id != child_id))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                errors.push(DataError::new(
                    &file.display,
                    line,
                    format!("parent `{parent}` of `{child_id}` is not in this catalog{hint}"),
                ));
            }
        }
    }
    for &(child, parent, _) in &links {
        controls[child as usize].parent = Some(parent);
    }
    // Levels may repeat down the tree (ISO clause 6.1 holds 6.1.1), so a cycle is possible.
    let order: Vec<CtlId> = links.iter().map(|&(child, _, _)| child).collect();
    break_cycles(file, &order, range.start, controls, errors);
    limit_depth(file, &order, range.start, controls, errors);
    for c in range {
        if let Some(p) = controls[c as usize].parent {
            controls[p as usize].children.push(c);
        }
    }
}

/// A part belongs to a control or to another part: it is a piece of one requirement.
fn check_part_parents(file: &SourceFile, fw: &Framework, controls: &[Control], errors: &mut Vec<DataError>) {
    for c in fw.controls.clone() {
        let node = &controls[c as usize];
        if !node.part {
            continue;
        }
        let parent_ok = node.parent.is_some_and(|p| controls[p as usize].mappable);
        if !parent_ok {
            let msg = format!(
                "`{}` is a {}, a part, so its parent must be a control or another part",
                node.id, fw.levels[node.level as usize]
            );
            errors.push(DataError::new(&file.display, node.line, msg));
        }
    }
}

/// Works out which nodes count: a node is not applicable when its row says so,
/// when a whole it is a piece of does, or when every one of its parts is not
/// applicable. An enhancement is a requirement of its own: it neither takes
/// its control's mark nor gives its own to it.
pub(super) fn mark_applicability(fw: &Framework, controls: &mut [Control]) {
    let order = preorder(fw, controls);
    for &c in &order {
        let node = &controls[c as usize];
        let inherited = !node.enhancement && node.parent.is_some_and(|p| !controls[p as usize].applicable);
        let node = &mut controls[c as usize];
        node.applicable = node.not_applicable.is_empty() && !inherited;
    }
    for &c in order.iter().rev() {
        let node = &controls[c as usize];
        let mut parts = node.children.iter().map(|&k| &controls[k as usize]).filter(|k| !k.enhancement).peekable();
        if node.applicable && parts.peek().is_some() && parts.all(|k| !k.applicable) {
            controls[c as usize].applicable = false;
        }
    }
}

/// The nodes of a framework, each before its children; roots in catalog order.
pub fn preorder(fw: &Framework, controls: &[Control]) -> Vec<CtlId> {
    let mut out = Vec::with_capacity(fw.controls.len());
    let mut stack: Vec<CtlId> = fw.controls.clone().rev().filter(|&c| controls[c as usize].parent.is_none()).collect();
    while let Some(c) = stack.pop() {
        out.push(c);
        stack.extend(controls[c as usize].children.iter().rev());
    }
    out
}

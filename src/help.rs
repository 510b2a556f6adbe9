//! The `help` statement: a short reference of the language, by topic.

const OVERVIEW: &str = "\
Statements (one per line, or separated by `;`; `#` starts a comment):
  frameworks                         the frameworks and their sizes
  show KEY:ID                        a control, its place, attributes and mappings
  list SET                           the controls of a set
  search \"TEXT\" [in SET]             controls whose id, title or description hold every word
  map SET -> KEY [where ...]         explore: the mappings from the set to a framework
  map SET <- KEY [where ...]         explore: the mappings from a framework to the set
  crosswalk SET -> KEY [where ...]   the deliverable: every control of the set, a row per
                                     mapping, and a row for each control without one
  coverage SET -> KEY [OPTIONS]      full / partial / none / n/a for every target control
  gaps SET -> KEY [OPTIONS]          the targets short of full: open parts, what closes them
  plan SET -> KEY [OPTIONS] [except SET]
                                     the fewest controls to add for the most targets full
  path KEY:ID -> KEY [direct | via KEY]
                                     direct and derived routes from one control
  explain SET -> KEY:ID [direct | via KEY]
                                     every route from the set to one control, step by step
  let NAME = SET                     name a set; use it as $NAME
  export STATEMENT to \"FILE\" [matrix] [bom]
                                     write a result to .csv, .xlsx, .json, .md, .html (coverage,
                                     gaps) or .oscal.json (map, crosswalk)
  format table|csv|json|markdown     switch the output format
  help [sets | filters | coverage | export | frameworks]
  quit, exit or Ctrl-D               leave the shell (Ctrl-C clears the line)
OPTIONS, in any order: where CONDITION, direct | via KEY, with parts, with n/a,
  scope CATEGORY, ... (soc2)

Examples:
  show iso27001:8.24
  list csf where function = PR
  map soc2:CC6.1 <- iso27001
  coverage iso27001{5.15, 8.5, 8.24} -> hipaa
  let mine = soa(\"client-soa.csv\")
  gaps $mine -> soc2 scope security
  plan $mine -> soc2 except iso27001{7.*}
";

const SETS: &str = "\
Sets of controls:
  iso27001                      a whole framework (its controls)
  iso27001:8.24   A.8.24        one control (ISO's `A.` prefix is accepted)
  csf:PR.AA                     a grouping node stands for the controls under it
  soc2{CC6.1.*}  gdpr:32(1)(a)  parts: points of focus, GDPR paragraphs and points
  iso27001{5.15, 8.5, 8.24}     a list
  iso27001{5.*}   csf{PR.AA-0?} patterns: `*` any run of characters, `?` one
  iso27001{8.1..8.16}           a range, in catalog order
  hipaa:\"164.312(a)(1)\"         quote an id that has unusual characters
  $mine                         a set named with `let mine = ...`
  soa(\"file.csv\")               the implemented controls of a Statement of Applicability
  A | B   A + B   A union B     union
  A & B   A intersect B         intersection
  A - B   A except B            difference (put spaces around `-`)
  SET where CONDITION           a filtered set; ( ) group
Keys have aliases: iso, nist-csf, tsc, ... (`frameworks` lists them).
";

const FILTERS: &str = "\
Conditions (after `where`):
  FIELD = VALUE    equal, ignoring case (`_` and `-` read as spaces)
  FIELD != VALUE   not equal
  FIELD ~ TEXT     contains the text
  combine with and, or, not and ( ); quote values with spaces: \"Access control\"
Fields:
  id, title, description, text (title or description), level, framework
  a level name: the control or its ancestor at that level
      function, category (csf); theme (iso27001); series, group (soc2);
      section, standard (hipaa); chapter (gdpr); clause (iso27001-isms)
      matches the node's id, its title, or the first word of its title
  an attribute: type, property, concept, capability, domain (iso27001),
      designation (hipaa: Required or Addressable), applies_to (soc2)
  relationship, provenance (in map and crosswalk)
Examples:
  list iso27001 where property = confidentiality and concept = detect
  list hipaa where designation = addressable and section = 164.312
  list hipaa where standard = 164.308(a)(3)
  crosswalk iso27001 -> soc2 where relationship = equal or relationship = superset-of
";

const COVERAGE: &str = "\
Coverage of a target by a set of source controls:
  full     some source maps to it, or to a whole above it, as equal or
           superset-of; or every part of it that applies is full
  partial  otherwise, some source reaches it or one of its parts
  none     otherwise
  n/a      it places no duty on an organisation (left out of totals;
           `with n/a` counts it)
Parts: soc2 points of focus (CC6.1.3), gdpr paragraphs and points (32(1)(a)),
hipaa implementation specifications, csf subcategories of a category.
Several partial mappings never add up to full. A source that a Statement of
Applicability marks `partial` gives at most partial.
Gaps: closable when controls of the source framework outside the set would
make the target full (gaps names them), beyond when not even all of it would.
plan SET -> KEY: the fewest controls to add for the most targets full, then
the most parts; `minimal` when proved, `greedy` otherwise; `except SET`.
scope CATEGORY, ... (soc2): the trust services categories that count.
Routes: coverage and gaps count direct mappings unless you add `via KEY`,
which also follows routes through that framework. path and explain follow
every route unless you say `direct` or `via KEY`. A derived route composes
its two steps soundly:
  equal then X, or X then equal        X
  superset-of then superset-of         superset-of
  subset-of then subset-of             subset-of
  superset-of then subset-of           intersects-with
  superset-of then intersects-with     intersects-with
  intersects-with then subset-of       intersects-with
  anything else                        unknown: shown, never counted
A direct mapping between two controls wins over derived routes between them.
";

const EXPORT: &str = "\
export STATEMENT to \"FILE\" [matrix] [bom]
  STATEMENT is crosswalk, map, coverage, gaps, plan, list, search, path or explain.
  The extension picks the format: .csv, .xlsx (one sheet per view), .json, .md,
  .html (coverage and gaps), .oscal.json (an OSCAL mapping collection of a map or crosswalk).
  matrix   CSV with source controls as rows and target controls as columns
  bom      start a CSV with a UTF-8 byte-order mark, for Excel
A file is written whole or not at all; cells a spreadsheet would run as a
formula are written as text.
Example: export crosswalk iso27001 -> soc2 to \"iso-soc2.xlsx\"
";

const FRAMEWORKS: &str = "\
Frameworks are named by key or alias: iso27001 (iso), iso27001-isms (isms),
csf (nist-csf), soc2 (tsc), hipaa, gdpr. A control is KEY:ID, spelled as the
publisher spells it: iso27001:8.24, csf:PR.AA-05, soc2:CC6.1,
hipaa:164.312(a)(2)(iv), gdpr:32, gdpr:32(1)(a), soc2:CC6.1.3.
`frameworks` lists what is loaded; in CSV or JSON (`format csv`, or -f csv
on the command line) with every alias.
";

/// The topics `help` knows, for completion.
pub const TOPICS: [&str; 6] = ["sets", "filters", "coverage", "plan", "export", "frameworks"];

/// The help text for a topic (`None`: the overview); an error names the topics.
pub fn topic(name: Option<&str>) -> Result<String, String> {
    let text = match name.map(str::to_ascii_lowercase).as_deref() {
        None | Some("statements") => OVERVIEW,
        Some("sets" | "set") => SETS,
        Some("filters" | "filter" | "where") => FILTERS,
        Some("coverage" | "gaps" | "plan" | "parts" | "path" | "explain" | "routes") => COVERAGE,
        Some("export" | "exports") => EXPORT,
        Some("frameworks" | "ids") => FRAMEWORKS,
        Some(other) => {
            return Err(format!("no help on `{other}`; topics: sets, filters, coverage, export, frameworks"))
        }
    };
    Ok(text.trim_end().to_string())
}

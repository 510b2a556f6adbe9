#!/usr/bin/env bash
# Scale measurements, whole process, side by side with SQLite on the same data:
#
#   bash benches/scale.sh [ROWS ...]        (default: 10000 100000 1000000)
#
# Generates each synthetic database once (examples/gendb.rs: 10 frameworks of
# 1,000 controls, rows spread over the 45 pairs) under $SCALE_DIR (default
# target/scale), compiles it into a store (`crosswalk build`), loads the same
# rows into an SQLite file with an index on the target side, then times each question with /usr/bin/time (best of $RUNS
# runs, default 3) and prints a Markdown table: seconds and peak resident
# memory. Needs the sqlite3 command-line shell. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_DIR=${SCALE_DIR:-target/scale}
RUNS=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)

cargo build --release --quiet --bin crosswalk --example gendb
bin=target/release/crosswalk

# The best wall time of $RUNS runs, with that run's CPU time (user + system) and peak memory.
measure() {
    local best="" out log start end
    log=$(mktemp)
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N)
        /usr/bin/time -o "$log" -f '%M %U %S' "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        out="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }') $(tail -1 "$log")"
        if [ -z "$best" ] || awk -v a="${out%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$out
        fi
    done
    rm -f "$log"
    echo "$best" | awk '{ printf "%.3f s (cpu %.2f), %d MiB", $1, $3 + $4, $2 / 1024 }'
}

# The SQLite form of a database folder (DIR, into the file DB): catalogs and
# mapping rows, indexed by target. Columns are taken by name, so catalogs and
# sets with more columns than these (the shipped ones) load too.
sqlite_db() {
    local dir=$1 db=$2
    [ -f "$db" ] && return
    {
        echo "CREATE TABLE controls(fw TEXT, id TEXT, parent TEXT, level TEXT, title TEXT, description TEXT);"
        echo "CREATE TABLE mappings(source_fw TEXT, target_fw TEXT, source_id TEXT, target_id TEXT,"
        echo "  relationship TEXT, provenance TEXT, rationale TEXT);"
        for f in "$dir"/catalogs/*.csv; do
            echo ".import --csv $f c"
            echo "INSERT INTO controls SELECT '$(basename "$f" .csv)', id, parent, level, title, description FROM c; DROP TABLE c;"
        done
        for f in "$dir"/*__*.csv; do
            local pair; pair=$(basename "$f" .csv)
            echo ".import --csv $f m"
            echo "INSERT INTO mappings SELECT '${pair%%__*}', '${pair#*__}', source_id, target_id, relationship, provenance, rationale FROM m; DROP TABLE m;"
        done
        echo "CREATE INDEX controls_fw ON controls(fw, level);"
        echo "CREATE INDEX mappings_target ON mappings(target_fw, target_id, source_fw);"
        echo "ANALYZE;"
    } | sqlite3 "$db"
}

# Coverage of fw01 by all of fw00, direct: each target's state, what covers it and why.
COVERAGE_SQL="SELECT c.id, c.title,
  CASE WHEN max(m.relationship IN ('equal', 'superset-of')) THEN 'full'
       WHEN count(m.source_id) > 0 THEN 'partial' ELSE 'none' END,
  group_concat(m.source_id || '(' || m.relationship || ')', '; '),
  group_concat(m.rationale, ' | ')
FROM controls c LEFT JOIN mappings m
  ON m.target_fw = c.fw AND m.target_id = c.id AND m.source_fw = 'fw00'
WHERE c.fw = 'fw01' AND c.level = 'control'
GROUP BY c.id ORDER BY c.rowid;"

echo "| rows | load (\`frameworks\`) | coverage fw00 -> fw01 | \`via fw02\` | store: coverage | store: \`via fw02\` | SQLite, same coverage |"
echo "|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    dir=$SCALE_DIR/$n
    [ -f "$dir/database.toml" ] || target/release/examples/gendb "$dir" "$n"
    sqlite_db "$dir" "$dir.sqlite"
    $bin build "$dir" -o "$dir.cws" 2>/dev/null
    load=$(measure $bin --data "$dir" -e 'frameworks')
    direct=$(measure $bin --data "$dir" -f csv -e 'coverage fw00 -> fw01')
    via=$(measure $bin --data "$dir" -f csv -e 'coverage fw00 -> fw01 via fw02')
    sql=$(measure sqlite3 -csv "$dir.sqlite" "$COVERAGE_SQL")
    store=$(measure $bin --data "$dir.cws" -f csv -e 'coverage fw00 -> fw01')
    store_via=$(measure $bin --data "$dir.cws" -f csv -e 'coverage fw00 -> fw01 via fw02')
    echo "| $n | $load | $direct | $via | $store | $store_via | $sql |"
done

# The shipped database beside SQLite: a one-shot `gaps iso27001 -> soc2`, and the
# nearest SQL question (each SOC 2 node short of full by a direct mapping from
# ISO, with what maps to it and why) from a prebuilt file of the same rows.
# SQLite answers less: no roll-up of parts, no groups, no gap kinds.
shipped=$SCALE_DIR/shipped.sqlite
sqlite_db mappings "$shipped"
GAPS_SQL="SELECT c.id, c.title,
  CASE WHEN max(m.relationship IN ('equal', 'superset-of')) THEN 'full'
       WHEN count(m.source_id) > 0 THEN 'partial' ELSE 'none' END AS state,
  group_concat(m.source_id || '(' || m.relationship || ')', '; '),
  group_concat(m.rationale, ' | ')
FROM controls c LEFT JOIN mappings m
  ON m.target_fw = c.fw AND m.target_id = c.id AND m.source_fw = 'iso27001'
WHERE c.fw = 'soc2'
GROUP BY c.id HAVING state <> 'full' ORDER BY c.rowid;"
# The mean wall time of 200 runs, in milliseconds: these take a few each.
quick() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq 200); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f ms", (e - s) / 200 / 1e6 }'
}
echo
echo "| the shipped database, whole process | mean of 200 runs |"
echo "|---|---|"
echo "| \`crosswalk --version\` | $(quick $bin --version) |"
echo "| \`crosswalk -e 'gaps iso27001 -> soc2'\` | $(quick $bin -e 'gaps iso27001 -> soc2') |"
echo "| SQLite, the nearest question | $(quick sqlite3 "$shipped" "$GAPS_SQL") |"

# Batch mode on the shipped database: 10,000 statements, the 12 kinds of
# benches/crosswalk.rs in turn, in each output format.
batch=$SCALE_DIR/batch-10k.cwq
if [ ! -f "$batch" ]; then
    statements=(
        'frameworks' 'show iso27001:8.24' 'list iso27001 where property = confidentiality and concept = detect'
        'search "encrypt"' 'map soc2:CC6.1 <- iso27001' 'crosswalk iso27001 -> soc2'
        'coverage iso27001{5.15, 8.5, 8.24} -> hipaa' 'gaps iso27001 -> soc2'
        'gaps iso27001{5.*, 8.*} -> hipaa via csf' 'path hipaa:164.312(a)(2)(iv) -> soc2'
        'explain iso27001 -> csf:PR.DS-01' 'let mine = iso27001{5.1..5.37} - iso27001{5.7}'
    )
    for i in $(seq 0 9999); do echo "${statements[i % 12]}"; done >"$batch"
fi
grep -v '^search' "$batch" >"$batch.nosearch"
echo
echo "| 10k statements in batch | table | csv | json |"
echo "|---|---|---|---|"
for file in "$batch" "$batch.nosearch"; do
    name="all 12 kinds"
    [ "$file" = "$batch" ] || name="without \`search\` ($(wc -l <"$file") statements)"
    echo "| $name | $(measure $bin run "$file") | $(measure $bin -f csv run "$file") | $(measure $bin -f json run "$file") |"
done

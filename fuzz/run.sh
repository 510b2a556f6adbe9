#!/usr/bin/env bash
# Runs one fuzz target for a fixed time: fuzz/run.sh TARGET SECONDS
# Targets: parse, session, load, soa, import. Needs a nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Seeds come from the test folders; crashes land
# in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:-1800}
corpus=corpus/$target
mkdir -p "$corpus"
case $target in
    parse|session)
        cp ../tests/queries/*.cwq ../tests/errors/*.cwq "$corpus"/ ;;
    soa)
        cp ../tests/data/*.csv "$corpus"/ ;;
    import)
        # The first byte picks the format: 0 JSON, 1 CSV, 2 YAML, 3 TSV, 4 XLSX.
        for dir in oscal oscal-catalog cprt olir ciso; do
            case $dir in olir) pick=1 ;; ciso) pick=2 ;; *) pick=0 ;; esac
            for f in ../tests/data/"$dir"/*; do
                { printf "\\$(printf %03o "$pick")"; cat "$f"; } > "$corpus/seed-$dir-$(basename "$f")"
            done
        done
        for f in ../tests/broken-imports/*; do
            case $f in *.csv) pick=1 ;; *.yaml) pick=2 ;; *) pick=0 ;; esac
            { printf "\\$(printf %03o "$pick")"; cat "$f"; } > "$corpus/seed-broken-$(basename "$f")"
        done ;;
    load)
        for db in ../tests/broken/*/ ../tests/data/tiny/ ../tests/data/added/; do
            [ -d "$db" ] || continue
            out="$corpus/seed-$(basename "$db")"
            : > "$out"
            (cd "$db" && find . -type f | sort | while read -r f; do
                printf '=== %s\n' "${f#./}"
                cat "$f"
            done) >> "$out"
        done ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac
# Every input that crashed before stays in the corpus.
cp ../tests/crashes/"$target"/* "$corpus"/ 2>/dev/null || true
# The crate forbids unsafe code, so the address sanitizer finds nothing the
# Rust checks do not: without it the fuzzer runs several times faster. Debug
# assertions stay on, so an arithmetic overflow is a crash.
exec cargo +nightly fuzz run --sanitizer none --debug-assertions "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 -jobs=1 -workers=1 -print_final_stats=1

#!/usr/bin/env bash
# Import speed and memory: a generated archive is exported as WXR, then imported into an empty
# site, twice (the second run finds everything unchanged). A file a tenth the size is imported
# too, so that the peak memory of both can be compared: flat memory means the same peak.
#
#   bash bench/import.sh                  # 100,000 posts (about 400,000 comments)
#   POSTS=20000 bash bench/import.sh
#   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/gazette_import bash bench/import.sh
#
# Archives and files are kept in $BENCH_DIR/import (default bench/work/import) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
POSTS=${POSTS:-100000}
SMALL=$((POSTS / 10))
WORK=${BENCH_DIR:-$ROOT/bench/work}/import
PG_URL=${BENCH_POSTGRES_URL:-off}
BIN=$ROOT/target/release/gazette
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
    echo "installing time from Debian…" >&2
    SUDO=""; if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi
echo "building the release binary…" >&2
cargo build --release --quiet

# An export of N generated posts, made once.
wxr_of() {
    local n=$1 dir=$WORK/source-$1 file=$WORK/site-$1.xml
    if [ ! -s "$file" ]; then
        if [ ! -f "$dir/gazette.db" ]; then
            "$BIN" --data-dir "$dir" demo --articles "$n" >/dev/null
        fi
        /usr/bin/time -f "%e %M" -o "$WORK/export-$n.time" \
            "$BIN" --data-dir "$dir" export --format wxr "$file.partial" >/dev/null 2>&1
        mv "$file.partial" "$file"
    fi
    echo "$file"
}

# Imports FILE into a fresh site (sqlite: a data directory; postgres: a fresh database);
# prints "seconds peak_kib".
import_into() {
    local label=$1 file=$2 url=$3 dir=$WORK/target-$1
    rm -rf "$dir"
    mkdir -p "$dir"
    /usr/bin/time -f "%e %M" -o "$dir/time" \
        "$BIN" --data-dir "$dir" --database-url "$url" import wxr "$file" > "$dir/report.txt" 2> "$dir/stderr.txt"
    cat "$dir/time"
}

reimport() {
    local label=$1 file=$2 url=$3 dir=$WORK/target-$1
    /usr/bin/time -f "%e %M" -o "$dir/time-again" \
        "$BIN" --data-dir "$dir" --database-url "$url" import wxr "$file" > "$dir/report-again.txt" 2>/dev/null
    cat "$dir/time-again"
}

big=$(wxr_of "$POSTS")
small=$(wxr_of "$SMALL")
items=$(grep -c '<wp:post_type><!\[CDATA\[post\]\]></wp:post_type>' "$big")
comments=$(grep -c '<wp:comment>' "$big")
printf 'WXR file: %s posts, %s comments, %.0f MB (export took %s s)\n' "$items" "$comments" \
    "$(echo "$(stat -c %s "$big") / 1048576" | bc -l)" "$(cut -d' ' -f1 "$WORK/export-$POSTS.time")"

engines=("sqlite")
[ "$PG_URL" != off ] && engines+=("postgres")
for engine in "${engines[@]}"; do
    for which in small big; do
        file=$([ $which = big ] && echo "$big" || echo "$small")
        n=$([ $which = big ] && echo "$POSTS" || echo "$SMALL")
        if [ "$engine" = sqlite ]; then
            url="sqlite://$WORK/target-$engine-$which/gazette.db"
        else
            base=${PG_URL%/*}
            name="gazette_import_$which"
            psql "$base/postgres" -qc "drop database if exists $name" -c "create database $name" >/dev/null
            url="$base/$name"
        fi
        read -r seconds peak < <(import_into "$engine-$which" "$file" "$url")
        read -r again_seconds again_peak < <(reimport "$engine-$which" "$file" "$url")
        printf '%-8s %7s posts: %6.1f s, %5.0f posts/s, peak memory %4.0f MB; second run (all unchanged) %5.1f s, peak %4.0f MB\n' \
            "$engine" "$n" "$seconds" "$(echo "$n / $seconds" | bc -l)" "$(echo "$peak / 1024" | bc -l)" \
            "$again_seconds" "$(echo "$again_peak / 1024" | bc -l)"
    done
done
echo "reports: $WORK/target-*/report.txt"

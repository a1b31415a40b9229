#!/usr/bin/env bash
# Two gazette builds on the cached article, interleaved: A then B, ROUNDS times, each serving
# its own generated archive, the lead story of its front page hammered by wrk (2 threads,
# 64 connections). Interleaving spreads the machine's drift over both; the medians and their
# ratio are printed. On 127.0.0.1 only.
#
#   bench/compare-cached.sh OLD_BIN NEW_BIN            # e.g. a worktree's release build and ours
#   ARTICLES=50000 ROUNDS=6 DURATION=5s bench/compare-cached.sh A B
#
# Figures: docs/performance.md ("Before and after").
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/compare-cached.sh OLD_BIN NEW_BIN" >&2; exit 2; }
command -v wrk >/dev/null || { echo "compare-cached: wrk is missing (apt-get install wrk)" >&2; exit 1; }
ARTICLES=${ARTICLES:-50000}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-5s}
PORT=${PORT:-18082}
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
bins=("$(realpath "$1")" "$(realpath "$2")")

for i in 0 1; do
    mkdir -p "$WORK/$i"
    GAZETTE_STORAGE_DATA_DIR=$WORK/$i/data "${bins[$i]}" demo --articles "$ARTICLES" >/dev/null 2>&1
done

start() {
    GAZETTE_STORAGE_DATA_DIR=$WORK/$1/data "${bins[$1]}" serve --listen "127.0.0.1:$PORT" >"$WORK/$1/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 400); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.025; done
}

# The demo's pictures are resized by background jobs after the first start: let them finish
# (at most two minutes) so that no round shares the cores with them.
for i in 0 1; do
    start "$i"
    for _ in $(seq 240); do
        waiting=$(curl -sf "http://127.0.0.1:$PORT/metrics" \
            | awk '/^gazette_jobs\{status="(queued|running)"\}/ { n += $2 } END { print n + 0 }')
        [ "$waiting" = 0 ] && break
        sleep 0.5
    done
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
done

# One round: serves archive $1 with binary $1, prints wrk's requests per second.
round() {
    start "$1"
    local path
    path=$(curl -sf "http://127.0.0.1:$PORT/" | grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' | sed -n '1s/^href="\(.*\)"$/\1/p')
    curl -sf -o /dev/null "http://127.0.0.1:$PORT$path"
    wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT$path" | awk '/Requests\/sec/ { print $2 }'
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

a=(); b=()
for r in $(seq "$ROUNDS"); do
    a+=("$(round 0)"); b+=("$(round 1)")
    echo "round $r: A ${a[-1]} req/s, B ${b[-1]} req/s" >&2
done
ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
printf 'cached article, wrk -t2 -c64 -d%s, median of %d interleaved rounds\n' "$DURATION" "$ROUNDS"
printf '  A %s: %.0f req/s\n  B %s: %.0f req/s\n' "${bins[0]}" "$ma" "${bins[1]}" "$mb"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "  B/A: %.2f\n", b / a }'

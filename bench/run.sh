#!/usr/bin/env bash
# Gazette against nginx on the same bytes, then render and search timings on a 20-year archive,
# on SQLite and (when a server answers) on PostgreSQL. Everything runs on 127.0.0.1.
#
#   bash bench/run.sh                 # 500,000 articles, 3 rounds of 10 s per target
#   ARTICLES=50000 ROUNDS=1 bash bench/run.sh
#
# Settings (environment): ARTICLES, ROUNDS, DURATION (wrk's -d), BENCH_DIR (where the archives
# and results live; reused between runs), BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/gazette_bench; "off" skips PostgreSQL), BIN (a gazette
# binary to measure instead of building this checkout's: two builds compared on one archive).
# See docs/performance.md for what the figures mean and the last recorded run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ARTICLES=${ARTICLES:-500000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WORK=${BENCH_DIR:-$ROOT/bench/work}
PG_URL=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/gazette_bench}
GAZETTE_PORT=${GAZETTE_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
BIN=${BIN:-}
mkdir -p "$WORK"
RESULTS=$WORK/results.txt
: > "$RESULTS"

say() { echo "$@" | tee -a "$RESULTS"; }

# --- tools -----------------------------------------------------------------------------------
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian…" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ -z "$BIN" ]; then
    echo "building the release binary…" >&2
    cargo build --release --quiet
    BIN=$ROOT/target/release/gazette
fi

# --- helpers ---------------------------------------------------------------------------------
now_ms() { date +%s%3N; }

# wrk's latency figure ("812.00us", "1.31ms", "2.00s") in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
        printf "%.3f", n
    }'
}

# The median of numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# One wrk run: prints "rps p50_ms p99_ms". Fails on socket errors or non-2xx answers.
wrk_run() {
    local url=$1 threads=$2 connections=$3 out
    # A browser's User-Agent: Gazette counts these requests as reads, as it would for readers
    # (an empty one is taken for a robot and not counted).
    out=$(wrk -t"$threads" -c"$connections" -d"$DURATION" --latency \
        -H "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" "$url")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "wrk saw error answers from $url:" >&2
        echo "$out" >&2
        return 1
    fi
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    echo "$rps $p50 $p99"
}

start_nginx() {
    local dir=$WORK/nginx
    mkdir -p "$dir/tmp" "$dir/www"
    cp "$1" "$dir/www/article.html"
    cat > "$dir/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    types { text/html html; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $dir/www;
    }
}
EOF
    "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/article.html" && return 0
        sleep 0.05
    done
    echo "nginx did not start; see $dir/error.log" >&2
    return 1
}

stop_nginx() {
    [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
    sleep 0.3
}

GAZETTE_PID=""
stop_gazette() {
    if [ -n "$GAZETTE_PID" ]; then
        kill -TERM "$GAZETTE_PID" 2>/dev/null || true
        wait "$GAZETTE_PID" 2>/dev/null || true
        GAZETTE_PID=""
    fi
}
trap 'stop_gazette; stop_nginx' EXIT

# --- one engine ------------------------------------------------------------------------------
bench_engine() {
    local name=$1 dir=$WORK/$1
    mkdir -p "$dir"
    export GAZETTE_STORAGE_DATA_DIR=$dir/data
    say ""
    say "=== $name · $ARTICLES articles ==="

    # The archive: generated once, then reused (delete $dir to start again).
    if [ ! -f "$dir/generated-$ARTICLES.txt" ]; then
        local started
        started=$(now_ms)
        "$BIN" demo --articles "$ARTICLES" > "$dir/generate.log"
        echo "$(( ($(now_ms) - started) / 1000 )) s: $(tail -1 "$dir/generate.log")" > "$dir/generated-$ARTICLES.txt"
    fi
    say "archive generated and indexed in $(cat "$dir/generated-$ARTICLES.txt")"
    if [ -n "${GAZETTE_DATABASE_URL:-}" ]; then
        say "database size: $(psql "$GAZETTE_DATABASE_URL" -Atqc "select pg_size_pretty(pg_database_size(current_database()))") in PostgreSQL"
    else
        say "database size: $(du -sh "$dir/data" | cut -f1) on disk under the data directory"
    fi

    # Startup: from exec to the first answer of /healthz.
    local started ready
    started=$(now_ms)
    "$BIN" serve --listen "127.0.0.1:$GAZETTE_PORT" > "$dir/serve.log" 2>&1 &
    GAZETTE_PID=$!
    for _ in $(seq 1000); do
        curl -sf -o /dev/null "http://127.0.0.1:$GAZETTE_PORT/healthz" && break
        sleep 0.005
    done
    ready=$(now_ms)
    say "startup on the archive: $((ready - started)) ms"

    # The lead story of the front page: the page a spike hits.
    local path
    local front
    front=$(curl -sf "http://127.0.0.1:$GAZETTE_PORT/")
    path=$(grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' <<<"$front" | sed -n '1s/^href="\(.*\)"$/\1/p')
    [ -n "$path" ] || { echo "no article link on the front page" >&2; return 1; }
    curl -sf -o "$dir/article.html" "http://127.0.0.1:$GAZETTE_PORT$path"
    local reads_before
    reads_before=$(curl -sf "http://127.0.0.1:$GAZETTE_PORT/metrics" | awk '/^gazette_reads_counted_total/ { print $2 }')
    start_nginx "$dir/article.html"
    say "article page: $path ($(wc -c < "$dir/article.html") bytes, identical bytes served by nginx)"

    local mode threads connections
    for mode in "64 connections:2:64" "1 connection:1:1"; do
        IFS=: read -r label threads connections <<<"$mode"
        local g_rps=() g_p50=() g_p99=() n_rps=() n_p50=() n_p99=()
        for round in $(seq "$ROUNDS"); do
            # Assigned first so that a failing wrk run stops the script (set -e).
            local figures
            figures=$(wrk_run "http://127.0.0.1:$GAZETTE_PORT$path" "$threads" "$connections")
            read -r r a b <<<"$figures"
            g_rps+=("$r"); g_p50+=("$a"); g_p99+=("$b")
            figures=$(wrk_run "http://127.0.0.1:$NGINX_PORT/article.html" "$threads" "$connections")
            read -r r a b <<<"$figures"
            n_rps+=("$r"); n_p50+=("$a"); n_p99+=("$b")
            echo "  round $round ($label): gazette ${g_rps[-1]} req/s, nginx ${n_rps[-1]} req/s" >&2
        done
        local gr nr
        gr=$(median "${g_rps[@]}"); nr=$(median "${n_rps[@]}")
        say "cached article, $label (wrk -t$threads -c$connections -d$DURATION, median of $ROUNDS rounds):"
        say "$(printf '  %-8s %10.0f req/s   p50 %7.3f ms   p99 %7.3f ms' gazette "$gr" "$(median "${g_p50[@]}")" "$(median "${g_p99[@]}")")"
        say "$(printf '  %-8s %10.0f req/s   p50 %7.3f ms   p99 %7.3f ms' nginx "$nr" "$(median "${n_p50[@]}")" "$(median "${n_p99[@]}")")"
        say "$(awk -v g="$gr" -v n="$nr" 'BEGIN { printf "  ratio gazette/nginx: %.2f", g / n }')"
    done
    stop_nginx

    local reads_after
    sleep 1.5
    reads_after=$(curl -sf "http://127.0.0.1:$GAZETTE_PORT/metrics" | awk '/^gazette_reads_counted_total/ { print $2 }')
    say "reads counted during the runs: $(( ${reads_after%.*} - ${reads_before%.*} ))"
    say "gazette resident memory after the runs: $(awk '/^VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$GAZETTE_PID/status")"
    stop_gazette

    # Renders with the cache off, and searches: in process, through the real router.
    "$BIN" bench | tee -a "$RESULTS"
    unset GAZETTE_STORAGE_DATA_DIR GAZETTE_DATABASE_URL
}

say "Gazette benchmark · $(date -u '+%Y-%m-%d %H:%M UTC') · $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
say "tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | cut -d' ' -f3), $("$BIN" --version)"

bench_engine sqlite

if [ "$PG_URL" != off ]; then
    db_name=${PG_URL##*/}
    db_name=${db_name%%\?*}
    admin_url=${PG_URL%/*}/postgres
    if psql "$admin_url" -Atqc "select 1" >/dev/null 2>&1; then
        if [ "$(psql "$admin_url" -Atqc "select 1 from pg_database where datname = '$db_name'")" != 1 ]; then
            psql "$admin_url" -qc "create database $db_name" >/dev/null
            rm -f "$WORK/postgres/generated-"*.txt
        fi
        export GAZETTE_DATABASE_URL=$PG_URL
        bench_engine postgres
    else
        say ""
        say "PostgreSQL: no server answers at $PG_URL (set BENCH_POSTGRES_URL, or off); skipped"
    fi
fi

say ""
say "results saved in $RESULTS"

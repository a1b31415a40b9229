#!/usr/bin/env bash
# Throughput with one and with two Gazette nodes on one PostgreSQL, behind nginx as the load
# balancer, on this machine. Everything runs on 127.0.0.1.
#
#   bash bench/nodes.sh
#   ROUNDS=1 DURATION=5s bash bench/nodes.sh
#
# Settings (environment): ROUNDS, DURATION (wrk's -d), NODES_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/gazette_nodes; created if missing, filled with the demo
# newspaper). See docs/deployment.md and docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
PG_URL=${NODES_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/gazette_nodes}
WORK=$ROOT/bench/work/nodes
BALANCER_PORT=${BALANCER_PORT:-18090}
NODE_PORTS=(18091 18092)
BIN=$ROOT/target/release/gazette
UA="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
mkdir -p "$WORK"
RESULTS=$WORK/results.txt
: > "$RESULTS"
say() { echo "$@" | tee -a "$RESULTS"; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
echo "building the release binary…" >&2
cargo build --release --quiet

db_name=${PG_URL##*/}
admin_url=${PG_URL%/*}/postgres
if [ "$(psql "$admin_url" -Atqc "select 1 from pg_database where datname = '$db_name'")" != 1 ]; then
    psql "$admin_url" -qc "create database $db_name" >/dev/null
fi
export GAZETTE_DATABASE_URL=$PG_URL
export GAZETTE_STORAGE_MEDIA_DIR=$WORK/media

PIDS=()
stop_all() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    sleep 0.3
}
trap stop_all EXIT

wait_for() {
    for _ in $(seq 400); do curl -sf -o /dev/null "$1" && return 0; sleep 0.025; done
    echo "nothing answers at $1" >&2
    return 1
}

start_nodes() {
    local count=$1 i
    for ((i = 0; i < count; i++)); do
        mkdir -p "$WORK/node$i"
        GAZETTE_STORAGE_DATA_DIR=$WORK/node$i "$BIN" serve --demo --listen "127.0.0.1:${NODE_PORTS[$i]}" \
            > "$WORK/node$i.log" 2>&1 &
        PIDS+=($!)
        wait_for "http://127.0.0.1:${NODE_PORTS[$i]}/healthz"
    done
    local upstreams=""
    for ((i = 0; i < count; i++)); do upstreams+="server 127.0.0.1:${NODE_PORTS[$i]};"$'\n'; done
    mkdir -p "$WORK/tmp"
    cat > "$WORK/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    upstream gazette { $upstreams keepalive 64; }
    server {
        listen 127.0.0.1:$BALANCER_PORT;
        location / {
            proxy_pass http://gazette;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
}
EOF
    "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"
    wait_for "http://127.0.0.1:$BALANCER_PORT/healthz"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

rps() {
    local out
    out=$(wrk -t2 -c64 -d"$DURATION" -H "User-Agent: $UA" "$1")
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
        echo "wrk saw errors at $1:" >&2
        echo "$out" >&2
        return 1
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

say "Gazette on one and two nodes · $(date -u '+%Y-%m-%d %H:%M UTC') · $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; nginx balances round-robin; wrk -t2 -c64 -d$DURATION, median of $ROUNDS rounds"

declare -A results
for count in 1 2; do
    start_nodes "$count"
    base="http://127.0.0.1:$BALANCER_PORT"
    front=$(curl -sf "$base/")
    article=$(grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' <<<"$front" | sed -n '1s/^href="\(.*\)"$/\1/p')
    for target in "cached article:$article" "search (uncached):/recherche?q=gouvernement" "front page:/"; do
        label=${target%%:*}
        path=${target#*:}
        figures=()
        for _ in $(seq "$ROUNDS"); do
            figure=$(rps "$base$path")
            figures+=("$figure")
        done
        results["$count:$label"]=$(median "${figures[@]}")
        say "$(printf '%d node(s)  %-20s %10.0f req/s' "$count" "$label" "${results["$count:$label"]}")"
    done
    stop_all
done
for label in "cached article" "search (uncached)" "front page"; do
    say "$(awk -v a="${results["1:$label"]}" -v b="${results["2:$label"]}" -v l="$label" \
        'BEGIN { printf "two nodes / one node, %-20s %.2f", l, b / a }')"
done
say "results saved in $RESULTS"

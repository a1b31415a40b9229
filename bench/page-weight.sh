#!/usr/bin/env bash
# What readers download and what Lighthouse says, on the demo site served by this checkout's
# release build (or BIN=…), on 127.0.0.1 only:
#   - bytes of a French and an Arabic article at 390 px, first visit (empty cache) and second
#     visit (another article of the edition, cache warm), at device pixel ratios 1 and 2, and
#     the layout shift of each (bench/page-weight.mjs, Chromium through puppeteer-core);
#   - Lighthouse's scores (performance, accessibility, best practices, SEO), mobile and
#     desktop, for the front page and an article in each language, with LCP, CLS and weight.
# The Node tools come from the npm registry into target/bench-node (NODE_TOOLS=… to reuse a
# folder); Chromium from Debian (apt-get install chromium). Figures: docs/performance.md.
#
#   bash bench/page-weight.sh
#   BIN=target/debug/gazette LIGHTHOUSE=off bash bench/page-weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-18191}
BIN=${BIN:-}
TOOLS=${NODE_TOOLS:-$ROOT/target/bench-node}
LIGHTHOUSE=${LIGHTHOUSE:-on}
command -v chromium >/dev/null || { echo "page-weight: Chromium is missing (apt-get install chromium)" >&2; exit 1; }
if [ ! -d "$TOOLS/node_modules/puppeteer-core" ] || [ ! -d "$TOOLS/node_modules/lighthouse" ]; then
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund lighthouse@12 puppeteer-core@23)
fi
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=$ROOT/target/release/gazette
fi
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
(cd "$WORK" && exec "$BIN" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1) &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -fso /dev/null "$BASE/healthz" && break; sleep 0.5; done
# The demo's pictures get their variants from a background job: wait for the last one.
for _ in $(seq 1 120); do
    [ "$(find "$WORK/gazette-data/media" -name '*.r1x1.*' | wc -l)" -ge 18 ] && break
    sleep 0.5
done
article() { # LANG SECTION
    curl -fs "$BASE/api/v1/articles?section=$2&lang=$1&per_page=1" \
        | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s).items[0];console.log(`/${i.section_slug}/${encodeURIComponent(i.slug)}`)})'
}
FR1=$(article fr actualite); FR2=$(article fr economie)
AR1=$(article ar actualite); AR2=$(article ar economie)
export NODE_PATH=$TOOLS/node_modules
cp bench/page-weight.mjs "$TOOLS/page-weight.mjs"
for dpr in 1 2; do
    for pair in "French $FR1 $FR2" "Arabic $AR1 $AR2"; do
        set -- $pair
        echo "== $1 article at 390 px, device pixel ratio $dpr ($2, then $3)"
        node "$TOOLS/page-weight.mjs" "$BASE" "$2" "$3" 390 "$dpr"
    done
done
[ "$LIGHTHOUSE" = off ] && exit 0
for form in mobile desktop; do
    echo "== Lighthouse, $form (mobile: its Moto G Power on slow 4G, simulated; desktop: its desktop preset)"
    preset=()
    [ "$form" = desktop ] && preset=(--preset=desktop)
    for path in / "$FR1" /ar/ "$AR1"; do
        out="$WORK/lh.json"
        CHROME_PATH=$(command -v chromium) "$TOOLS/node_modules/.bin/lighthouse" "$BASE$path" --quiet "${preset[@]}" \
            --output=json --output-path="$out" --chrome-flags="--headless=new --no-sandbox" \
            --only-categories=performance,accessibility,best-practices,seo >/dev/null 2>&1 || { echo "$path: lighthouse failed"; continue; }
        node -e '
            const r = require(process.argv[1]); const c = r.categories, a = r.audits;
            const s = (k) => Math.round(c[k].score * 100);
            const fails = Object.values(a).filter((x) => x.score !== null && x.score < 1 && x.scoreDisplayMode === "binary").map((x) => x.id);
            console.log(`${decodeURI(process.argv[2]).padEnd(40)} performance ${s("performance")}  accessibility ${s("accessibility")}  best practices ${s("best-practices")}  SEO ${s("seo")}  LCP ${a["largest-contentful-paint"].displayValue}  CLS ${a["cumulative-layout-shift"].displayValue}  weight ${a["total-byte-weight"].numericValue >> 10} KiB${fails.length ? "  failing: " + fails.join(", ") : ""}`);
        ' "$out" "$path"
    done
done

#!/usr/bin/env bash
# Fuzzing: each cargo-fuzz target (fuzz/fuzz_targets/) for FUZZ_SECONDS (default 120), starting
# from the repository's attack corpora. A crash stops with its input saved under
# fuzz/artifacts/TARGET/; turn it into a regression test (tests/data/, or a case in
# src/fuzzing.rs's tests) before fixing it. The same checks run on stable Rust in `cargo test`
# (src/fuzzing.rs) on the corpora and on pseudo-random input.
#
#   bash tests/attack/fuzz.sh                 # every target, 120 s each
#   FUZZ_SECONDS=600 bash tests/attack/fuzz.sh markdown importer
#
# Needs the nightly toolchain (rustup) and cargo-fuzz (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECONDS_EACH=${FUZZ_SECONDS:-120}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(markdown importer screening slug search_query addresses)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seed corpora: the XSS vectors (one file each), the WXR fixtures, the labelled comments.
seed() {
    local dir=$ROOT/fuzz/corpus/$1
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return
    case $1 in
        importer) cp "$ROOT"/tests/data/wxr/*.xml "$dir"/ ;;
        # One seed per labelled file, named by its path (several parts hold an fr.toml).
        screening) find "$ROOT/tests/data/moderation" -type f -name '*.toml' | while IFS= read -r f; do
                       cp "$f" "$dir/$(printf '%s' "${f#"$ROOT"/tests/data/moderation/}" | tr / _)"
                   done ;;
        *) local n=0
           while IFS= read -r line; do n=$((n + 1)); printf '%s' "$line" > "$dir/xss-$n"; done < "$ROOT/tests/data/xss-vectors.txt" ;;
    esac
}

failed=()
for target in "${TARGETS[@]}"; do
    seed "$target"
    echo "== fuzz $target for ${SECONDS_EACH}s"
    if ! (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048); then
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: no crash in ${TARGETS[*]} (${SECONDS_EACH}s each)"

#!/usr/bin/env bash
# The comment screening measured on the labelled comments of tests/data/moderation/: the tuning
# part (cross-validated for the classifier), the development part and the frozen part, per
# register, per ground and per class, with the three figures that matter (abusive comments
# caught; fair comments refused outright; fair comments held) and the median screening time
# per comment. Built in release for the timings. Fails if a part falls below its floor.
#
#   bash bench/moderation.sh                      # all three parts
#   GAZETTE_MODERATION_MISSES=1 bash bench/moderation.sh tuning   # and the tuning part's misses
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-screening_holds_its_level}
cargo test --release --test it "moderation_quality::${filter}" -- --nocapture --test-threads 1 2>&1 \
    | grep -v '^test \|^running\|^$\|^     Running\|Compiling\|Finished' | awk '!seen[$0]++'

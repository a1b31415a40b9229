#!/usr/bin/env bash
# Precision and recall of the comment screening, per category and language, on the labelled
# comments in tests/data/moderation/. Prints the table; fails if the aim is not met.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test it moderation_quality -- --nocapture

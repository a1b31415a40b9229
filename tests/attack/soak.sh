#!/usr/bin/env bash
# Soak: ten minutes of mixed traffic (readers on every kind of page, searches, comments, likes,
# the desk publishing through the API) against a real `gazette serve`, with zero 5xx answers
# and flat memory required. CI runs the same test for one minute as part of `cargo test`.
#
#   bash tests/attack/soak.sh                         # 600 s on SQLite
#   SOAK_SECONDS=120 bash tests/attack/soak.sh
#   SOAK_ENGINE=postgres GAZETTE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
#       bash tests/attack/soak.sh                     # on PostgreSQL
#
# It prints the request count and rate, and the server's resident memory every two seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GAZETTE_SOAK_SECONDS=${SOAK_SECONDS:-600}
export GAZETTE_SOAK_ENGINE=${SOAK_ENGINE:-sqlite}
exec cargo test --test it soak:: -- --nocapture

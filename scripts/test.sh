#!/usr/bin/env bash
# Runs every check and test of the workspace: formatting, clippy with warnings as errors, and
# all test suites (store and API tests need PostgreSQL; scripts/pg.sh finds or starts one),
# then the web dashboard's (scripts/web.sh test: Node.js and Chromium, against the binaries),
# schemathesis against a live server (scripts/schemathesis.sh) and the generated clients'
# drift check and flows (scripts/test-clients.sh); these two need Python 3 and PyPI access
# the first time (their tools are installed into .tools/venv).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg.sh
ensure_postgres
source scripts/tools.sh
ensure_test_tools
export SQLX_OFFLINE=true
# A clean build gains nothing from incremental compilation: it costs time and gigabytes of
# target/ on the 2-core CI machine. Set CARGO_INCREMENTAL=1 to keep it for local reruns.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
# The databases the suites create (sb_test_*, sb_e2e_*, sb_load_*): those of a passing run are
# dropped afterwards; a failing run keeps them to look into.
scratch_dbs() {
  psql "$DATABASE_URL" -XAtqc \
    "SELECT datname FROM pg_database WHERE datname ~ '^sb_(test|e2e|load)_[0-9a-f]+$' ORDER BY 1"
}
before=$(scratch_dbs)
cargo test --workspace --locked
comm -13 <(echo "$before" | LC_ALL=C sort) <(scratch_dbs | LC_ALL=C sort) | while read -r db; do
  psql "$DATABASE_URL" -XAtqc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
echo "== web dashboard"
# Its end-to-end tests run the debug binaries (server, agent, demo) in a real browser.
cargo build --workspace --bins --locked
scripts/web.sh test
echo "== API contract (schemathesis)"
scripts/schemathesis.sh
echo "== generated clients"
scripts/test-clients.sh

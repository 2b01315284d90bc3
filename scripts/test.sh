#!/usr/bin/env bash
# Runs every check and test of the workspace: formatting, clippy with warnings as errors, and
# all test suites (store and API tests need PostgreSQL; scripts/pg.sh finds or starts one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg.sh
ensure_postgres
export SQLX_OFFLINE=true
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked

#!/usr/bin/env bash
# The load benchmark (server/README.md, "Load benchmark"): a release build of
# slicebroker-loadgen (32 clients looping create → release over HTTP against the server in
# process, on a fresh database with 1,000 GPUs), then pgbench's simple-update workload on a
# scratch database of the same PostgreSQL, so the two figures come from the same run.
# Environment: DATABASE_URL (default: the shared server or one scripts/pg.sh starts),
# BENCH_CLIENTS (32), BENCH_SECONDS (20), BENCH_POOL (the server's connection pool, 16). Extra
# arguments go to slicebroker-loadgen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg.sh
ensure_postgres
CLIENTS=${BENCH_CLIENTS:-32}
SECS=${BENCH_SECONDS:-20}
POOL=${BENCH_POOL:-16}
export SQLX_OFFLINE=true
cargo build --release -q -p slicebroker-loadgen
bin=${CARGO_TARGET_DIR:-target}/release/slicebroker-loadgen
pg=$(pg_bin)
echo "== machine: $(nproc) cores, $(uname -m); PostgreSQL $("$pg/postgres" --version | awk '{print $3}') at ${DATABASE_URL%%\?*}"
echo "== slicebroker-loadgen: $CLIENTS clients, ${SECS}s, 1000 GPUs"
"$bin" --database-url "$DATABASE_URL" --clients "$CLIENTS" --seconds "$SECS" --pool "$POOL" "$@"
scratch=sb_pgbench_$$
base=${DATABASE_URL%/*}
trap 'psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null' EXIT
psql "$DATABASE_URL" -qc "CREATE DATABASE $scratch" >/dev/null
"$pg/pgbench" -i -q "$base/$scratch" >/dev/null 2>&1
echo "== pgbench simple-update (-N): $CLIENTS clients, 2 threads, ${SECS}s"
"$pg/pgbench" -N -c "$CLIENTS" -j 2 -T "$SECS" "$base/$scratch" 2>/dev/null \
  | grep -E '^(number of transactions actually processed|latency average|tps)'

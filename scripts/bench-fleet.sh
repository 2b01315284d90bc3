#!/usr/bin/env bash
# The fleet-scale benchmark (server/README.md, "How far one server scales"): release builds of
# slicebroker-server (one or two replica processes on one fresh database) and
# slicebroker-loadgen, which enrolls virtual GPU hosts that speak the agent protocol over HTTP
# (register, the desired-config long-poll held, a report every few seconds) while clients loop
# create → release; it reads the servers' CPU and memory from /proc and PostgreSQL's commits,
# rows and WAL from its statistics. Everything runs on this machine.
# Environment: DATABASE_URL (default: the shared server or one scripts/pg.sh starts),
# BENCH_HOSTS (2000), BENCH_CLIENTS (32), BENCH_SECONDS (30), BENCH_REPLICAS (1), BENCH_POOL
# (each server's connection pool, 16), BENCH_KEEP_DB (set: keep the database afterwards, to look
# into), BENCH_SERVER_BIN (another build's slicebroker-server to measure, e.g. one from before a
# change). Extra arguments go to slicebroker-loadgen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg.sh
ensure_postgres
HOSTS=${BENCH_HOSTS:-2000}
CLIENTS=${BENCH_CLIENTS:-32}
SECS=${BENCH_SECONDS:-30}
REPLICAS=${BENCH_REPLICAS:-1}
POOL=${BENCH_POOL:-16}
export SQLX_OFFLINE=true
cargo build --release -q -p slicebroker-server -p slicebroker-loadgen
bin=${CARGO_TARGET_DIR:-target}/release
db=sb_load_fleet_$$
base=${DATABASE_URL%/*}
psql "$DATABASE_URL" -qc "CREATE DATABASE $db" >/dev/null
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${BENCH_KEEP_DB:-}" ]; then
    echo "kept the database: $base/$db"
  else
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  fi
}
trap cleanup EXIT
# Thousands of held long-polls and report connections: as many descriptors as allowed.
ulimit -n "$(ulimit -Hn)"
server=${BENCH_SERVER_BIN:-$bin/slicebroker-server}
admin=$("$server" admin generate-key)
urls=()
for r in $(seq 1 "$REPLICAS"); do
  port=$((18080 + r))
  SLICEBROKER_DATABASE_URL=$base/$db SLICEBROKER_LISTEN=127.0.0.1:$port \
    SLICEBROKER_BOOTSTRAP_ADMIN_KEY=$admin SLICEBROKER_LOG_FILTER=warn \
    SLICEBROKER_DATABASE_MAX_CONNECTIONS=$POOL \
    "$server" serve &
  pids+=($!)
  urls+=(--url "http://127.0.0.1:$port" --server-pid "$!")
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
done
pg=$(pg_bin)
echo "== machine: $(nproc) cores, $(uname -m); PostgreSQL $("$pg/postgres" --version | awk '{print $3}'); $REPLICAS server replica(s), pool $POOL each"
"$bin/slicebroker-loadgen" --database-url "$base/$db" --admin-key "$admin" "${urls[@]}" \
  --agents "$HOSTS" --clients "$CLIENTS" --seconds "$SECS" "$@"

#!/usr/bin/env bash
# Runs slicebroker on this machine: PostgreSQL (DATABASE_URL if given; else a server on
# 127.0.0.1:5432 that trusts user postgres; else a private one under .data/pg), the server on
# port ${SLICEBROKER_PORT:-8080} serving the web dashboard (built into web/dist when missing or
# stale; needs Node.js), two simulated GPU hosts and a demo tenant. Prints the dashboard's URL,
# keys and a lease to try. Ctrl-C stops everything it started; state survives a restart.
# SLICEBROKER_BUILD=release builds and runs optimised binaries (default: debug, quicker to build).
set -euo pipefail
cd "$(dirname "$0")/.."
given=${DATABASE_URL:-}
source scripts/pg.sh
ensure_postgres
trap stop_postgres EXIT
if [ -z "$given" ]; then
  # Our own database on whichever server we found, so the demo never mixes with other data.
  db=${SLICEBROKER_DB:-slicebroker}
  if [ "$(psql "$DATABASE_URL" -XAtqc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    psql "$DATABASE_URL" -Xqc "CREATE DATABASE $db"
  fi
  export DATABASE_URL=${DATABASE_URL%/*}/$db
fi
export SQLX_OFFLINE=true
# Not SLICEBROKER_PROFILE: that is slicectl's saved-login profile.
profile=${SLICEBROKER_BUILD:-debug}
case "$profile" in
  debug) flag=() ;;
  release) flag=(--release) ;;
  *) echo "SLICEBROKER_BUILD must be debug or release, not \`$profile\`" >&2; exit 2 ;;
esac
echo "building ($profile)…" >&2
cargo build "${flag[@]}" --bin slicebroker-server --bin slicebroker-agent --bin slicectl --bin slicebroker-demo
if command -v node >/dev/null 2>&1 && scripts/web.sh ensure; then
  export SLICEBROKER_WEB_DIR=$PWD/web/dist
elif [ -f web/dist/index.html ]; then
  echo "could not rebuild the web dashboard: serving the last build in web/dist" >&2
  export SLICEBROKER_WEB_DIR=$PWD/web/dist
else
  echo "no web dashboard (it needs Node.js >= 20.19 to build): starting without it" >&2
fi
target/$profile/slicebroker-demo &
demo=$!
trap 'kill -INT $demo 2>/dev/null || true' INT TERM
wait $demo || true
wait $demo 2>/dev/null || true

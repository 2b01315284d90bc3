#!/usr/bin/env bash
# The web dashboard (web/): dependencies, build and tests. Needs Node.js >= 20.19 and npm;
# the end-to-end tests also need Chromium (/usr/bin/chromium, or CHROMIUM), PostgreSQL
# (scripts/pg.sh finds or starts one) and the debug binaries (cargo build --bins).
#
#   scripts/web.sh deps     npm ci, when node_modules is missing or package-lock.json changed
#   scripts/web.sh build    build web/dist
#   scripts/web.sh ensure   build web/dist only when it is missing or older than its sources
#   scripts/web.sh test     client drift check, typecheck, unit tests (Vitest), build, and
#                           the end-to-end tests in Chromium (web/e2e/run.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
web=$root/web

need_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js is not installed; the dashboard needs Node.js >= 20.19 and npm (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
    echo "Node.js $(node -v) is too old: the dashboard's build (Vite 8) needs >= 20.19" >&2
    exit 1
  }
}

deps() {
  need_node
  local want have=""
  want=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
  [ -f "$web/node_modules/.lock-sha256" ] && have=$(cat "$web/node_modules/.lock-sha256")
  if [ "$want" != "$have" ]; then
    echo "== npm ci (web/)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$web/node_modules/.lock-sha256"
  fi
}

build() {
  deps
  echo "== vite build (web/dist)"
  (cd "$web" && npx --no-install vite build --logLevel warn)
}

stale() {
  [ -f "$web/dist/index.html" ] || return 0
  [ -n "$(find "$web/src" "$web/public" "$web/index.html" "$web/package-lock.json" "$web/vite.config.ts" \
    -newer "$web/dist/index.html" -print -quit)" ]
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  ensure) if stale; then build; fi ;;
  test)
    deps
    echo "== web: typecheck"
    (cd "$web" && npx --no-install tsc --noEmit)
    echo "== web: unit tests (vitest)"
    (cd "$web" && npx --no-install vitest run)
    build
    echo "== web: end to end (Chromium)"
    if [ -z "${DATABASE_URL:-}" ]; then
      source scripts/pg.sh
      ensure_postgres
      trap stop_postgres EXIT
    fi
    SLICEBROKER_BIN_DIR=${SLICEBROKER_BIN_DIR:-$root/target/debug} node "$web/e2e/run.mjs"
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

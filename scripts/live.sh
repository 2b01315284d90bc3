# A live system for the tests that drive the API over HTTP (schemathesis, the generated
# clients): `slicebroker-demo` (one server, two simulated GPU hosts on real agent processes, a
# demo tenant) on a scratch database that is dropped again on exit. Source it, then call
# `start_live`; it sets SB_URL, SB_ADMIN_KEY and SB_TENANT_KEY (a `member` key of tenant
# `demo`). Needs DATABASE_URL (scripts/pg.sh) and the debug binaries (cargo build --bins).

start_live() {
  local bin=${SLICEBROKER_BIN_DIR:-$PWD/target/debug}
  for b in slicebroker-demo slicebroker-server slicebroker-agent; do
    [ -x "$bin/$b" ] || { echo "$bin/$b is missing: cargo build --bins first" >&2; return 1; }
  done
  LIVE_DB=sb_test_$(head -c6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  psql "$DATABASE_URL" -XAtqc "CREATE DATABASE $LIVE_DB" >/dev/null
  LIVE_DIR=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local db_url
  db_url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$DATABASE_URL" "$LIVE_DB")
  DATABASE_URL=$db_url SLICEBROKER_DEMO_DIR=$LIVE_DIR SLICEBROKER_PORT=$port \
    "$bin/slicebroker-demo" >"$LIVE_DIR/demo.out" 2>&1 &
  LIVE_PID=$!
  trap 'stop_live $?' EXIT
  local i
  for i in $(seq 1 600); do
    if grep -q "slicebroker is running" "$LIVE_DIR/demo.out" 2>/dev/null; then break; fi
    if ! kill -0 "$LIVE_PID" 2>/dev/null; then
      echo "slicebroker-demo exited:" >&2; cat "$LIVE_DIR/demo.out" >&2; return 1
    fi
    sleep 0.2
  done
  grep -q "slicebroker is running" "$LIVE_DIR/demo.out" || {
    echo "slicebroker-demo did not come up:" >&2; cat "$LIVE_DIR/demo.out" >&2; return 1
  }
  export SB_URL=http://127.0.0.1:$port
  SB_ADMIN_KEY=$(cat "$LIVE_DIR/admin-key")
  SB_TENANT_KEY=$(cat "$LIVE_DIR/tenant-key")
  export SB_ADMIN_KEY SB_TENANT_KEY
}

# `stop_live STATUS`: with a failing STATUS (the tests failed), prints the server's log first.
stop_live() {
  if [ -n "${LIVE_PID:-}" ]; then
    if [ "${1:-0}" != 0 ] && [ -n "${LIVE_DIR:-}" ]; then
      kill -0 "$LIVE_PID" 2>/dev/null || echo "slicebroker-demo had exited" >&2
      echo "== the live server's log (last 40 lines)" >&2
      tail -n 40 "$LIVE_DIR/server-0.log" >&2 || true
    fi
    kill -INT "$LIVE_PID" 2>/dev/null || true
    wait "$LIVE_PID" 2>/dev/null || true
    LIVE_PID=
  fi
  if [ -n "${LIVE_DB:-}" ]; then
    psql "$DATABASE_URL" -XAtqc "DROP DATABASE IF EXISTS \"$LIVE_DB\" WITH (FORCE)" >/dev/null || true
    LIVE_DB=
  fi
  [ -n "${LIVE_DIR:-}" ] && rm -rf "$LIVE_DIR"
  LIVE_DIR=
}

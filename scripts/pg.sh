# Sourced by scripts/test.sh and scripts/run.sh: makes sure DATABASE_URL points at a PostgreSQL
# that answers, installing PostgreSQL first on a machine that has none (as root).
# Order: the DATABASE_URL you gave; a server on 127.0.0.1:5432 that trusts user postgres; else a
# private server started from the installed PostgreSQL binaries, with its data under .data/pg
# (owned by an unprivileged user when run as root) on port ${SLICEBROKER_PG_PORT:-55432}.
# SLICEBROKER_PG_PRIVATE=1 skips the shared server. When it starts the private server it sets
# SLICEBROKER_PG_STARTED to its data directory (stop_postgres stops it again).

pg_answers() { psql "$1" -XAtqc 'select 1' >/dev/null 2>&1; }

# Installs Debian's PostgreSQL when neither a server nor its binaries are here: as root, with
# apt-get (what .ci/run does on a fresh machine); otherwise says the one command to run.
install_postgres() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL (apt-get install postgresql)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed. Install it first, e.g.:" >&2
    echo "    sudo apt-get install -y postgresql" >&2
    echo "or point DATABASE_URL at a PostgreSQL server you have." >&2
    return 1
  fi
}

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    pg_answers "$DATABASE_URL" && return 0
    echo "DATABASE_URL is set but PostgreSQL does not answer there" >&2
    return 1
  fi
  local shared=postgres://postgres@127.0.0.1:5432/postgres
  if [ -z "${SLICEBROKER_PG_PRIVATE:-}" ] && pg_answers "$shared"; then
    export DATABASE_URL=$shared
    return 0
  fi
  local bin root port data log user run
  if ! bin=$(pg_bin); then
    install_postgres || return 1
    bin=$(pg_bin) || { echo "PostgreSQL was installed but initdb is not found" >&2; return 1; }
  fi
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  port=${SLICEBROKER_PG_PORT:-55432}
  data=$root/.data/pg
  log=$root/.data/pg.log
  run=()
  if [ "$(id -u)" = 0 ]; then
    user=postgres
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    run=(runuser -u "$user" --)
  fi
  mkdir -p "$root/.data"
  touch "$log"
  if [ "$(id -u)" = 0 ]; then chown "$user" "$root/.data" "$log"; fi
  if [ ! -s "$data/PG_VERSION" ]; then
    "${run[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >>"$log" 2>&1 \
      || { cat "$log" >&2; return 1; }
  fi
  local url=postgres://postgres@127.0.0.1:$port/postgres
  if ! pg_answers "$url"; then
    export SLICEBROKER_PG_STARTED=$data
    "${run[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=200 -c fsync=off" start >/dev/null \
      || { cat "$log" >&2; return 1; }
  fi
  export DATABASE_URL=$url
  echo "using private PostgreSQL at $DATABASE_URL (data in $data)" >&2
}

# Stops the private server if ensure_postgres started it.
stop_postgres() {
  [ -n "${SLICEBROKER_PG_STARTED:-}" ] || return 0
  local bin run=()
  bin=$(pg_bin) || return 0
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/pg_ctl" -D "$SLICEBROKER_PG_STARTED" -m fast -w stop >/dev/null 2>&1 || true
}

# shellcheck shell=bash
# Sourced by scripts/test.sh: installs what the test command needs beyond Rust and PostgreSQL
# (scripts/pg.sh) when a fresh machine lacks it: Node.js and npm for the dashboard and the
# TypeScript client, Python 3 with venv for schemathesis and the Python client, and Debian's
# Chromium for the browser tests. As root with apt-get it installs them; otherwise it says the
# one command to run.

# apt_install WHAT PACKAGE... : installs PACKAGEs, or says how.
apt_install() {
  local what=$1
  shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $what (apt-get install $*)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "the tests need $what; install it with:" >&2
    echo "    sudo apt-get install -y $*" >&2
    return 1
  fi
}

ensure_test_tools() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install "Node.js" nodejs npm
  fi
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install "Python 3 with venv" python3 python3-venv
  fi
  if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    apt_install "Chromium" chromium
  fi
}

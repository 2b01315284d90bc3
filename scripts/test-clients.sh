#!/usr/bin/env bash
# The generated clients: checks they match the checked-in document (scripts/gen-clients.sh
# --check), then drives the whole lease flow through each against a live server with
# simulated GPU hosts (scripts/live.sh): pytest for clients/python, Node's test runner for
# clients/typescript. pytest (pinned) goes into .tools/venv when missing. Needs DATABASE_URL
# (scripts/pg.sh), the debug binaries (cargo build --bins), Python >= 3.10 and Node.js >= 20.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST_VERSION=8.4.2
venv=.tools/venv
echo "== clients: generated code matches openapi/slicebroker.json"
scripts/gen-clients.sh --check
if ! "$venv/bin/python" -c "import pytest, httpx, attrs, dateutil" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "pytest==$PYTEST_VERSION" "httpx>=0.23.1,<0.29.0" "attrs>=22.2.0" "python-dateutil>=2.8.0"
fi
if [ -z "${DATABASE_URL:-}" ]; then
  source scripts/pg.sh
  ensure_postgres
fi
source scripts/live.sh
start_live
echo "== clients/python (pytest, $SB_URL)"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=clients/python "$venv/bin/python" -m pytest -q -p no:cacheprovider clients/python/tests
echo "== clients/typescript (node --test, $SB_URL)"
(cd clients/typescript && npm test --silent)

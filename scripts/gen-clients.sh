#!/usr/bin/env bash
# Generates the API clients from the checked-in document (openapi/slicebroker.json):
#   clients/python/slicebroker_client/   openapi-python-client (pinned below)
#   clients/typescript/src/schema.d.ts   openapi-typescript (pinned in its package.json)
# and stamps both packages with the document's version (info.version). The hand-written
# helpers beside them (clients/python/slicebroker/, clients/typescript/src/index.ts) are not
# touched. The generators are installed when missing: openapi-python-client from PyPI into
# .tools/venv, openapi-typescript by `npm ci` in clients/typescript.
#
#   scripts/gen-clients.sh           regenerate in place
#   scripts/gen-clients.sh --check   fail if what is committed differs from a fresh generation
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
OPC_VERSION=0.29.1
venv=.tools/venv
doc=$root/openapi/slicebroker.json

if ! "$venv/bin/openapi-python-client" --version 2>/dev/null | grep -q "$OPC_VERSION"; then
  echo "== installing openapi-python-client $OPC_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-python-client==$OPC_VERSION"
fi
ts=$root/clients/typescript
want=$(sha256sum "$ts/package-lock.json" | cut -d' ' -f1)
have=$(cat "$ts/node_modules/.lock-sha256" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "== npm ci (clients/typescript)"
  (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$ts/node_modules/.lock-sha256"
fi

version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["info"]["version"])' "$doc")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Python: the package alone (--meta none); pyproject.toml is ours, stamped with the version.
cat >"$out/opc.yaml" <<'YAML'
package_name_override: slicebroker_client
project_name_override: slicebroker-client
post_hooks: []
YAML
"$venv/bin/openapi-python-client" generate --path "$doc" --meta none --config "$out/opc.yaml" \
  --output-path "$out/slicebroker_client" >"$out/opc.log" 2>&1 || { cat "$out/opc.log" >&2; exit 1; }
if grep -q "^Warning\|WARNING\|Unable to" "$out/opc.log"; then
  echo "openapi-python-client warned: every operation must be generated" >&2
  cat "$out/opc.log" >&2
  exit 1
fi
# TypeScript: the types openapi-fetch checks requests and responses against.
(cd "$ts" && npx --no-install openapi-typescript "$doc" --default-non-nullable=false -o "$out/schema.d.ts" >/dev/null)

stamp() { # file: set the package's version to the document's
  python3 - "$1" "$version" <<'PY'
import re, sys
path, version = sys.argv[1], sys.argv[2]
text = open(path).read()
if path.endswith(".json"):
    text = re.sub(r'("version": ")[^"]*(")', lambda m: m.group(1) + version + m.group(2), text, count=1)
else:
    text = re.sub(r'(?m)^version = "[^"]*"', f'version = "{version}"', text, count=1)
open(path, "w").write(text)
PY
}
cp "$root/clients/python/pyproject.toml" "$out/pyproject.toml"
cp "$ts/package.json" "$out/package.json"
stamp "$out/pyproject.toml"
stamp "$out/package.json"

if [ "${1:-}" = "--check" ]; then
  status=0
  diff -r -x __pycache__ "$out/slicebroker_client" "$root/clients/python/slicebroker_client" >/dev/null || status=1
  cmp -s "$out/schema.d.ts" "$ts/src/schema.d.ts" || status=1
  cmp -s "$out/pyproject.toml" "$root/clients/python/pyproject.toml" || status=1
  cmp -s "$out/package.json" "$ts/package.json" || status=1
  if [ $status -ne 0 ]; then
    echo "the generated clients differ from openapi/slicebroker.json: run scripts/gen-clients.sh and commit" >&2
    exit 1
  fi
  echo "clients/python and clients/typescript match openapi/slicebroker.json ($version)"
  exit 0
fi
rm -rf "$root/clients/python/slicebroker_client"
cp -r "$out/slicebroker_client" "$root/clients/python/slicebroker_client"
cp "$out/schema.d.ts" "$ts/src/schema.d.ts"
cp "$out/pyproject.toml" "$root/clients/python/pyproject.toml"
cp "$out/package.json" "$ts/package.json"
echo "generated clients/python and clients/typescript from openapi/slicebroker.json ($version)"

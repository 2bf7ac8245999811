#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: the system packages the tests use (installed
# when missing), Node 24 and the npm packages, then type check, lint (layering included) and
# tests. Extra arguments go to vitest (a file or folder filter, -t NAME, ...).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/system-deps.sh"
. "$here/env.sh"
"$here/install-deps.sh"
cd "$KASSA_ROOT"
echo "== type check: tsc -b (base/common, protocol, renderer, node)"
node_modules/.bin/tsc -b
echo "== lint: eslint (typescript-eslint + ARCHITECTURE.md layering)"
node_modules/.bin/eslint --max-warnings 0 .
echo "== build: the renderer (vite), which the UI's browser tests and the hosts serve"
node_modules/.bin/vite build --config renderer/vite.config.ts --logLevel warn
echo "== tests: vitest"
node_modules/.bin/vitest run "$@"

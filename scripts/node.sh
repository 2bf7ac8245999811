#!/usr/bin/env bash
# Runs node with the project's Node 24 and its dependencies in place: `scripts/node.sh FILE.ts ...`.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
. "$here/env.sh"
"$here/install-deps.sh"
# Node's compile cache (checked against each file's content): a command's second run skips
# parsing and type-stripping the modules it loads — most of a short command's start-up.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$KASSA_ROOT/.cache/node-compile}"
exec node "$@"

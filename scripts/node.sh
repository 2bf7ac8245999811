#!/usr/bin/env bash
# Runs node with the project's Node 24 and its dependencies in place: `scripts/node.sh FILE.ts ...`.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
. "$here/env.sh"
"$here/install-deps.sh"
exec node "$@"

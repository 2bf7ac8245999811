#!/usr/bin/env bash
# Installs the npm dependencies (npm ci) with the project's Node when node_modules is missing
# or older than package-lock.json, so ./kassa and npm test work straight from a fresh clone.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KASSA_ROOT"
stamp=node_modules/.package-lock.json # npm rewrites this hidden lockfile on every install
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "kassa: installing dependencies with Node $(node -v) (npm ci)..." >&2
  # Electron fetches its binary lazily on first run; never at install time.
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
fi

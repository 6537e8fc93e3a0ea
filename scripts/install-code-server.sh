#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3: server + web workbench) from the npm registry,
# for the extension-host tests and the demo. Offline-safe (npm registry + Debian apt only) and
# idempotent: does nothing when the pinned version is already there.
# usage: scripts/install-code-server.sh [--with-chromium] [dest-dir]   (default: .vscode-test/code-server)
#   --with-chromium  also installs Debian's chromium (for the UI tests and the test runner) when missing
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WITH_CHROMIUM=
if [ "${1:-}" = "--with-chromium" ]; then WITH_CHROMIUM=1; shift; fi
DEST=${1:-$ROOT/.vscode-test/code-server}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "install-code-server: needs the Debian packages $*; install them as root (apt-get install $*)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "$@" >/dev/null
}

if [ -n "$WITH_CHROMIUM" ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (apt)"
  apt_install chromium fonts-dejavu-core
fi
CS_VERSION=${CS_VERSION:-4.100.3}         # newest code-server whose engines.node is 20 (4.103+ need 22)
RG_PKG_VERSION=${RG_PKG_VERSION:-1.15.11} # @vscode/ripgrep pinned by code-server 4.100.3's lib/vscode
RG_TAG=${RG_TAG:-v13.0.0-10}

BIN="$DEST/node_modules/.bin/code-server"
if [ -x "$BIN" ] && [ "$(node -p "require('$DEST/node_modules/code-server/package.json').version" 2>/dev/null)" = "$CS_VERSION" ]; then
  echo "code-server $CS_VERSION already installed in $DEST"
  exit 0
fi

# 1. Build dependencies (kerberos needs gssapi headers) and Debian's ripgrep, which stands in
#    for the binary @vscode/ripgrep would otherwise download from GitHub.
if ! dpkg -s libkrb5-dev pkg-config ripgrep build-essential >/dev/null 2>&1; then
  apt_install libkrb5-dev pkg-config ripgrep build-essential python3
fi

mkdir -p "$DEST/tmp"
# 2. @vscode/ripgrep's postinstall looks in "$TMPDIR/vscode-ripgrep-cache-<ver>/<asset>" before downloading.
RGCACHE="$DEST/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$RGCACHE/stage"
cp "$(command -v rg)" "$RGCACHE/stage/rg"
tar czf "$RGCACHE/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$RGCACHE/stage" rg

cd "$DEST"
[ -f package.json ] || echo '{ "name": "code-server-install", "private": true }' > package.json
# 3. npm_config_unsafe_perm: code-server's postinstall refuses root without it;
#    npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which a `yes=false` npmrc aborts;
#    TMPDIR: where @vscode/ripgrep looks for its download cache.
TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --no-save --foreground-scripts --loglevel=error "code-server@$CS_VERSION" >"$DEST/install.log" 2>&1 \
  || { tail -40 "$DEST/install.log" >&2; echo "install-code-server: npm install failed (full log: $DEST/install.log)." >&2; exit 1; }
# (sed, not head: head exits after one line and rg's next write dies of EPIPE, failing under pipefail)
"$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" --version | sed -n 1p
# code-server writes under HOME even for --version: keep that out of the real home.
mkdir -p "$DEST/tmp/home"
echo "code-server $(HOME="$DEST/tmp/home" XDG_CONFIG_HOME="$DEST/tmp/home/.config" XDG_DATA_HOME="$DEST/tmp/home/.local/share" "$BIN" --version 2>/dev/null | sed -n '/^[0-9]/{p;q}' || true) installed in $DEST"

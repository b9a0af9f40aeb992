#!/usr/bin/env bash
# Installs everything Fence Lens needs on Debian/Ubuntu and builds it. Run as root; idempotent.
#   Debian packages: bubblewrap socat bpftrace pkexec polkitd dbus strace curl chromium debootstrap (+ build deps,
#   and what the real-workload suite runs: git, python3 with pip, make, dpkg-dev for zlib's source)
#   fence, pinned (see FENCE_* below), installed to /usr/local/bin
#   npm packages (npm ci), the offline VS Code extension host (code-server + Node 24 from npm)
#   the privileged monitor helper (fence-lens install-helper --yes)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (sudo bash scripts/setup.sh)" >&2; exit 1; }

# The pinned release. fencesandbox/fence@v0.1.66 is the current home; where the Go module proxy does
# not serve it, the old module path's last release is used instead (it lacks --fence-log-file).
FENCE_PRIMARY=github.com/fencesandbox/fence/cmd/fence@v0.1.66
FENCE_FALLBACK=github.com/Use-Tusk/fence/cmd/fence@v0.1.5

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
PKGS="bubblewrap socat bpftrace pkexec polkitd dbus strace curl util-linux procps gcc make chromium libkrb5-dev ca-certificates debootstrap git python3 python3-pip dpkg-dev bzip2 xz-utils"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

step "tracefs"
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

step "fence"
if [ ! -x /usr/local/bin/fence ]; then
  export PATH="$PATH:/usr/local/go/bin"
  GOBIN=/usr/local/bin go install "$FENCE_PRIMARY" 2>/dev/null \
    || { echo "fence: $FENCE_PRIMARY is not served here; installing $FENCE_FALLBACK"; GOBIN=/usr/local/bin go install "$FENCE_FALLBACK"; }
fi
/usr/local/bin/fence --version | head -n 2

step "npm packages"
npm ci --no-audit --no-fund --loglevel=error

step "build"
npm run --silent build

step "VS Code extension host (code-server, for the extension tests)"
bash scripts/setup-vscode-host.sh

step "privileged monitor helper"
node dist/cli.js install-helper --yes

step "real-workload suite's inputs (npm, PyPI, Debian source, Go proxy; fetched once)"
PATH="$PATH:/usr/local/go/bin" bash scripts/realworld-inputs.sh

echo
echo "setup done. Try: npm run demo"

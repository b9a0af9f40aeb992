#!/usr/bin/env bash
# Shows real denials: runs a small script inside Fence under fence-lens. The sandbox may write only
# in a temporary workspace; everything else it tries is denied and reported, live, with the rule
# that would allow it. Root runs the monitor directly; an ordinary user goes through pkexec.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] || npm run --silent build
# FENCE_LENS_FENCE names the fence binary, as for the test suites.
fence=${FENCE_LENS_FENCE:-/usr/local/bin/fence}
ws=$(mktemp -d /tmp/fence-lens-demo-XXXXXX)
trap 'rm -rf "$ws"' EXIT
cat > "$ws/fence.json" <<JSON
{ "filesystem": { "allowWrite": ["$ws"] }, "network": { "allowedDomains": [] } }
JSON
cd "$ws"
echo "demo workspace: $ws (the only place the sandbox may write)"
set +e
node "$OLDPWD/dist/cli.js" run --fence "$fence" --settings "$ws/fence.json" --json "$ws/report.json" -c '
  echo "inside the sandbox as $(id -un)"
  touch built.txt && echo "wrote built.txt in the workspace"
  touch /etc/fence-lens-demo 2>/dev/null || echo "write to /etc refused"
  mv /etc/hostname /etc/hostname.old 2>/dev/null || echo "rename in /etc refused"
  python3 -c "import socket; s=socket.socket(); s.connect_ex((\"127.0.0.1\", 9))"
  curl -s -o /dev/null http://registry.example.invalid/ || true
  exit 3'
code=$?
set -e
echo "fence-lens exited with the command's code: $code (the script ends with exit 3)"
echo "JSON report: $(grep -c '"category"' "$ws/report.json") violation(s) in $ws/report.json"

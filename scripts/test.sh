#!/usr/bin/env bash
# Runs every test: type check, lint, unit tests, integration tests with real fence/bwrap/bpftrace
# (as root, and as the ordinary user `fencetest` through real pkexec + polkit), and the extension
# tests in a real VS Code extension host. Run as root (it brings up D-Bus/polkit and test users).
# Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test.sh: run as root (sudo bash scripts/test.sh): it starts D-Bus/polkit and uses test users" >&2; exit 1; }
total_pass=0 total_fail=0 total_skip=0 status=0
count() { # reads a suite's log, adds its closing "N passed, N failed, N skipped" line
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then echo "!! $2 printed no totals"; total_fail=$((total_fail + 1)); status=1; return; fi
  local p f s; p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
}
suite() { # name, command...
  local name=$1; shift
  local log; log=$(mktemp)
  echo "== $name"
  "$@" 2>&1 | tee "$log"; local rc=${PIPESTATUS[0]}
  count "$log" "$name"
  [ "$rc" = 0 ] || { echo "!! $name exited $rc"; status=1; }
  rm -f "$log"
}
npm run --silent build || exit 1
echo "== typecheck"; npm run --silent typecheck || status=1
echo "== lint"; npm run --silent lint || status=1
bash scripts/test-env.sh || status=1
MOCHA="node_modules/.bin/mocha --reporter ./out/test/support/reporter.js"
suite unit $MOCHA 'out/test/unit/**/*.test.js'
suite integration $MOCHA --timeout 120000 'out/test/integration/**/*.test.js'
if [ -f test/vscode/run-all.sh ]; then suite vscode bash test/vscode/run-all.sh; fi
echo
echo "all suites: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ] || status=1
if [ "${CI:-}" = true ] && [ "$total_skip" != 0 ]; then echo "!! CI must skip nothing: $total_skip skipped"; status=1; fi
exit $status

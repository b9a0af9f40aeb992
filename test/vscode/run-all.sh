#!/usr/bin/env bash
# Every extension test: the editor-free units in plain Node, then in a real VS Code (code-server) as
# the unprivileged test user the trusted suite, the Restricted Mode suite and the UI test (which also
# refreshes the README screenshot).
# Called by scripts/test.sh; needs scripts/setup-vscode-host.sh and scripts/test-env.sh first.
# Prints `N passed, N failed, N skipped` last; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f out/test/vscode/index.js ] || [ ! -f dist/extension.js ]; then node scripts/build.mjs || exit 1; fi
passed=0 failed=0 skipped=0 status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for mode in unit suite untrusted ui; do
  if [ "$mode" = unit ]; then
    npx mocha --reporter ./out/test/support/reporter.js 'out/test/vscode/unit/*.test.js' 2>&1 | tee "$log"
  else
    node test/vscode/run-host.mjs --mode "$mode" 2>&1 | tee "$log"
  fi
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then status=1; failed=$((failed + 1)); continue; fi
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
done
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

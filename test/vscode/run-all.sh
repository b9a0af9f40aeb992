#!/usr/bin/env bash
# Every extension test in a real VS Code (code-server) as the unprivileged test user: the trusted
# suite, the Restricted Mode suite and the UI test (which also refreshes the README screenshot).
# Called by scripts/test.sh; needs scripts/setup-vscode-host.sh and scripts/test-env.sh first.
# Prints `N passed, N failed[, N skipped]` last; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
[ -f out/test/vscode/index.js ] && [ -f dist/extension.js ] || node scripts/build.mjs || exit 1
passed=0 failed=0 skipped=0 status=0
for mode in suite untrusted ui; do
  out=$(node test/vscode/run-host.mjs --mode "$mode" 2>&1 | tee /dev/stderr) || status=1
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  [ -n "$line" ] || { status=1; failed=$((failed + 1)); continue; }
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

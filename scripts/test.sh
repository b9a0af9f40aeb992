#!/usr/bin/env bash
# Runs every test: type check, lint, unit tests, integration tests with real fence/bwrap/bpftrace
# (as root, and as the ordinary user `fencetest` through real pkexec + polkit), and the extension
# tests in a real VS Code extension host. Run as root (it brings up D-Bus/polkit and test users).
# The integration suite and the real-workload suite (real tools against strace -f) run twice:
# against the host's bpftrace (Debian 12: 0.17) and against Debian 13's bpftrace 0.23 from the chroot
# scripts/bpftrace-chroot.sh builds, installed as the helper's fixed bpftrace for the second pass
# and replaced by the default helper afterwards.
# Ends with each suite's totals, then one plain line: "total: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test.sh: run as root (sudo bash scripts/test.sh): it starts D-Bus/polkit and uses test users" >&2; exit 1; }
total_pass=0 total_fail=0 total_skip=0 status=0
summaries=() # "name: N passed, N failed, N skipped", one per suite, repeated at the end
count() { # reads a suite's log, adds its closing "N passed, N failed, N skipped" line
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then echo "!! $2 printed no totals"; total_fail=$((total_fail + 1)); status=1; summaries+=("$2: no totals (counted as 1 failed)"); return; fi
  local p f s; p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
  summaries+=("$2: $p passed, $f failed, $s skipped")
}
fail_step() { # a step that is not a suite but must count: one failure with its reason
  echo "!! $1"; total_fail=$((total_fail + 1)); status=1; summaries+=("$1 (counted as 1 failed)")
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
INTEGRATION=(node_modules/.bin/mocha --reporter ./out/test/support/reporter.js --timeout 120000 'out/test/integration/**/*.test.js')
host_bpftrace=$(/usr/bin/bpftrace --version 2>/dev/null | grep -oE 'v[0-9][0-9.]*' || echo unknown)
REALWORLD=(node out/test/realworld/run.js)
suite "integration (bpftrace $host_bpftrace)" "${INTEGRATION[@]}"
suite "realworld (bpftrace $host_bpftrace)" "${REALWORLD[@]}"

# Second pass: the same suite with Debian 13's bpftrace as the helper's fixed program. The default
# helper is put back however this ends (the trap), so no later run uses the chroot's by surprise.
BPFTRACE_023=/var/lib/fence-lens/bin/bpftrace-0.23
reinstall_default() { node dist/cli.js install-helper --yes >/dev/null || echo "!! could not reinstall the default helper"; }
if ! bash scripts/bpftrace-chroot.sh status >/dev/null 2>&1; then
  fail_step "integration (bpftrace 0.23): not run: $(bash scripts/bpftrace-chroot.sh status 2>&1 | tail -n 1)"
elif ! out=$(node dist/cli.js install-helper --yes --bpftrace "$BPFTRACE_023" 2>&1); then
  fail_step "integration (bpftrace 0.23): not run: install-helper --bpftrace $BPFTRACE_023 failed: $(echo "$out" | tail -n 1)"
  reinstall_default
else
  trap reinstall_default EXIT
  trap 'exit 130' INT TERM # through the EXIT trap
  v023=$("$BPFTRACE_023" --version | grep -oE 'v[0-9][0-9.]*')
  suite "integration (bpftrace $v023, $BPFTRACE_023)" "${INTEGRATION[@]}"
  suite "realworld (bpftrace $v023, $BPFTRACE_023)" "${REALWORLD[@]}"
  reinstall_default
  trap - EXIT INT TERM
fi

if [ -f test/vscode/run-all.sh ]; then suite vscode bash test/vscode/run-all.sh; fi
echo
printf '  %s\n' "${summaries[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ] || status=1
if [ "${CI:-}" = true ] && [ "$total_skip" != 0 ]; then echo "!! CI must skip nothing: $total_skip skipped"; status=1; fi
exit $status

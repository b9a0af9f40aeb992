#!/usr/bin/env bash
# Brings up what the integration tests need, without systemd: tracefs, the system D-Bus, polkitd
# (D-Bus activated), two unprivileged users and a polkit rule that lets exactly `fencetest` run
# exactly our privileged entry point through pkexec without a password. `fencedenied` is explicitly
# the rule refuses it, which the tests use for the `denied` state, and bpftrace 0.23 from a Debian 13
# chroot for the second integration pass (scripts/bpftrace-chroot.sh). Run as root; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-env.sh: run as root" >&2; exit 1; }
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
for u in fencetest fencedenied; do id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"; done
[ -f dist/cli.js ] || npm run --silent build
node dist/cli.js install-helper --yes >/dev/null
install -d -m 0755 /etc/polkit-1/rules.d
install -m 0644 /dev/stdin /etc/polkit-1/rules.d/49-fence-lens-test.rules <<'RULE'
// Test machines only: fencetest may run the Fence Lens monitor entry point without a password.
polkit.addRule(function(action, subject) {
    if (action.id == "dev.fencelens.monitor" && subject.user == "fencetest") {
        return polkit.Result.YES;
    }
    if (action.id == "dev.fencelens.monitor" && subject.user == "fencedenied") {
        return polkit.Result.NO;
    }
});
RULE
mkdir -p /run/dbus
if ! { [ -S /run/dbus/system_bus_socket ] && [ -e /run/dbus/pid ] && kill -0 "$(cat /run/dbus/pid)" 2>/dev/null; }; then
  rm -f /run/dbus/pid
  # A daemon must not inherit our descriptors: started under `flock LOCK scripts/test-env.sh`, it
  # held the lock for as long as it lived and every other locked run waited forever.
  ( for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"; done
    exec dbus-daemon --system --fork )
fi
# Start polkitd now (it is D-Bus activated) so the first pkexec is not slowed down.
dbus-send --system --print-reply --dest=org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
  org.freedesktop.DBus.Properties.Get string:org.freedesktop.PolicyKit1.Authority string:BackendName >/dev/null
bash scripts/bpftrace-chroot.sh up
echo "test environment ready (dbus, polkit, users fencetest/fencedenied, helper installed, bpftrace 0.23 chroot)"

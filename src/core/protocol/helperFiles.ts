// The files `fence-lens install-helper` writes: a fixed, root-owned entry point, the fixed bpftrace
// program beside it, and a polkit action for the entry point. A polkit rule or cached authorisation
// for bpftrace itself would hand the user root (any BPF program); this entry point accepts only two
// PIDs on argv and a hex token on stdin, checks that both PIDs are the caller's and that the owner is
// its parent, and runs only the installed program.

import { bpftraceEnv, TOKEN_PLACEHOLDER } from './monitorProgram';

export const HELPER_DIR = '/usr/local/libexec/fence-lens';
export const HELPER_PATH = `${HELPER_DIR}/fence-lens-monitor`;
export const PROGRAM_DIR = '/usr/local/share/fence-lens';
const PROGRAM_FILE = 'monitor.bt';
const MODERN_PROGRAM_FILE = 'monitor-modern.bt';
export const PROGRAM_PATH = `${PROGRAM_DIR}/${PROGRAM_FILE}`;
/** The same program for bpftrace 0.23+ (raw tracepoint, directories walked in the kernel). */
export const MODERN_PROGRAM_PATH = `${PROGRAM_DIR}/${MODERN_PROGRAM_FILE}`;
/**
 * The bpftrace the helper runs, fixed at install time (`install-helper --bpftrace ABSPATH`, else the
 * first of the system locations). Root's direct runs read the same choice from here.
 */
export const BPFTRACE_CHOICE_PATH = `${PROGRAM_DIR}/bpftrace-path`;
export const DEFAULT_BPFTRACE_LOCATIONS = ['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace'] as const;
/** What a fixed program path may look like: embedded in a root shell script, so no quoting games. */
export const SAFE_PROGRAM_PATH = /^(\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/;
export const POLKIT_ACTION_ID = 'dev.fencelens.monitor';
export const POLKIT_POLICY_PATH = `/usr/share/polkit-1/actions/${POLKIT_ACTION_ID}.policy`;

/** Exit codes of the entry point, so the engine can tell the user what went wrong. */
export const HELPER_EXIT = { usage: 2, notYours: 3, badToken: 4, missing: 5 } as const;

export interface EntryPointOptions {
  /** Absolute path of the bpftrace to run (checked root-owned by install-helper). */
  readonly bpftrace: string;
  /** Where the two programs are; PROGRAM_DIR when installed (tests run a copy elsewhere). */
  readonly programDir?: string;
}

export function entryPointScript(opts: EntryPointOptions): string {
  if (!SAFE_PROGRAM_PATH.test(opts.bpftrace) || opts.bpftrace.split('/').includes('..')) {
    throw new Error(`refusing bpftrace path ${JSON.stringify(opts.bpftrace)}: an absolute path of letters, digits and ._+- only`);
  }
  const programDir = opts.programDir ?? PROGRAM_DIR;
  if (!SAFE_PROGRAM_PATH.test(programDir)) throw new Error(`refusing program directory ${JSON.stringify(programDir)}`);
  const envOf = (variant: 'legacy' | 'modern'): string =>
    Object.entries(bpftraceEnv(variant))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return `#!/bin/sh
# Fence Lens privileged monitor entry point (installed by \`fence-lens install-helper\`; root-owned).
# Usage: fence-lens-monitor ROOTPID OWNERPID   with a 32-hex-digit token on stdin.
# Run through pkexec (or sudo, or by root). Takes nothing else from the caller.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 077
PROGRAM=${programDir}/${PROGRAM_FILE}
die() { code=$1; shift; echo "fence-lens-monitor: $*" >&2; exit "$code"; }
[ $# -eq 2 ] || die ${HELPER_EXIT.usage} "usage: fence-lens-monitor ROOTPID OWNERPID"
case "$1" in ''|*[!0-9]*) die ${HELPER_EXIT.usage} "ROOTPID must be a number";; esac
case "$2" in ''|*[!0-9]*) die ${HELPER_EXIT.usage} "OWNERPID must be a number";; esac
ROOT=$1
OWNER=$2
if [ -n "\${PKEXEC_UID:-}" ]; then CALLER=$PKEXEC_UID
elif [ -n "\${SUDO_UID:-}" ]; then CALLER=$SUDO_UID
else CALLER=$(id -u)
fi
case "$CALLER" in ''|*[!0-9]*) die ${HELPER_EXIT.notYours} "cannot tell who called";; esac
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
ppid_of() { awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
[ -d "/proc/$OWNER" ] && [ -d "/proc/$ROOT" ] || die ${HELPER_EXIT.notYours} "process $ROOT or $OWNER is gone"
[ "$(uid_of "$OWNER")" = "$CALLER" ] || die ${HELPER_EXIT.notYours} "process $OWNER does not belong to the caller"
[ "$(uid_of "$ROOT")" = "$CALLER" ] || die ${HELPER_EXIT.notYours} "process $ROOT does not belong to the caller"
[ "$(ppid_of "$ROOT")" = "$OWNER" ] || die ${HELPER_EXIT.notYours} "process $ROOT is not a child of $OWNER"
# pkexec execs in place, so the owner is our parent; sudo keeps itself in between.
PARENT=$(ppid_of $$)
if [ "$PARENT" != "$OWNER" ]; then
  [ -n "\${SUDO_UID:-}" ] && [ "$(comm_of "$PARENT")" = sudo ] && [ "$(ppid_of "$PARENT")" = "$OWNER" ] \\
    || die ${HELPER_EXIT.notYours} "the owner $OWNER must be the caller of this program"
fi
IFS= read -r TOKEN || die ${HELPER_EXIT.badToken} "no token on stdin"
case "$TOKEN" in *[!0-9a-f]*) die ${HELPER_EXIT.badToken} "token must be lowercase hex";; esac
[ \${#TOKEN} -eq 32 ] || die ${HELPER_EXIT.badToken} "token must be 32 hex digits"
[ -r "$PROGRAM" ] || die ${HELPER_EXIT.missing} "$PROGRAM is missing: run fence-lens install-helper"
BPFTRACE=${opts.bpftrace}
[ -x "$BPFTRACE" ] && [ "$(stat -Lc %u "$BPFTRACE")" = 0 ] || die ${HELPER_EXIT.missing} "$BPFTRACE is not installed: install bpftrace, then run fence-lens install-helper"
# The program variant follows the fixed bpftrace's own version, never anything the caller says.
case "$("$BPFTRACE" --version 2>/dev/null)" in
  "bpftrace v0."[0-9].*|"bpftrace v0.1"[0-9].*|"bpftrace v0.2"[0-2].*|'') VARIANT_ENV="${envOf('legacy')}" ;;
  "bpftrace v"[0-9]*) PROGRAM=${programDir}/${MODERN_PROGRAM_FILE}; VARIANT_ENV="${envOf('modern')}" ;;
  *) VARIANT_ENV="${envOf('legacy')}" ;;
esac
[ -r "$PROGRAM" ] || die ${HELPER_EXIT.missing} "$PROGRAM is missing: run fence-lens install-helper"
SCRIPT=$(sed "s/${TOKEN_PLACEHOLDER}/$TOKEN/g" "$PROGRAM")
# Dies with its parent (pdeathsig), and independently exits when the owner is gone: bpftrace -c ends
# with its child, and \`tail --pid\` ends when the owner does, even if the owner died before we got here.
# shellcheck disable=SC2086 # VARIANT_ENV is one of the fixed lists above: NAME=value words
exec setpriv --pdeathsig KILL -- env $VARIANT_ENV "$BPFTRACE" -B line \\
  -c "/usr/bin/tail --pid=$OWNER -s 0.2 -f /dev/null" - "$ROOT" "$OWNER" <<EOF_PROGRAM
$SCRIPT
EOF_PROGRAM
`;
}

export function polkitPolicy(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">
<!-- Installed by fence-lens install-helper. -->
<policyconfig>
  <vendor>Fence Lens</vendor>
  <action id="${POLKIT_ACTION_ID}">
    <description>Watch a Fence sandbox for denied operations</description>
    <message>Authentication is required to watch the sandbox's denied operations (read-only kernel tracing of your own processes)</message>
    <defaults>
      <allow_any>auth_admin_keep</allow_any>
      <allow_inactive>auth_admin_keep</allow_inactive>
      <allow_active>auth_admin_keep</allow_active>
    </defaults>
    <annotate key="org.freedesktop.policykit.exec.path">${HELPER_PATH}</annotate>
  </action>
</policyconfig>
`;
}

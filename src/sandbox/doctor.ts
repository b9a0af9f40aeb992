// Checks every component a monitored run needs and says how to fix each missing one.

import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { POLKIT_POLICY_PATH, PROGRAM_PATH } from '../core/protocol/helperFiles';
import { PROGRAM_VERSION } from '../core/protocol/monitorProgram';
import { helperProblem, isPrivileged } from '../monitor/escalation';
import { locate } from '../monitor/programs';
import type { DoctorCheck } from './doctorTypes';
import { fenceFeatures } from './fenceInfo';
import type { ProgramPaths } from '../monitor/programs';

function program(name: 'bwrap' | 'socat' | 'bpftrace' | 'pkexec', fix: string, programs: ProgramPaths): DoctorCheck {
  const found = locate(name, programs).path;
  return found ? { id: name, ok: true, detail: found } : { id: name, ok: false, detail: `${name} not found`, fix };
}

/**
 * tracefs is mode 0700 root: an ordinary user cannot see into it, mounted or not, so unprivileged
 * the check says it cannot tell (the monitor, as root, finds out) instead of failing.
 */
function tracefsCheck(): DoctorCheck {
  const dirs = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
  if (dirs.some((d) => existsSync(`${d}/events/raw_syscalls`))) return { id: 'tracefs', ok: true, detail: '/sys/kernel/tracing' };
  const unreadable = dirs.some((d) => {
    try {
      accessSync(d, fsConstants.R_OK | fsConstants.X_OK);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EACCES';
    }
  });
  if (unreadable) return { id: 'tracefs', ok: true, unknown: true, detail: 'cannot tell without root (/sys/kernel/tracing is readable by root only); the monitor checks it when it starts' };
  return { id: 'tracefs', ok: false, detail: 'tracefs is not mounted', fix: 'mount -t tracefs nodev /sys/kernel/tracing' };
}

export async function runDoctor(programs: ProgramPaths = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const fence = locate('fence', programs);
  if (fence.path) {
    const f = await fenceFeatures(fence.path);
    checks.push({ id: 'fence', ok: true, detail: `${fence.path} (version ${f.version}${f.logFile ? ', --fence-log-file' : ', Fence lines share stderr'})` });
  } else {
    checks.push({ id: 'fence', ok: false, detail: `not found in ${fence.searched.join(', ')}`, fix: 'GOBIN=/usr/local/bin go install github.com/Use-Tusk/fence/cmd/fence@v0.1.5 (or set the path)' });
  }
  checks.push(program('bwrap', 'apt-get install bubblewrap', programs));
  checks.push(program('socat', 'apt-get install socat', programs));
  checks.push(program('bpftrace', 'apt-get install bpftrace', programs));
  checks.push(tracefsCheck());
  const privileged = isPrivileged();
  checks.push({ id: 'privilege', ok: true, detail: privileged ? 'privileged: the monitor runs directly' : 'unprivileged: the monitor needs the helper through pkexec or sudo' });
  const helper = locate('helper', programs).path;
  const problem = helperProblem(helper);
  if (problem) {
    checks.push({ id: 'helper', ok: privileged, detail: problem, fix: 'sudo fence-lens install-helper' });
  } else {
    let version = 'unknown';
    try {
      version = /program version (\d+)/.exec(readFileSync(PROGRAM_PATH, 'utf8'))?.[1] ?? 'unknown';
    } catch {
      // reported below as outdated
    }
    const current = version === String(PROGRAM_VERSION);
    checks.push(current ? { id: 'helper', ok: true, detail: `${helper} (program version ${version})` } : { id: 'helper', ok: false, detail: `${helper} runs program version ${version}, need ${PROGRAM_VERSION}`, fix: 'sudo fence-lens install-helper' });
  }
  checks.push(program('pkexec', 'apt-get install pkexec polkitd', programs));
  const policy = existsSync(POLKIT_POLICY_PATH);
  const bus = existsSync('/run/dbus/system_bus_socket');
  let polkitOk = false;
  if (bus) {
    const r = await execa('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1'], { reject: false, timeout: 5000 });
    const activatable = await execa('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListActivatableNames'], { reject: false, timeout: 5000 });
    polkitOk = /boolean true/.test(String(r.stdout)) || String(activatable.stdout).includes('org.freedesktop.PolicyKit1');
  }
  checks.push(
    bus && polkitOk && policy
      ? { id: 'polkit', ok: true, detail: `system bus up, polkit reachable, action installed (${POLKIT_POLICY_PATH})` }
      : { id: 'polkit', ok: privileged, detail: !bus ? 'no system D-Bus (/run/dbus/system_bus_socket)' : !polkitOk ? 'polkitd is not reachable on the system bus' : `polkit action missing (${POLKIT_POLICY_PATH})`, fix: !bus ? 'start the system bus (systemctl start dbus, or dbus-daemon --system --fork)' : !polkitOk ? 'apt-get install polkitd' : 'sudo fence-lens install-helper' },
  );
  return checks;
}

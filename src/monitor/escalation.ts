// Decides how the monitor gets its privileges. Order for `auto`: already privileged -> direct;
// installed entry point -> pkexec; passwordless sudo for the entry point -> sudo; else none, with a
// reason the user sees prominently.

import { readFileSync, statSync } from 'node:fs';
import { execa } from 'execa';
import type { MonitorMode } from '../core/model';
import type { ProgramPaths } from './programs';
import { locate } from './programs';

const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Root, or CAP_BPF + CAP_PERFMON in the effective set. */
export function isPrivileged(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!m) return false;
    const caps = BigInt(`0x${m[1]}`);
    return ((caps >> CAP_BPF) & 1n) === 1n && ((caps >> CAP_PERFMON) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** The entry point is trusted only if root owns it and nobody else can write it. */
export function helperProblem(helperPath: string | null): string | null {
  if (!helperPath) return 'the privileged entry point is not installed (run: sudo fence-lens install-helper)';
  try {
    const st = statSync(helperPath);
    if (st.uid !== 0) return `${helperPath} is not owned by root`;
    if ((st.mode & 0o022) !== 0) return `${helperPath} is writable by group or others`;
    return null;
  } catch {
    return `${helperPath} is missing (run: sudo fence-lens install-helper)`;
  }
}

export type EscalationPlan =
  | { readonly escalation: 'direct'; readonly bpftrace: string; readonly setpriv: string }
  | { readonly escalation: 'pkexec'; readonly pkexec: string; readonly helper: string }
  | { readonly escalation: 'sudo'; readonly sudo: string; readonly helper: string }
  | { readonly escalation: 'none'; readonly reason: string; readonly state: 'unavailable' | 'failed' };

function directPlan(programs: ProgramPaths): EscalationPlan {
  const bpftrace = locate('bpftrace', programs);
  const setpriv = locate('setpriv', programs);
  if (!bpftrace.path) return { escalation: 'none', state: 'unavailable', reason: `bpftrace not found (looked in ${bpftrace.searched.join(', ')}); install it: apt-get install bpftrace` };
  if (!setpriv.path) return { escalation: 'none', state: 'unavailable', reason: 'setpriv (util-linux) not found' };
  return { escalation: 'direct', bpftrace: bpftrace.path, setpriv: setpriv.path };
}

function helperPlan(kind: 'pkexec' | 'sudo', programs: ProgramPaths): EscalationPlan {
  const tool = locate(kind, programs);
  if (!tool.path) return { escalation: 'none', state: 'unavailable', reason: `${kind} not found (looked in ${tool.searched.join(', ')})` };
  const helper = locate('helper', programs);
  const problem = helperProblem(helper.path);
  if (problem || !helper.path) return { escalation: 'none', state: 'unavailable', reason: problem ?? 'helper missing' };
  return kind === 'pkexec' ? { escalation: 'pkexec', pkexec: tool.path, helper: helper.path } : { escalation: 'sudo', sudo: tool.path, helper: helper.path };
}

async function sudoAllowsWithoutPassword(sudo: string, helper: string): Promise<boolean> {
  const r = await execa(sudo, ['-n', '-l', helper], { reject: false, stdin: 'ignore', timeout: 5000 });
  return r.exitCode === 0;
}

export async function planEscalation(mode: MonitorMode, programs: ProgramPaths = {}): Promise<EscalationPlan> {
  switch (mode) {
    case 'off':
      return { escalation: 'none', state: 'unavailable', reason: 'monitoring turned off (--monitor off)' };
    case 'direct':
      if (!isPrivileged()) return { escalation: 'none', state: 'failed', reason: '--monitor direct needs root or CAP_BPF+CAP_PERFMON' };
      return directPlan(programs);
    case 'pkexec':
      return helperPlan('pkexec', programs);
    case 'sudo':
      return helperPlan('sudo', programs);
    case 'auto': {
      if (isPrivileged()) return directPlan(programs);
      const viaPkexec = helperPlan('pkexec', programs);
      if (viaPkexec.escalation === 'pkexec') return viaPkexec;
      const viaSudo = helperPlan('sudo', programs);
      if (viaSudo.escalation === 'sudo' && (await sudoAllowsWithoutPassword(viaSudo.sudo, viaSudo.helper))) return viaSudo;
      const why = viaPkexec.escalation === 'none' ? viaPkexec.reason : 'no way to get privileges';
      return { escalation: 'none', state: 'unavailable', reason: `not privileged, and ${why}` };
    }
  }
}

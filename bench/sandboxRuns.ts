// One command inside Fence, five ways: through the engine with the privileged monitor (the
// product, with a given bpftrace), through the engine without it (the baseline), bare fence (for
// reference), bare fence under strace -f on the same syscalls the monitor watches, and bare fence
// with its own monitor, `fence -m` as root (the two things a user would otherwise run).

import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RunReport } from '../src/core/model';
import { TRACED_SYSCALLS } from '../src/core/protocol/syscalls';
import { startRun } from '../src/sandbox/run';
import type { ViolationStore } from '../src/core/store';
import { FENCE, parseBenchCpuNs, parseBenchNs, type Bpftrace, type Fixtures } from './fixtures';

export type Variant = 'monitored' | 'unmonitored' | 'bare' | 'strace' | 'fence-m';

export interface SandboxResult {
  readonly variant: Variant;
  /** The workload's own elapsed time (BENCH_NS), in ms. */
  readonly workMs: number;
  /** The workload's CPU time (user + system), ms; NaN when it did not say. */
  readonly cpuMs: number;
  readonly output: string;
  readonly report?: RunReport;
  readonly store?: ViolationStore;
}

let straceNames: string[] | null = null;
/** The monitor's syscalls that this strace knows by name (strace 6.1 lacks e.g. fchmodat2). */
export function straceSyscalls(): string[] {
  if (straceNames) return straceNames;
  straceNames = TRACED_SYSCALLS.map((s) => s.name).filter(
    (name) => spawnSync('strace', ['-qq', '-o', '/dev/null', '-e', `trace=${name}`, '/bin/true']).status === 0,
  );
  return straceNames;
}

function collect(file: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** `bpftrace`: the one a monitored run's monitor uses (default: the engine's own lookup). */
export async function runInFence(f: Fixtures, variant: Variant, shell: string, opts: { bpftrace?: Bpftrace; store?: ViolationStore } = {}): Promise<SandboxResult> {
  if (variant === 'bare' || variant === 'strace' || variant === 'fence-m') {
    // fence -m as root starts Fence's own eBPF monitor (bpftrace on per-syscall exit tracepoints,
    // one printed line per denial); its lines go to stderr with the command's.
    const fenceArgv = [FENCE, ...(variant === 'fence-m' ? ['-m'] : []), '-s', f.settings, '-c', shell];
    const [file, ...args] =
      variant === 'bare'
        ? fenceArgv
        : ['strace', '-f', '-qq', '-o', path.join(f.dir, 'strace.out'), '-e', `trace=${straceSyscalls().join(',')}`, ...fenceArgv];
    const { code, output } = await collect(file, args, f.dir);
    return { variant, workMs: workMs(variant, output, code), cpuMs: cpuMs(output), output };
  }
  const handle = startRun({
    command: shell,
    cwd: f.dir,
    settings: f.settings,
    monitor: variant === 'monitored' ? 'direct' : 'off',
    programs: { fence: FENCE, ...(opts.bpftrace ? { bpftrace: opts.bpftrace.path } : {}) },
    stdio: 'pipe',
    store: opts.store,
  });
  handle.stdin?.end();
  let output = '';
  handle.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  handle.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const report = await handle.done;
  if (variant === 'monitored' && report.monitor.state !== 'active') {
    throw new Error(`monitor not active in a monitored run: ${report.monitor.state}: ${report.monitor.detail}`);
  }
  return { variant, workMs: workMs(variant, output, report.exitCode), cpuMs: cpuMs(output), output, report, store: handle.store };
}

function workMs(variant: Variant, output: string, code: number | null): number {
  const ns = parseBenchNs(output);
  if (ns === null || code !== 0) throw new Error(`${variant} run failed (exit ${code}): ${output.slice(-400)}`);
  return ns / 1e6;
}

function cpuMs(output: string): number {
  const ns = parseBenchCpuNs(output);
  return ns === null ? Number.NaN : ns / 1e6;
}

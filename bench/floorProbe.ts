// The floor every monitor figure is read against: the cheapest bpftrace program on the same probe
// type as the product's program for that bpftrace, run by the same bpftrace in the same rounds. It
// rejects every syscall at its first instruction, so what it costs an unrelated process is the probe
// type's dispatch alone, and its attach and detach are bpftrace's own start-up and teardown for that
// probe type. No program on that probe type can do better.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Bpftrace } from './fixtures';
import { msSince } from './stats';

/** The syscall-exit probe a monitor program sits on. */
export type ExitProbe = 'tracepoint:raw_syscalls:sys_exit' | 'rawtracepoint:sys_exit';

/** Which exit probe a generated monitor program uses (the generator chooses it per bpftrace version). */
export function exitProbeOf(program: string): ExitProbe {
  return /^\s*rawtracepoint:(raw_syscalls:)?sys_exit\b/m.test(program) ? 'rawtracepoint:sys_exit' : 'tracepoint:raw_syscalls:sys_exit';
}

const ATTACHED = 'FLOOR_ATTACHED';

/**
 * The floor program for a probe type: a predicate no syscall passes (a return value below the
 * kernel's error range), and the exec of bpftrace's -c child as the proof that every probe is
 * attached (bpftrace starts that child only after attaching, as the monitor's READY does).
 */
export function floorProgram(probe: ExitProbe): string {
  const exit = probe === 'rawtracepoint:sys_exit' ? 'rawtracepoint:sys_exit /(int64)arg1 < -4096/ { @n = count(); }' : 'tracepoint:raw_syscalls:sys_exit /args->ret < -4096/ { @n = count(); }';
  return `${exit}\ntracepoint:sched:sched_process_exec /pid == cpid/ { printf("${ATTACHED}\\n"); }`;
}

export interface FloorProbe {
  /** Spawn to the attached line, seconds. */
  readonly attachS: number;
  /** Ends the -c child and waits for bpftrace to be reaped; resolves to that time in seconds. */
  stop(): Promise<number>;
}

/** Children of a process, from /proc (every thread's list). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Starts the floor program under `bpftrace` and resolves once it is attached. */
export function startFloorProbe(bpftrace: Bpftrace, probe: ExitProbe): Promise<FloorProbe> {
  const t0 = process.hrtime.bigint();
  const child = spawn(bpftrace.path, ['-B', 'line', '-e', floorProgram(probe), '-c', '/bin/sleep 600'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const gone = exited(child);
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  return new Promise<FloorProbe>((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.once('exit', (code) => reject(new Error(`floor probe (${bpftrace.label}, ${probe}) exited ${code} before attaching: ${err.trim().split('\n').slice(-2).join(' ')}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes(ATTACHED)) return;
      const attachS = msSince(t0) / 1000;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        attachS,
        stop: async () => {
          const sleepers = child.pid === undefined ? [] : childrenOf(child.pid);
          const t1 = process.hrtime.bigint();
          for (const pid of sleepers) process.kill(pid, 'SIGKILL');
          if (sleepers.length === 0) kill();
          const timer = setTimeout(kill, 10_000);
          await gone;
          clearTimeout(timer);
          return msSince(t1) / 1000;
        },
      });
    });
  }).catch(async (e: unknown) => {
    kill();
    await gone;
    throw e;
  });
}

/** Runs `during` while the floor probe is attached; the probe is gone when it resolves. */
export async function whileFloorProbe<T>(bpftrace: Bpftrace, probe: ExitProbe, during: () => Promise<T>): Promise<T> {
  const floor = await startFloorProbe(bpftrace, probe);
  try {
    return await during();
  } finally {
    await floor.stop();
  }
}

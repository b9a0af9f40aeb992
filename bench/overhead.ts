// Overhead of the monitor on the sandboxed workload (build-like, storm) and on an unrelated
// process (bystander), each against a baseline measured in the same round. Every variant ("arm") of
// a comparison runs once per round, in an order that rotates from round to round so that drift on a
// shared machine does not favour one of them; a ratio is the median of the per-round ratios.

import { spawn } from 'node:child_process';
import type { ViolationStore } from '../src/core/store';
import { startRun } from '../src/sandbox/run';
import { FENCE, parseBenchCpuNs, parseBenchNs, pinned, STORM_TARGET, type Bpftrace, type Fixtures } from './fixtures';
import { whileFloorProbe, type ExitProbe } from './floorProbe';
import { runInFence, type SandboxResult } from './sandboxRuns';
import { median } from './stats';

/** One variant of a comparison: a name and how to take one sample of it. */
export interface Arm<S> {
  readonly name: string;
  readonly run: () => Promise<S>;
}

/** Samples per arm, round by round (index r of every arm is the same round). */
export interface Rounds<S> {
  readonly rounds: number;
  readonly samples: Readonly<Record<string, readonly S[]>>;
}

export async function runRounds<S>(arms: readonly Arm<S>[], rounds: number, show: (r: number, order: readonly string[], got: ReadonlyMap<string, S>) => void): Promise<Rounds<S>> {
  const samples: Record<string, S[]> = Object.fromEntries(arms.map((a) => [a.name, [] as S[]]));
  for (let r = 0; r < rounds; r++) {
    const order = arms.map((_, i) => arms[(i + r) % arms.length]);
    const got = new Map<string, S>();
    for (const arm of order) got.set(arm.name, await arm.run());
    for (const arm of arms) samples[arm.name].push(got.get(arm.name) as S);
    show(r, order.map((a) => a.name), got);
  }
  return { rounds, samples };
}

/** Median over rounds of a[r] / b[r] for a figure of the samples. */
export function pairedRatio<S>(res: Rounds<S>, a: string, b: string, figure: (s: S) => number): number {
  const xs = res.samples[a];
  const ys = res.samples[b];
  if (!xs || !ys) return Number.NaN;
  return median(xs.map((x, i) => figure(x) / figure(ys[i])));
}

export function medianOf<S>(res: Rounds<S>, arm: string, figure: (s: S) => number): number {
  const xs = res.samples[arm];
  return xs ? median(xs.map(figure)) : Number.NaN;
}

export function eventsIn(store: ViolationStore): number {
  return store.list().reduce((n, v) => n + v.count, 0) + store.overflow.events;
}

/** The count the monitor held for the storm's path (exact or not). */
export function stormCount(res: SandboxResult): number {
  return res.store?.list().find((x) => x.target === STORM_TARGET)?.count ?? 0;
}

/** A platform measured in a comparison: its bpftrace and the exit probe its program uses. */
export interface Platform {
  readonly bpftrace: Bpftrace;
  readonly probe: ExitProbe;
}

export const monitoredArm = (p: Platform): string => `monitored:${p.bpftrace.label}`;
export const floorArm = (p: Platform): string => `floor:${p.bpftrace.label}`;

/**
 * A workload inside Fence: unmonitored (the baseline), monitored with each platform's bpftrace,
 * unmonitored while each platform's floor probe is attached (with `floors`), strace -f, and bare
 * fence with and without Fence's own monitor (`fence -m`, as root). The variants not measured in the
 * quick plan (`withBare`) are bare fence and therefore `fence -m` against it.
 */
export function workloadArms(f: Fixtures, shell: string, platforms: readonly Platform[], opts: { floors: boolean; withBare: boolean }): Arm<SandboxResult>[] {
  const arms: Arm<SandboxResult>[] = [{ name: 'unmonitored', run: () => runInFence(f, 'unmonitored', shell) }];
  for (const p of platforms) {
    arms.push({ name: monitoredArm(p), run: () => runInFence(f, 'monitored', shell, { bpftrace: p.bpftrace }) });
    if (opts.floors) arms.push({ name: floorArm(p), run: () => whileFloorProbe(p.bpftrace, p.probe, () => runInFence(f, 'unmonitored', shell)) });
  }
  arms.push({ name: 'strace', run: () => runInFence(f, 'strace', shell) });
  arms.push({ name: 'fence-m', run: () => runInFence(f, 'fence-m', shell) });
  if (opts.withBare) arms.push({ name: 'bare', run: () => runInFence(f, 'bare', shell) });
  return arms;
}

/** `warmUp`: one unrecorded run first (page cache, gcc, fence's binary). */
export async function workloadOverhead(f: Fixtures, shell: string, arms: readonly Arm<SandboxResult>[], rounds: number, log: (line: string) => void, warmUp: boolean): Promise<Rounds<SandboxResult>> {
  if (warmUp) await runInFence(f, 'unmonitored', shell);
  return runRounds(arms, rounds, (r, order, got) =>
    log(`  round ${r + 1}/${rounds}: ${order.map((v) => `${v} ${Math.round(got.get(v)?.workMs ?? 0)} ms (cpu ${Math.round(got.get(v)?.cpuMs ?? 0)})`).join(', ')}`),
  );
}

export const wallMs = (s: SandboxResult): number => s.workMs;
export const cpuMs = (s: SandboxResult): number => s.cpuMs;

interface LoopTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function runLoop(f: Fixtures, cpu: number, args: readonly string[]): Promise<LoopTime> {
  return new Promise((resolve, reject) => {
    const [file, argv] = pinned(cpu, f.workload, args);
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const ns = parseBenchNs(out);
      const cpuNs = parseBenchCpuNs(out);
      if (ns === null || cpuNs === null) reject(new Error(`bystander loop failed: ${out}`));
      else resolve({ wallMs: ns / 1e6, cpuMs: cpuNs / 1e6 });
    });
  });
}

/** Runs `during` while an idle sandboxed command (monitored with `bpftrace`, or not) is running. */
async function whileSandboxIdles<T>(f: Fixtures, bpftrace: Bpftrace | null, during: () => Promise<T>): Promise<T> {
  const handle = startRun({
    command: 'cat >/dev/null',
    cwd: f.dir,
    settings: f.settings,
    monitor: bpftrace ? 'direct' : 'off',
    programs: { fence: FENCE, ...(bpftrace ? { bpftrace: bpftrace.path } : {}) },
    stdio: 'pipe',
  });
  handle.stdout?.resume();
  handle.stderr?.resume();
  await new Promise<void>((resolve) => {
    const sub = handle.onEvent((e) => {
      if (e.kind === 'started') {
        sub.dispose();
        resolve();
      }
    });
  });
  if (bpftrace && handle.monitorStatus.state !== 'active') throw new Error(`monitor (${bpftrace.label}) not active: ${handle.monitorStatus.detail}`);
  try {
    return await during();
  } finally {
    handle.stdin?.end();
    await handle.done;
  }
}

export interface BystanderSizes {
  readonly nullCalls: number;
  readonly fileCalls: number;
  /** Loops per session and CPU; the session's figure is their median. */
  readonly repeats: number;
}

/** The two loops of an unrelated process. */
export type Loop = 'file' | 'null';

/** One session's loop times, keyed `file@cpu0`, `null@cpu1`, ... */
export type BystanderSample = Readonly<Record<string, LoopTime>>;

export const loopKey = (loop: Loop, cpu: number): string => `${loop}@cpu${cpu}`;

/**
 * Sessions per round: no monitor (an unmonitored run idles), and for each platform the product's
 * monitor attached to an idle run, and the floor probe attached beside an unmonitored one. In every
 * session each loop runs pinned to each CPU in turn.
 */
export async function bystanderOverhead(f: Fixtures, platforms: readonly Platform[], cpus: readonly number[], rounds: number, sizes: BystanderSizes, log: (line: string) => void): Promise<Rounds<BystanderSample>> {
  const argsOf: Record<Loop, string[]> = { null: ['nullcalls', String(sizes.nullCalls)], file: ['filecalls', String(sizes.fileCalls), '/etc/hostname'] };
  // Several short loops per session, alternating, so one burst of a neighbour's load on this shared
  // machine spoils one loop rather than a whole session.
  const loops = async (): Promise<BystanderSample> => {
    const got: Record<string, LoopTime[]> = {};
    for (let i = 0; i < sizes.repeats; i++) {
      for (const cpu of cpus) {
        for (const loop of ['file', 'null'] as const) (got[loopKey(loop, cpu)] ??= []).push(await runLoop(f, cpu, argsOf[loop]));
      }
    }
    return Object.fromEntries(Object.entries(got).map(([k, xs]) => [k, { wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)) }]));
  };
  const arms: Arm<BystanderSample>[] = [{ name: 'unmonitored', run: () => whileSandboxIdles(f, null, loops) }];
  for (const p of platforms) {
    arms.push({ name: monitoredArm(p), run: () => whileSandboxIdles(f, p.bpftrace, loops) });
    arms.push({ name: floorArm(p), run: () => whileSandboxIdles(f, null, () => whileFloorProbe(p.bpftrace, p.probe, loops)) });
  }
  await runLoop(f, cpus[0], argsOf.file); // warm-up
  return runRounds(arms, rounds, (r, _order, got) => {
    const base = got.get('unmonitored');
    const parts = [...got.entries()]
      .filter(([name]) => name !== 'unmonitored')
      .map(([name, s]) => `${name} ${cpus.map((c) => `cpu${c} ${(s[loopKey('null', c)].wallMs / (base?.[loopKey('null', c)].wallMs ?? Number.NaN)).toFixed(2)}x`).join(' ')}`);
    log(`  round ${r + 1}/${rounds}: null-syscall loop vs none: ${parts.join('; ')}`);
  });
}

export const loopWall = (key: string) => (s: BystanderSample): number => s[key]?.wallMs ?? Number.NaN;
export const loopCpu = (key: string) => (s: BystanderSample): number => s[key]?.cpuMs ?? Number.NaN;

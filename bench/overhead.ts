// Overhead of the monitor on the sandboxed workload (build-like, storm) and on an unrelated
// process (bystander), each as a ratio against a baseline measured in the same round. The variants'
// order rotates from round to round so that drift on a shared machine does not favour one of them.

import { spawn } from 'node:child_process';
import type { ViolationStore } from '../src/core/store';
import { startRun } from '../src/sandbox/run';
import { parseBenchCpuNs, parseBenchNs, STORM_TARGET, type Fixtures } from './fixtures';
import { runInFence, type SandboxResult, type Variant } from './sandboxRuns';
import { median } from './stats';

export interface WorkloadOverhead {
  /** Median of the per-round ratios monitored / unmonitored. */
  readonly ratio: number;
  /** Median of the per-round ratios strace / unmonitored. */
  readonly straceRatio: number;
  /** The same two ratios on the workload's CPU time (user + system) instead of its wall time. */
  readonly cpuRatio: number;
  readonly straceCpuRatio: number;
  /** Median workload time per variant, ms. */
  readonly medianMs: Readonly<Record<Variant, number>>;
  readonly rounds: number;
  /** The count the monitor held for the storm's path in the last monitored round (exact or not). */
  readonly monitoredTargetCount: number;
}

export async function workloadOverhead(
  f: Fixtures,
  shell: string,
  rounds: number,
  log: (line: string) => void,
  withBare = true,
): Promise<WorkloadOverhead> {
  const variants: Variant[] = withBare ? ['unmonitored', 'monitored', 'strace', 'bare'] : ['unmonitored', 'monitored', 'strace'];
  const ms: Record<Variant, number[]> = { unmonitored: [], monitored: [], strace: [], bare: [] };
  const ratios: number[] = [];
  const straceRatios: number[] = [];
  const cpuRatios: number[] = [];
  const straceCpuRatios: number[] = [];
  let monitoredTargetCount = 0;
  if (withBare) await runInFence(f, 'unmonitored', shell); // warm caches (page cache, gcc, fence's binary) once, unrecorded
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    const got = new Map<Variant, SandboxResult>();
    for (const v of order) {
      const res = await runInFence(f, v, shell);
      got.set(v, res);
      ms[v].push(res.workMs);
      if (v === 'monitored' && res.store) monitoredTargetCount = res.store.list().find((x) => x.target === STORM_TARGET)?.count ?? 0;
    }
    const base = got.get('unmonitored')?.workMs ?? Number.NaN;
    ratios.push((got.get('monitored')?.workMs ?? Number.NaN) / base);
    straceRatios.push((got.get('strace')?.workMs ?? Number.NaN) / base);
    const cpuBase = got.get('unmonitored')?.cpuMs ?? Number.NaN;
    cpuRatios.push((got.get('monitored')?.cpuMs ?? Number.NaN) / cpuBase);
    straceCpuRatios.push((got.get('strace')?.cpuMs ?? Number.NaN) / cpuBase);
    log(`  round ${r + 1}/${rounds}: ${order.map((v) => `${v} ${Math.round(got.get(v)?.workMs ?? 0)} ms (cpu ${Math.round(got.get(v)?.cpuMs ?? 0)})`).join(', ')}`);
  }
  return {
    ratio: median(ratios),
    straceRatio: median(straceRatios),
    cpuRatio: median(cpuRatios),
    straceCpuRatio: median(straceCpuRatios),
    medianMs: { unmonitored: median(ms.unmonitored), monitored: median(ms.monitored), strace: median(ms.strace), bare: ms.bare.length ? median(ms.bare) : Number.NaN },
    rounds,
    monitoredTargetCount,
  };
}

export function eventsIn(store: ViolationStore): number {
  return store.list().reduce((n, v) => n + v.count, 0) + store.overflow.events;
}

export interface BystanderOverhead {
  /** Median per-round ratio for the file-work loop (open + read + close). */
  readonly ratio: number;
  /** The same for the null-syscall loop (getppid): the worst case of a probe on every syscall. */
  readonly nullRatio: number;
  /** Both on the loops' CPU time instead of wall time. */
  readonly cpuRatio: number;
  readonly nullCpuRatio: number;
  /**
   * The floor: the same loops while the cheapest possible probe of this kind is attached (one
   * raw_syscalls:sys_exit program that rejects every syscall at its first instruction), against the
   * same unmonitored baseline. No monitor that sees syscall exits this way can cost less.
   */
  readonly floorRatio: number;
  readonly floorNullRatio: number;
  readonly medianMs: {
    readonly fileWith: number;
    readonly fileWithout: number;
    readonly fileFloor: number;
    readonly nullWith: number;
    readonly nullWithout: number;
    readonly nullFloor: number;
  };
  readonly rounds: number;
}

interface LoopTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function runLoop(f: Fixtures, args: readonly string[]): Promise<LoopTime> {
  return new Promise((resolve, reject) => {
    const child = spawn(f.workload, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const ns = parseBenchNs(out);
      const cpu = parseBenchCpuNs(out);
      if (ns === null || cpu === null) reject(new Error(`bystander loop failed: ${out}`));
      else resolve({ wallMs: ns / 1e6, cpuMs: cpu / 1e6 });
    });
  });
}

/** Runs `during` while an idle sandboxed command (monitored or not) is running. */
async function whileSandboxIdles<T>(f: Fixtures, monitored: boolean, during: () => Promise<T>): Promise<T> {
  const handle = startRun({ command: 'cat >/dev/null', cwd: f.dir, settings: f.settings, monitor: monitored ? 'direct' : 'off', stdio: 'pipe' });
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
  if (monitored && handle.monitorStatus.state !== 'active') throw new Error(`monitor not active: ${handle.monitorStatus.detail}`);
  try {
    return await during();
  } finally {
    handle.stdin?.end();
    await handle.done;
  }
}

/**
 * The floor probe: attached to the same tracepoint as the monitor, it rejects every syscall at once.
 * bpftrace execs its -c child only once every probe is attached, so that exec says "attached".
 */
export const FLOOR_PROGRAM = [
  'tracepoint:raw_syscalls:sys_exit /args->ret < -4096/ { @n = count(); }',
  'tracepoint:sched:sched_process_exec /pid == cpid/ { printf("FLOOR_ATTACHED\\n"); }',
].join('\n');

/** Runs `during` while the floor probe is attached. */
async function whileFloorProbe<T>(during: () => Promise<T>): Promise<T> {
  const child = spawn('bpftrace', ['-e', FLOOR_PROGRAM, '-c', '/bin/sleep 600'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stderr.resume();
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`floor probe exited ${code} before attaching`)));
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('FLOOR_ATTACHED')) resolve();
      });
    });
    return await during();
  } finally {
    const gone = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await gone;
  }
}

export interface BystanderSizes {
  readonly nullCalls: number;
  readonly fileCalls: number;
  /** Loops per session; the session's figure is their median. */
  readonly repeats: number;
}

export async function bystanderOverhead(f: Fixtures, rounds: number, sizes: BystanderSizes, log: (line: string) => void): Promise<BystanderOverhead> {
  const nullArgs = ['nullcalls', String(sizes.nullCalls)];
  const fileArgs = ['filecalls', String(sizes.fileCalls), '/etc/hostname'];
  // Several short loops per session, alternating, so one burst of a neighbour's load on this shared
  // machine spoils one loop rather than a whole session.
  const loops = async (): Promise<[LoopTime, LoopTime]> => {
    const file: LoopTime[] = [];
    const nul: LoopTime[] = [];
    for (let i = 0; i < sizes.repeats; i++) {
      file.push(await runLoop(f, fileArgs));
      nul.push(await runLoop(f, nullArgs));
    }
    const med = (xs: LoopTime[]): LoopTime => ({ wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)) });
    return [med(file), med(nul)];
  };
  type Arm = 'off' | 'on' | 'floor';
  const arms: Arm[] = ['off', 'on', 'floor'];
  const session = (arm: Arm): Promise<[LoopTime, LoopTime]> =>
    arm === 'floor' ? whileSandboxIdles(f, false, () => whileFloorProbe(loops)) : whileSandboxIdles(f, arm === 'on', loops);
  const ms: Record<Arm, { file: number[]; nul: number[] }> = { off: { file: [], nul: [] }, on: { file: [], nul: [] }, floor: { file: [], nul: [] } };
  const ratios = { file: [] as number[], nul: [] as number[], fileCpu: [] as number[], nulCpu: [] as number[], floorFile: [] as number[], floorNul: [] as number[] };
  await runLoop(f, fileArgs); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = arms.map((_, i) => arms[(i + r) % arms.length]);
    const got = new Map<Arm, [LoopTime, LoopTime]>();
    for (const arm of order) got.set(arm, await session(arm));
    const none: [LoopTime, LoopTime] = [
      { wallMs: Number.NaN, cpuMs: Number.NaN },
      { wallMs: Number.NaN, cpuMs: Number.NaN },
    ];
    const [fileOn, nullOn] = got.get('on') ?? none;
    const [fileOff, nullOff] = got.get('off') ?? none;
    const [fileFloor, nullFloor] = got.get('floor') ?? none;
    for (const arm of arms) {
      const [file, nul] = got.get(arm) ?? none;
      ms[arm].file.push(file.wallMs);
      ms[arm].nul.push(nul.wallMs);
    }
    ratios.file.push(fileOn.wallMs / fileOff.wallMs);
    ratios.nul.push(nullOn.wallMs / nullOff.wallMs);
    ratios.fileCpu.push(fileOn.cpuMs / fileOff.cpuMs);
    ratios.nulCpu.push(nullOn.cpuMs / nullOff.cpuMs);
    ratios.floorFile.push(fileFloor.wallMs / fileOff.wallMs);
    ratios.floorNul.push(nullFloor.wallMs / nullOff.wallMs);
    const show = (x: LoopTime): number => Math.round(x.wallMs);
    log(`  round ${r + 1}/${rounds}: file loop ${show(fileOff)} -> ${show(fileOn)} ms (floor probe ${show(fileFloor)}), null-syscall loop ${show(nullOff)} -> ${show(nullOn)} ms (floor ${show(nullFloor)})`);
  }
  return {
    ratio: median(ratios.file),
    nullRatio: median(ratios.nul),
    cpuRatio: median(ratios.fileCpu),
    nullCpuRatio: median(ratios.nulCpu),
    floorRatio: median(ratios.floorFile),
    floorNullRatio: median(ratios.floorNul),
    medianMs: {
      fileWith: median(ms.on.file),
      fileWithout: median(ms.off.file),
      fileFloor: median(ms.floor.file),
      nullWith: median(ms.on.nul),
      nullWithout: median(ms.off.nul),
      nullFloor: median(ms.floor.nul),
    },
    rounds,
  };
}

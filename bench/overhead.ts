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
  readonly medianMs: { readonly fileWith: number; readonly fileWithout: number; readonly nullWith: number; readonly nullWithout: number };
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
  const fileWith: number[] = [];
  const fileWithout: number[] = [];
  const nullWith: number[] = [];
  const nullWithout: number[] = [];
  const fileRatios: number[] = [];
  const nullRatios: number[] = [];
  const fileCpuRatios: number[] = [];
  const nullCpuRatios: number[] = [];
  await runLoop(f, fileArgs); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    const got = new Map<boolean, [LoopTime, LoopTime]>();
    for (const monitored of order) got.set(monitored, await whileSandboxIdles(f, monitored, loops));
    const none: [LoopTime, LoopTime] = [
      { wallMs: Number.NaN, cpuMs: Number.NaN },
      { wallMs: Number.NaN, cpuMs: Number.NaN },
    ];
    const [fileOn, nullOn] = got.get(true) ?? none;
    const [fileOff, nullOff] = got.get(false) ?? none;
    const [fw, nw, fo, no] = [fileOn.wallMs, nullOn.wallMs, fileOff.wallMs, nullOff.wallMs];
    fileWith.push(fw);
    fileWithout.push(fo);
    nullWith.push(nw);
    nullWithout.push(no);
    fileRatios.push(fw / fo);
    nullRatios.push(nw / no);
    fileCpuRatios.push(fileOn.cpuMs / fileOff.cpuMs);
    nullCpuRatios.push(nullOn.cpuMs / nullOff.cpuMs);
    log(`  round ${r + 1}/${rounds}: file loop ${Math.round(fo)} -> ${Math.round(fw)} ms, null-syscall loop ${Math.round(no)} -> ${Math.round(nw)} ms`);
  }
  return {
    ratio: median(fileRatios),
    nullRatio: median(nullRatios),
    cpuRatio: median(fileCpuRatios),
    nullCpuRatio: median(nullCpuRatios),
    medianMs: { fileWith: median(fileWith), fileWithout: median(fileWithout), nullWith: median(nullWith), nullWithout: median(nullWithout) },
    rounds,
  };
}

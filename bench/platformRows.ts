// The rows measured per bpftrace ("platform"): attach, detach, the storm and the bystander loops
// (pinned to each CPU), each next to its floor, the cheapest program on the same probe type with the
// same bpftrace in the same rounds (floorProbe.ts). A platform that could not be measured still
// gets its rows, null, with the reason. Issue 4's keys are the host bpftrace's figures (aliases).

import type { SandboxResult } from './sandboxRuns';
import type { MissingBpftrace } from './fixtures';
import type { LifecycleResult } from './monitorLifecycle';
import { cpuMs, floorArm, loopKey, loopWall, medianOf, monitoredArm, pairedRatio, stormCount, wallMs, type BystanderSample, type BystanderSizes, type Loop, type Platform, type Rounds } from './overhead';
import type { Row } from './results';

export interface WorkloadFigures {
  /** monitored (host bpftrace) / unmonitored, and the same on CPU time. */
  readonly ratio: number;
  readonly cpuRatio: number;
  readonly straceRatio: number;
  /** bare `fence -m` / bare fence: Fence's own monitor against the same fence without it. */
  readonly fenceMonitorRatio: number;
  readonly ms: { readonly unmonitored: number; readonly monitored: number; readonly strace: number; readonly bare: number; readonly fenceMonitor: number };
}

export function workloadFigures(res: Rounds<SandboxResult>, host: Platform): WorkloadFigures {
  const mon = monitoredArm(host);
  return {
    ratio: pairedRatio(res, mon, 'unmonitored', wallMs),
    cpuRatio: pairedRatio(res, mon, 'unmonitored', cpuMs),
    straceRatio: pairedRatio(res, 'strace', 'unmonitored', wallMs),
    fenceMonitorRatio: pairedRatio(res, 'fence-m', 'bare', wallMs),
    ms: {
      unmonitored: medianOf(res, 'unmonitored', wallMs),
      monitored: medianOf(res, mon, wallMs),
      strace: medianOf(res, 'strace', wallMs),
      bare: medianOf(res, 'bare', wallMs),
      fenceMonitor: medianOf(res, 'fence-m', wallMs),
    },
  };
}

/** Attach and detach targets per bpftrace generation (issue 9): 0.20+ has the cheaper probe. */
function lifecycleTargets(label: string): { attach: number; detach: number } {
  const m = /bpftrace-(\d+)\.(\d+)/.exec(label);
  const modern = m !== null && (Number(m[1]) > 0 || Number(m[2]) >= 20);
  return modern ? { attach: 0.3, detach: 0.5 } : { attach: 0.5, detach: 2.5 };
}

export interface PlatformInputs {
  readonly lives: readonly LifecycleResult[];
  readonly missing: readonly MissingBpftrace[];
  readonly storm: Rounds<SandboxResult>;
  readonly stormOps: number;
  readonly bystander: Rounds<BystanderSample>;
  readonly cpus: readonly number[];
  readonly sizes: BystanderSizes;
}

const LOOPS: readonly { readonly loop: Loop; readonly infix: string; readonly what: (s: BystanderSizes) => string }[] = [
  { loop: 'file', infix: '', what: (s) => `an unrelated process's open+read+close loop (${s.fileCalls.toLocaleString('en-US')})` },
  { loop: 'null', infix: '.null_syscall', what: (s) => `worst case: ${s.nullCalls.toLocaleString('en-US')} getppid() in an unrelated process` },
];

const ms = (x: number): string => `${Math.round(x)} ms`;

function measuredRows(life: LifecycleResult, inp: PlatformInputs): Row[] {
  const L = life.bpftrace.label;
  const p: Platform = { bpftrace: life.bpftrace, probe: life.probe };
  const t = lifecycleTargets(L);
  const mon = monitoredArm(p);
  const floor = floorArm(p);
  const count = inp.storm.samples[mon]?.map(stormCount) ?? [];
  const rows: Row[] = [
    { key: `${L}.monitor.attach_s`, value: life.attachS, kind: 'max', target: t.attach, unit: 's', meaning: `${life.bpftrace.version} (${life.bpftrace.path}): PrivilegedMonitor.start() (direct, as root) -> READY (every probe attached), when the engine releases the command; median of ${life.attachAllS.length}; the program's exit probe: \`${life.probe}\`` },
    { key: `${L}.monitor.attach.floor_s`, value: life.floorAttachS, kind: 'report', unit: 's', meaning: `its floor, same rounds: the cheapest program on \`${life.probe}\` (rejects every syscall at its first instruction) plus the exec probe that proves attachment, spawn -> attached` },
    { key: `${L}.monitor.detach_s`, value: life.detachS, kind: 'max', target: t.detach, unit: 's', meaning: `the run's root process gone -> the privileged process gone (reaped); median of ${life.detachAllS.length}` },
    { key: `${L}.monitor.detach.floor_s`, value: life.floorDetachS, kind: 'report', unit: 's', meaning: 'its floor, same rounds: the floor program\'s -c child killed -> bpftrace gone (reaped): detaching the probe type, with nothing of ours to drain' },
    { key: `${L}.overhead.storm.ratio`, value: pairedRatio(inp.storm, mon, 'unmonitored', wallMs), kind: 'max', target: 1.5, unit: 'x', meaning: `${inp.stormOps.toLocaleString('en-US')} denied open(O_WRONLY|O_CREAT) of one path inside Fence, monitored with ${L} / unmonitored; medians ${ms(medianOf(inp.storm, 'unmonitored', wallMs))} -> ${ms(medianOf(inp.storm, mon, wallMs))}; the monitor counted ${count.map((c) => c.toLocaleString('en-US')).join(', ')}` },
    { key: `${L}.overhead.storm.floor.ratio`, value: pairedRatio(inp.storm, floor, 'unmonitored', wallMs), kind: 'report', unit: 'x', meaning: `the storm's floor, same rounds: unmonitored while the floor program is attached / unmonitored; median ${ms(medianOf(inp.storm, floor, wallMs))}` },
    { key: `${L}.overhead.storm.vs_floor`, value: pairedRatio(inp.storm, mon, floor, wallMs), kind: 'report', unit: 'x', meaning: 'monitored / floor, round by round: what the program itself costs the storm beyond its probe type (register lookup, string read, dedup)' },
  ];
  for (const { loop, infix, what } of LOOPS) {
    for (const cpu of inp.cpus) {
      const key = loopKey(loop, cpu);
      const base = `${L}.overhead.bystander${infix}.cpu${cpu}`;
      rows.push(
        { key: `${base}.ratio`, value: pairedRatio(inp.bystander, mon, 'unmonitored', loopWall(key)), kind: 'report', unit: 'x', meaning: `${what(inp.sizes)} pinned to CPU ${cpu}, while a run monitored with ${L} idles / while an unmonitored one does; medians ${ms(medianOf(inp.bystander, 'unmonitored', loopWall(key)))} -> ${ms(medianOf(inp.bystander, mon, loopWall(key)))}` },
        { key: `${base}.floor.ratio`, value: pairedRatio(inp.bystander, floor, 'unmonitored', loopWall(key)), kind: 'report', unit: 'x', meaning: `the same loop while the floor program on \`${life.probe}\` is attached / none; median ${ms(medianOf(inp.bystander, floor, loopWall(key)))}` },
        { key: `${base}.vs_floor`, value: pairedRatio(inp.bystander, mon, floor, loopWall(key)), kind: 'max', target: 1.1, unit: 'x', meaning: `the product's program / the floor program on the same probe type, round by round (CPU ${cpu})` },
      );
    }
  }
  return rows;
}

function missingRows(m: MissingBpftrace, inp: PlatformInputs): Row[] {
  const t = lifecycleTargets(m.label);
  const note = `not measured: ${m.reason}`;
  const rows: Row[] = [
    { key: `${m.label}.monitor.attach_s`, value: null, kind: 'max', target: t.attach, unit: 's', meaning: 'monitor attach', note },
    { key: `${m.label}.monitor.attach.floor_s`, value: null, kind: 'report', unit: 's', meaning: 'its floor', note },
    { key: `${m.label}.monitor.detach_s`, value: null, kind: 'max', target: t.detach, unit: 's', meaning: 'monitor detach', note },
    { key: `${m.label}.monitor.detach.floor_s`, value: null, kind: 'report', unit: 's', meaning: 'its floor', note },
    { key: `${m.label}.overhead.storm.ratio`, value: null, kind: 'max', target: 1.5, unit: 'x', meaning: 'the storm, monitored / unmonitored', note },
    { key: `${m.label}.overhead.storm.floor.ratio`, value: null, kind: 'report', unit: 'x', meaning: 'its floor', note },
    { key: `${m.label}.overhead.storm.vs_floor`, value: null, kind: 'report', unit: 'x', meaning: 'monitored / floor', note },
  ];
  for (const { infix } of LOOPS) {
    for (const cpu of inp.cpus) {
      const base = `${m.label}.overhead.bystander${infix}.cpu${cpu}`;
      rows.push(
        { key: `${base}.ratio`, value: null, kind: 'report', unit: 'x', meaning: `bystander loop on CPU ${cpu}`, note },
        { key: `${base}.floor.ratio`, value: null, kind: 'report', unit: 'x', meaning: 'its floor', note },
        { key: `${base}.vs_floor`, value: null, kind: 'max', target: 1.1, unit: 'x', meaning: 'product / floor', note },
      );
    }
  }
  return rows;
}

export function platformRows(inp: PlatformInputs): { rows: Row[]; aliases: (hostLabel: string) => Row[] } {
  const rows = [...inp.lives.flatMap((l) => measuredRows(l, inp)), ...inp.missing.flatMap((m) => missingRows(m, inp))];
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const alias = (key: string, from: string): Row => {
    const r = byKey.get(from);
    return r ? { ...r, key, meaning: `= ${from}` } : { key, value: null, kind: 'report', unit: '', meaning: `= ${from}`, note: `${from} was not measured` };
  };
  return {
    rows,
    aliases: (L) => {
      // Issue 4's single bystander figure: the worst CPU's file loop.
      const worst = inp.cpus.map((c) => byKey.get(`${L}.overhead.bystander.cpu${c}.ratio`)).reduce<Row | undefined>((a, b) => (b && b.value !== null && (!a || a.value === null || b.value > a.value) ? b : a), undefined);
      return [
        alias('monitor.attach_s', `${L}.monitor.attach_s`),
        alias('monitor.detach_s', `${L}.monitor.detach_s`),
        alias('overhead.storm.ratio', `${L}.overhead.storm.ratio`),
        { ...alias('overhead.bystander.ratio', worst?.key ?? `${L}.overhead.bystander.cpu0.ratio`), kind: 'max', target: 1.1 },
      ];
    },
  };
}

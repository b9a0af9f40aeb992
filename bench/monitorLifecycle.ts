// Attach and detach times of the privileged monitor, through the engine's own PrivilegedMonitor
// with the escalation plan a root user gets (direct), for one bpftrace. Attach: start() to the
// program's READY (the moment the engine releases the gated command). Detach: the run's root process
// gone to the privileged process gone (reaped), which is what a run waits for before its report.
// Each round also times the floor with the same bpftrace: the cheapest program on the product's probe
// type (floorProbe.ts), spawned to attached, and its -c child killed to bpftrace reaped.

import { spawn } from 'node:child_process';
import { ViolationStore } from '../src/core/store';
import { planEscalation } from '../src/monitor/escalation';
import { PrivilegedMonitor, spawnMonitor } from '../src/monitor/monitorProcess';
import type { Bpftrace } from './fixtures';
import { exitProbeOf, startFloorProbe, type ExitProbe } from './floorProbe';
import { median, msSince } from './stats';

export interface LifecycleResult {
  readonly bpftrace: Bpftrace;
  /** The exit probe the product's program uses with this bpftrace (read from the program it ran). */
  readonly probe: ExitProbe;
  readonly attachS: number;
  readonly detachS: number;
  readonly attachAllS: readonly number[];
  readonly detachAllS: readonly number[];
  /** Medians of the floor program's attach and detach, same rounds. */
  readonly floorAttachS: number;
  readonly floorDetachS: number;
  readonly floorAttachAllS: readonly number[];
  readonly floorDetachAllS: readonly number[];
}

/** One start/stop of the product's monitor; resolves to [attach s, detach s, the program text it ran]. */
async function monitorOnce(bpftrace: Bpftrace): Promise<[number, number, string]> {
  const plan = await planEscalation('direct', { bpftrace: bpftrace.path });
  if (plan.escalation !== 'direct') throw new Error(`direct monitor unavailable with ${bpftrace.path}: ${plan.escalation === 'none' ? plan.reason : plan.escalation}`);
  const root = spawn('/bin/sleep', ['600'], { stdio: 'ignore' });
  if (root.pid === undefined) throw new Error('could not start the root process');
  const rootGone = new Promise<void>((resolve) => root.on('exit', () => resolve()));
  let program = '';
  const monitor = new PrivilegedMonitor({
    plan,
    rootPid: root.pid,
    store: new ViolationStore(),
    spawn: (launch) => {
      program = launch.input;
      return spawnMonitor(launch);
    },
  });
  const t0 = process.hrtime.bigint();
  monitor.start();
  const status = await monitor.attached;
  const attachMs = msSince(t0);
  if (status.state !== 'active') {
    root.kill('SIGKILL');
    throw new Error(`monitor (${bpftrace.label}) did not attach: ${status.detail}`);
  }
  root.kill('SIGKILL');
  await rootGone;
  const t1 = process.hrtime.bigint();
  const end = await monitor.finish();
  const detachMs = msSince(t1);
  if (end.state !== 'active') throw new Error(`monitor (${bpftrace.label}) ended badly: ${end.detail}`);
  return [attachMs / 1000, detachMs / 1000, program];
}

export async function monitorLifecycle(bpftrace: Bpftrace, rounds: number, log: (line: string) => void): Promise<LifecycleResult> {
  const attach: number[] = [];
  const detach: number[] = [];
  const floorAttach: number[] = [];
  const floorDetach: number[] = [];
  let probe: ExitProbe | undefined;
  const runFloor = async (p: ExitProbe): Promise<void> => {
    const floor = await startFloorProbe(bpftrace, p);
    floorAttach.push(floor.attachS);
    floorDetach.push(await floor.stop());
  };
  const runMonitor = async (): Promise<ExitProbe> => {
    const [a, d, program] = await monitorOnce(bpftrace);
    attach.push(a);
    detach.push(d);
    return exitProbeOf(program);
  };
  for (let r = 0; r < rounds; r++) {
    // The first round learns the probe type from the program the engine ran; later rounds alternate
    // which of the two goes first.
    if (probe === undefined || r % 2 === 0) {
      probe = await runMonitor();
      await runFloor(probe);
    } else {
      await runFloor(probe);
      probe = await runMonitor();
    }
    log(`  ${bpftrace.label} round ${r + 1}/${rounds}: attach ${attach[r].toFixed(2)} s (floor ${floorAttach[r].toFixed(2)} s), detach ${detach[r].toFixed(2)} s (floor ${floorDetach[r].toFixed(2)} s), ${probe}`);
  }
  return {
    bpftrace,
    probe: probe ?? 'tracepoint:raw_syscalls:sys_exit',
    attachS: median(attach),
    detachS: median(detach),
    attachAllS: attach,
    detachAllS: detach,
    floorAttachS: median(floorAttach),
    floorDetachS: median(floorDetach),
    floorAttachAllS: floorAttach,
    floorDetachAllS: floorDetach,
  };
}

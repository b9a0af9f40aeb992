// Attach and detach times of the privileged monitor, through the engine's own PrivilegedMonitor
// with the escalation plan a root user gets (direct). Attach: start() to the program's BEGIN
// record (the moment the engine releases the gated command). Detach: the run's root process gone
// to the privileged process gone (reaped), which is what a run waits for before its report.
// Each round also times bpftrace's own floor: the smallest program that can say "attached" (one
// tracepoint probe, the same -c exec proof), spawned to its first line.

import { spawn } from 'node:child_process';
import { ViolationStore } from '../src/core/store';
import { planEscalation } from '../src/monitor/escalation';
import { PrivilegedMonitor } from '../src/monitor/monitorProcess';
import { median, msSince } from './stats';

export interface LifecycleResult {
  readonly attachS: number;
  readonly detachS: number;
  readonly attachAllS: readonly number[];
  readonly detachAllS: readonly number[];
  /** Median start -> attached of a one-probe bpftrace program, same rounds. */
  readonly floorAttachS: number;
}

const FLOOR_PROGRAM = 'tracepoint:sched:sched_process_exec /pid == cpid/ { printf("ATTACHED\\n"); exit(); }';

/** Spawn to "attached" of the smallest bpftrace program that can prove attachment, in seconds. */
function bpftraceFloor(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('bpftrace', ['-e', FLOOR_PROGRAM, '-c', '/bin/true'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let at: number | null = null;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (at === null && out.includes('ATTACHED')) at = msSince(t0) / 1000;
    });
    child.on('error', reject);
    child.on('close', () => (at === null ? reject(new Error(`bpftrace floor program printed: ${out.slice(0, 200)}`)) : resolve(at)));
  });
}

export async function monitorLifecycle(rounds: number, log: (line: string) => void): Promise<LifecycleResult> {
  const plan = await planEscalation('direct');
  if (plan.escalation !== 'direct') throw new Error(`direct monitor unavailable: ${plan.escalation === 'none' ? plan.reason : plan.escalation}`);
  const attach: number[] = [];
  const detach: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < rounds; r++) {
    floor.push(await bpftraceFloor());
    const root = spawn('/bin/sleep', ['600'], { stdio: 'ignore' });
    if (root.pid === undefined) throw new Error('could not start the root process');
    const rootGone = new Promise<void>((resolve) => root.on('exit', () => resolve()));
    const monitor = new PrivilegedMonitor({ plan, rootPid: root.pid, store: new ViolationStore() });
    const t0 = process.hrtime.bigint();
    monitor.start();
    const status = await monitor.attached;
    const attachMs = msSince(t0);
    if (status.state !== 'active') {
      root.kill('SIGKILL');
      throw new Error(`monitor did not attach: ${status.detail}`);
    }
    root.kill('SIGKILL');
    await rootGone;
    const t1 = process.hrtime.bigint();
    const end = await monitor.finish();
    const detachMs = msSince(t1);
    if (end.state !== 'active') throw new Error(`monitor ended badly: ${end.detail}`);
    attach.push(attachMs / 1000);
    detach.push(detachMs / 1000);
    log(`  round ${r + 1}/${rounds}: attach ${(attachMs / 1000).toFixed(2)} s (one-probe bpftrace ${floor[r].toFixed(2)} s), detach ${(detachMs / 1000).toFixed(2)} s`);
  }
  return { attachS: median(attach), detachS: median(detach), attachAllS: attach, detachAllS: detach, floorAttachS: median(floor) };
}

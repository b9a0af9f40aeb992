// Child process of the storm-heap benchmark (run with --expose-gc so the heap can be measured
// after a full collection): one monitored run of a denial storm through the engine, then the
// heap growth while the run's store is still held. Prints one JSON line.
//   node --expose-gc out/bench/stormHeapChild.js same|distinct COUNT DIR SETTINGS WORKLOAD

import { startRun } from '../src/sandbox/run';
import { eventsIn } from './overhead';

export interface StormHeapSample {
  readonly mode: 'same' | 'distinct';
  readonly denials: number;
  readonly heapGrowthMb: number;
  readonly distinct: number;
  readonly events: number;
  readonly overflowDistinct: number;
  readonly overflowEvents: number;
  readonly lostEvents: number;
  /** Count held for the storm's path (the one path of `same`), exact when nothing was lost. */
  readonly targetCount: number;
  readonly monitor: string;
}

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const [modeArg, countArg, dir, settings, workload] = process.argv.slice(2);
  if ((modeArg !== 'same' && modeArg !== 'distinct') || !countArg || !dir || !settings || !workload) {
    throw new Error('usage: stormHeapChild same|distinct COUNT DIR SETTINGS WORKLOAD');
  }
  const count = Number(countArg);
  const target = modeArg === 'same' ? '/etc/fence_lens_bench_storm' : '/etc/fence_lens_bench_d_';
  const before = collect();
  const handle = startRun({ command: `${workload} ${modeArg} ${count} ${target}`, cwd: dir, settings, monitor: 'direct', stdio: 'pipe' });
  handle.stdin?.end();
  handle.stdout?.resume();
  handle.stderr?.resume();
  const report = await handle.done;
  const after = collect();
  const store = handle.store; // still referenced: the growth is what a front end holding the run pays
  const sample: StormHeapSample = {
    mode: modeArg,
    denials: count,
    heapGrowthMb: (after - before) / 1e6,
    distinct: store.size,
    events: eventsIn(store),
    overflowDistinct: store.overflow.distinct,
    overflowEvents: store.overflow.events,
    lostEvents: report.monitor.lostEvents,
    targetCount: modeArg === 'same' ? (store.list().find((v) => v.target === target)?.count ?? 0) : 0,
    monitor: `${report.monitor.state}: ${report.monitor.detail}`,
  };
  // A storm that did not fully reach the store measured something else: fail, do not report.
  if (report.monitor.state !== 'active') throw new Error(`storm heap (${modeArg}): the monitor was not active (${sample.monitor})`);
  if (sample.lostEvents > 0 || sample.events < count) throw new Error(`storm heap (${modeArg}): ${sample.events} of ${count} denials counted, ${sample.lostEvents} lost in the kernel`);
  if (modeArg === 'same' && sample.targetCount !== count) throw new Error(`storm heap (same): ${target} counted ${sample.targetCount} times, not ${count}`);
  process.stdout.write(JSON.stringify(sample) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

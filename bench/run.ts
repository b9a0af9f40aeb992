// Fence Lens benchmarks (issue 4): `npm run bench` (full) or `npm run bench -- --quick` (< 2 min).
// `--readme` also writes the table into README.md between the bench markers; `--only-extension` reruns
// just the extension-host rows into an existing bench-results.json. Prints a table and
// writes bench-results.json at the repo root. Every figure is a ratio or a distribution against a
// baseline measured in this same run; rounds interleave the variants and the median is reported.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleSize } from './extensionSize';
import { extensionHost } from './extensionHost';
import { extensionRows } from './extensionRows';
import { buildWorkload, makeFixtures, REPO_ROOT, stormSame } from './fixtures';
import { cliLatency, pipeLatencyFloor, storeLatency } from './latency';
import { monitorLifecycle } from './monitorLifecycle';
import { bystanderOverhead, workloadOverhead, type BystanderSizes } from './overhead';
import { markdownTable, terminalTable, updateReadme, verdict, type Row } from './results';
import { straceSyscalls } from './sandboxRuns';
import { round } from './stats';
import { stormHeap } from './stormHeap';
import { throughput, throughputRows } from './throughput';

interface Plan {
  readonly name: 'quick' | 'full';
  readonly buildRounds: number;
  readonly stormOps: number;
  readonly stormRounds: number;
  readonly bystanderRounds: number;
  readonly lifecycleRounds: number;
  readonly latencyEvents: number;
  /** Length of the simulated storm whose monitor output the decoder reads (bench/throughput.ts). */
  readonly throughputSeconds: number;
  readonly throughputRounds: number;
  readonly heapDenials: number;
  readonly bystander: BystanderSizes;
  /** Extension hosts started for the activation / lag figures (one cold activation each). */
  readonly extensionHosts: number;
  readonly extensionDenials: number;
  /** Bare fence is a reference column only: the quick mode skips it (and the warm-up run). */
  readonly bare: boolean;
}

const FULL: Plan = {
  name: 'full',
  buildRounds: 7,
  stormOps: 200_000,
  stormRounds: 5,
  bystanderRounds: 7,
  lifecycleRounds: 7,
  latencyEvents: 200,
  throughputSeconds: 60,
  throughputRounds: 5,
  heapDenials: 1_000_000,
  bystander: { nullCalls: 2_000_000, fileCalls: 100_000, repeats: 3 },
  extensionHosts: 3,
  extensionDenials: 3000,
  bare: true,
};

const QUICK: Plan = {
  name: 'quick',
  buildRounds: 3,
  stormOps: 15_000,
  stormRounds: 3,
  bystanderRounds: 3,
  lifecycleRounds: 3,
  latencyEvents: 30,
  throughputSeconds: 10,
  throughputRounds: 3,
  heapDenials: 30_000,
  bystander: { nullCalls: 1_000_000, fileCalls: 40_000, repeats: 1 },
  extensionHosts: 1,
  extensionDenials: 3000,
  bare: false,
};

const LATENCY_INTERVAL_US = 20_000;

/** The keys issue 4 asks for (plus the storm's exact count), at the top level of bench-results.json. */
const ISSUE_KEYS: ReadonlySet<string> = new Set([
  'overhead.build.ratio',
  'overhead.storm.ratio',
  'overhead.strace.build.ratio',
  'overhead.strace.storm.ratio',
  'overhead.bystander.ratio',
  'latency.p50_ms',
  'latency.p95_ms',
  'monitor.attach_s',
  'monitor.detach_s',
  'throughput.records_per_s',
  'throughput.fraction_of_baseline',
  'storm.distinct.heap_mb',
  'storm.same.heap_mb',
  'storm.same.count',
  'extension.activate_ms',
  'extension.lag_p99_ms',
  'extension.bundle_kb',
]);

/** How to read and rerun the table; the findings behind the misses are in docs/bench-findings.md. */
const README_NOTES = `How to rerun (as root: the monitor runs in \`direct\` mode; needs fence, bwrap, bpftrace, strace, gcc):
\`npm run bench\` (full, about 12 minutes here), \`npm run bench -- --quick\` (under 2 minutes, smaller storms, fewer
rounds, no bare-fence column, one extension host instead of three), add \`--readme\` to rewrite this table; the extension
rows start code-server as the test user (\`scripts/setup-vscode-host.sh\`, \`test/vscode/run-host.mjs --mode bench\`), and
\`--only-extension\` reruns just them into an existing \`bench-results.json\`. Results go to \`bench-results.json\`
(issue 4's keys at the top level with the machine, the date and the reason for every null; the other rows and
per-round details under \`supplementary\`).

How the numbers are made: sandboxed workloads time themselves (\`BENCH_NS\` from bench/workload.c, CLOCK_MONOTONIC),
so the runs' start-up and the monitor's attach/detach are not in the overhead ratios (they are their own rows).
*Monitored* = the engine's \`startRun\` with \`--monitor direct\`; *unmonitored* = the same with \`off\`; strace =
\`strace -f -qq -e trace=<the monitor's syscalls>\` around bare fence. Each round runs every variant in a rotating
order; a ratio is the median of the per-round ratios. Latency is arrival time in Node minus the CLOCK_MONOTONIC
the workload wrote into the denied path just before the call; \`latency.floor\` is the same path minus the monitor
(a process writing timestamps into a pipe), i.e. what this machine's scheduler adds on its own.
Extension activation is timed next to a trivial extension's in the same host (VS Code's own price of activating
anything). activate() only registers commands, views and providers; the doctor behind the welcome views runs after
it, once the view shows, and the engine (execa, the monitor, jsonc-parser) is a second bundle, dist/engine.js,
loaded on the first run. Both bundles are minified in every build, so the tests and these rows use the bytes the
.vsix ships; their source maps are separate .map files, not packaged, that map stack traces back to src/.

Why targets are missed (measured; details in \`docs/bench-findings.md\`): the monitor is one program on
\`raw_syscalls:sys_exit\` that rejects successful syscalls at its first instruction, and every syscall of the machine
pays that tracepoint's dispatch whatever the program does: \`overhead.bystander.floor.ratio\` measures a do-nothing
program on the same tracepoint in the same rounds, and the monitor sits on it (per-syscall tracepoints would spare
unrelated syscalls but took 4.5 s to detach). The storm pays ~0.9 us of BPF per denied open (register lookup,
200-byte string read, 232-byte dedup key). Attach time is bpftrace 0.17's start-up: LLVM, BTF, and reading
\`available_events\` 21 times per tracepoint probe (the program has four). Decoder throughput: the stream is what the
program prints at its ceiling (its record budgets and rate, COUNTS blocks of running totals), and most of a record's
cost is the store's new violation; the program never prints enough for the decoder to be the bottleneck. As
root, \`fence -m\` also starts Fence's own eBPF monitor in both the monitored and the unmonitored runs.
This VM is shared (other tenants, 2 cores), so
single rounds vary by 2x; read the medians, not the rounds.`;

const benchStart = Date.now();
function log(line: string): void {
  const at = ((Date.now() - benchStart) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${at} s] ${line}\n`);
}

function tool(file: string, args: readonly string[]): string {
  try {
    const lines = execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    return (lines.find((l) => /Version:/.test(l)) ?? lines[0]).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): Record<string, string | number> {
  return {
    nproc: os.availableParallelism(),
    kernel: os.release(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    bpftrace: tool('bpftrace', ['--version']),
    fence: tool('/usr/local/bin/fence', ['--version']),
    strace: tool('strace', ['-V']),
  };
}

/**
 * `--only-extension`: reruns just the extension-host rows and updates their keys in an existing
 * bench-results.json (the other rows are left as the last full or quick run wrote them).
 */
async function onlyExtension(plan: Plan): Promise<void> {
  const file = path.join(REPO_ROOT, 'bench-results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { supplementary: Record<string, unknown>; null_reasons: Record<string, string> };
  log(`extension host only: ${plan.extensionHosts} code-server host(s), ${plan.extensionDenials}-denial storm`);
  const host = await extensionHost(plan.extensionHosts, plan.extensionDenials, log);
  const rows = extensionRows(host, bundleSize());
  // A row earlier versions wrote (a scratch production build): the built bundle is the shipped one now.
  delete results.supplementary['extension.bundle_prod_kb'];
  for (const r of rows) {
    const v = r.value === null ? null : round(r.value, r.value >= 100 ? 0 : 3);
    (ISSUE_KEYS.has(r.key) ? results : results.supplementary)[r.key] = v;
    if (r.value === null) results.null_reasons[r.key] = r.note ?? 'not measured';
    else delete results.null_reasons[r.key];
    if (r.kind !== 'report') (results.supplementary.verdicts as Record<string, string>)[r.key] = verdict(r);
  }
  // These rows come from a later run than the rest of the file: say when, and with which plan.
  (results.supplementary.details as Record<string, unknown>).extensionHost = { ...host, date: new Date().toISOString(), plan: plan.name };
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\n${terminalTable(rows)}\n\n${markdownTable(rows)}\n\nupdated the extension keys in bench-results.json (${plan.name} plan)\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const plan = argv.includes('--quick') ? QUICK : FULL;
  const writeReadme = argv.includes('--readme');
  if (process.getuid?.() !== 0) throw new Error('the benchmarks run the monitor directly: run them as root');
  if (argv.includes('--only-extension')) return onlyExtension(plan);
  const started = Date.now();
  const date = new Date().toISOString();
  log(`fence-lens bench (${plan.name}), ${date}`);
  const f = makeFixtures();
  try {
    log(`strace traces: ${straceSyscalls().join(',')}`);
    log('throughput: decoder + store on the program\'s own stream, vs line splitting');
    const tp = throughput(plan.throughputSeconds, plan.throughputRounds, log);
    log('monitor attach / detach');
    const life = await monitorLifecycle(plan.lifecycleRounds, log);
    log('latency: denied syscall -> store');
    const latStore = await storeLatency(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latStore.p50.toFixed(2)} ms, p95 ${latStore.p95.toFixed(2)} ms, ${latStore.samples}/${latStore.expected} seen`);
    log('latency floor: plain process -> pipe -> Node');
    const latFloor = await pipeLatencyFloor(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latFloor.p50.toFixed(2)} ms, p95 ${latFloor.p95.toFixed(2)} ms`);
    log('latency: denied syscall -> CLI line');
    const latCli = await cliLatency(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latCli.p50.toFixed(2)} ms, p95 ${latCli.p95.toFixed(2)} ms, ${latCli.samples}/${latCli.expected} seen`);
    log('overhead: build-like workload inside Fence');
    const build = await workloadOverhead(f, buildWorkload(), plan.buildRounds, log, plan.bare);
    log(`overhead: storm of ${plan.stormOps} denied writes inside Fence`);
    const storm = await workloadOverhead(f, stormSame(f, plan.stormOps), plan.stormRounds, log, plan.bare);
    if (storm.monitoredTargetCount !== plan.stormOps) log(`  WARNING: the monitor counted ${storm.monitoredTargetCount} of ${plan.stormOps} denials`);
    log('overhead: bystander syscall loops outside the sandbox');
    const by = await bystanderOverhead(f, plan.bystanderRounds, plan.bystander, log);
    log(`storm heap: ${plan.heapDenials} denials of distinct paths`);
    const heapDistinct = await stormHeap(f, 'distinct', plan.heapDenials);
    log(`  ${JSON.stringify(heapDistinct)}`);
    log(`storm heap: ${plan.heapDenials} denials of one path`);
    const heapSame = await stormHeap(f, 'same', plan.heapDenials);
    log(`  ${JSON.stringify(heapSame)}`);
    log(`extension host: ${plan.extensionHosts} code-server host(s), cold activation + event-loop lag during a ${plan.extensionDenials}-denial storm`);
    const host = await extensionHost(plan.extensionHosts, plan.extensionDenials, log);
    const bundle = bundleSize();

    const rows: Row[] = [
      { key: 'overhead.build.ratio', value: build.ratio, kind: 'max', target: 1.05, unit: 'x', meaning: `build-like workload (cp -r /usr/include/linux, 4x gcc -O1, tar, cat) inside Fence, monitored / unmonitored (both through startRun; as root fence -m also runs Fence's own eBPF monitor in both); medians ${Math.round(build.medianMs.unmonitored)} -> ${Math.round(build.medianMs.monitored)} ms${Number.isNaN(build.medianMs.bare) ? "" : `, bare fence ${Math.round(build.medianMs.bare)} ms`}` },
      { key: 'overhead.storm.ratio', value: storm.ratio, kind: 'max', target: 1.5, unit: 'x', meaning: `${plan.stormOps.toLocaleString('en-US')} denied open(O_WRONLY|O_CREAT) of one path inside Fence, monitored / unmonitored; medians ${Math.round(storm.medianMs.unmonitored)} -> ${Math.round(storm.medianMs.monitored)} ms; monitor counted ${storm.monitoredTargetCount.toLocaleString('en-US')} of them` },
      { key: 'overhead.build.cpu_ratio', value: build.cpuRatio, kind: 'report', unit: 'x', meaning: 'the same on the workload\'s CPU time (user + system of the shell\'s children): probe cost is charged to the traced process, and CPU time is far less disturbed by the other tenants than wall time' },
      { key: 'overhead.strace.build.ratio', value: build.straceRatio, kind: 'report', unit: 'x', meaning: `the build-like workload under strace -f on the monitor's syscalls / unmonitored; median ${Math.round(build.medianMs.strace)} ms` },
      { key: 'overhead.storm.cpu_ratio', value: storm.cpuRatio, kind: 'report', unit: 'x', meaning: 'the storm on CPU time (getrusage of the workload), monitored / unmonitored' },
      { key: 'overhead.strace.storm.ratio', value: storm.straceRatio, kind: 'report', unit: 'x', meaning: `the storm under strace -f / unmonitored; median ${Math.round(storm.medianMs.strace)} ms` },
      { key: 'overhead.bystander.ratio', value: by.ratio, kind: 'max', target: 1.1, unit: 'x', meaning: `an unrelated process's open+read+close loop (${plan.bystander.fileCalls.toLocaleString('en-US')}) while a monitored run is attached / while an unmonitored one runs; medians ${Math.round(by.medianMs.fileWithout)} -> ${Math.round(by.medianMs.fileWith)} ms` },
      { key: 'overhead.bystander.null_syscall.ratio', value: by.nullRatio, kind: 'report', unit: 'x', meaning: `worst case: ${plan.bystander.nullCalls.toLocaleString('en-US')} getppid() in an unrelated process, same comparison; medians ${Math.round(by.medianMs.nullWithout)} -> ${Math.round(by.medianMs.nullWith)} ms` },
      { key: 'overhead.bystander.cpu_ratio', value: by.cpuRatio, kind: 'report', unit: 'x', meaning: 'the file loop on its CPU time (getrusage), with / without the monitor attached' },
      { key: 'overhead.bystander.null_syscall.cpu_ratio', value: by.nullCpuRatio, kind: 'report', unit: 'x', meaning: 'the null-syscall loop on its CPU time' },
      { key: 'overhead.bystander.floor.ratio', value: by.floorRatio, kind: 'report', unit: 'x', meaning: `the floor for overhead.bystander.ratio, same rounds: the file loop while the cheapest possible probe of the monitor's kind is attached (one raw_syscalls:sys_exit program that rejects every syscall at its first instruction) / unmonitored; median ${Math.round(by.medianMs.fileFloor)} ms. Every syscall of the machine pays this tracepoint's dispatch, whatever the program does` },
      { key: 'overhead.bystander.floor.null_syscall.ratio', value: by.floorNullRatio, kind: 'report', unit: 'x', meaning: `the same floor for the getppid() loop; median ${Math.round(by.medianMs.nullFloor)} ms` },
      { key: 'latency.p50_ms', value: latStore.p50, kind: 'report', unit: 'ms', meaning: `denied syscall (CLOCK_MONOTONIC before the call) -> violation added to the store, in-process through startRun; ${latStore.samples}/${latStore.expected} denials, one every ${LATENCY_INTERVAL_US / 1000} ms` },
      { key: 'latency.p95_ms', value: latStore.p95, kind: 'max', target: 10, unit: 'ms', meaning: `the same, 95th percentile (max ${latStore.max.toFixed(2)} ms)` },
      { key: 'latency.floor.p95_ms', value: latFloor.p95, kind: 'report', unit: 'ms', meaning: `baseline for the latency rows, same run: a plain process writing CLOCK_MONOTONIC into a pipe read by Node, no monitor in between (p50 ${latFloor.p50.toFixed(2)} ms, max ${latFloor.max.toFixed(2)} ms): this machine's scheduling noise` },
      { key: 'latency.cli.p50_ms', value: latCli.p50, kind: 'report', unit: 'ms', meaning: `denied syscall -> the line printed by \`fence-lens run\` arriving on its stderr pipe; ${latCli.samples}/${latCli.expected} denials` },
      { key: 'latency.cli.p95_ms', value: latCli.p95, kind: 'max', target: 10, unit: 'ms', meaning: `the same, 95th percentile (max ${latCli.max.toFixed(2)} ms)` },
      { key: 'monitor.attach_s', value: life.attachS, kind: 'max', target: 0.5, unit: 's', meaning: `PrivilegedMonitor.start() (direct, as root) -> READY (every probe attached), when the engine releases the command; median of ${life.attachAllS.length}` },
      { key: 'monitor.attach.floor_s', value: life.floorAttachS, kind: 'report', unit: 's', meaning: `the floor for monitor.attach_s, same rounds: a one-probe bpftrace program (\`tracepoint:sched:sched_process_exec /pid == cpid/\`) from spawn to its "attached" line: bpftrace 0.17's own start-up (LLVM, BTF), before any program of ours` },
      { key: 'monitor.detach_s', value: life.detachS, kind: 'max', target: 2.5, unit: 's', meaning: `the run's root process gone -> the privileged process gone (reaped); median of ${life.detachAllS.length}` },
      ...throughputRows(tp),
      { key: 'storm.distinct.heap_mb', value: heapDistinct.heapGrowthMb, kind: 'report', unit: 'MB', meaning: `heap growth (after GC, store still held) after ${heapDistinct.denials.toLocaleString('en-US')} denials of distinct paths through the real monitor; store holds ${heapDistinct.distinct.toLocaleString('en-US')} distinct (bound 10,000), overflow ${heapDistinct.overflowDistinct.toLocaleString('en-US')} distinct / ${heapDistinct.overflowEvents.toLocaleString('en-US')} events, ${heapDistinct.events.toLocaleString('en-US')} counted, ${heapDistinct.lostEvents} lost in the kernel` },
      { key: 'storm.same.heap_mb', value: heapSame.heapGrowthMb, kind: 'report', unit: 'MB', meaning: `heap growth after ${heapSame.denials.toLocaleString('en-US')} denials of one path` },
      { key: 'storm.same.count', value: heapSame.targetCount, kind: 'report', unit: '', meaning: `the count the store holds for that path (expected exactly ${heapSame.denials.toLocaleString('en-US')}; ${heapSame.lostEvents} events lost)` },
      ...extensionRows(host, bundle),
    ];
    const m = machine();
    // Top level: exactly issue 4's keys (plus the storm's exact count, the machine and the date);
    // every other figure of the table and the per-round details go under `supplementary`.
    const value = (r: Row): number | null => (r.value === null ? null : round(r.value, r.value >= 100 ? 0 : 3));
    const results: Record<string, unknown> = {};
    const supplementary: Record<string, unknown> = {};
    for (const r of rows) (ISSUE_KEYS.has(r.key) ? results : supplementary)[r.key] = value(r);
    results['storm.same.expected'] = heapSame.denials;
    results.mode = plan.name;
    results.date = date;
    results.machine = m;
    results.null_reasons = Object.fromEntries(rows.filter((r) => r.value === null).map((r) => [r.key, r.note ?? 'not measured']));
    supplementary.verdicts = Object.fromEntries(rows.filter((r) => r.kind !== 'report').map((r) => [r.key, verdict(r)]));
    supplementary.details = { build, storm, bystander: by, latencyStore: latStore, latencyCli: latCli, latencyFloor: latFloor, lifecycle: life, throughput: tp, heapDistinct, heapSame, bundle, extensionHost: host, strace: straceSyscalls() };
    results.supplementary = supplementary;
    writeFileSync(path.join(REPO_ROOT, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');

    const elapsed = (Date.now() - started) / 1000;
    process.stdout.write(`\n${terminalTable(rows)}\n\nmachine: ${JSON.stringify(m)}\n${plan.name} run, ${elapsed.toFixed(0)} s; wrote bench-results.json\n`);
    if (writeReadme) {
      const body = [
        `Latest ${plan.name} run: ${date.slice(0, 10)} on ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, ${m.bpftrace}, fence (${m.fence}), Node ${m.node}; a shared, noisy VM. Each ratio is the median of per-round ratios against a baseline run in the same round.`,
        '',
        markdownTable(rows),
        '',
        README_NOTES,
      ].join('\n');
      updateReadme(path.join(REPO_ROOT, 'README.md'), body);
      log('updated README.md between the bench markers');
    }
  } finally {
    f.remove();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

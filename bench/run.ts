// Fence Lens benchmarks (issues 4 and 9): `npm run bench` (full) or `npm run bench -- --quick`.
// `--readme` also writes the table into README.md between the bench markers (`--readme-file=FILE`
// into a copy); `--only-extension` reruns
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
import { buildWorkload, FENCE, findBpftraces, lookupStorm, makeFixtures, REPO_ROOT, stormSame } from './fixtures';
import { cliLatency, pipeLatencyFloor, storeLatency } from './latency';
import { monitorLifecycle, type LifecycleResult } from './monitorLifecycle';
import { bystanderOverhead, medianOf, monitoredArm, pairedRatio, wallMs, workloadArms, workloadOverhead, type BystanderSizes } from './overhead';
import { platformRows, workloadFigures } from './platformRows';
import { markdownTable, terminalTable, updateReadme, verdict, type Row } from './results';
import { straceSyscalls } from './sandboxRuns';
import { round } from './stats';
import { stormHeap } from './stormHeap';
import { throughput, throughputRows } from './throughput';

/** A sample's raw output (fence -m prints a line per denial: 5 MB per storm round) and live store stay out of the file. */
function keptInResults(key: string, value: unknown): unknown {
  return key === 'output' || key === 'store' ? undefined : value;
}

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
  /** The quick mode skips the unrecorded warm-up run before the build and the storm. */
  readonly warmUp: boolean;
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
  warmUp: true,
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
  bystander: { nullCalls: 500_000, fileCalls: 20_000, repeats: 1 },
  extensionHosts: 1,
  extensionDenials: 3000,
  warmUp: false,
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
const readmeNotes = (planName: string, minutes: number, bpftraces: readonly string[]): string => `How to rerun (as root: the monitor runs in \`direct\` mode; needs fence, bwrap, bpftrace, strace, gcc):
\`npm run bench\` (full), \`npm run bench -- --quick\` (smaller storms, fewer rounds, no warm-up run, one extension host
instead of three; this ${planName} run took ${minutes.toFixed(1)} minutes, with ${bpftraces.join(' and ')}), add \`--readme\` to rewrite this table; the extension
rows start code-server as the test user (\`scripts/setup-vscode-host.sh\`, \`test/vscode/run-host.mjs --mode bench\`), and
\`--only-extension\` reruns just them into an existing \`bench-results.json\`. Results go to \`bench-results.json\`
(issue 4's keys at the top level with the machine, the date and the reason for every null; the other rows and
per-round details under \`supplementary\`).

How the numbers are made: sandboxed workloads time themselves (\`BENCH_NS\` from bench/workload.c, CLOCK_MONOTONIC),
so the runs' start-up and the monitor's attach/detach are not in the overhead ratios (they are their own rows).
*Monitored* = the engine's \`startRun\` with \`--monitor direct\`; *unmonitored* = the same with \`off\`; strace =
\`strace -f -qq -e trace=<the monitor's syscalls>\` around bare fence; Fence's own monitor = bare \`fence -m\` as root
(bpftrace on its per-syscall exit tracepoints, one printed line per denial), against bare fence without \`-m\`.
Each round runs every variant in a rotating order; a ratio is the median of the per-round ratios.
**Per bpftrace** (rows prefixed \`bpftrace-0.17.\`, the host's, and \`bpftrace-0.23.\`, Debian 13's from the chroot
\`scripts/bpftrace-chroot.sh\` builds; a platform not found has null rows saying why): attach, detach, the storm and
the bystander loops, each next to its *floor*, the cheapest program on the probe type the product's program uses with
that bpftrace (read from the program the engine ran): one exit probe whose predicate no syscall passes, plus the exec
probe that proves attachment, run by the same bpftrace in the same rounds. \`vs_floor\` is product / floor round by
round: what the program costs beyond its probe type. Bystander loops run pinned (\`taskset\`) to each CPU in turn,
because a perf-event tracepoint is opened on CPU 0 and costs about 3x more there. Issue 4's \`monitor.attach_s\`,
\`monitor.detach_s\`, \`overhead.storm.ratio\` and \`overhead.bystander.ratio\` (the worst CPU's file loop) in
bench-results.json are the host bpftrace's rows. \`FENCE_LENS_FENCE\` names the fence binary (default
/usr/local/bin/fence). Latency is arrival time in Node minus the CLOCK_MONOTONIC the workload wrote into the denied
path just before the call; \`latency.floor\` is the same path minus the monitor
(a process writing timestamps into a pipe), i.e. what this machine's scheduler adds on its own.
Extension activation is timed next to a trivial extension's in the same host (VS Code's own price of activating
anything). activate() only registers commands, views and providers; the doctor behind the welcome views runs after
it, once the view shows, and the engine (execa, the monitor, jsonc-parser) is a second bundle, dist/engine.js,
loaded on the first run. Both bundles are minified in every build, so the tests and these rows use the bytes the
.vsix ships; their source maps are separate .map files, not packaged, that map stack traces back to src/.

Why targets are missed (measured; details in \`docs/bench-findings.md\`): the monitor's programs on
\`raw_syscalls:sys_exit\` (one with 0.23's raw tracepoint; three with 0.17, whose 512-byte stack cannot hold a
directory walk and a record in one) reject successful syscalls at their first instruction, and every syscall of the
machine pays that tracepoint's dispatch whatever the programs do: the \`floor.ratio\` rows measure a do-nothing
program on the same probe type in the same rounds, and the monitor sits on it (per-syscall tracepoints would spare
unrelated syscalls but took 4.5 s to detach). The storm pays the BPF of each denied open (register lookup, string
read, a dedup key holding the directory). Attach time is bpftrace's start-up: LLVM, BTF (0.17 imports
\`task_struct\` for the directory walk), and with 0.17 reading \`available_events\` 21 times per tracepoint probe
(its program has six). Each platform's \`attach.floor_s\` is what
its probe type alone costs to attach with that bpftrace; the product's attach minus it, in the same rounds, is
bpftrace compiling, verifying and loading our program (and its three sched tracepoints), so an attach target below
floor + that difference needs a smaller program, not a cheaper probe. Decoder throughput: the stream is what the
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

function machine(bpftraces: readonly { label: string; path: string; version: string }[]): Record<string, string | number> {
  return {
    nproc: os.availableParallelism(),
    kernel: os.release(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    bpftrace: bpftraces.map((b) => `${b.version} (${b.path})`).join(', '),
    fence: `${tool(FENCE, ['--version'])} (${FENCE})`,
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
  writeFileSync(file, JSON.stringify(results, keptInResults, 2) + '\n');
  process.stdout.write(`\n${terminalTable(rows)}\n\n${markdownTable(rows)}\n\nupdated the extension keys in bench-results.json (${plan.name} plan)\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const plan = argv.includes('--quick') ? QUICK : FULL;
  // `--readme-file=FILE` renders the same section into a copy (a preview that leaves README.md alone).
  const readmeFile = argv.find((a) => a.startsWith('--readme-file='))?.slice('--readme-file='.length);
  const writeReadme = argv.includes('--readme') || readmeFile !== undefined;
  if (process.getuid?.() !== 0) throw new Error('the benchmarks run the monitor directly: run them as root');
  if (argv.includes('--only-extension')) return onlyExtension(plan);
  const started = Date.now();
  const date = new Date().toISOString();
  log(`fence-lens bench (${plan.name}), ${date}`);
  const f = makeFixtures();
  try {
    log(`strace traces: ${straceSyscalls().join(',')}`);
    const { found: bpftraces, missing } = findBpftraces();
    for (const m of missing) log(`${m.label}: not measured: ${m.reason}`);
    if (bpftraces.length === 0) throw new Error(`no bpftrace found: ${missing.map((m) => m.reason).join('; ')}`);
    const cpus = [...Array(os.availableParallelism()).keys()];
    log('throughput: decoder + store on the program\'s own stream, vs line splitting');
    const tp = throughput(plan.throughputSeconds, plan.throughputRounds, log);
    const lives: LifecycleResult[] = [];
    for (const b of bpftraces) {
      log(`monitor attach / detach with ${b.label} (${b.path})`);
      lives.push(await monitorLifecycle(b, plan.lifecycleRounds, log));
    }
    const platforms = lives.map((l) => ({ bpftrace: l.bpftrace, probe: l.probe }));
    const host = platforms[0];
    log('latency: denied syscall -> store');
    const latStore = await storeLatency(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latStore.p50.toFixed(2)} ms, p95 ${latStore.p95.toFixed(2)} ms, ${latStore.samples}/${latStore.expected} seen`);
    log('latency floor: plain process -> pipe -> Node');
    const latFloor = await pipeLatencyFloor(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latFloor.p50.toFixed(2)} ms, p95 ${latFloor.p95.toFixed(2)} ms`);
    log('latency: denied syscall -> CLI line');
    const latCli = await cliLatency(f, plan.latencyEvents, LATENCY_INTERVAL_US);
    log(`  p50 ${latCli.p50.toFixed(2)} ms, p95 ${latCli.p95.toFixed(2)} ms, ${latCli.samples}/${latCli.expected} seen`);
    log(`overhead: build-like workload inside Fence (monitor with ${host.bpftrace.label})`);
    const buildShell = buildWorkload();
    const buildRounds = await workloadOverhead(f, buildShell, workloadArms(f, buildShell, [host], { floors: false, withBare: true }), plan.buildRounds, log, plan.warmUp);
    const build = workloadFigures(buildRounds, host);
    log(`overhead: storm of ${plan.stormOps} denied writes inside Fence, with ${platforms.map((p) => p.bpftrace.label).join(' and ')} and their floors`);
    const stormShell = stormSame(f, plan.stormOps);
    const stormRounds = await workloadOverhead(f, stormShell, workloadArms(f, stormShell, platforms, { floors: true, withBare: true }), plan.stormRounds, log, plan.warmUp);
    const storm = workloadFigures(stormRounds, host);
    log(`overhead: ${plan.stormOps} ENOENT lookups inside Fence (ordinary lookups, which the monitor records within a budget of their own)`);
    const lookupShell = lookupStorm(f, plan.stormOps);
    const lookupRounds = await workloadOverhead(f, lookupShell, workloadArms(f, lookupShell, platforms, { floors: false, withBare: false }), plan.stormRounds, log, plan.warmUp);
    const lookupRows: Row[] = platforms.map((p) => ({
      key: `${p.bpftrace.label}.overhead.lookups.ratio`,
      value: pairedRatio(lookupRounds, monitoredArm(p), 'unmonitored', wallMs),
      kind: 'report',
      unit: 'x',
      meaning: `${plan.stormOps.toLocaleString('en-US')} stat() calls failing with ENOENT (1,000 missing names in turn) inside Fence, monitored with ${p.bpftrace.label} / unmonitored: the cost of recording lookups for hidden reads (1,000 new records the host side checks, the rest counted in the kernel); medians ${Math.round(medianOf(lookupRounds, 'unmonitored', wallMs))} -> ${Math.round(medianOf(lookupRounds, monitoredArm(p), wallMs))} ms`,
    }));
    log(`overhead: bystander loops outside the sandbox, pinned to CPU ${cpus.join(' and ')}`);
    const by = await bystanderOverhead(f, platforms, cpus, plan.bystanderRounds, plan.bystander, log);
    log(`storm heap: ${plan.heapDenials} denials of distinct paths`);
    const heapDistinct = await stormHeap(f, 'distinct', plan.heapDenials);
    log(`  ${JSON.stringify(heapDistinct)}`);
    log(`storm heap: ${plan.heapDenials} denials of one path`);
    const heapSame = await stormHeap(f, 'same', plan.heapDenials);
    log(`  ${JSON.stringify(heapSame)}`);
    log(`extension host: ${plan.extensionHosts} code-server host(s), cold activation + event-loop lag during a ${plan.extensionDenials}-denial storm`);
    const hostExt = await extensionHost(plan.extensionHosts, plan.extensionDenials, log);
    const bundle = bundleSize();

    const perPlatform = platformRows({ lives, missing, storm: stormRounds, stormOps: plan.stormOps, bystander: by, cpus, sizes: plan.bystander });
    const rows: Row[] = [
      { key: 'overhead.build.ratio', value: build.ratio, kind: 'max', target: 1.05, unit: 'x', meaning: `build-like workload (cp -r /usr/include/linux, 4x gcc -O1, tar, cat) inside Fence, monitored (${host.bpftrace.label}) / unmonitored (both through startRun; as root fence -m also runs Fence's own eBPF monitor in both); medians ${Math.round(build.ms.unmonitored)} -> ${Math.round(build.ms.monitored)} ms, bare fence ${Math.round(build.ms.bare)} ms` },
      { key: 'overhead.build.cpu_ratio', value: build.cpuRatio, kind: 'report', unit: 'x', meaning: 'the same on the workload\'s CPU time (user + system of the shell\'s children): probe cost is charged to the traced process, and CPU time is far less disturbed by the other tenants than wall time' },
      { key: 'overhead.strace.build.ratio', value: build.straceRatio, kind: 'report', unit: 'x', meaning: `the build-like workload under strace -f on the monitor's syscalls / unmonitored; median ${Math.round(build.ms.strace)} ms` },
      { key: 'overhead.fence_monitor.build.ratio', value: build.fenceMonitorRatio, kind: 'report', unit: 'x', meaning: `the build-like workload under Fence's own monitor (bare \`fence -m\` as root: bpftrace on per-syscall exit tracepoints, one printed line per denial) / bare fence without -m, same rounds; medians ${Math.round(build.ms.bare)} -> ${Math.round(build.ms.fenceMonitor)} ms` },
      ...lookupRows,
      { key: 'overhead.storm.cpu_ratio', value: storm.cpuRatio, kind: 'report', unit: 'x', meaning: 'the storm on CPU time (getrusage of the workload), monitored / unmonitored' },
      { key: 'overhead.strace.storm.ratio', value: storm.straceRatio, kind: 'report', unit: 'x', meaning: `the storm under strace -f / unmonitored; median ${Math.round(storm.ms.strace)} ms` },
      { key: 'overhead.fence_monitor.storm.ratio', value: storm.fenceMonitorRatio, kind: 'report', unit: 'x', meaning: `the storm under Fence's own monitor (bare \`fence -m\` as root) / bare fence, same rounds; medians ${Math.round(storm.ms.bare)} -> ${Math.round(storm.ms.fenceMonitor)} ms` },
      ...perPlatform.rows,
      { key: 'latency.p50_ms', value: latStore.p50, kind: 'report', unit: 'ms', meaning: `denied syscall (CLOCK_MONOTONIC before the call) -> violation added to the store, in-process through startRun; ${latStore.samples}/${latStore.expected} denials, one every ${LATENCY_INTERVAL_US / 1000} ms` },
      { key: 'latency.p95_ms', value: latStore.p95, kind: 'max', target: 10, unit: 'ms', meaning: `the same, 95th percentile (max ${latStore.max.toFixed(2)} ms)` },
      { key: 'latency.floor.p95_ms', value: latFloor.p95, kind: 'report', unit: 'ms', meaning: `baseline for the latency rows, same run: a plain process writing CLOCK_MONOTONIC into a pipe read by Node, no monitor in between (p50 ${latFloor.p50.toFixed(2)} ms, max ${latFloor.max.toFixed(2)} ms): this machine's scheduling noise` },
      { key: 'latency.cli.p50_ms', value: latCli.p50, kind: 'report', unit: 'ms', meaning: `denied syscall -> the line printed by \`fence-lens run\` arriving on its stderr pipe; ${latCli.samples}/${latCli.expected} denials` },
      { key: 'latency.cli.p95_ms', value: latCli.p95, kind: 'max', target: 10, unit: 'ms', meaning: `the same, 95th percentile (max ${latCli.max.toFixed(2)} ms)` },
      ...throughputRows(tp),
      { key: 'storm.distinct.heap_mb', value: heapDistinct.heapGrowthMb, kind: 'report', unit: 'MB', meaning: `heap growth (after GC, store still held) after ${heapDistinct.denials.toLocaleString('en-US')} denials of distinct paths through the real monitor; store holds ${heapDistinct.distinct.toLocaleString('en-US')} distinct (bound 10,000), overflow ${heapDistinct.overflowDistinct.toLocaleString('en-US')} distinct / ${heapDistinct.overflowEvents.toLocaleString('en-US')} events, ${heapDistinct.events.toLocaleString('en-US')} counted, ${heapDistinct.lostEvents} lost in the kernel` },
      { key: 'storm.same.heap_mb', value: heapSame.heapGrowthMb, kind: 'report', unit: 'MB', meaning: `heap growth after ${heapSame.denials.toLocaleString('en-US')} denials of one path` },
      { key: 'storm.same.count', value: heapSame.targetCount, kind: 'report', unit: '', meaning: `the count the store holds for that path (expected exactly ${heapSame.denials.toLocaleString('en-US')}; ${heapSame.lostEvents} events lost)` },
      ...extensionRows(hostExt, bundle),
    ];
    const m = machine(bpftraces);
    // Top level: exactly issue 4's keys (plus the storm's exact count, the machine and the date);
    // every other figure of the table and the per-round details go under `supplementary`. Issue 4's
    // monitor and bystander keys are the host bpftrace's figures, copied from its platform rows.
    const value = (r: Row): number | null => (r.value === null ? null : round(r.value, r.value >= 100 ? 0 : 3));
    const results: Record<string, unknown> = {};
    const supplementary: Record<string, unknown> = {};
    const aliases = perPlatform.aliases(host.bpftrace.label);
    for (const r of [...rows, ...aliases]) (ISSUE_KEYS.has(r.key) ? results : supplementary)[r.key] = value(r);
    results['storm.same.expected'] = heapSame.denials;
    results.mode = plan.name;
    results.date = date;
    results.machine = m;
    results.null_reasons = Object.fromEntries([...rows, ...aliases].filter((r) => r.value === null).map((r) => [r.key, r.note ?? 'not measured']));
    supplementary.verdicts = Object.fromEntries([...rows, ...aliases].filter((r) => r.kind !== 'report').map((r) => [r.key, verdict(r)]));
    supplementary.details = {
      platforms: platforms.map((p) => ({ ...p.bpftrace, probe: p.probe })),
      platformsMissing: missing,
      cpus,
      build: { ...build, rounds: buildRounds },
      storm: { ...storm, rounds: stormRounds },
      bystander: by,
      latencyStore: latStore,
      latencyCli: latCli,
      latencyFloor: latFloor,
      lifecycle: lives,
      throughput: tp,
      heapDistinct,
      heapSame,
      bundle,
      extensionHost: hostExt,
      strace: straceSyscalls(),
    };
    results.supplementary = supplementary;
    writeFileSync(path.join(REPO_ROOT, 'bench-results.json'), JSON.stringify(results, keptInResults, 2) + '\n');

    const elapsed = (Date.now() - started) / 1000;
    process.stdout.write(`\n${terminalTable(rows)}\n\nmachine: ${JSON.stringify(m)}\n${plan.name} run, ${elapsed.toFixed(0)} s; wrote bench-results.json\n`);
    if (writeReadme) {
      const body = [
        `Latest ${plan.name} run: ${date.slice(0, 10)} on ${m.nproc} cores (${m.cpu}), kernel ${m.kernel}, bpftrace ${m.bpftrace}, fence ${m.fence}, Node ${m.node}; a shared, noisy VM. Each ratio is the median of per-round ratios against a baseline run in the same round.`,
        '',
        markdownTable(rows),
        '',
        readmeNotes(plan.name, elapsed / 60, bpftraces.map((b) => b.label)),
      ].join('\n');
      const target = readmeFile ?? path.join(REPO_ROOT, 'README.md');
      updateReadme(target, body);
      log(`updated ${target} between the bench markers`);
    }
  } finally {
    f.remove();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

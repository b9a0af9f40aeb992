// The extension-host benchmark (issue 4's extension.activate_ms and extension.lag_p99_ms), loaded
// as `extensionTestsPath` by `run-host.mjs --mode bench`; kept out of suite/ so the test runs and
// their counts are unchanged. Writes its figures into the launcher's results file (FENCE_LENS_RESULTS)
// next to a one-test summary the launcher prints; bench/extensionHost.ts reads them.
//
// - activation: `await ext.activate()` from a cold (not yet activated) extension, performance.now()
//   around it, once the host's own start-up has settled; one sample per host (an extension
//   activates once), the bench runs several hosts. The same for a trivial extension
//   (test/vscode/trivial-extension: activate() registers one command) loaded in the same host:
//   VS Code's own price of activating anything, the baseline. Which of the two goes first
//   alternates per host (FENCE_LENS_BENCH_TRIVIAL_FIRST), since the first activation in a host may
//   pay one-time costs. FENCE_LENS_BENCH_PROFILE=1 also writes CPU profiles of both activations and
//   of the storms next to the results (activate.cpuprofile, activate-trivial.cpuprofile,
//   storm.cpuprofile, storm-view.cpuprofile; run-host.mjs copies them out).
// - lag: perf_hooks.monitorEventLoopDelay in this host (the extension's own event loop) during a
//   `fenceLens.run` that streams FENCE_LENS_BENCH_DENIALS distinct denied writes into the tree, and
//   the same for an idle interval of equal length in the same host as the baseline. The histogram
//   records whole timer intervals (resolution + delay), so lag = percentile - resolution. The first
//   storm runs with the Violations view hidden (as the window opens), a second one with it open, so
//   the tree's repaints are timed too (that one is the window's second run, the first paid for
//   the window's first terminal).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { unitemisedTarget } from '../../../src/core/protocol/monitorDecoder';
import type { FenceLensApi } from '../../../src/vscode/extension';
import { profiled } from './cpuProfile';

const EXTENSION_ID = 'fence-lens.fence-lens';
const TRIVIAL_EXTENSION_ID = 'fence-lens-bench.trivial-extension';
const RESOLUTION_MS = 10;
const STARTUP_SETTLE_MS = 3000;
/** Lets what our activation started in the background (the doctor, 500 ms after) finish before anything else is timed. */
const ACTIVATION_SETTLE_MS = 2000;

export interface LagSample {
  readonly durationMs: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface StormBench {
  readonly denials: number;
  readonly seen: number;
  readonly lostEvents: number;
  readonly monitor: string;
  readonly exitCode: number | null;
  readonly repaints: number;
  readonly lag: LagSample;
}

export interface HostBench {
  readonly activation: {
    readonly cold: boolean;
    readonly activateMs: number | null;
    /** The trivial extension's cold activation in the same host (null: it was not cold or not loaded). */
    readonly trivialMs: number | null;
    readonly trivialFirst: boolean;
  };
  /** With the Violations view hidden (the key figure), then a second run with it open. */
  readonly storm: StormBench;
  readonly stormViewShown: StormBench;
  readonly baseline: { readonly lag: LagSample };
  readonly resolutionMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const lagMs = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);

async function sampleLag<T>(work: () => Promise<T>): Promise<{ result: T; lag: LagSample }> {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const t0 = performance.now();
  h.enable();
  const result = await work();
  h.disable();
  const durationMs = performance.now() - t0;
  return { result, lag: { durationMs, samples: h.count, p50Ms: lagMs(h.percentile(50)), p99Ms: lagMs(h.percentile(99)), maxMs: lagMs(h.max) } };
}

/** `await ext.activate()` timed; `cold` false when something had activated it already. */
async function activate<T>(id: string, profile?: string): Promise<{ api: T; cold: boolean; ms: number }> {
  const ext = vscode.extensions.getExtension<T>(id);
  if (!ext) {
    const others = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
    throw new Error(`${id} is not loaded (loaded: ${others.join(', ') || 'only built-in extensions'})`);
  }
  const cold = !ext.isActive;
  return profiled(profile, async () => {
    const t0 = performance.now();
    const api = await ext.activate();
    return { api, cold, ms: performance.now() - t0 };
  });
}

/** One `fenceLens.run` of `denials` distinct denied writes after a clear, its event-loop lag sampled. */
async function stormLag(api: FenceLensApi, denials: number, profile: string | undefined): Promise<StormBench> {
  await vscode.commands.executeCommand('fenceLens.clear');
  await sleep(ACTIVATION_SETTLE_MS); // let activation's (or the last run's) background work settle before sampling
  const before = api.explorer.refreshCount;
  const storm = await sampleLag(() =>
    profiled(profile, async () => {
      const report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', {
        command: `i=0; while [ $i -lt ${denials} ]; do i=$((i+1)); : > /etc/fence-lens-bench-$i 2>/dev/null; done; exit 0`,
      });
      // The tree repaints on a throttle: include the last repaint in the sample.
      for (let i = 0; i < 100 && api.explorer.refreshPending; i++) await sleep(50);
      return report;
    }),
  );
  const report = storm.result;
  return {
    denials,
    // Itemised, plus any the monitor counted without their paths (past its record rate, a summary entry).
    seen:
      report.violations.filter((v) => v.target.startsWith('/etc/fence-lens-bench-')).length +
      report.violations.filter((v) => v.target === unitemisedTarget('openat')).reduce((n, v) => n + v.count, 0),
    lostEvents: report.monitor.lostEvents,
    monitor: `${report.monitor.state} (${report.monitor.detail})`,
    exitCode: report.exitCode,
    repaints: api.explorer.refreshCount - before,
    lag: storm.lag,
  };
}

async function measure(): Promise<HostBench> {
  const trivialFirst = process.env.FENCE_LENS_BENCH_TRIVIAL_FIRST === '1';
  const results = process.env.FENCE_LENS_RESULTS;
  const profile = (name: string): string | undefined => (process.env.FENCE_LENS_BENCH_PROFILE && results ? path.join(path.dirname(results), name) : undefined);
  // The tests start while the host is still starting built-in extensions (js-debug, merge
  // conflicts, ...); measuring then would time their work too, differently in every run.
  await sleep(STARTUP_SETTLE_MS);
  const trivialBefore = trivialFirst ? await activate<unknown>(TRIVIAL_EXTENSION_ID, profile('activate-trivial.cpuprofile')) : undefined;
  const ours = await activate<FenceLensApi>(EXTENSION_ID, profile('activate.cpuprofile'));
  if (!trivialFirst) await sleep(ACTIVATION_SETTLE_MS);
  const trivial = trivialBefore ?? (await activate<unknown>(TRIVIAL_EXTENSION_ID, profile('activate-trivial.cpuprofile')));
  const { api, cold, ms: activateMs } = ours;

  const denials = Number(process.env.FENCE_LENS_BENCH_DENIALS || 3000);
  // The bench window opens with the Violations view hidden: this storm times the extension's own
  // work per denial (store, output, Problems, badge, status bar) without the tree's repaints.
  const storm = await stormLag(api, denials, profile('storm.cpuprofile'));
  await sleep(500);
  const baseline = await sampleLag(() => sleep(storm.lag.durationMs));
  // Then as a user watching it: the view open, so every repaint refetches the rows it shows.
  await vscode.commands.executeCommand('fenceLens.violations.focus');
  const stormViewShown = await stormLag(api, denials, profile('storm-view.cpuprofile'));
  return {
    activation: { cold, activateMs: cold ? activateMs : null, trivialMs: trivial.cold ? trivial.ms : null, trivialFirst },
    storm,
    stormViewShown,
    baseline: { lag: baseline.lag },
    resolutionMs: RESOLUTION_MS,
  };
}

export async function run(): Promise<void> {
  const out = process.env.FENCE_LENS_RESULTS;
  let bench: HostBench | undefined;
  let error: string | undefined;
  try {
    bench = await measure();
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  // A storm that did not fully reach the store timed something else: the bench fails, it does not report.
  const complete = (s: StormBench): boolean => s.seen === s.denials && s.exitCode === 0;
  const ok = bench !== undefined && bench.activation.cold && complete(bench.storm) && complete(bench.stormViewShown);
  const storms = (b: HostBench): string =>
    [b.storm, b.stormViewShown].map((s) => `${s.seen}/${s.denials} denials seen (exit ${s.exitCode}, ${s.lostEvents} lost, monitor ${s.monitor})`).join('; ');
  const why = bench && !ok ? `cold ${bench.activation.cold}, ${storms(bench)}` : error;
  const test = { title: 'bench: activation and event-loop lag during a storm', state: ok ? 'passed' : 'failed', ...(why ? { error: why } : {}) };
  const summary = { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, tests: [test], bench };
  if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
  if (!ok) throw new Error(why ?? 'bench failed');
}

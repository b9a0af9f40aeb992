// Issue 4's extension.activate_ms and extension.lag_p99_ms: runs the extension-host benchmark
// (test/vscode/bench, through `test/vscode/run-host.mjs --mode bench`: code-server as the test user,
// real pkexec) once per host, since an extension activates only once per host. Activation is the
// median over hosts, next to the same host's activation of a trivial extension (the baseline: what
// VS Code charges to activate anything) and the per-host difference; which of the two activates
// first alternates from host to host. The lag figures are the median over hosts of each host's
// storm and idle percentiles; each host runs the storm twice, with the Violations view hidden (the
// key figure) and then open.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDoctor } from '../src/sandbox/doctor';
import type { HostBench } from '../test/vscode/bench/index';
import { REPO_ROOT } from './fixtures';
import { median } from './stats';

export interface ExtensionHostResult {
  readonly hosts: number;
  readonly denials: number;
  /** Median of the cold `await ext.activate()` times (includes loading dist/extension.js). */
  readonly activateMs: number;
  readonly activateAllMs: readonly number[];
  /** The same for the trivial extension in the same hosts (test/vscode/trivial-extension). */
  readonly baselineActivateMs: number;
  readonly baselineActivateAllMs: readonly number[];
  /** Median over hosts of (ours - trivial) in the same host. */
  readonly overBaselineMs: number;
  readonly stormP50Ms: number;
  readonly stormP99Ms: number;
  readonly stormMaxMs: number;
  readonly baselineP50Ms: number;
  readonly baselineP99Ms: number;
  readonly baselineMaxMs: number;
  readonly stormDurationMs: number;
  /** Denials of the storm that reached the store, per host (expected `denials` each). */
  readonly seen: readonly number[];
  /** The same storm again with the Violations view open (its rows refetched on every repaint). */
  readonly viewShownP50Ms: number;
  readonly viewShownP99Ms: number;
  readonly viewShownMaxMs: number;
  readonly viewShownDurationMs: number;
  readonly viewShownSeen: readonly number[];
  readonly runs: readonly HostBench[];
}

function runHost(out: string, denials: number, trivialFirst: boolean, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'test/vscode/run-host.mjs'), '--mode', 'bench'], {
      cwd: REPO_ROOT,
      env: { ...process.env, FENCE_LENS_BENCH_OUT: out, FENCE_LENS_BENCH_DENIALS: String(denials), FENCE_LENS_BENCH_TRIVIAL_FIRST: trivialFirst ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (b: Buffer): void => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else {
        log(`  run-host.mjs --mode bench exited ${code}:\n${tail}`);
        reject(new Error(`run-host.mjs --mode bench exited ${code}`));
      }
    });
  });
}

/**
 * The storms run as the test user, so their monitor goes through pkexec and the installed helper. A
 * helper from another build refuses with a version mismatch and the run goes on unmonitored, as it
 * would for a user: the storm then reaches nothing and times an idle extension. Refuse to start.
 */
async function requireHelper(): Promise<void> {
  const bad = (await runDoctor()).filter((c) => (c.id === 'helper' || c.id === 'pkexec' || c.id === 'polkit') && !c.ok);
  if (bad.length > 0) {
    throw new Error(`the extension-host storms would run unmonitored: ${bad.map((c) => `${c.id}: ${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`).join('; ')}`);
  }
}

export async function extensionHost(hosts: number, denials: number, log: (line: string) => void): Promise<ExtensionHostResult> {
  await requireHelper();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fence-lens-bench-host-'));
  const runs: HostBench[] = [];
  try {
    for (let i = 0; i < hosts; i++) {
      const out = path.join(dir, `host-${i}.json`);
      await runHost(out, denials, i % 2 === 1, log);
      const r = JSON.parse(readFileSync(out, 'utf8')) as { bench?: HostBench };
      if (!r.bench || r.bench.activation.activateMs === null || r.bench.activation.trivialMs === null) throw new Error(`host ${i + 1}: no cold activation measured (ours and the trivial extension's)`);
      const b = r.bench;
      for (const s of [b.storm, b.stormViewShown]) {
        if (s.seen !== s.denials) throw new Error(`host ${i + 1}: ${s.seen} of ${s.denials} denials reached the store (monitor ${s.monitor}): the storm did not happen`);
      }
      log(`  host ${i + 1}/${hosts}: activate ${b.activation.activateMs?.toFixed(1)} ms, trivial extension ${b.activation.trivialMs?.toFixed(1)} ms (${b.activation.trivialFirst ? 'trivial' : 'ours'} first); lag p99 storm ${b.storm.lag.p99Ms.toFixed(1)} ms / idle ${b.baseline.lag.p99Ms.toFixed(1)} ms / view open ${b.stormViewShown.lag.p99Ms.toFixed(1)} ms; ${b.storm.seen}/${b.storm.denials} denials in ${Math.round(b.storm.lag.durationMs)} ms`);
      runs.push(b);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const m = (f: (b: HostBench) => number): number => median(runs.map(f));
  const activateAllMs = runs.map((b) => b.activation.activateMs ?? Number.NaN);
  const baselineActivateAllMs = runs.map((b) => b.activation.trivialMs ?? Number.NaN);
  return {
    hosts,
    denials,
    activateMs: median(activateAllMs),
    activateAllMs,
    baselineActivateMs: median(baselineActivateAllMs),
    baselineActivateAllMs,
    overBaselineMs: median(activateAllMs.map((x, i) => x - baselineActivateAllMs[i])),
    stormP50Ms: m((b) => b.storm.lag.p50Ms),
    stormP99Ms: m((b) => b.storm.lag.p99Ms),
    stormMaxMs: m((b) => b.storm.lag.maxMs),
    baselineP50Ms: m((b) => b.baseline.lag.p50Ms),
    baselineP99Ms: m((b) => b.baseline.lag.p99Ms),
    baselineMaxMs: m((b) => b.baseline.lag.maxMs),
    stormDurationMs: m((b) => b.storm.lag.durationMs),
    seen: runs.map((b) => b.storm.seen),
    viewShownP50Ms: m((b) => b.stormViewShown.lag.p50Ms),
    viewShownP99Ms: m((b) => b.stormViewShown.lag.p99Ms),
    viewShownMaxMs: m((b) => b.stormViewShown.lag.maxMs),
    viewShownDurationMs: m((b) => b.stormViewShown.lag.durationMs),
    viewShownSeen: runs.map((b) => b.stormViewShown.seen),
    runs,
  };
}

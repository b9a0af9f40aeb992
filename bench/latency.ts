// Latency from a denied syscall to the violation in the store (in-process, through startRun) and
// to the CLI's printed line (a child `fence-lens run`, its stderr read here). The workload puts
// CLOCK_MONOTONIC, read right before the call, into each denied path; bpftrace's nsecs and Node's
// process.hrtime are the same clock, so latency = arrival time - the number in the path. The
// timestamp is taken a few microseconds before the kernel's own (at syscall exit), so the figure
// errs on the high side.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { startRun } from '../src/sandbox/run';
import { FENCE, REPO_ROOT, type Fixtures } from './fixtures';
import { percentile } from './stats';

const PREFIX = '/etc/fence_lens_bench_lat_';
const STAMP = /fence_lens_bench_lat_(\d+)/;

export interface LatencyResult {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly samples: number;
  readonly expected: number;
}

function summarize(samples: readonly number[], expected: number): LatencyResult {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), max: percentile(samples, 100), samples: samples.length, expected };
}

function timedCommand(f: Fixtures, count: number, intervalUs: number): string {
  return `${f.workload} timed ${count} ${intervalUs} ${PREFIX}`;
}

export async function storeLatency(f: Fixtures, count: number, intervalUs: number): Promise<LatencyResult> {
  const samples: number[] = [];
  const handle = startRun({ command: timedCommand(f, count, intervalUs), cwd: f.dir, settings: f.settings, monitor: 'direct', programs: { fence: FENCE }, stdio: 'pipe' });
  handle.store.onChange((c) => {
    if (c.kind !== 'added') return;
    const at = process.hrtime.bigint();
    const m = STAMP.exec(c.violation.target);
    if (m) samples.push(Number(at - BigInt(m[1])) / 1e6);
  });
  handle.stdin?.end();
  handle.stdout?.resume();
  handle.stderr?.resume();
  const report = await handle.done;
  if (report.monitor.state !== 'active') throw new Error(`monitor not active: ${report.monitor.detail}`);
  return summarize(samples, count);
}

export function cliLatency(f: Fixtures, count: number, intervalUs: number): Promise<LatencyResult> {
  return new Promise((resolve, reject) => {
    const cli = path.join(REPO_ROOT, 'dist/cli.js');
    const args = [cli, 'run', '--monitor', 'direct', '--fence', FENCE, '--settings', f.settings, '-c', timedCommand(f, count, intervalUs)];
    const child = spawn(process.execPath, args, { cwd: f.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    const samples: number[] = [];
    let partial = '';
    let all = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const at = process.hrtime.bigint();
      all += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = STAMP.exec(line);
        if (m && line.includes('openat')) samples.push(Number(at - BigInt(m[1])) / 1e6);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || samples.length === 0) reject(new Error(`fence-lens run exited ${code} with ${samples.length} samples: ${all.slice(-600)}`));
      else resolve(summarize(samples, count));
    });
  });
}

/** The floor: a plain process writing CLOCK_MONOTONIC into a pipe, read here. What this machine's
 * scheduler alone adds to any pipe-to-Node path, measured in the same run as the monitor's latency. */
export function pipeLatencyFloor(f: Fixtures, count: number, intervalUs: number): Promise<LatencyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(f.workload, ['ticks', String(count), String(intervalUs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const samples: number[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = process.hrtime.bigint();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^TICK (\d+)$/.exec(line);
        if (m) samples.push(Number(at - BigInt(m[1])) / 1e6);
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve(summarize(samples, count)));
  });
}

// The integration rig: real fence, bwrap, bpftrace and pkexec. Runs the built CLI as root or as an
// ordinary user (runuser), from a world-readable staging copy, since CI's checkout may sit where the
// test user cannot read. A missing component makes the suite print one line and skip.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../../src/core/model';

export const ROOT_DIR = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT_DIR, 'dist/cli.js');

/**
 * The fence binary every test uses: FENCE_LENS_FENCE, else the one CI installs. Every CLI run of the
 * suite passes it with --fence, and engine tests pass it in `programs`.
 */
export const FENCE = process.env.FENCE_LENS_FENCE || '/usr/local/bin/fence';

export function missingComponent(opts: { pkexec?: boolean } = {}): string | null {
  if (process.getuid?.() !== 0) return 'integration tests need root (they drive the monitor and test users)';
  for (const p of [FENCE, '/usr/bin/bwrap', '/usr/bin/socat', '/usr/bin/bpftrace']) {
    if (!existsSync(p)) return `${p} not installed (run scripts/setup.sh)`;
  }
  if (!existsSync('/sys/kernel/tracing/events/raw_syscalls')) return 'tracefs not mounted';
  if (!existsSync(CLI)) return 'dist/cli.js not built (npm run build)';
  if (opts.pkexec) {
    if (!existsSync('/usr/bin/pkexec')) return 'pkexec not installed';
    if (!existsSync('/run/dbus/system_bus_socket')) return 'system D-Bus not running (scripts/test-env.sh)';
    if (spawnSync('id', ['fencetest']).status !== 0) return 'test user fencetest missing (scripts/test-env.sh)';
  }
  return null;
}

/** Skips the suite with one line saying what is missing. */
export function requireComponents(ctx: Mocha.Context, opts: { pkexec?: boolean } = {}): void {
  const missing = missingComponent(opts);
  if (missing) {
    console.log(`    skipped: ${missing}`);
    ctx.skip();
  }
}

export interface Stage {
  readonly dir: string;
  readonly cli: string;
  /** A workspace the user owns; the settings allow writing only here. */
  readonly ws: string;
  readonly settings: string;
  readonly user: string | null;
  cleanup(): void;
}

export function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

export function stage(user: string | null): Stage {
  const dir = mkdtempSync('/tmp/fence-lens-it-');
  chmodSync(dir, 0o755);
  const cli = path.join(dir, 'cli.js');
  copyFileSync(CLI, cli);
  chmodSync(cli, 0o755);
  const ws = path.join(dir, 'ws');
  spawnSync('mkdir', ['-p', ws]);
  const settings = path.join(ws, 'fence.json');
  writeFileSync(settings, JSON.stringify({ filesystem: { allowWrite: [ws] }, network: { allowedDomains: [] } }));
  if (user) {
    const uid = uidOf(user);
    chownSync(ws, uid, uid);
    chownSync(settings, uid, uid);
  }
  return { dir, cli, ws, settings, user, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: RunReport;
}

export function cliArgv(s: Stage, args: string[]): [string, string[]] {
  const node = process.execPath;
  return s.user ? ['runuser', ['-u', s.user, '--', node, s.cli, ...args]] : [node, [s.cli, ...args]];
}

/** Starts `fence-lens run --fence FENCE --settings <ws>/fence.json --json <ws>/report.json ...args`. */
export function startCli(s: Stage, args: string[], reportName = 'report.json'): { child: ChildProcess; result: Promise<CliResult> } {
  const reportPath = path.join(s.ws, reportName);
  const [file, argv] = cliArgv(s, ['run', '--fence', FENCE, '--settings', s.settings, '--json', reportPath, ...args]);
  const child = spawn(file, argv, { cwd: s.ws, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FENCE_LENS_MONITOR_LOG: path.join(s.ws, `${reportName}.monitor.log`) } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport) : emptyReport();
      resolve({ code, stdout, stderr, report });
    });
  });
  return { child, result };
}

export function runCli(s: Stage, args: string[]): Promise<CliResult> {
  return startCli(s, args).result;
}

function emptyReport(): RunReport {
  return { command: '', exitCode: null, monitor: { state: 'failed', detail: 'no report written', lostEvents: 0 }, violations: [], cwd: '', settingsFile: null, policy: { files: [], template: null, effective: null }, startedAt: '', endedAt: '', overflow: { distinct: 0, events: 0 }, info: [] };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** PIDs of processes whose command line contains `needle` (excluding pgrep itself). */
export function pidsMatching(needle: string): number[] {
  const r = spawnSync('pgrep', ['-f', needle], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number).filter((p) => p !== process.pid);
}

export function childrenOf(pid: number): { pid: number; comm: string }[] {
  const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => {
    const [p, ...c] = l.trim().split(/\s+/);
    return { pid: Number(p), comm: c.join(' ') };
  });
}

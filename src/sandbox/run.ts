// One run: gate -> monitor attached -> release -> fence runs the command -> report.
//
// Race-free start: the gate is spawned first and blocks reading fd 3; the monitor is started with
// the gate's PID as the root of the tree it follows; only after the monitor reports every probe
// attached do we write the release word. The gate refuses to run anything unless it reads exactly
// that word, so if we die first (EOF) the command never starts unmonitored.
//
// Dying together: the gate runs under `setpriv --pdeathsig KILL` and execs
// `unshare --pid --fork --kill-child` (with --user --map-current-user when unprivileged), so fence
// runs as PID 1 of a PID namespace of its own. When we die, unshare is SIGKILLed, its child is
// SIGKILLed, and the kernel kills every process in that namespace and the sandbox's nested one.
// Relying on fence and bubblewrap to tear down instead left a sandbox running about one time in
// three in CI (an orphaned inner bwrap whose parent-death signal did not fire).

import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { constants as osConstants } from 'node:os';
import { execa } from 'execa';
import { commandLine, fenceArgs } from '../core/fence/fenceArgs';
import { fenceTime, parseFenceLine } from '../core/fence/fenceLog';
import type { MonitorStatus, RunReport } from '../core/model';
import type { ResolvedPath } from '../core/protocol/monitorDecoder';
import { buildReport } from '../core/report/report';
import { checkSettingsText } from '../core/fence/settingsText';
import { ViolationStore } from '../core/store';
import { planEscalation } from '../monitor/escalation';
import { PrivilegedMonitor } from '../monitor/monitorProcess';
import { locate } from '../monitor/programs';
import { fenceFeatures, settingsInForce } from './fenceInfo';
import { LogTail } from './logTail';
import type { RunEvent, RunHandle, RunOptions } from './runTypes';
import { splitFenceStderr } from './stderrSplitter';

/** The gate: runs "$@" only after reading exactly `go` on fd 3; anything else (EOF) exits 125. */
export const GATE_SCRIPT = 'read -r x <&3 && [ "$x" = go ] && { exec 3<&-; exec "$@"; }; exit 125';
/** fence-lens's own failures (documented in the README). */
export const EXIT_FENCE_NOT_FOUND = 127;
export const EXIT_INTERNAL = 125;
const MAX_INFO_LINES = 500;

/**
 * The absolute form of a path a sandboxed process used relative to its working directory: its cwd
 * from /proc while it lives, else the run's. (A path relative to another open directory, as in
 * `unlinkat(dirfd, name)`, is resolved against the cwd too: best effort, see the README.)
 */
function resolveAgainstCwd(pid: number, p: string, runCwd: string): ResolvedPath {
  try {
    return { path: path.resolve(readlinkSync(`/proc/${pid}/cwd`), p), guessed: false };
  } catch {
    // the process is gone (or not ours to read): the run's cwd is where fence started it
    return { path: path.resolve(runCwd, p), guessed: true };
  }
}

/**
 * Checks the settings file before fence reads it. A syntax error is reported in the user's words
 * (fence then refuses it with its own message and exit code). Comments and trailing commas, which a
 * fence without JSONC support rejects, are passed as the same settings in plain JSON.
 */
function prepareSettings(file: string, fenceReadsJsonc: boolean, tmp: string, notice: (line: string) => void): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    notice(`fence-lens: cannot read the settings file ${file}: ${(e as Error).message}`);
    return file;
  }
  const check = checkSettingsText(text);
  if (!check.ok) {
    notice(`fence-lens: the settings file ${file} is not valid JSON(C): ${check.problem}; fence will refuse it`);
    return file;
  }
  if (check.wasStrict || fenceReadsJsonc) return file;
  const plain = path.join(tmp, 'settings.json');
  writeFileSync(plain, check.strictJson, { mode: 0o600 });
  notice(`fence-lens: ${file} has comments or trailing commas, which this fence cannot read; passing it the same settings as plain JSON`);
  return plain;
}

/**
 * Signals fence itself: once released, the gate is `unshare`, which ignores SIGINT and SIGTERM, and
 * fence is its only child. Before the release (or without unshare) the gate takes the signal.
 */
function signalFence(gate: { pid?: number; kill(signal: NodeJS.Signals): boolean } | null, signal: NodeJS.Signals): void {
  if (!gate?.pid) return;
  try {
    const child = Number(readFileSync(`/proc/${gate.pid}/task/${gate.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    if (child > 0) {
      process.kill(child, signal);
      return;
    }
  } catch {
    // no such file, or the child just exited: fall back to the gate
  }
  gate.kill(signal);
}

export function startRun(options: RunOptions): RunHandle {
  const store = options.store ?? new ViolationStore();
  const listeners = new Set<(e: RunEvent) => void>();
  const emit = (e: RunEvent): void => {
    for (const l of listeners) l(e);
  };
  const piped = options.stdio === 'pipe';
  const stdin = piped ? new PassThrough() : undefined;
  const stdout = piped ? new PassThrough() : undefined;
  const stderr = piped ? new PassThrough() : undefined;
  let gate: { pid?: number; kill(signal: NodeJS.Signals): boolean } | null = null;
  let monitorStatus: MonitorStatus = { state: 'unavailable', detail: 'not started yet', escalation: 'none', lostEvents: 0 };
  let stopTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const done = (async (): Promise<RunReport> => {
    await Promise.resolve(); // let the caller subscribe before the first event
    const startedAt = new Date();
    const info: string[] = [];
    const pushInfo = (line: string): void => {
      if (info.length < MAX_INFO_LINES) info.push(line);
      emit({ kind: 'info', line });
    };
    const setMonitor = (s: MonitorStatus): void => {
      monitorStatus = s;
      emit({ kind: 'monitor', status: s });
    };
    const finish = (exitCode: number | null, settingsFile: string | null): RunReport => {
      stdout?.end();
      stderr?.end();
      return buildReport({
        command: commandLine(options.command),
        exitCode,
        monitor: monitorStatus,
        violations: store.list(),
        cwd: options.cwd,
        settingsFile,
        startedAt,
        endedAt: new Date(),
        overflow: store.overflow,
        info,
      });
    };

    const fence = locate('fence', options.programs);
    if (!fence.path) {
      setMonitor({ state: 'unavailable', detail: 'not started: fence was not found', escalation: 'none', lostEvents: 0 });
      pushInfo(`fence-lens: fence not found (looked in ${fence.searched.join(', ')}). Install it: go install github.com/Use-Tusk/fence/cmd/fence@v0.1.5, or set its absolute path.`);
      return finish(EXIT_FENCE_NOT_FOUND, null);
    }
    const features = await fenceFeatures(fence.path);
    const settingsFile = settingsInForce(options.cwd, options.settings, features, options.env ?? process.env);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fence-lens-')); // mode 0700
    const logFile = features.logFile ? path.join(tmp, 'fence.log') : undefined;
    const settingsArg = options.settings ? prepareSettings(path.resolve(options.cwd, options.settings), features.discovery, tmp, pushInfo) : undefined;
    let args: string[];
    try {
      args = fenceArgs({ command: options.command, settings: settingsArg, ports: options.ports, logFile });
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      pushInfo(`fence-lens: cannot run: ${(e as Error).message}`);
      return finish(EXIT_INTERNAL, settingsFile);
    }

    const setpriv = locate('setpriv', options.programs).path;
    const unshare = locate('unshare', options.programs).path;
    const namespace = unshare ? [unshare, ...(process.getuid?.() === 0 ? [] : ['--user', '--map-current-user']), '--pid', '--fork', '--kill-child', '--'] : [];
    const gateArgv = ['/bin/sh', '-c', GATE_SCRIPT, 'fence-lens-gate', ...namespace, fence.path, ...args];
    const [file, ...rest] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...gateArgv] : gateArgv;
    if (!setpriv || !unshare) pushInfo('fence-lens: setpriv or unshare (util-linux) not found: the sandbox may outlive fence-lens if it is killed');
    const shareStderr = !piped && features.logFile;
    const proc = execa(file, rest, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      extendEnv: false,
      stdio: [piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', shareStderr ? 'inherit' : 'pipe', 'pipe'],
      reject: false,
      buffer: false,
      stripFinalNewline: false,
    });
    gate = proc;
    if (stopped) proc.kill('SIGTERM');
    if (piped && proc.stdin && stdin) stdin.pipe(proc.stdin);
    if (piped && proc.stdout && stdout) proc.stdout.pipe(stdout, { end: false });
    proc.stdin?.on('error', () => undefined); // the command may exit without reading its input
    if (proc.pid === undefined) {
      rmSync(tmp, { recursive: true, force: true });
      pushInfo(`fence-lens: could not start ${file}`);
      await proc;
      return finish(EXIT_INTERNAL, settingsFile);
    }

    let monitorActive = false;
    const onFenceLine = (line: string): void => {
      const parsed = parseFenceLine(line, monitorActive);
      if (parsed.kind === 'violation') store.add(parsed.input, fenceTime(parsed.time, new Date()));
      else if (parsed.kind === 'info') pushInfo(line);
    };
    const stderrTarget: Writable | undefined = piped ? stderr : process.stderr;
    const stderrDone =
      proc.stderr && stderrTarget ? splitFenceStderr(proc.stderr, stderrTarget, onFenceLine) : Promise.resolve();
    const tail = logFile ? new LogTail(logFile, onFenceLine) : undefined;
    tail?.start();

    const plan = await planEscalation(options.monitor, options.programs);
    const monitor = new PrivilegedMonitor({
      plan,
      rootPid: proc.pid,
      store,
      resolvePath: (pid, p) => resolveAgainstCwd(pid, p, options.cwd),
      onStatus: setMonitor,
      onInfo: pushInfo,
    });
    monitor.start();
    setMonitor(await monitor.attached);
    monitorActive = monitorStatus.state === 'active';
    // Release the gate. When the monitor could not attach the command still runs (the user asked
    // for it), and the report says so prominently; it never runs because we died.
    // fd 3 is a socket pair: execa types extra fds as output, but the gate reads the word from it.
    const release = proc.stdio[3] as unknown as Writable;
    release.on('error', () => undefined);
    release.end('go\n');
    emit({ kind: 'started', pid: proc.pid });

    const result = await proc;
    if (stopTimer) clearTimeout(stopTimer);
    await stderrDone;
    tail?.stop();
    setMonitor(await monitor.finish());
    if (monitor.malformed > 0) pushInfo(`fence-lens: monitor: ${monitor.malformed} malformed record(s) ignored`);
    rmSync(tmp, { recursive: true, force: true });
    const signal = result.signal ?? null;
    const exitCode = signal ? 128 + (osConstants.signals[signal] ?? 0) : (result.exitCode ?? null);
    emit({ kind: 'exited', exitCode, signal });
    return finish(exitCode, settingsFile);
  })().catch((e: unknown) => {
    stdout?.end();
    stderr?.end();
    const report: RunReport = buildReport({
      command: commandLine(options.command),
      exitCode: EXIT_INTERNAL,
      monitor: { ...monitorStatus, state: monitorStatus.state === 'active' ? 'failed' : monitorStatus.state, detail: `fence-lens failed: ${(e as Error).message}` },
      violations: store.list(),
      cwd: options.cwd,
      settingsFile: null,
      startedAt: new Date(),
      endedAt: new Date(),
      overflow: store.overflow,
      info: [`fence-lens: internal error: ${(e as Error).stack ?? String(e)}`],
    });
    return report;
  });

  return {
    store,
    stdin,
    stdout,
    stderr,
    get monitorStatus() {
      return monitorStatus;
    },
    onEvent(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    interrupt() {
      signalFence(gate, 'SIGINT');
    },
    stop() {
      stopped = true;
      if (!gate) return;
      signalFence(gate, 'SIGTERM');
      // SIGKILL on the gate (unshare) takes the whole PID namespace with it.
      stopTimer = setTimeout(() => gate?.kill('SIGKILL'), 3000);
      stopTimer.unref();
    },
    done,
  };
}

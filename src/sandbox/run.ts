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
//
// The stages (plan, spawn the gate, attach the monitor, release, collect, report) run under one
// try/finally in Run.execute, which owns what they create: the temp dir, the gate, the monitor.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os, { constants as osConstants } from 'node:os';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';
import { commandLine, fenceArgs } from '../core/fence/fenceArgs';
import { fenceTime, parseFenceLine } from '../core/fence/fenceLog';
import { checkSettingsText } from '../core/fence/settingsText';
import type { MonitorStatus, PolicyInfo, RunReport } from '../core/model';
import { buildReport } from '../core/report/report';
import { ViolationStore } from '../core/store';
import { planEscalation } from '../monitor/escalation';
import { PrivilegedMonitor } from '../monitor/monitorProcess';
import { locate } from '../monitor/programs';
import { hiddenReadCheck } from './hiddenRead';
import { hostCause } from './hostCause';
import { fenceFeatures, policyInForce, settingsInForce, type FenceFeatures } from './fenceInfo';
import { LogTail } from './logTail';
import type { RunEvent, RunHandle, RunOptions } from './runTypes';
import { splitFenceStderr } from './stderrSplitter';

/** The gate: runs "$@" only after reading exactly `go` on fd 3; anything else (EOF) exits 125. */
export const GATE_SCRIPT = 'read -r x <&3 && [ "$x" = go ] && { exec 3<&-; exec "$@"; }; exit 125';
/** fence-lens's own failures (documented in the README). */
export const EXIT_FENCE_NOT_FOUND = 127;
export const EXIT_INTERNAL = 125;
const MAX_INFO_LINES = 500;
/** After SIGTERM, how long the sandbox gets before SIGKILL takes its whole PID namespace. */
const STOP_GRACE_MS = 3000;

/** The monitor's status before the run reaches it; never emitted as an event. */
const STARTING: MonitorStatus = { state: 'starting', detail: 'the monitor has not been started yet', escalation: 'none', lostEvents: 0 };

type Gate = ResultPromise<{ stdio: ['pipe' | 'inherit', 'pipe' | 'inherit', 'pipe' | 'inherit', 'pipe']; reject: false; buffer: false }>;

/** What the plan stage decided: everything the later stages need, found and probed once. */
interface Plan {
  readonly fence: string;
  readonly features: FenceFeatures;
  readonly settingsFile: string | null;
  readonly policy: PolicyInfo;
  /** Fence's own lines go here, never parsed out of the command's stderr. */
  readonly logFile: string | undefined;
  /**
   * fence's own TMPDIR, inside the run's private temp dir. Fence names its seccomp filter
   * `$TMPDIR/fence-seccomp/fence-seccomp-<its PID>.bpf`, and in the gate's PID namespace every fence
   * is PID 1: two runs sharing /tmp overwrote each other's filter (bwrap: `prctl(PR_SET_SECCOMP)
   * reported EINVAL`), and a shared /tmp/fence-seccomp is a directory another user can create first.
   * Only for a fence that re-executes itself inside the sandbox (the ones with --fence-log-file): its
   * bootstrap gives the command a usable TMPDIR again. v0.1.5 passes TMPDIR on to the command, so it
   * keeps the shared one (and the collision: README, Fence).
   */
  readonly fenceTmp: string | undefined;
  /** The gate's program and argv: [setpriv --pdeathsig KILL --] sh -c GATE [unshare ... --] fence ARGS */
  readonly file: string;
  readonly args: readonly string[];
}

/** A run that ends before the command could start, with the exit code that says why. */
class Refusal extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where the temp dir goes when fence binds its log file into the sandbox: not under /tmp, which
 * Fence's Landlock layer lets the sandboxed command write (it could then forge Fence's lines).
 * Elsewhere the bound file is read-only to the command; the dir stays 0700, private to the user.
 */
function privateBase(): string {
  const base = path.resolve(os.tmpdir());
  return base === '/tmp' || base.startsWith('/tmp/') ? '/var/tmp' : base;
}

function sameStatus(a: MonitorStatus, b: MonitorStatus): boolean {
  return a.state === b.state && a.detail === b.detail && a.escalation === b.escalation && a.lostEvents === b.lostEvents;
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
function signalFence(gate: Gate, signal: NodeJS.Signals): void {
  if (!gate.pid) return;
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

/** The children of `pid`, from every thread (Go programs such as fence fork from any of theirs). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    // gone already
  }
  return out;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every process below `pid`, parents first (a process that just exited is skipped). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const children = childrenOf(queue.shift() as number);
    out.push(...children);
    queue.push(...children);
  }
  return out;
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The processes inside the sandbox: below bubblewrap, bubblewrap's own init excluded. Fence first
 * probes network namespaces with `bwrap --unshare-net -- /bin/true`; that probe is not the sandbox.
 */
function sandboxed(gatePid: number): number[] {
  const bwrap = descendants(gatePid).find((p) => commOf(p) === 'bwrap' && argvOf(p).at(-1) !== '/bin/true');
  return bwrap === undefined ? [] : descendants(bwrap).filter((p) => commOf(p) !== 'bwrap');
}

/** How long a Ctrl-C made while the sandbox is still starting waits for the command to exist. */
const INTERRUPT_WAIT_MS = 5000;

/**
 * Ctrl-C as a terminal delivers it to the command: SIGINT to every process inside the sandbox (a
 * terminal signals the whole foreground process group). Fence alone passes it only to its `sh -c`,
 * which waits for bubblewrap, so the command ran on to its end; and a signal to that shell itself
 * would kill it and turn the exit code into fence's 255. So the processes below bubblewrap get it,
 * the command exits 130 and that code comes back through bubblewrap and fence. A Ctrl-C made while
 * the sandbox is still starting is delivered as soon as the command exists; if it never does, fence
 * gets it.
 */
function interruptTree(gate: Gate, waitedMs = 0): void {
  if (!gate.pid || gate.exitCode !== null) return;
  const inside = sandboxed(gate.pid);
  if (inside.length === 0) {
    if (waitedMs >= INTERRUPT_WAIT_MS) return signalFence(gate, 'SIGINT');
    setTimeout(() => interruptTree(gate, waitedMs + 50), 50).unref();
    return;
  }
  for (const p of inside) {
    try {
      process.kill(p, 'SIGINT');
    } catch {
      // exited meanwhile
    }
  }
}

class Run {
  readonly store: ViolationStore;
  readonly stdin: PassThrough | undefined;
  readonly stdout: PassThrough | undefined;
  readonly stderr: PassThrough | undefined;
  monitorStatus: MonitorStatus = STARTING;
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly info: string[] = [];
  private readonly piped: boolean;
  private startedAt = new Date();
  // What the stages create, owned by execute's finally.
  private tmp: string | undefined;
  private gate: Gate | undefined;
  private gateExited = false;
  private monitor: PrivilegedMonitor | undefined;
  private tail: LogTail | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Fence's lines count as violations only once our monitor's state is known (see parseFenceLine). */
  private monitorActive = false;

  constructor(private readonly options: RunOptions) {
    this.store = options.store ?? new ViolationStore();
    // Each new denial's cause (the sandbox's, or the host's own permissions), checked as this user.
    this.store.setClassifier(hostCause);
    this.piped = options.stdio === 'pipe';
    this.stdin = this.piped ? new PassThrough() : undefined;
    this.stdout = this.piped ? new PassThrough() : undefined;
    this.stderr = this.piped ? new PassThrough() : undefined;
  }

  onEvent(listener: (e: RunEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  interrupt(): void {
    if (this.gate) interruptTree(this.gate);
  }

  stop(): void {
    this.stopped = true;
    const gate = this.gate;
    if (!gate) return;
    signalFence(gate, 'SIGTERM');
    // SIGKILL on the gate (unshare) takes the whole PID namespace with it.
    this.stopTimer = setTimeout(() => gate.kill('SIGKILL'), STOP_GRACE_MS);
    this.stopTimer.unref();
  }

  /** The whole run. Never rejects: a failure becomes the report's exit code, monitor state and info. */
  async execute(): Promise<RunReport> {
    await Promise.resolve(); // let the caller subscribe before the first event
    this.startedAt = new Date();
    let plan: Plan | undefined;
    let exitCode: number | null = EXIT_INTERNAL;
    try {
      plan = await this.plan();
      const gate = this.spawnGate(plan);
      const stderrDone = this.collectFenceLines(gate, plan);
      await this.attachMonitor(gate.pid);
      this.release(gate);
      exitCode = await this.collect(gate, stderrDone);
    } catch (e) {
      if (e instanceof Refusal) {
        exitCode = e.exitCode;
        if (this.monitorStatus.state === 'starting') this.setMonitor({ ...STARTING, state: 'unavailable', detail: 'not started: the command did not run' });
        this.notice(e.message);
      } else {
        this.fail(e);
      }
    } finally {
      await this.cleanUp();
    }
    return this.report(exitCode, plan);
  }

  private emit(e: RunEvent): void {
    for (const l of this.listeners) l(e);
  }

  private notice(line: string): void {
    if (this.info.length < MAX_INFO_LINES) this.info.push(line);
    this.emit({ kind: 'info', line });
  }

  /** Records the monitor's status, and emits it only when it changed: each status is shown once. */
  private setMonitor(s: MonitorStatus): void {
    if (sameStatus(s, this.monitorStatus)) return;
    this.monitorStatus = s;
    this.emit({ kind: 'monitor', status: s });
  }

  /** Stage 1: locate the programs and probe fence once; build fence's argv and the gate's. */
  private async plan(): Promise<Plan> {
    const { options } = this;
    const fence = locate('fence', options.programs);
    if (!fence.path) {
      this.setMonitor({ state: 'unavailable', detail: 'not started: fence was not found', escalation: 'none', lostEvents: 0 });
      throw new Refusal(
        EXIT_FENCE_NOT_FOUND,
        `fence-lens: fence not found (looked in ${fence.searched.join(', ')}). Install it: go install github.com/Use-Tusk/fence/cmd/fence@v0.1.5, or set its absolute path.`,
      );
    }
    const features = await fenceFeatures(fence.path);
    if (options.template !== undefined && !features.template) {
      throw new Refusal(EXIT_INTERNAL, `fence-lens: cannot run with the template "${options.template}": this fence (${fence.path}, version ${features.version}) has no --template option (Fence v0.1.6 and later have it)`);
    }
    if (options.template !== undefined && options.settings !== undefined) {
      // Fence takes the template and ignores the file without a word: refuse rather than mislead.
      throw new Refusal(EXIT_INTERNAL, `fence-lens: give either a settings file or a template, not both: with --template "${options.template}", fence ignores ${options.settings}`);
    }
    const env = options.env ?? process.env;
    const settingsFile = options.template !== undefined ? null : settingsInForce(options.cwd, options.settings, features, env);
    const exposeLogFile = features.logFile && features.exposeHostPath;
    this.tmp = mkdtempSync(path.join(exposeLogFile ? privateBase() : os.tmpdir(), 'fence-lens-')); // mode 0700
    const logFile = features.logFile ? path.join(this.tmp, 'fence.log') : undefined;
    // Created here, so the file fence binds into the sandbox exists when it builds the sandbox.
    if (logFile) writeFileSync(logFile, '', { mode: 0o600, flag: 'wx' });
    const settingsArg = options.settings ? prepareSettings(path.resolve(options.cwd, options.settings), features.discovery, this.tmp, (l) => this.notice(l)) : undefined;
    let args: string[];
    try {
      args = fenceArgs({ command: options.command, settings: settingsArg, template: options.template, ports: options.ports, logFile, exposeLogFile, quotesArgv: features.quotesArgv });
    } catch (e) {
      throw new Refusal(EXIT_INTERNAL, `fence-lens: cannot run: ${(e as Error).message}`);
    }
    const { policy, problem } = await policyInForce({ fence: fence.path, features, cwd: options.cwd, settingsArg, settingsFile, template: options.template, env });
    if (problem) this.notice(`fence-lens: ${problem}`);
    const setpriv = locate('setpriv', options.programs).path;
    const unshare = locate('unshare', options.programs).path;
    if (!setpriv || !unshare) this.notice('fence-lens: setpriv or unshare (util-linux) not found: the sandbox may outlive fence-lens if it is killed');
    // --mount-proc: bwrap takes its child's PID from clone() (a PID of this namespace) and opens
    // /proc/PID/...; with the host's /proc that names another process or none (v0.1.66 failed with
    // `bwrap: open /proc/23/ns/ns failed` under load).
    const namespace = unshare ? [unshare, ...(process.getuid?.() === 0 ? [] : ['--user', '--map-current-user']), '--pid', '--fork', '--kill-child', '--mount-proc', '--'] : [];
    const gateArgv = ['/bin/sh', '-c', GATE_SCRIPT, 'fence-lens-gate', ...namespace, fence.path, ...args];
    const [file, ...rest] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...gateArgv] : gateArgv;
    const fenceTmp = features.logFile ? path.join(this.tmp, 'tmp') : undefined;
    if (fenceTmp) mkdirSync(fenceTmp, { mode: 0o700 });
    return { fence: fence.path, features, settingsFile, policy, logFile, fenceTmp, file, args: rest };
  }

  /** Stage 2: the gate, blocked on fd 3 until the release. */
  private spawnGate(plan: Plan): Gate & { pid: number } {
    const { options, piped } = this;
    const shareStderr = !piped && plan.logFile !== undefined;
    // PWD names the directory the command starts in, as a shell's cd would set it, and there is no
    // OLDPWD: inherited ones (the editor's, a parent shell's) may name a directory the sandbox hides,
    // and a bash checks both at start (Fence v0.1.66 runs every command through one), so every run
    // launched from under /tmp reported that lookup as a hidden read (measured: 6 of 7 workloads).
    const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), PWD: path.resolve(options.cwd), ...(plan.fenceTmp ? { TMPDIR: plan.fenceTmp } : {}) };
    delete env.OLDPWD;
    const gate: Gate = execa(plan.file, plan.args, {
      cwd: options.cwd,
      env,
      extendEnv: false,
      stdio: [piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', shareStderr ? 'inherit' : 'pipe', 'pipe'],
      reject: false,
      buffer: false,
      stripFinalNewline: false,
    });
    this.gate = gate;
    void gate.then(() => {
      this.gateExited = true;
    });
    gate.stdin?.on('error', () => undefined); // the command may exit without reading its input
    if (gate.pid === undefined) throw new Refusal(EXIT_INTERNAL, `fence-lens: could not start ${plan.file}`);
    if (this.stopped) gate.kill('SIGTERM');
    if (gate.stdin && this.stdin) this.stdin.pipe(gate.stdin);
    if (gate.stdout && this.stdout) gate.stdout.pipe(this.stdout, { end: false });
    return gate as Gate & { pid: number };
  }

  /**
   * Fence's own lines: from its log file when it has one, and then the command's stderr is only the
   * command's (a line there that looks like Fence's is output, not a denial); else split out of the
   * stderr both share.
   */
  private collectFenceLines(gate: Gate, plan: Plan): Promise<void> {
    const onFenceLine = (line: string): void => {
      const parsed = parseFenceLine(line, this.monitorActive);
      if (parsed.kind === 'violation') this.store.add(parsed.input, fenceTime(parsed.time, new Date()));
      else if (parsed.kind === 'info') this.notice(line);
    };
    const source = gate.stderr;
    if (plan.logFile) {
      this.tail = new LogTail(plan.logFile, onFenceLine);
      this.tail.start();
      if (!source || !this.stderr) return Promise.resolve(); // inherited: the command writes to our stderr itself
      const target = this.stderr;
      return new Promise((resolve) => {
        source.pipe(target, { end: false });
        source.on('end', resolve);
        source.on('error', () => resolve());
      });
    }
    const target: Writable | undefined = this.piped ? this.stderr : process.stderr;
    if (!source || !target) return Promise.resolve();
    return splitFenceStderr(source, target, onFenceLine);
  }

  /** Stage 3: the monitor, rooted at the gate; resolves once it is attached or definitively is not. */
  private async attachMonitor(rootPid: number): Promise<void> {
    const { options } = this;
    const plan = await planEscalation(options.monitor, options.programs);
    const monitor = new PrivilegedMonitor({
      plan,
      rootPid,
      store: this.store,
      onStatus: (s) => this.setMonitor(s),
      onInfo: (l) => this.notice(l),
      hiddenLookup: hiddenReadCheck(this.startedAt.getTime()),
    });
    this.monitor = monitor;
    monitor.start();
    this.setMonitor(await monitor.attached);
    this.monitorActive = this.monitorStatus.state === 'active';
  }

  /**
   * Stage 4: the release word. When the monitor could not attach the command still runs (the user
   * asked for it), and the report says so prominently; it never runs because we died.
   */
  private release(gate: Gate & { pid: number }): void {
    // fd 3 is a socket pair: execa types extra fds as output, but the gate reads the word from it.
    const word = gate.stdio[3] as unknown as Writable;
    word.on('error', () => undefined);
    word.end('go\n');
    this.emit({ kind: 'started', pid: gate.pid });
  }

  /** Stage 5: the command's end, Fence's last lines, the monitor's detach; the exit code. */
  private async collect(gate: Gate, stderrDone: Promise<void>): Promise<number | null> {
    const result = await gate;
    await stderrDone;
    this.tail?.stop();
    this.tail = undefined;
    const monitor = this.monitor;
    if (monitor) {
      this.setMonitor(await monitor.finish());
      if (monitor.malformed > 0) this.notice(`fence-lens: monitor: ${monitor.malformed} malformed record(s) ignored`);
    }
    const signal = result.signal ?? null;
    const exitCode = signal ? 128 + (osConstants.signals[signal] ?? 0) : (result.exitCode ?? null);
    this.emit({ kind: 'exited', exitCode, signal });
    return exitCode;
  }

  /** An internal error: the run ends, and the report says why. */
  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    const s = this.monitorStatus;
    this.setMonitor({ ...s, state: s.state === 'active' || s.state === 'starting' ? 'failed' : s.state, detail: `fence-lens failed: ${message}` });
    this.notice(`fence-lens: internal error: ${e instanceof Error ? (e.stack ?? message) : message}`);
  }

  /** Whatever the stages left behind: a gate still blocked on fd 3, a monitor, the temp dir. */
  private async cleanUp(): Promise<void> {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.tail?.stop();
    const gate = this.gate;
    if (gate && !this.gateExited) {
      // Never released (or the run failed after the release): SIGKILL on the gate takes the
      // PID namespace, and with it the sandbox.
      gate.kill('SIGKILL');
      await gate;
    }
    const monitor = this.monitor;
    if (monitor) {
      monitor.kill();
      await monitor.finish();
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.stdout?.end();
    this.stderr?.end();
  }

  /** Stage 6: the report. */
  private report(exitCode: number | null, plan: Plan | undefined): RunReport {
    return buildReport({
      command: commandLine(this.options.command),
      exitCode,
      monitor: this.monitorStatus,
      violations: this.store.list(),
      cwd: this.options.cwd,
      settingsFile: plan?.settingsFile ?? null,
      policy: plan?.policy ?? { files: [], template: this.options.template ?? null, effective: null },
      startedAt: this.startedAt,
      endedAt: new Date(),
      overflow: this.store.overflow,
      info: this.info,
    });
  }
}

export function startRun(options: RunOptions): RunHandle {
  const run = new Run(options);
  const done = run.execute();
  return {
    store: run.store,
    stdin: run.stdin,
    stdout: run.stdout,
    stderr: run.stderr,
    get monitorStatus() {
      return run.monitorStatus;
    },
    onEvent: (listener) => run.onEvent(listener),
    interrupt: () => run.interrupt(),
    stop: () => run.stop(),
    done,
  };
}

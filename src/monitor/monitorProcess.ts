// Starts the privileged monitor for one run and turns its life into a MonitorStatus the user can
// trust: `active` only once the program says every probe is attached, `denied` when the user or polkit said no,
// `failed` with the reason when it broke, `unavailable` when it could not be tried.

import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { HELPER_EXIT } from '../core/protocol/helperFiles';
import { LineBuffer } from '../core/protocol/lineBuffer';
import { MonitorDecoder, type MonitorLifecycle } from '../core/protocol/monitorDecoder';
import { bpftraceEnv, monitorProgram, PROGRAM_VERSION, TOKEN_PLACEHOLDER } from '../core/protocol/monitorProgram';
import { bpftraceVariant } from './programs';
import type { MonitorStatus, ViolationInput } from '../core/model';
import type { ViolationStore } from '../core/store';
import { syscallName } from '../core/protocol/syscalls';
import type { EscalationPlan } from './escalation';
import { describePkexecFailure } from '../core/protocol/pkexecErrors';

export interface MonitorOptions {
  readonly plan: EscalationPlan;
  /** The gate process: the root of the sandbox's process tree. */
  readonly rootPid: number;
  readonly store: ViolationStore;
  readonly onStatus?: (status: MonitorStatus) => void;
  readonly onInfo?: (line: string) => void;
  /** Which ENOENT lookups were hidden reads (see MonitorDecoder). */
  readonly hiddenLookup?: (v: ViolationInput) => boolean;
  /** How long to wait for BEGIN; pkexec may be waiting for a password. */
  readonly attachTimeoutMs?: number;
  /** Starts the privileged process; spawnMonitor unless a test stands in for the child. */
  readonly spawn?: (launch: Launch) => MonitorChild;
}

/** How long a finished run waits for the monitor to detach and exit before giving up on it. */
export const DETACH_TIMEOUT_MS = 8000;

/** The privileged process to start: a fixed program, argv of two PIDs, the token or program on stdin. */
export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  readonly input: string;
  readonly env: Record<string, string>;
}

/** What the monitor needs of the process it started. */
export interface MonitorChild {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the process is gone (never rejects). */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: string | null }>;
  /** SIGKILL; a no-op for a root process we may not signal (it exits with the run's root or with us). */
  kill(): void;
}

export function spawnMonitor(launch: Launch): MonitorChild {
  const proc = execa(launch.file, launch.args, {
    input: launch.input,
    env: launch.env,
    extendEnv: launch.env.PATH === undefined,
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'utf8',
  });
  return {
    stdout: proc.stdout,
    stderr: proc.stderr,
    exited: proc.then((r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null })),
    kill: () => {
      try {
        proc.kill('SIGKILL');
      } catch {
        // EPERM for a root process we do not own
      }
    },
  };
}

type LaunchPlan = Exclude<EscalationPlan, { escalation: 'none' }>;

function launchFor(plan: LaunchPlan, root: number, owner: number, token: string): Launch {
  const ids = [String(root), String(owner)];
  switch (plan.escalation) {
    case 'direct': {
      const variant = bpftraceVariant(plan.bpftrace);
      return {
        file: plan.setpriv,
        // pdeathsig: dies with us; -c tail --pid: exits when we are gone even if we died before attach.
        args: ['--pdeathsig', 'KILL', '--', plan.bpftrace, '-B', 'line', '-c', `/usr/bin/tail --pid=${owner} -s 0.2 -f /dev/null`, '-', ...ids],
        input: monitorProgram(variant).split(TOKEN_PLACEHOLDER).join(token),
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...bpftraceEnv(variant) },
      };
    }
    case 'pkexec':
      return { file: plan.pkexec, args: ['--disable-internal-agent', plan.helper, ...ids], input: `${token}\n`, env: {} };
    case 'sudo':
      return { file: plan.sudo, args: ['-n', plan.helper, ...ids], input: `${token}\n`, env: {} };
  }
}

function describeActive(plan: LaunchPlan): string {
  switch (plan.escalation) {
    case 'direct':
      return 'watching the sandbox (bpftrace, already privileged)';
    case 'pkexec':
      return `watching the sandbox (${plan.helper} through pkexec)`;
    case 'sudo':
      return `watching the sandbox (${plan.helper} through sudo)`;
  }
}

/**
 * Where the privileged process is in its life. `launching` until a BEGIN naming our processes,
 * `begun` until READY (every probe attached), `ready` while it watches, `ended` after its END
 * record; `rejected` once nothing it says can be trusted (another program version, the wrong
 * processes, no READY in time): its output is ignored from then on; `exited` once it is gone.
 */
type Phase = 'launching' | 'begun' | 'ready' | 'ended' | 'rejected' | 'exited';

export class PrivilegedMonitor {
  private current: MonitorStatus;
  private child: MonitorChild | null = null;
  private decoder: MonitorDecoder | null = null;
  private phase: Phase = 'launching';
  private readonly stderrTail: string[] = [];
  private activeDetail = '';
  private resolveAttached!: (s: MonitorStatus) => void;
  private resolveExited!: () => void;
  /** Resolves once the monitor is attached, or definitively is not. */
  readonly attached: Promise<MonitorStatus>;
  private readonly exitedPromise: Promise<void>;

  constructor(private readonly opts: MonitorOptions) {
    this.attached = new Promise((r) => (this.resolveAttached = r));
    this.exitedPromise = new Promise((r) => (this.resolveExited = r));
    const plan = opts.plan;
    this.current =
      plan.escalation === 'none'
        ? { state: plan.state, detail: plan.reason, escalation: 'none', lostEvents: 0 }
        : { state: 'unavailable', detail: `starting (${plan.escalation})`, escalation: plan.escalation, lostEvents: 0 };
  }

  get status(): MonitorStatus {
    return { ...this.current, lostEvents: this.decoder?.stats.lostEvents ?? this.current.lostEvents };
  }

  /** Malformed records seen (framing errors, unknown kinds): shown, never silently dropped. */
  get malformed(): number {
    return this.decoder?.stats.malformed ?? 0;
  }

  start(): void {
    const plan = this.opts.plan;
    if (plan.escalation === 'none') {
      this.phase = 'exited';
      this.resolveAttached(this.status);
      this.resolveExited();
      return;
    }
    this.activeDetail = describeActive(plan);
    const token = randomBytes(16).toString('hex');
    this.decoder = new MonitorDecoder({
      token,
      store: this.opts.store,
      onLifecycle: (e) => this.lifecycle(e),
      onOther: (line) => this.opts.onInfo?.(`[monitor] ${line}`),
      hiddenLookup: this.opts.hiddenLookup,
    });
    const child = (this.opts.spawn ?? spawnMonitor)(launchFor(plan, this.opts.rootPid, process.pid, token));
    this.child = child;
    // One character per byte: the decoder needs a name's exact bytes (see MonitorDecoder.feed).
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('utf8');
    // FENCE_LENS_MONITOR_LOG=FILE keeps the raw monitor output for bug reports.
    const rawLog = process.env.FENCE_LENS_MONITOR_LOG;
    child.stdout.on('data', (chunk: string) => {
      if (this.phase === 'rejected') return;
      if (rawLog) {
        try {
          appendFileSync(rawLog, chunk, 'latin1');
        } catch {
          // a debugging aid only: never let it break the run
        }
      }
      this.decoder?.feed(chunk);
    });
    const errLines = new LineBuffer();
    child.stderr.on('data', (chunk: string) => {
      for (const l of errLines.push(chunk)) this.stderrLine(l);
    });
    void child.exited.then(({ code, signal }) => {
      const rest = errLines.takePartial();
      if (rest) this.stderrLine(rest);
      if (this.phase !== 'rejected') this.decoder?.end();
      this.onExit(code, signal);
    });
    const timeoutMs = this.opts.attachTimeoutMs ?? (plan.escalation === 'pkexec' ? 120_000 : 30_000);
    const timer = setTimeout(() => {
      if (this.phase !== 'launching' && this.phase !== 'begun') return;
      this.reject(`monitor did not attach within ${Math.round(timeoutMs / 1000)} s`);
    }, timeoutMs);
    timer.unref();
  }

  /** Call when the sandbox's root process is gone: waits (bounded) for the monitor to detach. */
  async finish(): Promise<MonitorStatus> {
    if (this.phase !== 'exited') {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DETACH_TIMEOUT_MS).unref());
      const outcome = await Promise.race([this.exitedPromise.then(() => 'exited' as const), timer]);
      if (outcome === 'timeout') {
        this.kill();
        if (this.current.state === 'active' && this.phase !== 'ended') {
          this.set('failed', `monitor failed: it did not finish within ${DETACH_TIMEOUT_MS / 1000} s of the run's end`);
        }
      }
    }
    return this.status;
  }

  /** Only works for a monitor we started without escalation (direct); the others exit on their own. */
  kill(): void {
    this.child?.kill();
  }

  private stderrLine(line: string): void {
    if (!line.trim()) return;
    this.decoder?.stderrLine(line);
    if (/RLIMIT_MEMLOCK/.test(line)) return; // harmless on these kernels; never shown as a failure reason
    this.stderrTail.push(line.trim());
    if (this.stderrTail.length > 20) this.stderrTail.shift();
  }

  /** Nothing more the process says is trusted: fail with `detail`, stop it, and stop waiting for it to attach. */
  private reject(detail: string): void {
    this.phase = 'rejected';
    this.set('failed', detail);
    this.kill();
    this.resolveAttached(this.status);
  }

  private lifecycle(e: MonitorLifecycle): void {
    switch (e.kind) {
      case 'begin':
        if (this.phase !== 'launching') return;
        if (e.root !== this.opts.rootPid || e.owner !== process.pid) {
          this.reject(`monitor is watching the wrong processes (${e.root}/${e.owner})`);
          return;
        }
        this.phase = 'begun';
        return;
      case 'ready':
        // Only now are all probes attached (BEGIN runs before attachment): release the command.
        if (this.phase !== 'begun') return;
        this.phase = 'ready';
        this.set('active', this.activeDetail);
        this.resolveAttached(this.status);
        return;
      case 'versionMismatch':
        this.reject(`the installed helper runs program version ${e.found}, this fence-lens needs ${PROGRAM_VERSION}: run sudo fence-lens install-helper`);
        return;
      case 'noRegisters':
        // The program keeps running (seccomp denials need no registers), but file and network
        // denials are not being seen: say so as loudly as a monitor that died.
        this.set('failed', `monitor failed: it cannot read syscall arguments on this kernel (no saved registers found for ${syscallName(e.nr)}); file and network denials are not recorded. Please report: uname -r = ${os.release()}`);
        return;
      case 'end':
        if (this.phase === 'ready') this.phase = 'ended';
        return;
      case 'lost':
        this.opts.onStatus?.(this.status);
        return;
      case 'exit':
        return;
    }
  }

  private onExit(code: number | null, signal: string | null): void {
    const was = this.phase;
    this.phase = 'exited';
    const why = this.stderrTail.length ? this.stderrTail[this.stderrTail.length - 1] : '';
    if (was === 'launching' || was === 'begun') {
      // Gone before every probe was attached (bpftrace reports attach errors after BEGIN).
      if (this.current.state !== 'failed') this.classifyEarlyExit(code, signal, why);
      this.resolveAttached(this.status);
    } else if (was === 'ready' && this.current.state === 'active') {
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.set('failed', `monitor failed: it ${how} during the run${why ? ` (${why})` : ''}; denials after that were not seen`);
    }
    this.resolveExited();
  }

  private classifyEarlyExit(code: number | null, signal: string | null, why: string): void {
    const plan = this.opts.plan;
    const all = this.stderrTail.join('\n');
    if (plan.escalation === 'pkexec' && code === 127) {
      const d = describePkexecFailure(all);
      this.set(d.state, d.detail);
      return;
    }
    if (plan.escalation === 'sudo' && /password is required|not allowed|may not run/i.test(all)) {
      this.set('denied', `sudo refused: ${why}`);
      return;
    }
    if (plan.escalation !== 'direct' && code !== null && (Object.values(HELPER_EXIT) as number[]).includes(code)) {
      this.set('failed', `the privileged entry point refused: ${why}`);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.set('failed', `monitor ${how} before attaching${why ? `: ${why}` : ''}`);
  }

  private set(state: MonitorStatus['state'], detail: string): void {
    this.current = { ...this.current, state, detail };
    this.opts.onStatus?.(this.status);
  }
}

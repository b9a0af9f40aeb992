// The runs this window has started, newest first. Each run owns the engine's RunHandle and store;
// views subscribe here instead of to each handle, so a view never holds a stale handle.
// The store reports every event (a storm is thousands a second); they reach the views batched, one
// `violations` change per run per turn of the event loop, so a view's per-change work is paid per
// batch, not per denial.

import * as vscode from 'vscode';
import { commandLine } from '../../core/fence/fenceArgs';
import type { MonitorStatus, RunReport, Violation } from '../../core/model';
import { loadEngine } from '../engine';
import type { RunHandle, RunOptions } from '../../sandbox/runTypes';

export type RunState = 'running' | 'finished';

export interface RunRequest {
  readonly command: string | readonly string[];
  readonly cwd: string;
  readonly settings?: string;
  readonly ports?: readonly number[];
  /** Overrides the machine setting only to turn the monitor off (tasks may ask for that). */
  readonly monitorOff?: boolean;
  /** Shown in the tree and the terminal title; defaults to the command line. */
  readonly label?: string;
}

export class Run {
  state: RunState = 'running';
  exitCode: number | null = null;
  report: RunReport | undefined;
  readonly startedAt = new Date();
  /** Stop (the tree, the notification's Cancel, closing its terminal) ended it: shown as "Stopped", not as the exit code a killed sandbox leaves. */
  stopped = false;
  /** The monitor was turned off on purpose (the machine setting, or a task's `"monitor": false`). */
  monitorOff = false;

  constructor(
    readonly id: number,
    readonly request: RunRequest,
    readonly handle: RunHandle,
  ) {}

  get commandLine(): string {
    return commandLine(this.request.command);
  }

  get label(): string {
    return this.request.label ?? this.commandLine;
  }

  stop(): void {
    if (this.state !== 'running') return;
    this.stopped = true;
    this.handle.stop();
  }

  /** How it ended, as every view says it: `running`, `stopped`, `exit 3`. */
  get outcome(): string {
    if (this.state === 'running') return 'running';
    if (this.stopped) return 'stopped';
    return `exit ${this.exitCode ?? 'none'}`;
  }

  get monitor(): MonitorStatus {
    return this.handle.monitorStatus;
  }

  /** The Fence settings file in force: what we passed, else what the report found out. */
  get settingsFile(): string | null {
    return this.request.settings ?? this.report?.settingsFile ?? null;
  }

  /** A copy of every violation held: O(n), so not for per-event paths (see `violationCount`). */
  violations(): Violation[] {
    return this.handle.store.list();
  }

  /** The report, when the command and the monitor are gone. */
  get done(): Promise<RunReport> {
    return this.handle.done;
  }

  /** How many distinct violations the run holds, without copying them. */
  get violationCount(): number {
    return this.handle.store.size;
  }
}

export type RunsChange =
  | { readonly kind: 'started'; readonly run: Run }
  /** New violations in arrival order, and held ones whose count or times changed (never also in `added`). */
  | { readonly kind: 'violations'; readonly run: Run; readonly added: readonly Violation[]; readonly updated: readonly Violation[] }
  | { readonly kind: 'monitor'; readonly run: Run }
  | { readonly kind: 'finished'; readonly run: Run }
  | { readonly kind: 'cleared' };

export type ProgramOptions = Pick<RunOptions, 'monitor' | 'programs'>;

/** Store changes of one run not yet announced. */
interface Pending {
  readonly added: Violation[];
  readonly addedSet: Set<Violation>;
  readonly updated: Set<Violation>;
}

export class Runs implements vscode.Disposable {
  private readonly all: Run[] = [];
  private nextId = 1;
  private readonly emitter = new vscode.EventEmitter<RunsChange>();
  readonly onDidChange = this.emitter.event;
  private readonly pending = new Map<Run, Pending>();
  private flushScheduled: NodeJS.Immediate | undefined;

  /** Newest first. */
  list(): readonly Run[] {
    return this.all;
  }

  latest(): Run | undefined {
    return this.all[0];
  }

  running(): Run[] {
    return this.all.filter((r) => r.state === 'running');
  }

  /** Starts a run through the engine; its output streams are on `run.handle` (stdio 'pipe'). */
  start(request: RunRequest, programs: ProgramOptions): Run {
    const handle = loadEngine().startRun({
      command: request.command,
      cwd: request.cwd,
      settings: request.settings,
      ports: request.ports,
      monitor: request.monitorOff ? 'off' : programs.monitor,
      programs: programs.programs,
      stdio: 'pipe',
    });
    const run = new Run(this.nextId++, request, handle);
    run.monitorOff = request.monitorOff === true || programs.monitor === 'off';
    this.all.unshift(run);
    const subs = [
      handle.store.onChange((change) => {
        if (change.kind === 'added') {
          const p = this.pendingFor(run);
          p.added.push(change.violation);
          p.addedSet.add(change.violation);
        } else if (change.kind === 'updated') {
          this.pendingFor(run).updated.add(change.violation);
        }
      }),
      handle.onEvent((event) => {
        if (event.kind === 'monitor') this.fire({ kind: 'monitor', run });
        if (event.kind === 'exited') run.exitCode = event.exitCode;
      }),
    ];
    this.fire({ kind: 'started', run });
    void handle.done.then((report) => {
      for (const s of subs) s.dispose();
      run.report = report;
      run.exitCode = report.exitCode;
      run.state = 'finished';
      this.fire({ kind: 'finished', run });
    });
    return run;
  }

  private pendingFor(run: Run): Pending {
    let p = this.pending.get(run);
    if (!p) {
      p = { added: [], addedSet: new Set(), updated: new Set() };
      this.pending.set(run, p);
      // setImmediate: once the I/O callback that delivered this chunk of monitor output has added all of it.
      this.flushScheduled ??= setImmediate(() => this.flush());
    }
    return p;
  }

  /** Announces the batched store changes; runs before any other change so views see them in order. */
  private flush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    if (this.pending.size === 0) return;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [run, p] of batches) {
      const updated = p.addedSet.size === 0 ? [...p.updated] : [...p.updated].filter((v) => !p.addedSet.has(v));
      this.emitter.fire({ kind: 'violations', run, added: p.added, updated });
    }
  }

  private fire(change: RunsChange): void {
    this.flush();
    this.emitter.fire(change);
  }

  stopAll(): void {
    for (const r of this.running()) r.stop();
  }

  /** Forgets finished runs and empties running ones: clearing must not kill a command the user started. */
  clear(): void {
    const keep = this.running();
    // What was batched before the clear is gone from the stores: announcing it later would bring it back.
    this.pending.clear();
    for (const r of keep) r.handle.store.clear();
    this.all.splice(0, this.all.length, ...keep);
    this.fire({ kind: 'cleared' });
  }

  dispose(): void {
    this.stopAll();
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.emitter.dispose();
  }
}

// The runs this window has started, newest first. Each run owns the engine's RunHandle and store;
// views subscribe here instead of to each handle, so a view never holds a stale handle.

import * as vscode from 'vscode';
import type { MonitorStatus, RunReport, Violation } from '../core/model';
import { loadEngine } from './engine';
import type { RunHandle, RunOptions } from '../sandbox/runTypes';

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

  constructor(
    readonly id: number,
    readonly request: RunRequest,
    readonly handle: RunHandle,
  ) {}

  get commandLine(): string {
    const c = this.request.command;
    return typeof c === 'string' ? c : c.map(shellQuote).join(' ');
  }

  get label(): string {
    return this.request.label ?? this.commandLine;
  }

  get monitor(): MonitorStatus {
    return this.handle.monitorStatus;
  }

  /** The Fence settings file in force: what we passed, else what the report found out. */
  get settingsFile(): string | null {
    return this.request.settings ?? this.report?.settingsFile ?? null;
  }

  violations(): Violation[] {
    return this.handle.store.list();
  }
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export type RunsChange =
  | { readonly kind: 'started'; readonly run: Run }
  | { readonly kind: 'violations'; readonly run: Run; readonly added: readonly Violation[] }
  | { readonly kind: 'monitor'; readonly run: Run }
  | { readonly kind: 'finished'; readonly run: Run }
  | { readonly kind: 'cleared' };

export type ProgramOptions = Pick<RunOptions, 'monitor' | 'programs'>;

export class Runs implements vscode.Disposable {
  private readonly all: Run[] = [];
  private nextId = 1;
  private readonly emitter = new vscode.EventEmitter<RunsChange>();
  readonly onDidChange = this.emitter.event;

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
    this.all.unshift(run);
    const subs = [
      handle.store.onChange((change) => {
        if (change.kind === 'added') this.emitter.fire({ kind: 'violations', run, added: [change.violation] });
        else if (change.kind === 'updated') this.emitter.fire({ kind: 'violations', run, added: [] });
      }),
      handle.onEvent((event) => {
        if (event.kind === 'monitor') this.emitter.fire({ kind: 'monitor', run });
        if (event.kind === 'exited') run.exitCode = event.exitCode;
      }),
    ];
    this.emitter.fire({ kind: 'started', run });
    void handle.done.then((report) => {
      for (const s of subs) s.dispose();
      run.report = report;
      run.exitCode = report.exitCode;
      run.state = 'finished';
      this.emitter.fire({ kind: 'finished', run });
    });
    return run;
  }

  stopAll(): void {
    for (const r of this.running()) r.handle.stop();
  }

  /** Forgets finished runs and empties running ones: clearing must not kill a command the user started. */
  clear(): void {
    const keep = this.running();
    for (const r of keep) r.handle.store.clear();
    this.all.splice(0, this.all.length, ...keep);
    this.emitter.fire({ kind: 'cleared' });
  }

  dispose(): void {
    this.stopAll();
    this.emitter.dispose();
  }
}

// The engine's one entry point for front ends: start a run, watch it, get its report.
// Both the CLI and the extension use exactly this; neither launches fence or the monitor itself.

import type { MonitorMode, MonitorStatus, RunReport } from '../core/model';
import type { ViolationStore } from '../core/store';
import type { Readable, Writable } from 'node:stream';
import type { ProgramPaths } from '../monitor/programs';

export interface RunOptions {
  /**
   * A string runs through `fence -c`; an array runs as exactly that argv (after `--` where fence keeps
   * the words apart, else quoted into `-c`).
   */
  readonly command: string | readonly string[];
  readonly cwd: string;
  /** Fence settings file; when unset Fence finds its own (and the report says which, if it can tell). */
  readonly settings?: string;
  readonly monitor: MonitorMode;
  readonly programs?: ProgramPaths;
  /** A built-in Fence template (`fence -t NAME`); refused, with the reason, by a fence that has none. */
  readonly template?: string;
  /** Inbound ports to expose (`fence -p`). */
  readonly ports?: readonly number[];
  /** 'inherit': the command shares our terminal (CLI). 'pipe': stdin/stdout/stderr are streams on the handle. */
  readonly stdio: 'inherit' | 'pipe';
  readonly env?: NodeJS.ProcessEnv;
  /** A store to fill; a fresh one is made when absent. */
  readonly store?: ViolationStore;
}

/**
 * What a run tells its front end, in this order: `monitor` and `info` at any time; `started` once,
 * when the command is released; `exited` once, when it is gone. `monitor` is emitted each time the
 * status changes and never twice for the same status (state, detail, escalation, lost events): a
 * front end prints each one as it comes. A run that has not reached the monitor yet has the state
 * `starting` (`RunHandle.monitorStatus`), which is never emitted. A run that fails before the
 * command started emits neither `started` nor `exited`; its report says why.
 */
export type RunEvent =
  | { readonly kind: 'monitor'; readonly status: MonitorStatus }
  | { readonly kind: 'info'; readonly line: string }
  | { readonly kind: 'started'; readonly pid: number }
  | { readonly kind: 'exited'; readonly exitCode: number | null; readonly signal: string | null };

export interface RunHandle {
  readonly store: ViolationStore;
  /** Present when stdio is 'pipe'. stderr carries the command's stderr with Fence's own lines removed. */
  readonly stdin?: Writable;
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  onEvent(listener: (event: RunEvent) => void): { dispose(): void };
  /** The latest status; `starting` until the run reaches the monitor. */
  readonly monitorStatus: MonitorStatus;
  /** Forwards Ctrl-C (SIGINT) to the sandboxed command. */
  interrupt(): void;
  /** Stops the run: SIGTERM, then SIGKILL after a grace period. */
  stop(): void;
  /** Resolves when the command and the monitor are gone. Never rejects: failures are in the report. */
  readonly done: Promise<RunReport>;
}

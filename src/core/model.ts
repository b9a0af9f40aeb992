// The violation model every source normalises to, and the report shape the CLI's --json writes
// and the extension's `fenceLens.run` command resolves to. Keep the report stable: other tools read it.

export type Category = 'filesystem' | 'network' | 'syscall' | 'command';

export type Source = 'ebpf' | 'fence-http' | 'fence-socks' | 'fence-logstream' | 'fence-policy';

export interface ProcessRef {
  readonly comm: string;
  readonly pid: number;
}

/** What a parser produces for one observed denial, before the store merges repeats. */
export interface ViolationInput {
  readonly category: Category;
  /** The syscall or request kind: openat, rename, connect, CONNECT, GET, exec, ptrace, ... */
  readonly operation: string;
  /** A path, `host:port`, or a command line. */
  readonly target: string;
  /** The second path of rename/link/symlink, when there is one. */
  readonly relatedPath?: string;
  /** The monitor cut the path at its string limit; the real path is longer. */
  readonly truncated?: boolean;
  /**
   * The path exactly as the process gave it, when it was relative. `target` is then that path joined
   * to its directory, resolved in the kernel at the syscall; when that directory could not be
   * resolved whole, `target` stays relative (the given path) and no rule is built from it.
   */
  readonly givenPath?: string;
  /**
   * An ENOENT the sandbox caused by hiding the path (it exists on the host, and did before the run):
   * a read refused where Fence masks a directory (denyRead) or leaves it out (defaultDenyRead).
   */
  readonly hidden?: boolean;
  /** An open's flags as the process passed them (both monitor programs record them): they say whether it meant to write. */
  readonly openFlags?: number;
  /**
   * Set only when the path's bytes are not valid UTF-8: `target` then holds U+FFFD in their place
   * and names no file, and this holds the exact bytes escaped (src/core/pathBytes.ts). No rule is
   * ever built from such a path.
   */
  readonly targetBytes?: string;
  readonly relatedPathBytes?: string;
  /** Who refused it: the sandbox, or the host's own permissions (it would fail outside Fence too). */
  readonly cause?: Cause;
  readonly errno: number | null;
  readonly source: Source;
  /**
   * The process that made the request, or null when the source cannot tell: Fence's proxy lines
   * name a host, not a process, and its policy lines the command, not who ran it.
   */
  readonly process: ProcessRef | null;
}

export type Cause = 'sandbox' | 'host';

export interface Violation extends ViolationInput {
  /** Stable merge key: category, operation, target, errno, comm. */
  readonly key: string;
  readonly errnoName: string | null;
  readonly message: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** `starting`: the run has not reached the monitor yet (a front end shows no status for it). */
export type MonitorState = 'starting' | 'active' | 'unavailable' | 'denied' | 'failed';

/** The monitor modes, in the order front ends list them: the CLI, the settings and package.json derive from this. */
export const MONITOR_MODES = ['auto', 'pkexec', 'sudo', 'direct', 'off'] as const;

export type MonitorMode = (typeof MONITOR_MODES)[number];

export function isMonitorMode(value: unknown): value is MonitorMode {
  return (MONITOR_MODES as readonly unknown[]).includes(value);
}

/** How the privileged monitor got (or did not get) its privileges. */
export type Escalation = 'direct' | 'pkexec' | 'sudo' | 'none';

export interface MonitorStatus {
  readonly state: MonitorState;
  readonly detail: string;
  readonly escalation: Escalation;
  readonly lostEvents: number;
}

/**
 * One violation in the JSON report (`fence-lens run --json`, the `fenceLens.run` command): the
 * parser's fields with the cause always stated, dates as ISO strings, and the
 * rule that would allow it.
 */
export interface ReportViolation extends Omit<ViolationInput, 'cause'> {
  readonly cause: Cause;
  readonly errnoName: string | null;
  readonly message: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly suggestion?: RuleSuggestion;
}

/** Where the run's Fence policy came from. */
export interface PolicyInfo {
  /** The settings files that made the policy, outermost first (the chain `fence config show` prints; on older fence the one file it reads). */
  readonly files: readonly string[];
  /** The built-in template given with --template, if any. */
  readonly template: string | null;
  /** The merged settings `fence config show` printed, when this fence has it; else null. */
  readonly effective: unknown;
}

export interface RunReport {
  readonly command: string;
  readonly exitCode: number | null;
  readonly monitor: { readonly state: MonitorState; readonly detail: string; readonly lostEvents: number };
  readonly violations: readonly ReportViolation[];
  readonly cwd: string;
  readonly settingsFile: string | null;
  readonly policy: PolicyInfo;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Distinct violations and events the store refused once full (see ViolationStore). */
  readonly overflow: { readonly distinct: number; readonly events: number };
  /** Fence's own lines that were not violations, kept rather than dropped. */
  readonly info: readonly string[];
}

/** The narrowest Fence settings change that would allow a violation. */
export interface RuleSuggestion {
  /** Dotted settings path, e.g. `filesystem.allowWrite`. */
  readonly setting: string;
  readonly value: string;
  readonly description: string;
}

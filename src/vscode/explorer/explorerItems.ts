// The nodes of the violation explorer: run > category > target. Pure functions from engine data to
// labels, so the tree provider stays a thin adapter and tests can assert the exact text.

import type { Category, Violation } from '../../core/model';
import { clockTime, describeTarget, printable } from '../../core/report/format';
import type { Run } from '../runs/runs';

export const CATEGORY_ORDER: readonly Category[] = ['filesystem', 'network', 'command', 'syscall'];

export interface TargetGroup {
  readonly category: Category;
  readonly target: string;
  readonly violations: readonly Violation[];
}

/**
 * `12,345`. Not toLocaleString('en-US'): that builds a number formatter per call, and the first
 * one is slow to build, in the middle of a storm's repaint.
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function runDescription(run: Run): string {
  const parts = [clockTime(run.startedAt)];
  parts.push(run.state === 'running' ? 'running' : `exit ${run.exitCode ?? 'none'}`);
  parts.push(`monitor ${run.monitor.state}`);
  parts.push(plural(run.violationCount, 'denial'));
  return parts.join(' · ');
}

/** Violations of one category grouped by target, most frequent first: the order ./runTree keeps incrementally (its unit test compares the two). */
export function groupByTarget(violations: readonly Violation[], category: Category): TargetGroup[] {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    if (v.category !== category) continue;
    const key = describeTarget(v);
    const list = groups.get(key);
    if (list) list.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.entries()]
    .map(([target, vs]) => ({ category, target, violations: vs }))
    .sort((a, b) => totalCount(b.violations) - totalCount(a.violations) || a.target.localeCompare(b.target));
}

export function totalCount(vs: readonly Violation[]): number {
  return vs.reduce((n, v) => n + v.count, 0);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** `×2 · openat · EROFS Read-only file system · touch:1234`. */
export function targetDescription(group: TargetGroup): string {
  const vs = group.violations;
  const ops = unique(vs.map((v) => v.operation)).join(', ');
  const errnos = unique(vs.map((v) => (v.errnoName ? `${v.errnoName} ${v.message}` : v.message))).join(', ');
  const procs = unique(vs.flatMap((v) => (v.process === null ? [] : [v.process.pid > 0 ? `${printable(v.process.comm)}:${v.process.pid}` : printable(v.process.comm)])));
  const shown = procs.length > 3 ? [...procs.slice(0, 3), `+${procs.length - 3}`] : procs;
  return [`×${totalCount(vs)}`, ops, errnos, shown.join(', ')].join(' · ');
}

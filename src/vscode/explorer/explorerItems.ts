// The nodes of the violation explorer: run > category > target. Pure functions from engine data to
// labels, so the tree provider stays a thin adapter and tests can assert the exact text.

import type { Category, Violation } from '../../core/model';
import * as path from 'node:path';
import { homeRelative } from '../../core/fence/allowChoices';
import { clockTime, describeTarget, formatViolationLine, printable } from '../../core/report/format';
import { suggestRule } from '../../core/report/policy';
import type { Run } from '../runs/runs';
import type { NodeRef } from './explorer';
import { deniedPath } from '../files';
import { codeSpan, markdownText, ruleText } from '../shownText';

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

/** `16:56:52 · exit 1 · monitor active · 3 denials`; no monitor word until its state is known. */
export function runDescription(run: Pick<Run, 'startedAt' | 'outcome' | 'monitor' | 'violationCount'>): string {
  const parts = [clockTime(run.startedAt), run.outcome];
  if (run.monitor.state !== 'starting') parts.push(`monitor ${run.monitor.state}`);
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

/** `×2 · openat · EROFS Read-only file system · touch:1234`: everything about a target, for its tooltip and copies. */
export function targetDescription(group: TargetGroup): string {
  const vs = group.violations;
  const errnos = unique(vs.map((v) => (v.errnoName ? `${v.errnoName} ${printable(v.message)}` : printable(v.message)))).join(', ');
  return [`×${totalCount(vs)}`, operations(vs), errnos, processes(vs)].filter(Boolean).join(' · ');
}

function operations(vs: readonly Violation[]): string {
  return unique(vs.map((v) => printable(v.operation))).join(', ');
}

function processes(vs: readonly Violation[]): string {
  const procs = unique(vs.flatMap((v) => (v.process === null ? [] : [v.process.pid > 0 ? `${printable(v.process.comm)}:${v.process.pid}` : printable(v.process.comm)])));
  return (procs.length > 3 ? [...procs.slice(0, 3), `+${procs.length - 3}`] : procs).join(', ');
}

/**
 * A target's row. A path shows its file name as the label and its folder (`~` for the home
 * directory) first in the description, so a narrow side bar still says which file; the errno comes
 * right after, where the row's hover actions (at its right end) do not cover it.
 * `EROFS · ~/.cache/tool · ×2 · openat · touch:1234`.
 */
export function targetRow(group: TargetGroup, home: string): { readonly label: string; readonly description: string } {
  const vs = group.violations;
  const errnos = unique(vs.map((v) => v.errnoName ?? printable(v.message))).join(', ');
  const rest = [`×${totalCount(vs)}`, operations(vs), processes(vs)].filter(Boolean);
  const first = vs[0];
  const isPath = first.category === 'filesystem' && path.isAbsolute(first.target) && first.relatedPath === undefined && group.target !== '/';
  if (!isPath) return { label: group.target, description: [errnos, ...rest].join(' · ') };
  const folder = homeRelative(path.dirname(group.target), home);
  return { label: path.basename(group.target), description: [folder === home ? '~' : folder, errnos, ...rest].join(' · ') };
}

/** A run's tooltip, as Markdown (rendered: every name is Markdown-escaped). */
export function runTooltipMarkdown(run: Pick<Run, 'commandLine' | 'request' | 'settingsFile' | 'monitor' | 'report'>): string {
  const out = [`**${markdownText(printable(run.commandLine))}**\n\n`];
  out.push(`- cwd: ${codeSpan(printable(run.request.cwd))}\n`);
  out.push(`- Fence settings: ${run.settingsFile ? codeSpan(printable(run.settingsFile)) : 'Fence default (~/.fence.json)'}\n`);
  out.push(`- monitor: ${run.monitor.state}${run.monitor.detail ? ` (${markdownText(printable(run.monitor.detail))})` : ''}\n`);
  if (run.report && (run.report.overflow.distinct > 0 || run.report.overflow.events > 0)) {
    out.push(`- not kept (store full): ${run.report.overflow.distinct} distinct, ${run.report.overflow.events} events\n`);
  }
  return out.join('');
}

function commandLink(title: string, command: string, ref: NodeRef): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([ref]))})`;
}

/** A target's tooltip, as Markdown with command links to `ref` (the only Markdown not built from escaped text). */
export function targetTooltipMarkdown(group: TargetGroup, ref: NodeRef): string {
  const out = [`**${markdownText(group.target)}**\n\n`, `${markdownText(targetDescription(group))}\n\n`];
  for (const v of group.violations.slice(0, 5)) out.push(`- ${codeSpan(formatViolationLine(v))}\n`);
  if (group.violations.length > 5) out.push(`- … ${group.violations.length - 5} more\n`);
  const notes = new Set(
    group.violations.flatMap((v) =>
      v.givenPath !== undefined ? [`given as ${v.givenPath}${v.target.startsWith('/') ? '' : ' (its directory could not be resolved at the syscall, so no rule is offered)'}`] : [],
    ),
  );
  for (const n of notes) out.push(`\n${markdownText(printable(n))}\n`);
  const host = group.violations.some((v) => v.cause === 'host');
  out.push(host ? `\n**Cause:** the host's own permissions (it would fail outside Fence too); no Fence setting allows it.\n` : `\n**Cause:** the sandbox's policy.\n`);
  const s = group.violations.map((v) => suggestRule(v)).find((x) => x !== undefined);
  if (s) out.push(`\n**Rule:** ${codeSpan(ruleText(s))} (${markdownText(printable(s.description))})\n`);
  const links = [
    ...(s ? [commandLink('$(unlock) Allow…', 'fenceLens.allow', ref)] : []),
    ...(deniedPath(group.violations[0]) ? [commandLink('$(go-to-file) Open / Reveal', 'fenceLens.openTarget', ref)] : []),
    `[$(settings-gear) Open Settings](command:fenceLens.openSettings)`,
    commandLink('$(copy) Copy', 'fenceLens.copyTarget', ref),
  ];
  out.push(`\n${links.join(' · ')}`);
  return out.join('');
}

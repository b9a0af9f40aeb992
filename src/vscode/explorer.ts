// The violation explorer: a TreeDataProvider over `Runs`. Store changes arrive per event; refreshes
// are coalesced on a timer so a flood of denials costs a few repaints a second, not one per event.

import * as vscode from 'vscode';
import type { Category, Violation } from '../core/model';
import { formatViolationLine } from '../core/format';
import { suggestRule } from '../core/policy';
import { CATEGORY_ORDER, groupByTarget, plural, runDescription, targetDescription, totalCount, type TargetGroup } from './explorerItems';
import type { Run, Runs } from './runs';
import { absoluteTarget, withAbsoluteTarget } from './targets';

export type ExplorerNode =
  | { readonly kind: 'run'; readonly run: Run }
  | { readonly kind: 'category'; readonly run: Run; readonly category: Category }
  | { readonly kind: 'target'; readonly run: Run; readonly group: TargetGroup };

export const REFRESH_INTERVAL_MS = 250;

const CATEGORY_ICON: Record<Category, string> = {
  filesystem: 'file',
  network: 'globe',
  command: 'terminal',
  syscall: 'gear',
};

export class ViolationExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;
  /** Incremented per repaint; tests wait on it instead of sleeping. */
  refreshCount = 0;

  constructor(private readonly runs: Runs) {
    this.subscription = runs.onDidChange(() => this.scheduleRefresh());
  }

  /** A repaint is scheduled but has not happened yet. */
  get refreshPending(): boolean {
    return this.timer !== undefined;
  }

  scheduleRefresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshCount++;
      this.changeEmitter.fire(undefined);
    }, REFRESH_INTERVAL_MS);
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) return this.runs.list().map((run) => ({ kind: 'run', run }));
    if (node.kind === 'run') {
      const present = new Set(node.run.violations().map((v) => v.category));
      return CATEGORY_ORDER.filter((c) => present.has(c)).map((category) => ({ kind: 'category', run: node.run, category }));
    }
    if (node.kind === 'category') {
      return groupByTarget(node.run.violations(), node.category).map((group) => ({ kind: 'target', run: node.run, group }));
    }
    return [];
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node.kind === 'run') return undefined;
    if (node.kind === 'category') return { kind: 'run', run: node.run };
    return { kind: 'category', run: node.run, category: node.group.category };
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return runItem(node.run);
      case 'category': {
        const vs = node.run.violations().filter((v) => v.category === node.category);
        const item = new vscode.TreeItem(node.category, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `run-${node.run.id}/${node.category}`;
        item.description = `${plural(vs.length, 'target')} · ×${totalCount(vs)}`;
        item.iconPath = new vscode.ThemeIcon(CATEGORY_ICON[node.category]);
        item.contextValue = 'category';
        return item;
      }
      case 'target':
        return targetItem(node.run, node.group);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

function runItem(run: Run): vscode.TreeItem {
  const item = new vscode.TreeItem(run.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `run-${run.id}`;
  item.description = runDescription(run);
  const running = run.state === 'running';
  item.iconPath = running
    ? new vscode.ThemeIcon('sync~spin')
    : new vscode.ThemeIcon(run.exitCode === 0 ? 'pass' : 'error', new vscode.ThemeColor(run.exitCode === 0 ? 'testing.iconPassed' : 'testing.iconFailed'));
  item.contextValue = running ? 'run.running' : 'run';
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${escapeMd(run.commandLine)}**\n\n`);
  tip.appendMarkdown(`- cwd: \`${run.request.cwd}\`\n`);
  tip.appendMarkdown(`- Fence settings: ${run.settingsFile ? `\`${run.settingsFile}\`` : 'Fence default (~/.fence.json)'}\n`);
  tip.appendMarkdown(`- monitor: ${run.monitor.state}${run.monitor.detail ? ` (${escapeMd(run.monitor.detail)})` : ''}\n`);
  if (run.report && (run.report.overflow.distinct > 0 || run.report.overflow.events > 0)) {
    tip.appendMarkdown(`- not kept (store full): ${run.report.overflow.distinct} distinct, ${run.report.overflow.events} events\n`);
  }
  item.tooltip = tip;
  return item;
}

function targetItem(run: Run, group: TargetGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(group.target, vscode.TreeItemCollapsibleState.None);
  item.id = `run-${run.id}/${group.category}/${group.target}`;
  item.description = targetDescription(group);
  const notes = group.violations.flatMap((v) =>
    v.givenPath !== undefined ? [`given as ${v.givenPath}${v.cwdGuessed ? ", resolved against the run's cwd (the process was gone before its own could be read)" : ''}`] : [],
  );
  item.tooltip = [...group.violations.map(formatViolationLine), ...new Set(notes)].join('\n');
  const first = group.violations[0];
  const file = absoluteTarget(first, run.request.cwd);
  const isPath = file !== undefined;
  if (file) {
    item.resourceUri = vscode.Uri.file(file);
    item.iconPath = vscode.ThemeIcon.File;
  } else {
    item.iconPath = new vscode.ThemeIcon(CATEGORY_ICON[group.category]);
  }
  const fixable = group.violations.some((v) => suggestRule(withAbsoluteTarget(v, run.request.cwd)) !== undefined);
  item.contextValue = ['target', isPath ? 'path' : 'other', fixable ? 'fixable' : 'nofix'].join('.');
  return item;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The violations behind a tree node (for copy, quick fix and reveal). */
export function violationsOf(node: ExplorerNode): readonly Violation[] {
  if (node.kind === 'target') return node.group.violations;
  const all = node.run.violations();
  return node.kind === 'category' ? all.filter((v) => v.category === node.category) : all;
}

/** The same, with paths made absolute against the run's working directory (for rules and files). */
export function resolvedViolationsOf(node: ExplorerNode): readonly Violation[] {
  return violationsOf(node).map((v) => withAbsoluteTarget(v, node.run.request.cwd));
}

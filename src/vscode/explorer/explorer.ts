// The violation explorer: a TreeDataProvider over `Runs`, each run kept as a ./runTree model. Store
// changes arrive batched per turn of the event loop; repaints are coalesced on a timer (a few a
// second) and name only what changed: the run that got new denials, or the categories whose counts
// moved, never the whole tree. A target's TreeItem is built once per change of that target, its
// tooltip only when hovered, since VS Code sends every property of every child it refetches.

import * as vscode from 'vscode';
import type { Category, Violation } from '../../core/model';
import { formatViolationLine } from '../../core/report/format';
import { suggestRule } from '../../core/report/policy';
import { plural, runDescription, targetDescription, thousands, type TargetGroup } from './explorerItems';
import type { Run, Runs, RunsChange } from '../runs/runs';
import { PAGE_SIZE, RunTree, type ExplorerNode, type PageNode, type TargetNode } from './runTree';
import { deniedPath } from '../files';

export type { ExplorerNode } from './runTree';

export const REFRESH_INTERVAL_MS = 250;

const CATEGORY_ICON: Record<Category, string> = {
  filesystem: 'file',
  network: 'globe',
  command: 'terminal',
  syscall: 'gear',
};

export class ViolationExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly trees = new Map<Run, RunTree>();
  /** Built TreeItems of targets that have not changed since. */
  private readonly items = new WeakMap<TargetNode, vscode.TreeItem>();
  /** What the next repaint names: everything, or these nodes. */
  private dirtyRoot = false;
  private readonly dirty = new Set<ExplorerNode>();
  /** Incremented per repaint; tests wait on it instead of sleeping. */
  refreshCount = 0;

  constructor(private readonly runs: Runs) {
    this.subscription = runs.onDidChange((change) => this.onChange(change));
  }

  /** A repaint is scheduled but has not happened yet. */
  get refreshPending(): boolean {
    return this.timer !== undefined;
  }

  private tree(run: Run): RunTree {
    let t = this.trees.get(run);
    if (!t) {
      t = new RunTree(run);
      this.trees.set(run, t);
    }
    return t;
  }

  private onChange(change: RunsChange): void {
    switch (change.kind) {
      case 'started':
      case 'cleared': {
        // A clear empties the stores of running runs: their models start over too.
        const live = new Set(this.runs.list());
        for (const run of [...this.trees.keys()]) if (!live.has(run) || change.kind === 'cleared') this.trees.delete(run);
        this.dirtyRoot = true;
        break;
      }
      case 'violations': {
        const tree = this.trees.get(change.run);
        if (!tree) {
          // The window has not asked for this run's rows yet (the view is hidden, or the run is
          // new): no model to keep; one is built from the store when it asks, after this repaint.
          this.dirtyRoot = true;
          break;
        }
        for (const v of change.added) this.items.delete(tree.add(v));
        for (const v of change.updated) this.forget(tree.update(v));
        // New denials change the run's count; repeats only their categories' totals.
        if (change.added.length > 0) this.dirty.add(tree.node);
        else for (const c of new Set(change.updated.map((v) => v.category))) this.markCategory(tree, c);
        break;
      }
      case 'monitor':
      case 'finished': {
        const tree = this.trees.get(change.run);
        if (tree) this.dirty.add(tree.node);
        else this.dirtyRoot = true;
        break;
      }
    }
    this.scheduleRefresh();
  }

  private forget(node: TargetNode | undefined): void {
    if (node) this.items.delete(node);
  }

  private markCategory(tree: RunTree, category: Category): void {
    const list = tree.list(category);
    if (list && !this.dirty.has(tree.node)) this.dirty.add(list.node);
  }

  scheduleRefresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.repaint(), REFRESH_INTERVAL_MS);
  }

  private repaint(): void {
    this.timer = undefined;
    if (!this.dirtyRoot && this.dirty.size === 0) return;
    this.refreshCount++;
    if (this.dirtyRoot) {
      this.changeEmitter.fire(undefined);
    } else {
      // A run named here repaints its categories too: drop them.
      const nodes = [...this.dirty].filter((n) => n.kind === 'run' || !this.dirty.has(this.tree(n.run).node));
      this.changeEmitter.fire(nodes);
    }
    this.dirtyRoot = false;
    this.dirty.clear();
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) return this.runs.list().map((run) => this.tree(run).node);
    switch (node.kind) {
      case 'run':
        return this.tree(node.run).categories();
      case 'category':
        return this.tree(node.run).list(node.category)?.children() ?? [];
      case 'page':
        return node.list.pageTargets(node.index);
      case 'target':
        return [];
    }
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    switch (node.kind) {
      case 'run':
        return undefined;
      case 'category':
        return this.tree(node.run).node;
      case 'page':
        return node.list.node;
      case 'target': {
        const list = this.tree(node.run).list(node.group.category);
        return list ? list.parentOf(node) : undefined;
      }
    }
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return runItem(node.run);
      case 'category': {
        const list = this.tree(node.run).list(node.category);
        list?.ordered(); // brings the total up to date
        const item = new vscode.TreeItem(node.category, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `run-${node.run.id}/${node.category}`;
        item.description = `${plural(list?.violationCount ?? 0, 'target')} · ×${list?.total ?? 0}`;
        item.iconPath = new vscode.ThemeIcon(CATEGORY_ICON[node.category]);
        item.contextValue = 'category';
        return item;
      }
      case 'page':
        return pageItem(node);
      case 'target': {
        let item = this.items.get(node);
        if (!item) {
          item = targetItem(node.run, node.group);
          this.items.set(node, item);
        }
        return item;
      }
    }
  }

  /** Tooltips on hover, not with every repaint: a run's is Markdown, a target's lists every violation behind it. */
  resolveTreeItem(item: vscode.TreeItem, node: ExplorerNode): vscode.TreeItem {
    if (item.tooltip !== undefined) return item;
    if (node.kind === 'run') item.tooltip = runTooltip(node.run);
    else if (node.kind === 'target') item.tooltip = targetTooltip(node.group);
    return item;
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
  return item;
}

/** Markdown, so built on hover only: VS Code lexes a MarkdownString tooltip whenever it sends the item (docs/bench-findings.md). */
function runTooltip(run: Run): vscode.MarkdownString {
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${escapeMd(run.commandLine)}**\n\n`);
  tip.appendMarkdown(`- cwd: \`${run.request.cwd}\`\n`);
  tip.appendMarkdown(`- Fence settings: ${run.settingsFile ? `\`${run.settingsFile}\`` : 'Fence default (~/.fence.json)'}\n`);
  tip.appendMarkdown(`- monitor: ${run.monitor.state}${run.monitor.detail ? ` (${escapeMd(run.monitor.detail)})` : ''}\n`);
  if (run.report && (run.report.overflow.distinct > 0 || run.report.overflow.events > 0)) {
    tip.appendMarkdown(`- not kept (store full): ${run.report.overflow.distinct} distinct, ${run.report.overflow.events} events\n`);
  }
  return tip;
}

function pageItem(node: PageNode): vscode.TreeItem {
  const first = node.index * PAGE_SIZE + 1;
  const last = Math.min((node.index + 1) * PAGE_SIZE, node.list.targetCount);
  const item = new vscode.TreeItem(`targets ${thousands(first)}–${thousands(last)}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run-${node.run.id}/${node.category}/page-${node.index}`;
  item.description = `of ${thousands(node.list.targetCount)}, most frequent first`;
  item.iconPath = new vscode.ThemeIcon('list-flat');
  item.contextValue = 'page';
  return item;
}

function targetItem(run: Run, group: TargetGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(group.target, vscode.TreeItemCollapsibleState.None);
  item.id = `run-${run.id}/${group.category}/${group.target}`;
  item.description = targetDescription(group);
  const first = group.violations[0];
  const file = deniedPath(first);
  const isPath = file !== undefined;
  if (file) {
    item.resourceUri = vscode.Uri.file(file);
    item.iconPath = vscode.ThemeIcon.File;
  } else {
    item.iconPath = new vscode.ThemeIcon(CATEGORY_ICON[group.category]);
  }
  const fixable = group.violations.some((v) => suggestRule(v) !== undefined);
  item.contextValue = ['target', isPath ? 'path' : 'other', fixable ? 'fixable' : 'nofix'].join('.');
  return item;
}

function targetTooltip(group: TargetGroup): string {
  const notes = group.violations.flatMap((v) =>
    v.givenPath !== undefined ? [`given as ${v.givenPath}${v.cwdGuessed ? ", resolved against the run's cwd (the process was gone before its own could be read)" : ''}`] : [],
  );
  return [...group.violations.map(formatViolationLine), ...new Set(notes)].join('\n');
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The violations behind a tree node (for copy, quick fix and reveal). */
export function violationsOf(node: ExplorerNode): readonly Violation[] {
  if (node.kind === 'target') return node.group.violations;
  if (node.kind === 'page') return node.list.pageTargets(node.index).flatMap((t) => t.group.violations);
  const all = node.run.violations();
  return node.kind === 'category' ? all.filter((v) => v.category === node.category) : all;
}

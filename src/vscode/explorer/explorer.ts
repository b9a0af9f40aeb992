// The violation explorer: a TreeDataProvider over `Runs`, each run kept as a ./runTree model. Store
// changes arrive batched per turn of the event loop; repaints are coalesced on a timer (a few a
// second) and name only what changed: the run that got new denials, or the categories whose counts
// moved, never the whole tree. A target's TreeItem is built once per change of that target, its
// tooltip only when hovered, since VS Code sends every property of every child it refetches.

import * as vscode from 'vscode';
import * as os from 'node:os';
import type { Category, Violation } from '../../core/model';
import { printable } from '../../core/report/format';
import { suggestRule } from '../../core/report/policy';
import { plural, runDescription, runTooltipMarkdown, targetRow, targetTooltipMarkdown, thousands, type TargetGroup } from './explorerItems';
import type { Run, Runs, RunsChange } from '../runs/runs';
import { PAGE_SIZE, RunTree, type ExplorerNode, type PageNode, type TargetNode } from './runTree';
import { unwatched } from '../setup/monitorFix';
import { deniedPath } from '../files';

export type { ExplorerNode } from './runTree';

/** A row named in a command link of a Markdown tooltip (links carry JSON, not the node itself). */
export interface NodeRef {
  readonly run: number;
  readonly category?: Category;
  readonly target?: string;
}

export function isNodeRef(a: unknown): a is NodeRef {
  return typeof a === 'object' && a !== null && typeof (a as { run?: unknown }).run === 'number' && !('kind' in a);
}

/** The commands a tooltip may link to (and nothing else: the tooltip shows sandbox-chosen text). */
export const TOOLTIP_COMMANDS = ['fenceLens.allow', 'fenceLens.openSettings', 'fenceLens.copyTarget', 'fenceLens.openTarget', 'fenceLens.howToFixMonitor'];

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

  /** The node a tooltip's command link names, if it is still shown. */
  nodeFor(ref: NodeRef): ExplorerNode | undefined {
    const run = this.runs.list().find((r) => r.id === ref.run);
    if (!run) return undefined;
    const tree = this.tree(run);
    if (!ref.category) return tree.node;
    const list = tree.list(ref.category);
    if (!list) return undefined;
    if (ref.target === undefined) return list.node;
    return list.ordered().find((t) => t.node.group.target === ref.target)?.node;
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) return this.runs.list().map((run) => this.tree(run).node);
    switch (node.kind) {
      case 'run': {
        const tree = this.tree(node.run);
        return unwatched(node.run.monitor) ? [tree.notice, ...tree.categories()] : tree.categories();
      }
      case 'notice':
        return [];
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
      case 'notice':
        return this.tree(node.run).node;
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
        return runItem(node.run, node.run === this.runs.latest());
      case 'notice':
        return noticeItem(node.run);
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
    else if (node.kind === 'target') item.tooltip = targetTooltip(node);
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

/** The latest run expanded, older ones collapsed (their id changes, so VS Code forgets they were open). */
function runItem(run: Run, latest: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(printable(run.label), latest ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = latest ? `run-${run.id}` : `run-${run.id}.older`;
  item.description = runDescription(run);
  const running = run.state === 'running';
  const ok = run.exitCode === 0 && !run.stopped;
  item.iconPath = running
    ? new vscode.ThemeIcon('sync~spin')
    : run.stopped
      ? new vscode.ThemeIcon('debug-stop')
      : new vscode.ThemeIcon(ok ? 'pass' : 'error', new vscode.ThemeColor(ok ? 'testing.iconPassed' : 'testing.iconFailed'));
  item.contextValue = running ? 'run.running' : 'run';
  return item;
}

function noticeItem(run: Run): vscode.TreeItem {
  const item = new vscode.TreeItem('File denials not watched', vscode.TreeItemCollapsibleState.None);
  item.id = `run-${run.id}/notice`;
  item.description = `monitor ${run.monitor.state}: ${printable(run.monitor.detail)}`;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.tooltip = `The monitor was ${run.monitor.state}: ${printable(run.monitor.detail)}\nDenied file writes, execs and connects of this run were not seen. Press Enter for how to fix it.`;
  item.command = { command: 'fenceLens.howToFixMonitor', title: 'How to Fix', arguments: [{ run: run.id } satisfies NodeRef] };
  item.contextValue = 'notice';
  return item;
}

/** Markdown, so built on hover only: VS Code lexes a MarkdownString tooltip whenever it sends the item (docs/bench-findings.md). */
function runTooltip(run: Run): vscode.MarkdownString {
  return new vscode.MarkdownString(runTooltipMarkdown(run));
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

const HOME = os.homedir();

function targetItem(run: Run, group: TargetGroup): vscode.TreeItem {
  const row = targetRow(group, HOME);
  const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
  item.id = `run-${run.id}/${group.category}/${group.target}`;
  item.description = row.description;
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
  // Enter (or a click) shows the denial: its file, or its details.
  item.command = { command: 'fenceLens.showDetail', title: 'Show Denial', arguments: [refOf(run, group)] };
  return item;
}

function refOf(run: Run, group: TargetGroup): NodeRef {
  return { run: run.id, category: group.category, target: group.target };
}

/** What was denied, why (the sandbox or the host), the rule that would allow it, and links to act on it. */
function targetTooltip(node: TargetNode): vscode.MarkdownString {
  const tip = new vscode.MarkdownString(targetTooltipMarkdown(node.group, refOf(node.run, node.group)));
  tip.isTrusted = { enabledCommands: TOOLTIP_COMMANDS };
  tip.supportThemeIcons = true;
  return tip;
}

/** The violations behind a tree node (for copy, quick fix and reveal). */
export function violationsOf(node: ExplorerNode): readonly Violation[] {
  if (node.kind === 'target') return node.group.violations;
  if (node.kind === 'page') return node.list.pageTargets(node.index).flatMap((t) => t.group.violations);
  const all = node.run.violations();
  return node.kind === 'category' ? all.filter((v) => v.category === node.category) : all;
}

// The explorer's model of one run: category > target, kept up to date from the run's batched changes
// instead of regrouped and resorted from every violation on every repaint, which grows with the
// number of targets and would be paid on every repaint of a storm. Nodes are
// stable objects, so the explorer can repaint one run or one category (VS Code finds an element to
// refresh by identity). A category lists its PAGE_SIZE most frequent targets, then the rest in pages
// of PAGE_SIZE: VS Code refetches every child of an expanded node it repaints, so what one repaint
// costs is bounded by the page, not by how many denials the run has. No editor API here (unit-tested).

import type { Category, Violation } from '../../core/model';
import { describeTarget } from '../../core/report/format';
import { CATEGORY_ORDER, totalCount, type TargetGroup } from './explorerItems';
import type { Run } from '../runs/runs';

/**
 * The same bound as VS Code's own per list (Problems shows 1,000 per file): a run that size (the
 * flood test's 500 and the sandbox's own few) still shows every target directly under its category.
 */
export const PAGE_SIZE = 1000;

export type ExplorerNode =
  | { readonly kind: 'run'; readonly run: Run }
  | { readonly kind: 'category'; readonly run: Run; readonly category: Category }
  /** Targets `index * PAGE_SIZE + 1` to `(index + 1) * PAGE_SIZE` of a category, most frequent first (index >= 1). */
  | { readonly kind: 'page'; readonly run: Run; readonly category: Category; readonly index: number; readonly list: TargetList }
  | { readonly kind: 'target'; readonly run: Run; readonly group: TargetGroup }
  /** The row at the top of a run that the monitor did not watch: says so, and opens how to fix it. */
  | { readonly kind: 'notice'; readonly run: Run };

export type RunNode = Extract<ExplorerNode, { kind: 'run' }>;
export type CategoryNode = Extract<ExplorerNode, { kind: 'category' }>;
export type PageNode = Extract<ExplorerNode, { kind: 'page' }>;
export type TargetNode = Extract<ExplorerNode, { kind: 'target' }>;
export type NoticeNode = Extract<ExplorerNode, { kind: 'notice' }>;

/** A target row's data: its node, the violations behind it and where it sorts. */
export interface Target {
  readonly node: TargetNode;
  readonly violations: Violation[];
  /** Sum of the counts, as of the last `ordered()`. */
  total: number;
  /** 'new' and 'moved' wait for `ordered()` to (re)place them. */
  state: 'new' | 'placed' | 'moved';
}

/** Most frequent first, then by name: the order `groupByTarget` gives. */
function before(a: Target, b: Target): number {
  return b.total - a.total || a.node.group.target.localeCompare(b.node.group.target);
}

/** One category's targets in display order, re-placing only the ones that changed. */
export class TargetList {
  readonly node: CategoryNode;
  private readonly byTarget = new Map<string, Target>();
  private readonly sorted: Target[] = [];
  private readonly pending: Target[] = [];
  private readonly pages: PageNode[] = [];
  /** Distinct violations in the category. */
  violationCount = 0;
  /** Sum of the counts, as of the last `ordered()`. */
  total = 0;

  constructor(readonly run: Run, category: Category) {
    this.node = { kind: 'category', run, category };
  }

  /** Adds `v` to its target; the target's node (new or not). */
  add(v: Violation): Target {
    this.violationCount++;
    const name = describeTarget(v);
    let t = this.byTarget.get(name);
    if (!t) {
      const violations: Violation[] = [];
      t = { node: { kind: 'target', run: this.run, group: { category: this.node.category, target: name, violations } }, violations, total: 0, state: 'new' };
      this.byTarget.set(name, t);
      this.pending.push(t);
    } else {
      this.changed(t);
    }
    t.violations.push(v);
    return t;
  }

  /** A count of `t` changed: it may move. */
  changed(t: Target): void {
    if (t.state !== 'placed') return; // already waiting to be placed with its new count
    t.state = 'moved';
    this.pending.push(t);
  }

  get targetCount(): number {
    return this.byTarget.size;
  }

  /** Every target, most frequent first. */
  ordered(): readonly Target[] {
    if (this.pending.length === 0) return this.sorted;
    if (this.pending.some((t) => t.state === 'moved')) {
      let kept = 0;
      for (const t of this.sorted) if (t.state !== 'moved') this.sorted[kept++] = t;
      this.sorted.length = kept;
    }
    for (const t of this.pending) {
      const total = totalCount(t.violations);
      this.total += total - t.total;
      t.total = total;
      t.state = 'placed';
    }
    // Few changes: binary insertion, log2(n) comparisons each; else one sort, which also compares
    // its way through the part already in order (localeCompare on ties: the costly part).
    if (this.pending.length * 16 > this.sorted.length) {
      this.sorted.push(...this.pending);
      this.sorted.sort(before);
    } else {
      for (const t of this.pending) this.sorted.splice(this.insertionPoint(t), 0, t);
    }
    this.pending.length = 0;
    return this.sorted;
  }

  private insertionPoint(t: Target): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.sorted[mid], t) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The category's children: the first page of targets, then one node per further page. */
  children(): ExplorerNode[] {
    const all = this.ordered();
    const first: ExplorerNode[] = all.slice(0, PAGE_SIZE).map((t) => t.node);
    for (let index = 1; index * PAGE_SIZE < all.length; index++) first.push(this.page(index));
    return first;
  }

  page(index: number): PageNode {
    for (let i = this.pages.length; i <= index; i++) this.pages.push({ kind: 'page', run: this.run, category: this.node.category, index: i, list: this });
    return this.pages[index];
  }

  /** The targets of page `index` (0: the ones shown directly under the category). */
  pageTargets(index: number): TargetNode[] {
    return this.ordered()
      .slice(index * PAGE_SIZE, (index + 1) * PAGE_SIZE)
      .map((t) => t.node);
  }

  /** The node a target is shown under: the category, or the page holding it. */
  parentOf(node: TargetNode): CategoryNode | PageNode {
    const index = this.ordered().findIndex((t) => t.node === node);
    return index < PAGE_SIZE ? this.node : this.page(Math.floor(index / PAGE_SIZE));
  }
}

/** One run's categories and targets. */
export class RunTree {
  readonly node: RunNode;
  readonly notice: NoticeNode;
  private readonly lists = new Map<Category, TargetList>();
  private readonly targetOf = new Map<Violation, Target>();

  constructor(readonly run: Run) {
    this.node = { kind: 'run', run };
    this.notice = { kind: 'notice', run };
    for (const v of run.violations()) this.add(v);
  }

  /** Adds a new violation; the target node whose row changes. */
  add(v: Violation): TargetNode {
    // Built from the store while a batch naming `v` was still on its way: count it once.
    const known = this.targetOf.get(v);
    if (known) {
      this.lists.get(v.category)?.changed(known);
      return known.node;
    }
    let list = this.lists.get(v.category);
    if (!list) {
      list = new TargetList(this.run, v.category);
      this.lists.set(v.category, list);
    }
    const t = list.add(v);
    this.targetOf.set(v, t);
    return t.node;
  }

  /** A held violation was counted again; the target node whose row changes, if `v` is known. */
  update(v: Violation): TargetNode | undefined {
    const t = this.targetOf.get(v);
    if (!t) return undefined;
    this.lists.get(v.category)?.changed(t);
    return t.node;
  }

  list(category: Category): TargetList | undefined {
    return this.lists.get(category);
  }

  categories(): CategoryNode[] {
    return CATEGORY_ORDER.flatMap((c) => {
      const list = this.lists.get(c);
      return list ? [list.node] : [];
    });
  }
}

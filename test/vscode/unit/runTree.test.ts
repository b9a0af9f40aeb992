// The explorer's incremental model: whatever order changes arrive in, it shows the same targets in
// the same order as grouping everything from scratch would, and pages past PAGE_SIZE.

import * as assert from 'node:assert/strict';
import type { Violation } from '../../../src/core/model';
import { groupByTarget } from '../../../src/vscode/explorer/explorerItems';
import type { Run } from '../../../src/vscode/runs/runs';
import { PAGE_SIZE, RunTree, type ExplorerNode } from '../../../src/vscode/explorer/runTree';

function v(target: string, comm: string, count: number, operation = 'openat'): Violation {
  const at = new Date(0);
  return {
    category: 'filesystem', operation, target, errno: 30, source: 'ebpf', process: { comm, pid: 1 },
    key: `${target}/${comm}/${operation}`, errnoName: 'EROFS', message: 'Read-only file system', count, firstSeen: at, lastSeen: at,
  };
}

/** The tree only reads the run's violations (when built) and hands the run back in its nodes. */
function fakeRun(held: Violation[]): Run {
  return { violations: () => [...held] } as unknown as Run;
}

function labels(nodes: readonly ExplorerNode[]): string[] {
  return nodes.map((n) => (n.kind === 'target' ? n.group.target : n.kind === 'page' ? `page ${n.index}` : n.kind));
}

/** Deterministic pseudo-random numbers, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('RunTree', () => {
  it('keeps the from-scratch order through adds and repeats in any order', () => {
    const random = rng(7);
    const held: Violation[] = [];
    const tree = new RunTree(fakeRun(held));
    for (let step = 0; step < 400; step++) {
      if (held.length === 0 || random() < 0.4) {
        const x = v(`/t/${Math.floor(random() * 120)}`, random() < 0.5 ? 'touch' : 'cp', 1, random() < 0.5 ? 'openat' : 'rename');
        if (held.some((h) => h.key === x.key)) continue;
        held.push(x);
        tree.add(x);
      } else {
        const x = held[Math.floor(random() * held.length)];
        x.count += 1 + Math.floor(random() * 5);
        tree.update(x);
      }
      if (step % 13 === 0 || step === 399) {
        const list = tree.list('filesystem');
        assert.ok(list);
        assert.deepEqual(labels(list.pageTargets(0)), groupByTarget(held, 'filesystem').map((g) => g.target), `step ${step}`);
        assert.equal(list.total, held.reduce((n, h) => n + h.count, 0));
        assert.equal(list.violationCount, held.length);
      }
    }
  });

  it('counts a violation once when the tree was built while its batch was on the way', () => {
    const x = v('/a', 'touch', 1);
    const tree = new RunTree(fakeRun([x]));
    tree.add(x);
    const list = tree.list('filesystem');
    assert.ok(list);
    assert.equal(list.violationCount, 1);
    assert.equal(list.pageTargets(0).length, 1);
    const [node] = list.pageTargets(0);
    assert.equal(node.group.violations.length, 1);
  });

  it(`lists ${PAGE_SIZE} targets under the category, then the rest in pages, most frequent first`, () => {
    const held = Array.from({ length: PAGE_SIZE * 2 + 7 }, (_, i) => v(`/p/${String(i).padStart(5, '0')}`, 'touch', 1));
    held[PAGE_SIZE * 2 + 3].count = 9; // the most frequent: first, though added late
    const tree = new RunTree(fakeRun(held));
    const list = tree.list('filesystem');
    assert.ok(list);
    const children = list.children();
    assert.equal(children.length, PAGE_SIZE + 2);
    assert.deepEqual(labels(children.slice(PAGE_SIZE)), ['page 1', 'page 2']);
    assert.equal(labels(children)[0], held[PAGE_SIZE * 2 + 3].target);
    const shown = [...list.pageTargets(0), ...list.pageTargets(1), ...list.pageTargets(2)];
    assert.deepEqual(labels(shown), groupByTarget(held, 'filesystem').map((g) => g.target));
    assert.equal(list.pageTargets(2).length, 7);
    // Pages are stable objects (VS Code refreshes an element by identity), and a target knows its page.
    assert.equal(children[PAGE_SIZE], list.page(1));
    const last = list.pageTargets(2)[6];
    assert.equal(list.parentOf(last), list.page(2));
    assert.equal(list.parentOf(list.pageTargets(0)[0]), list.node);
  });
});

import * as assert from 'node:assert/strict';
import type { Violation } from '../../../src/core/model';
import { groupByTarget, plural, targetDescription } from '../../../src/vscode/explorer/explorerItems';
import { deniedPath } from '../../../src/vscode/files';

function v(target: string, comm: string, pid: number, count: number, operation = 'openat'): Violation {
  const at = new Date(0);
  return {
    category: 'filesystem', operation, target, errno: 30, source: 'ebpf', process: { comm, pid },
    key: `${target}/${comm}/${operation}`, errnoName: 'EROFS', message: 'Read-only file system', count, firstSeen: at, lastSeen: at,
  };
}

describe('explorer labels', () => {
  it('groups by target, most frequent first, with summed counts, operations, errno and processes', () => {
    const groups = groupByTarget([v('/a', 'touch', 1, 1), v('/b', 'sh', 2, 5), v('/a', 'cp', 3, 2, 'rename')], 'filesystem');
    assert.deepEqual(groups.map((g) => g.target), ['/b', '/a']);
    assert.equal(targetDescription(groups[1]), '×3 · openat, rename · EROFS Read-only file system · touch:1, cp:3');
  });

  it('shows at most three processes', () => {
    const [g] = groupByTarget([1, 2, 3, 4, 5].map((i) => v('/a', `p${i}`, i, 1)), 'filesystem');
    assert.equal(targetDescription(g), '×5 · openat · EROFS Read-only file system · p1:1, p2:2, p3:3, +2');
  });

  it('pluralises', () => {
    assert.equal(plural(1, 'denial'), '1 denial');
    assert.equal(plural(0, 'denial'), '0 denials');
  });
});

describe('deniedPath', () => {
  it('is the target of a filesystem denial, never re-resolved, and nothing for hosts or descriptions', () => {
    assert.equal(deniedPath({ category: 'filesystem', target: '/etc/x' }), '/etc/x');
    assert.equal(deniedPath({ category: 'filesystem', target: '(openat denials not itemised: past the budget)' }), undefined);
    assert.equal(deniedPath({ category: 'network', target: 'example.com:443' }), undefined);
  });
});

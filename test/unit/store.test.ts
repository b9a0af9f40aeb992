import assert from 'node:assert/strict';
import type { ViolationInput } from '../../src/core/model';
import { MAX_TARGET_CHARS, ViolationStore, type StoreChange } from '../../src/core/store';

const input = (target: string, comm = 'touch', errno = 30): ViolationInput => ({
  category: 'filesystem', operation: 'openat', target, errno, source: 'ebpf', process: { comm, pid: 1 },
});
const t0 = new Date('2026-11-28T10:00:00Z');
const t1 = new Date('2026-11-28T10:00:05Z');

describe('ViolationStore', () => {
  it('merges repeats of the same (category, operation, target, errno, comm) with exact counts and times', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t1);
    s.add({ ...input('/etc/x'), process: { comm: 'touch', pid: 99 } }, t0, 4);
    assert.equal(s.size, 1);
    const [v] = s.list();
    assert.equal(v.count, 5);
    assert.equal(v.firstSeen, t0);
    assert.equal(v.lastSeen, t1);
  });

  it('keeps different comm, errno or target apart', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t0);
    s.add(input('/etc/x', 'cp'), t0);
    s.add(input('/etc/x', 'touch', 13), t0);
    s.add(input('/etc/y'), t0);
    assert.equal(s.size, 4);
  });

  it('notifies subscribers of additions, updates and clears, and stops after dispose', () => {
    const s = new ViolationStore();
    const seen: string[] = [];
    const sub = s.onChange((c: StoreChange) => seen.push(c.kind));
    s.add(input('/a'), t0);
    s.add(input('/a'), t0);
    s.addCount(s.list()[0].key, 3, t1);
    s.clear();
    sub.dispose();
    s.add(input('/b'), t0);
    assert.deepEqual(seen, ['added', 'updated', 'updated', 'cleared']);
  });

  it('is bounded: past maxDistinct new keys are counted as overflow, repeats of held ones stay exact', () => {
    const s = new ViolationStore(3);
    for (let i = 0; i < 10; i++) s.add(input(`/p${i}`), t0);
    s.add(input('/p9'), t0, 5);
    s.add(input('/p0'), t0, 7);
    assert.equal(s.size, 3);
    assert.deepEqual(s.overflow, { distinct: 7, events: 12 });
    assert.equal(s.get(s.list()[0].key)?.count, 8);
  });

  it('holds one entry with an exact count after a million repeats', function () {
    this.timeout(60_000); // a hang guard only: the machine may be busy
    const s = new ViolationStore();
    for (let i = 0; i < 1_000_000; i++) s.add(input('/same'), t0);
    assert.equal(s.size, 1);
    assert.equal(s.list()[0].count, 1_000_000);
  });

  it('caps a hostile huge name and marks it truncated', () => {
    const s = new ViolationStore();
    const v = s.add(input('/' + 'x'.repeat(100_000)), t0);
    assert.equal(v?.target.length, MAX_TARGET_CHARS);
    assert.equal(v?.truncated, true);
  });
});

describe('ViolationStore.repeat (a repeat given its key fields)', () => {
  it('counts into the held violation exactly as add() would, times and change events included', () => {
    const viaAdd = new ViolationStore();
    const viaRepeat = new ViolationStore();
    const kinds: string[] = [];
    viaRepeat.onChange((c) => kinds.push(c.kind));
    for (const s of [viaAdd, viaRepeat]) s.add(input('/etc/x'), t1);
    viaAdd.add({ ...input('/etc/x'), process: { comm: 'touch', pid: 7 } }, t0, 3);
    const v = viaRepeat.repeat('filesystem', 'openat', '/etc/x', 30, 'touch', t0, 3);
    assert.equal(v, viaRepeat.list()[0]);
    assert.deepEqual(viaRepeat.list(), viaAdd.list());
    assert.deepEqual(kinds, ['added', 'updated']);
  });

  it('counts nothing and returns undefined when no such violation is held (any key field differs)', () => {
    const s = new ViolationStore(1);
    s.add(input('/etc/x'), t0);
    assert.equal(s.repeat('filesystem', 'openat', '/etc/y', 30, 'touch', t1), undefined);
    assert.equal(s.repeat('filesystem', 'openat', '/etc/x', 13, 'touch', t1), undefined);
    assert.equal(s.repeat('filesystem', 'openat', '/etc/x', 30, 'cp', t1), undefined);
    assert.equal(s.repeat('filesystem', 'unlink', '/etc/x', 30, 'touch', t1), undefined);
    assert.equal(s.repeat('network', 'openat', '/etc/x', 30, 'touch', t1), undefined);
    assert.equal(s.list()[0].count, 1);
    assert.deepEqual(s.overflow, { distinct: 0, events: 0 });
  });

  it('finds a target cut at MAX_TARGET_CHARS as add() does', () => {
    const s = new ViolationStore();
    const long = '/' + 'x'.repeat(MAX_TARGET_CHARS + 10);
    s.add(input(long), t0);
    assert.equal(s.repeat('filesystem', 'openat', long.slice(0, MAX_TARGET_CHARS) + 'other', 30, 'touch', t0)?.count, 2);
  });

  it('finds one of many violations sharing a target (a process renaming itself for every denial)', () => {
    const s = new ViolationStore();
    for (let i = 0; i < 50; i++) s.add(input('/etc/x', `c${i}`), t0);
    for (let i = 0; i < 50; i++) assert.equal(s.repeat('filesystem', 'openat', '/etc/x', 30, `c${i}`, t0)?.count, 2);
    s.add(input('/etc/x', 'c49'), t0);
    assert.equal(s.size, 50);
    assert.equal(s.list()[49].count, 3);
  });

  it('forgets everything on clear()', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t0);
    s.clear();
    assert.equal(s.repeat('filesystem', 'openat', '/etc/x', 30, 'touch', t0), undefined);
    assert.equal(s.add(input('/etc/x'), t0)?.count, 1);
  });
});

describe('ViolationStore merge key', () => {
  it('merges inputs whose fields differ but whose keys are equal (NUL inside a name), as the key always did', () => {
    const s = new ViolationStore();
    s.add({ ...input('/a\u000030\u0000b'), errno: 13 }, t0);
    s.add({ ...input('/a'), process: { comm: 'b\u000013\u0000touch', pid: 1 } }, t1);
    assert.equal(s.size, 1);
    assert.equal(s.list()[0].count, 2);
    assert.equal(s.list()[0].target, '/a\u000030\u0000b');
  });

  it('keeps the input fields in their order, then its own, in every violation', () => {
    const s = new ViolationStore();
    const v = s.add({ category: 'filesystem', operation: 'rename', target: '/a', givenPath: 'a', relatedPath: '/b', errno: 30, source: 'ebpf', process: { comm: 'mv', pid: 2 } }, t0);
    assert.deepEqual(Object.keys(v ?? {}), [
      'category', 'operation', 'target', 'givenPath', 'relatedPath', 'errno', 'source', 'process',
      'key', 'errnoName', 'message', 'count', 'firstSeen', 'lastSeen',
    ]);
  });
});

describe('ViolationStore.addTo and generation', () => {
  it('counts into a violation it returned, and changes generation only when it drops violations', () => {
    const s = new ViolationStore(1);
    const g = s.generation;
    const v = s.add(input('/etc/x'), t0);
    s.add(input('/etc/y'), t0); // overflow: nothing held is dropped
    assert.equal(s.generation, g);
    if (!v) throw new Error('not added');
    s.addTo(v, t1, 4);
    assert.deepEqual([v.count, v.firstSeen, v.lastSeen], [5, t0, t1]);
    s.clear();
    assert.notEqual(s.generation, g);
  });
});

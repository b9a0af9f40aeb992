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
    s.add(input('/a'), t1, 3, '7');
    s.repeatsSoFar('7', 2, t1);
    s.clear();
    sub.dispose();
    s.add(input('/b'), t0);
    assert.deepEqual(seen, ['added', 'updated', 'updated', 'updated', 'cleared']);
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

describe('ViolationStore.repeatsSoFar (running totals of repeats under a kernel record id)', () => {
  it('counts into the violation added under the id exactly as add() would, times and change events included', () => {
    const viaAdd = new ViolationStore();
    const viaId = new ViolationStore();
    const kinds: string[] = [];
    viaId.onChange((c) => kinds.push(c.kind));
    viaAdd.add(input('/etc/x'), t1);
    viaId.add(input('/etc/x'), t1, 1, '77');
    viaAdd.add(input('/etc/x'), t0, 3);
    const v = viaId.repeatsSoFar('77', 3, t0);
    assert.equal(viaId.repeatsSoFar('77', 3, t1), undefined); // nothing new: not counted again
    assert.equal(v, viaId.list()[0]);
    assert.deepEqual(viaId.list(), viaAdd.list());
    assert.deepEqual(kinds, ['added', 'updated']);
  });

  it('counts nothing for an id it was never given', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t0, 1, '77');
    assert.equal(s.repeatsSoFar('78', 5, t1), undefined);
    assert.deepEqual([s.list()[0].count, s.overflow.events], [1, 0]);
  });

  it('brings a denial back after clear(), with the repeats counted since', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t0, 1, '77');
    s.repeatsSoFar('77', 4, t0);
    s.clear();
    const v = s.repeatsSoFar('77', 50, t1);
    assert.deepEqual(s.list(), [v]);
    assert.deepEqual([v?.target, v?.count, v?.firstSeen, s.overflow.events], ['/etc/x', 46, t1, 0]);
  });

  it('counts repeats of a denial that arrived past the bound as overflow, and holds it once there is room', () => {
    const s = new ViolationStore(1);
    s.add(input('/etc/x'), t0, 1, '1');
    assert.equal(s.add(input('/etc/y'), t0, 1, '2'), undefined);
    assert.equal(s.repeatsSoFar('2', 4, t0), undefined);
    assert.deepEqual(s.overflow, { distinct: 1, events: 5 });
    s.clear();
    assert.equal(s.repeatsSoFar('2', 7, t1)?.count, 3);
  });
});

describe('ViolationStore lookups', () => {
  it('finds a target cut at MAX_TARGET_CHARS', () => {
    const s = new ViolationStore();
    const long = '/' + 'x'.repeat(MAX_TARGET_CHARS + 10);
    s.add(input(long), t0);
    assert.equal(s.add(input(long.slice(0, MAX_TARGET_CHARS) + 'other'), t0)?.count, 2);
  });

  it('finds one of many violations sharing a target (a process renaming itself for every denial)', () => {
    const s = new ViolationStore();
    for (let i = 0; i < 50; i++) s.add(input('/etc/x', `c${i}`), t0);
    for (let i = 0; i < 50; i++) assert.equal(s.add(input('/etc/x', `c${i}`), t0)?.count, 2);
    assert.equal(s.size, 50);
  });

  it('forgets every violation on clear()', () => {
    const s = new ViolationStore();
    s.add(input('/etc/x'), t0);
    s.clear();
    assert.equal(s.size, 0);
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

  it('keeps a read and a write open of one path apart (two rules), whatever the order and the scan path', () => {
    for (const comms of [1, 12]) {
      const s = new ViolationStore();
      // more than MAX_SCAN violations on one target send the lookup through the composite key
      for (let i = 1; i < comms; i++) s.add({ ...input('/home/u/.npm/_logs/x', `c${i}`, 13), openFlags: 0 }, t0);
      s.add({ ...input('/home/u/.npm/_logs/x', 'npm', 13), openFlags: 0 }, t0);
      s.add({ ...input('/home/u/.npm/_logs/x', 'npm', 13), openFlags: 0o2101 }, t0);
      s.add({ ...input('/home/u/.npm/_logs/x', 'npm', 13), openFlags: 0o2 }, t1);
      s.add({ ...input('/home/u/.npm/_logs/x', 'npm', 13), openFlags: 0o400000 }, t1); // O_RDONLY | O_CLOEXEC: a read
      const npm = s.list().filter((v) => v.process?.comm === 'npm');
      assert.deepEqual(npm.map((v) => [v.openFlags, v.count]), [[0, 2], [0o2101, 2]], String(comms));
    }
  });

  it('keeps the input fields in their order, then its own, in every violation', () => {
    const s = new ViolationStore();
    const v = s.add({ category: 'filesystem', operation: 'rename', target: '/a', givenPath: 'a', relatedPath: '/b', errno: 30, source: 'ebpf', process: { comm: 'mv', pid: 2 } }, t0);
    assert.deepEqual(Object.keys(v ?? {}), [
      'category', 'operation', 'target', 'givenPath', 'relatedPath', 'errno', 'source', 'process',
      'key', 'errnoName', 'message', 'count', 'firstSeen', 'lastSeen', 'cause',
    ]);
  });
});

describe('ViolationStore: names that are not UTF-8', () => {
  it('keeps two names apart that share one lossy text but not their bytes, and merges equal bytes', () => {
    const s = new ViolationStore();
    s.add({ ...input('/etc/bad\ufffd'), targetBytes: '/etc/bad\\xff' }, t0);
    s.add({ ...input('/etc/bad\ufffd'), targetBytes: '/etc/bad\\xfe' }, t0);
    s.add({ ...input('/etc/bad\ufffd'), targetBytes: '/etc/bad\\xff' }, t1);
    assert.equal(s.size, 2);
    assert.deepEqual(s.list().map((v) => [v.targetBytes, v.count]), [['/etc/bad\\xff', 2], ['/etc/bad\\xfe', 1]]);
  });

  it('never merges a text name with a bytes form that spells the same', () => {
    const s = new ViolationStore();
    s.add(input('/etc/bad\\xff'), t0); // a valid name with a literal backslash
    s.add({ ...input('/etc/bad\\xff'), targetBytes: '/etc/bad\\xff' }, t0);
    assert.equal(s.size, 2);
  });
});

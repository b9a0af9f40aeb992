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

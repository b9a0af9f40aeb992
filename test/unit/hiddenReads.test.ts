// Denied reads: an ENOENT where the sandbox hides a path. The program records ENOENT lookups within a
// budget of their own; the host side keeps only those whose path the host had before the run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ViolationInput } from '../../src/core/model';
import { MonitorDecoder } from '../../src/core/protocol/monitorDecoder';
import { LOOKUP_BUDGET, LOOKUP_BURST, LOOKUP_BURST_CAPACITY, monitorProgram, PROGRAM_VERSION } from '../../src/core/protocol/monitorProgram';
import { formatViolationLine } from '../../src/core/report/format';
import { suggestRule } from '../../src/core/report/policy';
import { toReportViolation } from '../../src/core/report/report';
import { ViolationStore } from '../../src/core/store';
import { hiddenReadCheck } from '../../src/sandbox/hiddenRead';

const T = '0123456789abcdef0123456789abcdef';
const at = new Date('2026-12-01T10:00:00Z');
const f = (nr: number, ret: number, rid: number, path: string, comm = 'git') => `${T}|F|${nr}|7|7|${ret}|0|${rid}|0|${T}|${comm}|${T}|${path}|${T}`;

function decode(lines: string[], hiddenLookup?: (v: ViolationInput) => boolean) {
  const store = new ViolationStore();
  const d = new MonitorDecoder({ token: T, store, onLifecycle: () => undefined, now: () => at, ...(hiddenLookup ? { hiddenLookup } : {}) });
  d.feed([`${T}|BEGIN|${PROGRAM_VERSION}|1|2|3|1024|${T}`, ...lines].map((l) => `${l}\n`).join(''));
  d.end();
  return { list: store.list(), stats: d.stats };
}

describe('hidden reads (ENOENT where the sandbox hides a path)', () => {
  it('reports no lookup unless the host side says the sandbox hid it', () => {
    const lines = [f(257, -2, 11, '/home/u/.config/git/config'), f(4, -2, 12, '/usr/local/sbin/git'), f(257, -30, 13, '/etc/x', 'touch')];
    const none = decode(lines);
    assert.deepEqual(none.list.map((v) => v.target), ['/etc/x']);
    assert.equal(none.stats.lookupsDropped, 2);
    const some = decode(lines, (v) => v.target.startsWith('/home/u/.config/'));
    assert.deepEqual(some.list.map((v) => [v.operation, v.target, v.errnoName, v.hidden]), [
      ['openat', '/home/u/.config/git/config', 'ENOENT', true],
      ['openat', '/etc/x', 'EROFS', undefined],
    ]);
    assert.equal(some.stats.lookupsDropped, 1);
  });

  it('credits a hidden read\'s repeats, and counts lookups past their budget as dropped, never as a denial', () => {
    const { list, stats } = decode(
      [f(262, -2, 21, '/srv/secret/a'), `${T}|COUNTS|${T}`, '@cnt[21]: 4', '@over[262, -2]: 900', '@over[257, -30]: 3', `${T}|COUNTS_END|${T}`],
      () => true,
    );
    assert.deepEqual(list.map((v) => [v.operation, v.target, v.count]), [
      ['newfstatat', '/srv/secret/a', 5],
      ['openat', '(openat denials not itemised: past the monitor\'s record rate or budget)', 3],
    ]);
    assert.equal(stats.lookupsDropped, 900);
  });

  it('offers no rule (allowRead does not lift a denyRead mask), says "hidden" and keeps the flag in the JSON', () => {
    const [v] = decode([f(59, -2, 31, '/opt/tools/bin/x', 'sh')], () => true).list;
    assert.equal(suggestRule(v), undefined);
    assert.match(formatViolationLine(v), /✗ execve: \/opt\/tools\/bin\/x \(No such file or directory, sh:7, hidden by the sandbox\)/);
    assert.equal(toReportViolation(v).hidden, true);
  });

  for (const variant of ['legacy', 'modern'] as const) {
    it(`${variant}: lookups are traced for ENOENT only, with a budget, a rate and a bucket of their own`, () => {
      const program = monitorProgram(variant);
      const branch = /\} else if \(\$r == -2\) \{\n\s+if \(([^)]*(?:\)[^{])*)\) \{\n\s+\$want = 3;/.exec(program);
      assert.ok(branch, 'an ENOENT branch for lookups');
      for (const nr of [2, 257, 437, 59, 322, 4, 6, 262, 332, 21, 269, 439, 89, 267, 80]) assert.ok(branch[1].includes(`$id == ${nr}`), String(nr));
      assert.ok(program.includes(`($want == 3 && @lprinted < ${LOOKUP_BUDGET} && @ltokens > 0) || ($want != 3 && @printed < 12000 && @tokens > 0)`));
      assert.ok(program.includes(`@ltokens = @ltokens + ${LOOKUP_BURST};`));
      assert.ok(program.includes(`@ltokens = ${LOOKUP_BURST_CAPACITY};`));
      // the errno stays in the dedup key: a lookup and a denial of one path are two records
      assert.ok(program.includes('@rid[$id, $r * 2 - (($s & 1603) != 0 ? 1 : 0), comm, $o, str(uptr($p))]'));
    });
  }
});

describe('hiddenReadCheck (the host side, as the user)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fl-hidden-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const input = (target: string, more: Partial<ViolationInput> = {}): ViolationInput => ({ category: 'filesystem', operation: 'openat', target, errno: 2, source: 'ebpf', process: { comm: 'cat', pid: 1 }, ...more });

  it('says hidden only for a path the host had before the run began', () => {
    const old = path.join(dir, 'old.conf');
    writeFileSync(old, 'x');
    utimesSync(old, new Date(0), new Date(0));
    const start = Date.now() + 1000;
    const check = hiddenReadCheck(start);
    assert.equal(check(input(old)), true);
    // born during the run: the command made it after its own lookup (a writable directory)
    assert.equal(hiddenReadCheck(start - 60_000)(input(old)), false);
    assert.equal(check(input(path.join(dir, 'absent'))), false);
    assert.equal(check(input('old.conf', { givenPath: 'old.conf' })), false);
    assert.equal(check(input(old, { truncated: true })), false);
    assert.equal(check(input('/proc/1/status')), false);
    assert.equal(check(input('/dev/null')), false);
  });
});

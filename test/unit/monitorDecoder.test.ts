import { suggestRule } from '../../src/core/report/policy';
import assert from 'node:assert/strict';
import { MonitorDecoder, type MonitorLifecycle } from '../../src/core/protocol/monitorDecoder';
import { PROGRAM_VERSION } from '../../src/core/protocol/monitorProgram';
import { ViolationStore } from '../../src/core/store';

const T = 'fedcba9876543210fedcba9876543210';
const at = new Date('2026-11-28T10:00:00Z');

function decode(lines: string[], stderr: string[] = []) {
  const store = new ViolationStore();
  const events: MonitorLifecycle[] = [];
  const other: string[] = [];
  const d = new MonitorDecoder({ token: T, store, onLifecycle: (e) => events.push(e), onOther: (l) => other.push(l), now: () => at });
  d.feed(lines.map((l) => `${l}\n`).join(''));
  for (const l of stderr) d.stderrLine(l);
  d.end();
  return { store, events, other, stats: d.stats };
}

describe('MonitorDecoder', () => {
  it('reads BEGIN, READY, EXIT and END as lifecycle events', () => {
    const { events } = decode([`${T}|BEGIN|${PROGRAM_VERSION}|100|50|1|${T}`, `${T}|READY|101|${T}`, `${T}|EXIT|root|100|2|${T}`, `${T}|END|3|${T}`]);
    assert.deepEqual(events, [
      { kind: 'begin', version: PROGRAM_VERSION, root: 100, owner: 50 },
      { kind: 'ready' },
      { kind: 'exit', who: 'root', pid: 100 },
      { kind: 'end' },
    ]);
  });

  it('flags a helper running another program version', () => {
    const { events } = decode([`${T}|BEGIN|1|100|50|1|${T}`]);
    assert.deepEqual(events, [{ kind: 'versionMismatch', found: 1 }]);
  });

  it('reports a kernel whose saved registers the program cannot find, and nothing malformed', () => {
    const { events, stats } = decode([`${T}|NOREGS|257|${T}`, `${T}|NOREGS|x|${T}`]);
    assert.deepEqual(events, [{ kind: 'noRegisters', nr: 257 }]);
    assert.equal(stats.malformed, 1);
  });

  it('turns a file record into a filesystem violation with errno name and text', () => {
    const { store } = decode([`${T}|F|257|1234|1235|-30|77|77|${T}|touch|${T}|/etc/fl_x|${T}`]);
    const [v] = store.list();
    assert.equal(v.category, 'filesystem');
    assert.equal(v.operation, 'openat');
    assert.equal(v.target, '/etc/fl_x');
    assert.equal(v.errno, 30);
    assert.equal(v.errnoName, 'EROFS');
    assert.equal(v.message, 'Read-only file system');
    assert.deepEqual(v.process, { comm: 'touch', pid: 1234 });
    assert.equal(v.count, 1);
    assert.equal(v.source, 'ebpf');
  });

  it('credits kernel-side repeat counts exactly, from running totals', () => {
    const { store } = decode([
      `${T}|F|257|1|1|-30|77|77|${T}|touch|${T}|/etc/x|${T}`,
      `${T}|COUNTS|${T}`,
      '@cnt[77]: 41',
      `${T}|COUNTS_END|${T}`,
      `${T}|COUNTS|${T}`,
      '@cnt[77]: 199999',
      '@cnt[999]: 5',
      `${T}|COUNTS_END|${T}`,
    ]);
    assert.equal(store.list()[0].count, 200000);
  });

  it('credits repeats after a clear() to the denial again, not to overflow', () => {
    const store = new ViolationStore();
    const d = new MonitorDecoder({ token: T, store, onLifecycle: () => undefined, now: () => at });
    const counts = (n: number) => `${T}|COUNTS|${T}\n@cnt[77]: ${n}\n${T}|COUNTS_END|${T}\n`;
    d.feed(`${T}|F|257|1|1|-30|77|77|${T}|touch|${T}|/etc/x|${T}\n` + counts(4));
    assert.equal(store.list()[0].count, 5);
    store.clear();
    d.feed(counts(50));
    assert.deepEqual(store.list().map((v) => [v.operation, v.target, v.process?.comm, v.count]), [['openat', '/etc/x', 'touch', 46]]);
    assert.deepEqual(store.overflow, { distinct: 0, events: 0 });
    d.feed(counts(60));
    assert.equal(store.list()[0].count, 56);
  });

  it('counts denials past the kernel\'s record rate or budget per syscall and errno, from running totals, with no rule', () => {
    const { store } = decode([
      `${T}|COUNTS|${T}`,
      '@over[257, -30]: 10',
      '@over[101, -1]: 2',
      `${T}|COUNTS_END|${T}`,
      '@over[257, -30]: 500',
      `${T}|COUNTS|${T}`,
      '@over[257, -30]: 25',
      '@over[42, -111]: 3',
      `${T}|COUNTS_END|${T}`,
    ]);
    const got = store.list().map((v) => [v.category, v.operation, v.errnoName, v.count]);
    assert.deepEqual(got, [
      ['filesystem', 'openat', 'EROFS', 25],
      ['syscall', 'ptrace', 'EPERM', 2],
      ['network', 'connect', 'ECONNREFUSED', 3],
    ]);
    assert.ok(store.list().every((v) => suggestRule(v) === undefined && v.target.includes('not itemised')));
  });

  it('ignores count lines outside a COUNTS block (they could only be forged)', () => {
    const { store } = decode([`${T}|F|257|1|1|-30|77|77|${T}|touch|${T}|/etc/x|${T}`, '@cnt[77]: 1000']);
    assert.equal(store.list()[0].count, 1);
  });

  it('pairs a rename with its second path, and uses the link path as the target of symlink', () => {
    const { store } = decode([
      `${T}|F2|316|5|5|-30|9|0|${T}|mv|${T}|/etc/hostname|${T}`,
      `${T}|P2|316|5|5|-30|9|0|${T}|mv|${T}|/etc/h2|${T}`,
      `${T}|F2|88|6|6|-30|10|0|${T}|ln|${T}|target|${T}`,
      `${T}|P2|88|6|6|-30|10|0|${T}|ln|${T}|/etc/link|${T}`,
    ]);
    const [rename, symlink] = store.list();
    assert.equal(rename.operation, 'renameat2');
    assert.equal(rename.target, '/etc/hostname');
    assert.equal(rename.relatedPath, '/etc/h2');
    assert.equal(symlink.operation, 'symlink');
    assert.equal(symlink.target, '/etc/link');
    assert.equal(symlink.relatedPath, 'target');
  });

  it('formats IPv4, IPv6 and unix socket targets', () => {
    const { store } = decode([
      `${T}|N|42|7|7|-111|1|0|2|8080|${T}|curl|${T}|127.0.0.1|${T}`,
      `${T}|N|42|7|7|-101|1|0|10|443|${T}|curl|${T}|2606:4700::1111|${T}`,
      `${T}|N|42|7|7|-13|1|0|1|0|${T}|curl|${T}|/run/dbus/system_bus_socket|${T}`,
      `${T}|N|49|7|7|-99|1|0|2|80|${T}|srv|${T}|10.9.9.9|${T}`,
    ]);
    assert.deepEqual(
      store.list().map((v) => [v.operation, v.target, v.errnoName]),
      [
        ['connect', '127.0.0.1:8080', 'ECONNREFUSED'],
        ['connect', '[2606:4700::1111]:443', 'ENETUNREACH'],
        ['connect', '/run/dbus/system_bus_socket', 'EACCES'],
        ['bind', '10.9.9.9:80', 'EADDRNOTAVAIL'],
      ],
    );
  });

  it('reports a seccomp-denied syscall by name', () => {
    const { store } = decode([`${T}|S|101|8|8|-1|1|55|${T}|gdb|${T}||${T}`]);
    const [v] = store.list();
    assert.deepEqual([v.category, v.operation, v.errnoName], ['syscall', 'ptrace', 'EPERM']);
  });

  it('leaves a relative path whose walk never came as given (never guessed), and a symlink\'s content as written', () => {
    const store = new ViolationStore();
    const d = new MonitorDecoder({ token: T, store, onLifecycle: () => undefined, now: () => at });
    d.feed([
      `${T}|F|257|4|4|-30|0|1|0|${T}|touch|${T}|out/new.txt|${T}`,
      `${T}|W|5|0|${T}|home|${T}`,
      `${T}|WEND|5|0|2|${T}`,
      `${T}|F2|88|5|5|-30|2|0|${T}|ln|${T}|../target|${T}`,
      `${T}|P2|88|5|5|-30|2|0|${T}|ln|${T}|link|${T}`,
    ].map((l) => `${l}\n`).join(''));
    assert.deepEqual(store.list().map((v) => [v.target, v.relatedPath, v.givenPath]), [
      ['out/new.txt', undefined, 'out/new.txt'],
      ['/home/link', '../target', 'link'],
    ]);
    assert.equal(suggestRule(store.list()[0]), undefined);
  });

  it('marks a path at the string limit as truncated', () => {
    const long = '/' + 'a'.repeat(198);
    const { store } = decode([`${T}|F|257|1|1|-30|2|2|${T}|touch|${T}|${long}|${T}`]);
    assert.equal(store.list()[0].truncated, true);
  });

  it('counts malformed records instead of guessing, and keeps unknown lines as info', () => {
    const { store, stats, other } = decode([`${T}|F|257|notanumber|1|-30|2|2|${T}|touch|${T}|/x|${T}`, `${T}|WHAT|${T}`, 'bpftrace said something'], []);
    assert.equal(store.size, 0);
    assert.equal(stats.malformed, 2);
    assert.deepEqual(other, ['bpftrace said something']);
  });

  it('counts lost events from bpftrace and hides the harmless RLIMIT_MEMLOCK message', () => {
    const { stats, other } = decode(['Lost 12 events'], ['ERROR: couldn\'t set RLIMIT_MEMLOCK for bpftrace', 'Lost 3 events']);
    assert.equal(stats.lostEvents, 15);
    assert.deepEqual(other, []);
  });
});

function decodeParts(parts: readonly string[]) {
  const store = new ViolationStore(5);
  const events: MonitorLifecycle[] = [];
  const other: string[] = [];
  const d = new MonitorDecoder({ token: T, store, onLifecycle: (e) => events.push(e), onOther: (l) => other.push(l), now: () => at });
  for (const p of parts) d.feed(p);
  d.end();
  return { violations: store.list(), overflow: store.overflow, events, other, stats: d.stats };
}

describe('MonitorDecoder, odd F records', () => {
  const f = (head: string, comm = 'touch', path = '/etc/x') => `${T}|F|${head}|${T}|${comm}|${T}|${path}|${T}`;
  // Every way an F record can be odd, each followed by a good one: each is merged, rejected and
  // counted as malformed exactly once, whichever chunk boundary it straddles.
  const lines = [
    f('257|1|1|-30|5|0'),
    f('257|x|1|-30|5|0'), // a malformed record, then a repeat of a good one
    f('257|2|2|-30|6|0'),
    ...['+5', ' 1', '1.0', '0x10', '1e3', '-0', '007', '-', '', '\t1', '1234567890123456', '99999999999999999'].map((n) => f(`257|${n}|${n}|${n}|5|0`)),
    f('257|1|1'),
    f('257|1|1|-30'),
    f('257|1|1|-30|5'),
    f('257|1|1|-30|5|0|extra|more'),
    f('257|1|1|-30|5|00'),
    f('257|1|1|-30|5|'),
    f('257|3|3|-30|5|77'),
    `${T}|COUNTS|${T}`,
    '@cnt[77]: 10',
    `${T}|COUNTS_END|${T}`,
    f('257|1|1|-30|5|0', 'to|uch'),
    f('257|1|1|-30|5|0', 'touch', 'rel/x'),
    f('257|4|4|-30|5|0', 'touch', 'rel/x'),
    f('257|1|1|-30|5|0', 'touch', ''),
    f('257|1|1|-30|5|0', 'touch', '/a|b'),
    f('257|1|1|-30|5|0', 'touch', `/a|${T}`),
    f('257|1|1|-30|5|0', 'touch', '/a\nb'),
    f('257|1|1|-30|5|0', 'touch', '/' + 'y'.repeat(5000)),
    f('257|1|1|-30|5|0', 'touch', '/' + 'y'.repeat(5001)), // the same target once cut at MAX_TARGET_CHARS
    f('257|1|1|-30|5|0', 'touch', '/' + 'a'.repeat(198)),
    `${T}|F|257|1|1|-30|5|0|${T}|touch|${T}`, // no path
    `${T}|F|257|1|1|-30|5|0|${T}`, // no strings
    `${T}|F2|316|5|5|-30|9|0|${T}|mv|${T}|/etc/hostname|${T}`,
    f('257|1|1|-30|5|0'),
    `${T}|FX|257|1|1|-30|5|0|${T}|touch|${T}|/etc/x|${T}`,
    f('257|1|1|-30|5|0').replace('|F|', '|f|'),
    f('83|1|1|-13|5|0', 'mkdir', '/etc/new'), // past the store's bound of 5: overflow
    f('257|1|1|-30|5|0'),
  ];
  const text = lines.map((l) => `${l}\n`).join('');

  it('merges, rejects and counts every odd record', () => {
    const fast = decodeParts([text]);
    assert.equal(fast.violations[0].count, 20); // openat /etc/x by touch: ten good lines and record 77's kernel count of 10
    assert.equal(fast.stats.records, lines.length - 1); // all but the @cnt line
    assert.equal(fast.stats.malformed, 10); // x, ' 1', '-', '', 17 digits, too few fields, no path, no strings, FX, f
  });

  it('decodes the same whichever position a chunk boundary falls at', function () {
    this.timeout(60_000); // a hang guard only: the machine may be busy
    const whole = decodeParts([text]);
    // Every position through the short records; past them, the long names are cut every 31 characters.
    for (let cut = 0; cut <= text.length; cut += cut < 2000 ? 1 : 31) {
      assert.deepEqual(decodeParts([text.slice(0, cut), text.slice(cut)]), whole, `boundary at ${cut}`);
    }
  });

  it('credits kernel-side counts to the record id of an F record', () => {
    const { violations } = decodeParts([[f('257|1|1|-30|5|42'), `${T}|COUNTS|${T}`, '@cnt[42]: 9', `${T}|COUNTS_END|${T}`].map((l) => `${l}\n`).join('')]);
    assert.equal(violations[0].count, 10);
  });
});

describe('MonitorDecoder: names are bytes', () => {
  /** The monitor's bytes as the monitor process hands them over: latin1, one character per byte. */
  const wire = (...parts: Array<string | number[]>): string =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))).toString('latin1');

  it('keeps UTF-8 names as text, with no bytes form', () => {
    const { store } = decode([wire(`${T}|F|257|1|1|-30|77|77|${T}|tou\u00e9|${T}|/etc/zo\u00eb/\u65e5\u672c|${T}`)]);
    const [v] = store.list();
    assert.equal(v.target, '/etc/zo\u00eb/\u65e5\u672c');
    assert.equal(v.targetBytes, undefined);
    assert.equal(v.process?.comm, 'tou\u00e9');
    assert.ok(suggestRule(v));
  });

  it('keeps the exact bytes of a name that is not UTF-8, and builds no rule from it', () => {
    const { store } = decode([wire(`${T}|F|257|1|1|-30|77|77|${T}|touch|${T}|/etc/bad`, [0xff, 0xfe], `utf8|${T}`)]);
    const [v] = store.list();
    assert.equal(v.target, '/etc/bad\ufffd\ufffdutf8');
    assert.equal(v.targetBytes, '/etc/bad\\xff\\xfeutf8');
    assert.equal(suggestRule(v), undefined);
  });

  it('keeps both paths of a rename apart, each with its own bytes form', () => {
    const { store } = decode([
      wire(`${T}|F2|316|5|5|-30|9|0|${T}|mv|${T}|/etc/a`, [0x80], `|${T}`),
      wire(`${T}|P2|316|5|5|-30|9|0|${T}|mv|${T}|/etc/b\u00e9|${T}`),
    ]);
    const [v] = store.list();
    assert.equal(v.targetBytes, '/etc/a\\x80');
    assert.equal(v.relatedPath, '/etc/b\u00e9');
    assert.equal(v.relatedPathBytes, undefined);
  });

  it('counts a name of 199 bytes (not characters) as possibly cut', () => {
    const name = `/etc/${'\u00e9'.repeat(97)}`; // 5 + 194 bytes
    const { store } = decode([wire(`${T}|F|257|1|1|-30|77|77|${T}|touch|${T}|${name}|${T}`)]);
    assert.equal(store.list()[0].truncated, true);
  });
});

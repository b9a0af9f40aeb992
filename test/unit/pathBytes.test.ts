import assert from 'node:assert/strict';
import { decodePathBytes, escapePathBytes, isValidUtf8, unescapePathBytes, utf8Segments } from '../../src/core/pathBytes';
import { suggestRule } from '../../src/core/report/policy';

const b = (...xs: Array<string | number>): Buffer => Buffer.concat(xs.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'utf8'))));

describe('pathBytes: the exact bytes of a name that is not UTF-8 stay recoverable', () => {
  it('keeps valid UTF-8 as text and marks nothing', () => {
    assert.deepEqual(decodePathBytes(b('/tmp/zoë/日本/😀')), { text: '/tmp/zoë/日本/😀' });
  });
  it('escapes invalid bytes as \\xNN and a backslash as \\\\, and flags the path', () => {
    const d = decodePathBytes(b('/tmp/bad', 0xff, 0xfe, 'utf8\\x'));
    assert.equal(d.text, '/tmp/bad\ufffd\ufffdutf8\\x');
    assert.equal(d.bytes, '/tmp/bad\\xff\\xfeutf8\\\\x');
  });
  it('round-trips every invalid form: stray continuation, truncated, overlong, surrogate, past U+10FFFF', () => {
    const bad = [b(0x80), b(0xc3), b(0xe2, 0x82), b(0xc0, 0xaf), b(0xe0, 0x80, 0xaf), b(0xed, 0xa0, 0x80), b(0xf4, 0x90, 0x80, 0x80), b(0xf8, 0x88, 0x80, 0x80, 0x80), b('a', 0xc3, 'b')];
    for (const x of bad) {
      assert.equal(isValidUtf8(x), false, x.toString('hex'));
      assert.equal(isValidUtf8(x), Buffer.from(x.toString('utf8'), 'utf8').equals(x), 'agrees with Node\'s decoder');
      const e = escapePathBytes(x);
      assert.ok(unescapePathBytes(e).equals(x), `${x.toString('hex')} -> ${e}`);
    }
  });
  it('round-trips 2,000 random byte strings exactly', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    for (let n = 0; n < 2000; n++) {
      const x = Buffer.from(Array.from({ length: 1 + (n % 17) }, rnd));
      assert.ok(unescapePathBytes(escapePathBytes(x)).equals(x), x.toString('hex'));
      assert.equal(isValidUtf8(x), Buffer.from(x.toString('utf8'), 'utf8').equals(x), x.toString('hex'));
    }
  });
  it('segments into valid runs and single bytes', () => {
    assert.deepEqual(utf8Segments(b('ab', 0xff, 'ç', 0xfe, 0xfd)), ['ab', 0xff, 'ç', 0xfe, 0xfd]);
  });
  it('refuses a form it cannot have written', () => {
    assert.throws(() => unescapePathBytes('a\\q'), /stray backslash/);
    assert.throws(() => unescapePathBytes('a\\x4'), /stray backslash/);
  });
  it('never builds a rule from a lossy path', () => {
    const base = { category: 'filesystem' as const, operation: 'openat', errno: 30, target: '/etc/bad\ufffd' };
    assert.ok(suggestRule({ ...base, target: '/etc/good' }));
    assert.equal(suggestRule({ ...base, targetBytes: '/etc/bad\\xff' }), undefined);
    assert.equal(suggestRule({ ...base, target: '/etc/a', relatedPath: '/etc/b\ufffd', relatedPathBytes: '/etc/b\\xff', operation: 'rename' }), undefined);
  });
});

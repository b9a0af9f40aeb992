import assert from 'node:assert/strict';
import { describeTarget, formatViolationLine, printable, printablePath } from '../../src/core/report/format';
import { ViolationStore } from '../../src/core/store';

describe('formatViolationLine', () => {
  it('writes Fence\'s style with HH:MM:SS (Go layout 15:04:05), operation, target, errno text and process', () => {
    const s = new ViolationStore();
    const v = s.add({ category: 'filesystem', operation: 'openat', target: '/etc/hosts', errno: 30, source: 'ebpf', process: { comm: 'touch', pid: 1234 } }, new Date(2026, 10, 28, 15, 4, 5));
    assert.ok(v);
    if (v) assert.equal(formatViolationLine(v), '[fence:ebpf] 15:04:05 ✗ openat: /etc/hosts (Read-only file system, touch:1234)');
  });
  it('shows control characters in names instead of letting them draw fake lines', () => {
    assert.equal(printable('/tmp/a\nb\u001b[31m'), '/tmp/a\\nb\\x1b[31m');
    assert.equal(describeTarget({ target: '/a', relatedPath: '/b', truncated: true }), '/a…[truncated] -> /b');
  });
});

describe('printable: every character that is not what it looks like is shown escaped', () => {
  const cases: Array<[string, string, string]> = [
    ['C0 controls', 'a\u0000b\u0007c\u001b[31m\rd', 'a\\x00b\\x07c\\x1b[31m\\rd'],
    ['newline and tab', 'a\nb\tc', 'a\\nb\\tc'],
    ['DEL and C1 controls', 'a\u007fb\u0085c\u009bd', 'a\\x7fb\\x85c\\x9bd'],
    ['bidi embeddings and overrides U+202A-202E', '\u202a\u202b\u202c\u202d\u202e', '\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}'],
    ['bidi isolates U+2066-2069', '\u2066\u2067\u2068\u2069', '\\u{2066}\\u{2067}\\u{2068}\\u{2069}'],
    ['bidi marks U+200E, U+200F, U+061C', '\u200e\u200f\u061c', '\\u{200e}\\u{200f}\\u{61c}'],
    ['zero-width characters and BOM', 'a\u200bb\u200cc\u200dd\u2060e\ufeff', 'a\\u{200b}b\\u{200c}c\\u{200d}d\\u{2060}e\\u{feff}'],
    ['soft hyphen', 'pass\u00adwd', 'pass\\xadwd'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['spaces other than U+0020', 'a b\u00a0c\u2007d\u3000e\u202ff', 'a b\\xa0c\\u{2007}d\\u{3000}e\\u{202f}f'],
    ['tag characters', 'x\u{e0041}\u{e007f}', 'x\\u{e0041}\\u{e007f}'],
    ['variation selectors and the grapheme joiner', 'a\ufe0fb\u034fc\u{e0100}', 'a\\u{fe0f}b\\u{34f}c\\u{e0100}'],
    ['blank letters', '\u115f\u1160\u3164\uffa0\u2800', '\\u{115f}\\u{1160}\\u{3164}\\u{ffa0}\\u{2800}'],
    ['private use and unassigned', '\ue000\u{10fffd}\u0378', '\\u{e000}\\u{10fffd}\\u{378}'],
    ['lone surrogates', 'a\ud800b\udc00', 'a\\u{d800}b\\u{dc00}'],
    ['Mongolian vowel separator', 'a\u180eb', 'a\\u{180e}b'],
    ['a backslash, so that an escape in the output always means the character', 'a\\x1b', 'a\\\\x1b'],
  ];
  for (const [what, input, shown] of cases) {
    it(what, () => assert.equal(printable(input), shown));
  }
  it('keeps ordinary letters, accents, CJK, emoji and Arabic/Hebrew text as they are', () => {
    const plain = '/home/zoë/日本語/😀 file/שלום/مرحبا/e\u0301';
    assert.equal(printable(plain), plain);
  });
  it('shows an override in a file name so the text after it is not reversed', () => {
    const v = new ViolationStore().add({ category: 'filesystem', operation: 'openat', target: '/tmp/invoice\u202egpj.exe', errno: 30, source: 'ebpf', process: { comm: 'touch', pid: 7 } }, new Date(2026, 0, 1, 1, 2, 3));
    assert.ok(v);
    if (v) assert.equal(formatViolationLine(v), '[fence:ebpf] 01:02:03 ✗ openat: /tmp/invoice\\u{202e}gpj.exe (Read-only file system, touch:7)');
  });
  it('escapes the operation and message too (Fence\'s proxy lines carry the request method a process sent)', () => {
    const v = new ViolationStore().add({ category: 'network', operation: 'GET\u001b[2K', target: 'example.com:80', errno: null, source: 'fence-http', process: { comm: 'curl', pid: 9 } }, new Date(2026, 0, 1, 1, 2, 3));
    assert.ok(v);
    if (v) assert.match(formatViolationLine(v), /✗ GET\\x1b\[2K: example\.com:80/);
  });
});

describe('printablePath and describeTarget: a name that is not UTF-8 is shown byte for byte', () => {
  it('shows each invalid byte as \\xNN, escaping the valid runs as usual', () => {
    assert.equal(printablePath('/tmp/bad\ufffd\ufffdutf8', '/tmp/bad\\xff\\xfeutf8'), '/tmp/bad\\xff\\xfeutf8');
    assert.equal(printablePath('/tmp/\u202e\ufffd', '/tmp/\u202e\\xff'), '/tmp/\\u{202e}\\xff');
    assert.equal(printablePath('/a\\b\ufffd', '/a\\\\b\\xc0'), '/a\\\\b\\xc0');
  });
  it('falls back to the escaped text for a bytes form it cannot read', () => {
    assert.equal(printablePath('/x\u001b', '/x\\q'), '/x\\x1b');
  });
  it('describeTarget uses the exact bytes for both paths of a rename', () => {
    assert.equal(describeTarget({ target: '/t/a\ufffd', targetBytes: '/t/a\\x80', relatedPath: '/t/b\ufffd', relatedPathBytes: '/t/b\\xfe', truncated: false }), '/t/a\\x80 -> /t/b\\xfe');
  });
});

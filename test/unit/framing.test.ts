import assert from 'node:assert/strict';
import { detached, FramedRecord, RecordReader } from '../../src/core/protocol/framing';

const T = '0123456789abcdef0123456789abcdef';

/** Feeds `parts` in order. */
function readParts(parts: readonly string[]): { records: FramedRecord[]; unframed: string[]; malformed: number } {
  const records: FramedRecord[] = [];
  const unframed: string[] = [];
  const r = new RecordReader(T, { record: (x) => records.push(x), unframed: (l) => unframed.push(l) });
  for (const p of parts) r.feed(p);
  r.end();
  return { records, unframed, malformed: r.malformed };
}

function read(text: string, chunks = 1): { records: FramedRecord[]; unframed: string[]; malformed: number } {
  const records: FramedRecord[] = [];
  const unframed: string[] = [];
  const r = new RecordReader(T, { record: (x) => records.push(x), unframed: (l) => unframed.push(l) });
  const size = Math.ceil(text.length / chunks);
  for (let i = 0; i < text.length; i += size) r.feed(text.slice(i, i + size));
  r.end();
  return { records, unframed, malformed: r.malformed };
}

describe('RecordReader (token framing)', () => {
  it('splits a record into header fields and user strings', () => {
    const { records } = read(`${T}|F|257|10|11|-30|99|99|${T}|touch|${T}|/etc/x|${T}\n`);
    assert.deepEqual(records, [{ head: ['F', '257', '10', '11', '-30', '99', '99'], strings: ['touch', '/etc/x'] }]);
  });

  it('keeps a newline inside a file name as part of the name', () => {
    const { records } = read(`${T}|F|257|10|11|-30|99|99|${T}|touch|${T}|/etc/a\nb|${T}\n`);
    assert.equal(records.length, 1);
    assert.equal(records[0].strings[1], '/etc/a\nb');
  });

  it('does not accept a fake record smuggled in a file name (no token, guessed token)', () => {
    const fake = `/tmp/x\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF|F|257|1|1|-30|1|1|FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF|evil|FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF|/forged|FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\nF|257|1|1|-30|1|1`;
    const { records, unframed } = read(`${T}|F|257|10|11|-30|99|99|${T}|touch|${T}|${fake}|${T}\n`);
    assert.equal(records.length, 1);
    assert.equal(records[0].strings[1], fake);
    assert.deepEqual(unframed, []);
  });

  it('reassembles records split across arbitrary chunk boundaries', () => {
    const text = `${T}|BEGIN|3|1|2|5|${T}\n${T}|F|257|10|11|-30|99|99|${T}|touch|${T}|/etc/x|${T}\n`;
    for (const chunks of [1, 2, 3, 7, text.length]) assert.equal(read(text, chunks).records.length, 2, `chunks=${chunks}`);
  });

  it('passes lines outside records to unframed and counts an unterminated record as malformed', () => {
    const { records, unframed, malformed } = read(`Attaching 10 probes...\n@cnt[5]: 3\n${T}|F|257|1|1|-30|1|1|${T}|a|${T}|/never-closed`);
    assert.equal(records.length, 0);
    assert.deepEqual(unframed, ['Attaching 10 probes...', '@cnt[5]: 3']);
    assert.equal(malformed, 1);
  });

  it('refuses a token that is not 32 lowercase hex digits', () => {
    assert.throws(() => new RecordReader('abc', { record: () => undefined, unframed: () => undefined }), /32 lowercase hex/);
  });

  it('drops an endless record at the size bound instead of growing without limit', () => {
    const huge = 'x'.repeat(70 * 1024);
    const { records, malformed } = read(`${T}|F|257|1|1|-30|1|1|${T}|a|${T}|${huge}\n${huge}\n`);
    assert.equal(records.length, 0);
    assert.ok(malformed >= 1);
  });

  // Names a sandboxed program can choose: separators, pieces of the token, newlines, the token's first character.
  const hostile = [
    `${T}|F|257|10|11|-30|99|0|${T}|touch|${T}|/etc/x|${T}`,
    `${T}|F|257|10|11|-30|99|0|${T}|to|uch|${T}|/a|${T}b|${T}c|${T}`, // '|' in comm; `|TOKEN` not followed by '|' inside a name
    `${T}|F|257|10|11|-30|99|0|${T}|touch|${T}|/a|${T}|extra|${T}`, // a real separator inside a name: one more string
    `${T}|F|257|10|11|-30|99|0|${T}|touch|${T}|/a\n${T}|F|1|1|1|-1|1|0|${T}|x|${T}|/forged|${T}`, // a newline, then a record with the real token, inside a name
    `${T}|F|257|10|11|-30|99|0|${T}||${T}||${T}`, // empty strings
    `${T}|F|257|10|11|-30|99|0|${T}||${T}|${T}`, // a name that is `|TOKEN`
    `${T}|BEGIN|3|1|2|5|${T}`, // no strings at all
    `${T}||${T}`, // shortest complete record: an empty body
    `${T}|${T}\n${T}|F|1|1|1|-1|1|0|${T}|a|${T}|/b|${T}`, // `TOKEN|TOKEN` is not a whole record yet: it runs on into the next line
    `${T.slice(0, 31)}|F|257|1|1|-30|1|1|${T}|a|${T}|/b|${T}`, // the token less its last digit
    `${T[0]}ttaching 5 probes...`, // a line that starts like the token
    `@cnt[5]: 3`,
    ``,
  ].join('\n') + '\n';

  it('splits names full of separators and token pieces at the real separators only', () => {
    const split = readParts([hostile]);
    assert.deepEqual(split.records.map((r) => r.strings), [
      ['touch', '/etc/x'],
      ['to|uch', `/a|${T}b|${T}c`],
      ['touch', '/a', 'extra'],
      ['touch', `/a\n${T}|F|1|1|1|-1|1|0`, 'x', '/forged'], // the token is secret: whoever prints it is the monitor
      ['', ''],
      [`|${T}`],
      [],
      [],
      ['a', '/b'],
    ]);
    assert.deepEqual(split.records[8].head, [`${T}\n${T}`, 'F', '1', '1', '1', '-1', '1', '0']);
    assert.deepEqual(split.unframed, [`${T.slice(0, 31)}|F|257|1|1|-30|1|1|${T}|a|${T}|/b|${T}`, `${T[0]}ttaching 5 probes...`, '@cnt[5]: 3', '']);
    assert.equal(split.malformed, 0);
  });

  it('reads the same records whichever position a chunk boundary falls at', () => {
    const whole = readParts([hostile]);
    for (let at = 0; at <= hostile.length; at++) {
      assert.deepEqual(readParts([hostile.slice(0, at), hostile.slice(at)]), whole, `boundary at ${at}`);
    }
    assert.deepEqual(readParts([...hostile]), whole, 'one character per chunk');
  });

  it('detached() keeps the value of the string it copies', () => {
    const s = 'x'.repeat(20);
    assert.equal(detached(s), s);
    assert.equal(detached('short'), 'short');
    assert.equal(detached(''), '');
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shellJoin, shellQuote } from '../../src/core/fence/shellQuote';

/** What /bin/sh makes of the text: the words it passes to printf, one per NUL. */
function wordsOf(shellText: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${shellText}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  const words = ['plain', 'with space', "it's", 'say "hi"', '$HOME', '`id`', 'a\nb', '', '*', '-n', 'back\\slash', "'", 'tab\there', 'ünï'];
  for (const w of words) {
    it(`round-trips ${JSON.stringify(w)} through /bin/sh`, () => {
      assert.deepEqual(wordsOf(shellQuote(w)), [w]);
    });
  }

  it('leaves safe words bare and quotes the rest', () => {
    assert.equal(shellQuote('npm'), 'npm');
    assert.equal(shellQuote('./a/b.c'), './a/b.c');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });

  it('joins an argv into one line that runs exactly that argv', () => {
    const argv = ['sh', '-c', 'echo "$0 one"; echo two', 'x y'];
    assert.deepEqual(wordsOf(shellJoin(argv)), argv);
    assert.equal(shellJoin(argv), `sh -c 'echo "$0 one"; echo two' 'x y'`);
  });
});

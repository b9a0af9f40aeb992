import assert from 'node:assert/strict';
import { commandLine, fenceArgs } from '../../src/core/fence/fenceArgs';

describe('fenceArgs', () => {
  it('passes a shell string to -c verbatim and an argv after --', () => {
    assert.deepEqual(fenceArgs({ command: 'echo "$HOME" && rm -rf x' }), ['-m', '-c', 'echo "$HOME" && rm -rf x']);
    assert.deepEqual(fenceArgs({ command: ['a b', '--', ';'], settings: '/s.json', ports: [3000], logFile: '/tmp/p/fence.log' }), [
      '-m', '--fence-log-file', '/tmp/p/fence.log', '--settings', '/s.json', '-p', '3000', '--', 'a b', '--', ';',
    ]);
  });
  it('refuses an empty argv and bad ports', () => {
    assert.throws(() => fenceArgs({ command: [] }), /no command/);
    assert.throws(() => fenceArgs({ command: 'x', ports: [0] }), /invalid port/);
  });
  it('quotes argv for display', () => {
    assert.equal(commandLine(['echo', "it's", 'a b', 'plain']), `echo 'it'\\''s' 'a b' plain`);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { commandLine, fenceArgs } from '../../src/core/fence/fenceArgs';

describe('fenceArgs', () => {
  it('passes a shell string to -c verbatim and an argv after -- to a fence that quotes', () => {
    assert.deepEqual(fenceArgs({ command: 'echo "$HOME" && rm -rf x', quotesArgv: true }), ['-m', '-c', 'echo "$HOME" && rm -rf x']);
    assert.deepEqual(fenceArgs({ command: ['a b', '--', ';'], settings: '/s.json', ports: [3000], logFile: '/tmp/p/fence.log', quotesArgv: true }), [
      '-m', '--fence-log-file', '/tmp/p/fence.log', '--settings', '/s.json', '-p', '3000', '--', 'a b', '--', ';',
    ]);
  });
  it('quotes an argv into -c for a fence that joins the words after -- unquoted, so the shell gets the same words', () => {
    const argv = ['sh', '-c', 'echo "$0 one"; echo two', 'x y'];
    const args = fenceArgs({ command: argv, quotesArgv: false });
    assert.deepEqual(args.slice(0, 2), ['-m', '-c']);
    assert.equal(args.length, 3);
    // what fence then runs: bash -c STRING
    const r = spawnSync('bash', ['-c', args[2]], { encoding: 'utf8' });
    assert.equal(r.stdout, 'x y one\ntwo\n');
  });
  it('binds the log file into the sandbox where asked, and passes a template', () => {
    assert.deepEqual(fenceArgs({ command: 'true', logFile: '/var/tmp/d/fence.log', exposeLogFile: true, template: 'code', quotesArgv: true }), [
      '-m', '--fence-log-file', '/var/tmp/d/fence.log', '--expose-host-path-rw', '/var/tmp/d/fence.log', '--template', 'code', '-c', 'true',
    ]);
  });
  it('refuses an empty argv, bad ports and a template name that is not a name', () => {
    assert.throws(() => fenceArgs({ command: [], quotesArgv: true }), /no command/);
    assert.throws(() => fenceArgs({ command: 'x', ports: [0], quotesArgv: true }), /invalid port/);
    assert.throws(() => fenceArgs({ command: 'x', template: '--debug', quotesArgv: true }), /invalid template name/);
  });
  it('quotes argv for display', () => {
    assert.equal(commandLine(['echo', "it's", 'a b', 'plain']), `echo 'it'\\''s' 'a b' plain`);
  });
});

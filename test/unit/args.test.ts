import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args';

describe('CLI arguments (the stable contract)', () => {
  it('parses run with every option and an argv command', () => {
    assert.deepEqual(parseArgs(['run', '--settings', 'f.json', '--monitor', 'pkexec', '--json', '-', '--fence', '/opt/fence', '-p', '3000', '--', 'npm', 'test', '--', 'x']), {
      name: 'run', command: ['npm', 'test', '--', 'x'], settings: 'f.json', monitor: 'pkexec', json: '-', sarif: undefined, fence: '/opt/fence', ports: [3000],
    });
  });
  it('parses --template and -t', () => {
    const t = parseArgs(['run', '--template', 'code', '-c', 'true']);
    assert.ok(t.name === 'run' && t.template === 'code');
    const short = parseArgs(['run', '-t', 'code-strict', '--', 'true']);
    assert.ok(short.name === 'run' && short.template === 'code-strict');
    const none = parseArgs(['run', '--', 'true']);
    assert.ok(none.name === 'run' && !('template' in none));
  });
  it('parses -c and --opt=value forms', () => {
    const c = parseArgs(['run', '--monitor=off', '-c', 'echo hi && exit 3']);
    assert.ok(c.name === 'run' && c.command === 'echo hi && exit 3' && c.monitor === 'off');
  });
  it('rejects bad input with a usage error', () => {
    for (const bad of [['run'], ['run', '--monitor', 'root', '--', 'x'], ['run', '--', ], ['run', '-c', 'a', '--', 'b'], ['nope'], ['run', '-p', '99999', '--', 'x'], ['run', '--bogus', '--', 'x']]) {
      assert.throws(() => parseArgs(bad), UsageError, bad.join(' '));
    }
  });
  it('parses doctor and install-helper', () => {
    assert.deepEqual(parseArgs(['doctor']), { name: 'doctor' });
    assert.deepEqual(parseArgs(['install-helper', '--yes']), { name: 'install-helper', yes: true });
    assert.deepEqual(parseArgs(['install-helper']), { name: 'install-helper', yes: false });
    assert.deepEqual(parseArgs(['install-helper', '--yes', '--bpftrace', '/opt/b']), { name: 'install-helper', yes: true, bpftrace: '/opt/b' });
    assert.deepEqual(parseArgs(['install-helper', '--bpftrace=/opt/b']), { name: 'install-helper', yes: false, bpftrace: '/opt/b' });
    assert.throws(() => parseArgs(['install-helper', '--bpftrace']), UsageError);
  });
});

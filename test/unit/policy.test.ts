import assert from 'node:assert/strict';
import type { Violation } from '../../src/core/model';
import { hostOf, suggestRule } from '../../src/core/report/policy';

type V = Pick<Violation, 'category' | 'operation' | 'target' | 'errno' | 'relatedPath' | 'truncated' | 'openFlags'>;
const v = (category: V['category'], operation: string, target: string, errno: number | null = 30): V => ({ category, operation, target, errno });

describe('suggestRule', () => {
  it('allows the file\'s directory for a write to an existing path (Fence\'s Landlock ignores file entries)', () => {
    assert.deepEqual(suggestRule(v('filesystem', 'openat', '/etc/hosts')), { setting: 'filesystem.allowWrite', value: '/etc', description: 'Allow writing in /etc' });
  });
  it('allows the directory for creates, renames and deletes', () => {
    assert.equal(suggestRule(v('filesystem', 'mkdir', '/srv/out/new'))?.value, '/srv/out');
    assert.equal(suggestRule(v('filesystem', 'renameat2', '/etc/hostname'))?.value, '/etc');
    assert.equal(suggestRule(v('filesystem', 'unlink', '/a'))?.value, '/');
  });
  it('suggests allowRead for a read refused with EACCES, allowExecute for exec', () => {
    assert.equal(suggestRule(v('filesystem', 'openat', '/secret', 13))?.setting, 'filesystem.allowRead');
    assert.equal(suggestRule(v('filesystem', 'execve', '/opt/tool', 13))?.setting, 'filesystem.allowExecute');
  });
  it('suggests nothing for what Fence\'s mounts refuse whatever the rules: EBUSY on its own file binds, EXDEV across them', () => {
    assert.equal(suggestRule(v('filesystem', 'rename', '/ws/.git/config', 16)), undefined);
    assert.equal(suggestRule(v('filesystem', 'renameat2', '/tmp/x', 18)), undefined);
  });
  it('reads write intent from an open\'s flags: an EACCES append in ~/.npm/_logs is allowWrite of the directory', () => {
    const O_WRONLY_CREAT_APPEND = 0o1 | 0o100 | 0o2000;
    assert.deepEqual(suggestRule({ ...v('filesystem', 'openat', '/home/u/.npm/_logs/2026-debug-0.log', 13), openFlags: O_WRONLY_CREAT_APPEND }), {
      setting: 'filesystem.allowWrite',
      value: '/home/u/.npm/_logs',
      description: 'Allow writing in /home/u/.npm/_logs',
    });
    // O_RDONLY | O_CLOEXEC: a read, refused by Landlock
    assert.equal(suggestRule({ ...v('filesystem', 'openat', '/secret', 13), openFlags: 0o2000000 })?.setting, 'filesystem.allowRead');
    // O_RDWR alone, and O_TRUNC alone, write
    assert.equal(suggestRule({ ...v('filesystem', 'open', '/srv/db', 13), openFlags: 0o2 })?.value, '/srv');
    assert.equal(suggestRule({ ...v('filesystem', 'openat', '/srv/t', 13), openFlags: 0o1000 })?.value, '/srv');
  });
  it('allows the directory for an unlink or mkdir refused with EACCES (Landlock), not only EROFS', () => {
    assert.equal(suggestRule(v('filesystem', 'unlink', '/home/u/.npm/_logs/old.log', 13))?.value, '/home/u/.npm/_logs');
    assert.equal(suggestRule(v('filesystem', 'mkdirat', '/srv/new', 13))?.setting, 'filesystem.allowWrite');
  });
  it('never suggests a rule for a truncated path', () => {
    assert.equal(suggestRule({ ...v('filesystem', 'openat', '/very/long'), truncated: true }), undefined);
  });
  it('suggests allowedDomains for a blocked host, local outbound for loopback, nothing for a raw public address', () => {
    assert.deepEqual(suggestRule(v('network', 'GET', 'registry.npmjs.org', null)), { setting: 'network.allowedDomains', value: 'registry.npmjs.org', description: 'Allow connections to registry.npmjs.org' });
    assert.equal(suggestRule(v('network', 'CONNECT', 'api.github.com:443', null))?.value, 'api.github.com');
    assert.equal(suggestRule(v('network', 'connect', '127.0.0.1:8080', 111))?.setting, 'network.allowLocalOutbound');
    assert.equal(suggestRule(v('network', 'bind', '127.0.0.1:80', 13))?.setting, 'network.allowLocalBinding');
    assert.equal(suggestRule(v('network', 'connect', '1.1.1.1:443', 101)), undefined);
    assert.equal(suggestRule(v('network', 'connect', '/run/dbus/system_bus_socket', 13))?.setting, 'network.allowUnixSockets');
  });
  it('parses host out of host:port and [v6]:port', () => {
    assert.equal(hostOf('[::1]:1'), '::1');
    assert.equal(hostOf('example.com:443'), 'example.com');
    assert.equal(hostOf('example.com'), 'example.com');
  });
});

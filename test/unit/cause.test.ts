import assert from 'node:assert/strict';
import { classifyCause, type HostNeed, type HostProbe, type HostVerdict } from '../../src/core/cause';
import type { ViolationInput } from '../../src/core/model';
import { suggestRule } from '../../src/core/report/policy';
import { ViolationStore } from '../../src/core/store';

/** A host as an ordinary user sees it: /etc and /usr root's, /root closed, $HOME and /tmp theirs. */
const USER_HOST: Record<string, Partial<Record<HostNeed, HostVerdict>>> = {
  '/etc': { read: 'allowed', exec: 'allowed', write: 'refused', writeDir: 'refused', own: 'refused' },
  '/etc/hosts': { read: 'allowed', write: 'refused', exec: 'refused', own: 'refused' },
  '/etc/shadow': { read: 'refused', write: 'refused', own: 'refused' },
  '/root': { read: 'refused', exec: 'refused', write: 'refused', writeDir: 'refused', own: 'refused' },
  '/root/bin/tool': { read: 'refused', exec: 'refused', write: 'refused', own: 'refused' },
  '/usr/bin/ls': { read: 'allowed', exec: 'allowed', write: 'refused', own: 'refused' },
  '/home/u': { read: 'allowed', exec: 'allowed', write: 'allowed', writeDir: 'allowed', own: 'allowed' },
  '/home/u/.gitconfig': { read: 'allowed', write: 'allowed', own: 'allowed' },
  '/home/u/x': { read: 'allowed', exec: 'allowed', write: 'allowed', own: 'allowed' },
  '/home/u/ro.txt': { read: 'allowed', write: 'refused', own: 'allowed' },
  '/home/u/wo.txt': { read: 'refused', write: 'allowed', own: 'allowed' },
  '/tmp': { read: 'allowed', exec: 'allowed', write: 'allowed', writeDir: 'allowed', own: 'refused' },
};
const probe: HostProbe = (p, need) => USER_HOST[p]?.[need] ?? 'absent';

const fs = (operation: string, target: string, errno: number, extra: Partial<ViolationInput> = {}): ViolationInput => ({
  category: 'filesystem', operation, target, errno, source: 'ebpf', process: { comm: 'c', pid: 2 }, ...extra,
});

describe('classifyCause: the sandbox, or the host\'s own permissions', () => {
  const cases: Array<[string, ViolationInput, 'host' | 'sandbox']> = [
    ['a new file in /etc (root\'s directory)', fs('openat', '/etc/new.conf', 30), 'host'],
    ['writing an existing root-owned file', fs('openat', '/etc/hosts', 30), 'host'],
    ['an EACCES open of a file the user may read (intent unknown: a read would work)', fs('openat', '/etc/hosts', 13), 'sandbox'],
    ['an EACCES open of a file the user can neither read nor write', fs('openat', '/etc/shadow', 13), 'host'],
    ['an EACCES open for writing, by its flags, of a file the user may only read', fs('openat', '/etc/hosts', 13, { openFlags: 0o1 }), 'host'],
    ['an EACCES open for reading, by its flags, of a file the user may read', fs('openat', '/etc/hosts', 13, { openFlags: 0 }), 'sandbox'],
    ['an EACCES open of a file the user may write but not read (intent unknown: a write would work)', fs('openat', '/home/u/wo.txt', 13), 'sandbox'],
    ['an EACCES open for reading, by its flags, of a file the user may write but not read', fs('openat', '/home/u/wo.txt', 13, { openFlags: 0o100000 }), 'host'],
    ['a write in the user\'s own home', fs('openat', '/home/u/.gitconfig', 30), 'sandbox'],
    ['a new file in the user\'s own directory', fs('openat', '/home/u/new', 30), 'sandbox'],
    ['a write to a read-only file the user owns (chmod would do, but it is the host)', fs('truncate', '/home/u/ro.txt', 30), 'host'],
    ['mkdir in /etc', fs('mkdir', '/etc/d', 30), 'host'],
    ['mkdir in the home', fs('mkdirat', '/home/u/d', 30), 'sandbox'],
    ['unlink and rmdir in /etc', fs('unlinkat', '/etc/hosts', 30), 'host'],
    ['symlink into the home', fs('symlinkat', '/home/u/l', 30), 'sandbox'],
    ['rename within /etc', fs('rename', '/etc/hosts', 30, { relatedPath: '/etc/hosts.bak' }), 'host'],
    ['rename from home to home', fs('renameat2', '/home/u/x', 30, { relatedPath: '/home/u/y' }), 'sandbox'],
    ['rename from home into /etc', fs('renameat', '/home/u/x', 30, { relatedPath: '/etc/x' }), 'host'],
    ['link: only the new name\'s directory counts', fs('linkat', '/etc/hosts', 30, { relatedPath: '/home/u/h' }), 'sandbox'],
    ['chmod of a file someone else owns', fs('fchmodat', '/etc/hosts', 30), 'host'],
    ['chmod of the user\'s own file', fs('chmod', '/home/u/x', 30), 'sandbox'],
    ['utimensat of a writable file', fs('utimensat', '/home/u/x', 30), 'sandbox'],
    ['utimensat of a file neither owned nor writable', fs('utimensat', '/etc/hosts', 30), 'host'],
    ['exec through a root-only directory (PATH search)', fs('execve', '/root/bin/tool', 13), 'host'],
    ['exec of a system binary', fs('execve', '/usr/bin/ls', 13), 'sandbox'],
    ['a path the host does not have (the sandbox\'s own tmpfs)', fs('openat', '/nonexistent/dir/f', 30), 'sandbox'],
    ['a relative path whose directory was not resolved', fs('openat', 'x', 30, { givenPath: 'x' }), 'sandbox'],
    ['a truncated path', fs('openat', '/etc/x', 30, { truncated: true }), 'sandbox'],
    ['a path that is not UTF-8', fs('openat', '/etc/x\ufffd', 30, { targetBytes: '/etc/x\\xff' }), 'sandbox'],
    ['mount (the sandbox forbids it; the rule knows no host need)', fs('mount', '/etc', 1), 'sandbox'],
    ['an errno no permission causes (ENOENT)', fs('openat', '/etc/new', 2), 'sandbox'],
    ['a network denial', { category: 'network', operation: 'connect', target: '10.0.0.1:80', errno: 111, source: 'ebpf', process: { comm: 'c', pid: 2 } }, 'sandbox'],
    ['a proxy denial', { category: 'network', operation: 'CONNECT', target: 'example.com:443', errno: null, source: 'fence-http', process: { comm: 'c', pid: 0 } }, 'sandbox'],
  ];
  for (const [what, v, cause] of cases) {
    it(`${what}: ${cause}`, () => assert.equal(classifyCause(v, probe), cause));
  }
  it('for root the host allows nearly everything: /etc is the sandbox\'s doing', () => {
    const rootProbe: HostProbe = (p) => (p === '/nonexistent' ? 'absent' : 'allowed');
    assert.equal(classifyCause(fs('openat', '/etc/new.conf', 30), rootProbe), 'sandbox');
    assert.equal(classifyCause(fs('execve', '/root/bin/tool', 13), rootProbe), 'sandbox');
  });
  it('keeps a cause the input already carries', () => {
    assert.equal(classifyCause(fs('openat', '/home/u/x', 30, { cause: 'host' }), probe), 'host');
  });
});

describe('ViolationStore with a classifier', () => {
  it('sets the cause before anyone is told, once per distinct violation, and no rule is suggested for host', () => {
    const store = new ViolationStore();
    let calls = 0;
    store.setClassifier((i) => {
      calls++;
      return classifyCause(i, probe);
    });
    const seen: string[] = [];
    store.onChange((c) => {
      if (c.kind === 'added') seen.push(`${c.violation.target}:${c.violation.cause}`);
    });
    const host = store.add(fs('openat', '/etc/new.conf', 30), new Date());
    store.add(fs('openat', '/etc/new.conf', 30), new Date());
    const sandbox = store.add(fs('openat', '/home/u/new', 30), new Date());
    assert.deepEqual(seen, ['/etc/new.conf:host', '/home/u/new:sandbox']);
    assert.equal(calls, 2);
    assert.ok(host && sandbox);
    if (host && sandbox) {
      assert.equal(suggestRule(host), undefined);
      assert.deepEqual(suggestRule(sandbox), { setting: 'filesystem.allowWrite', value: '/home/u', description: 'Allow writing in /home/u' });
    }
  });
  it('without a classifier every violation is the sandbox\'s', () => {
    const v = new ViolationStore().add(fs('openat', '/etc/new.conf', 30), new Date());
    assert.equal(v?.cause, 'sandbox');
  });
});

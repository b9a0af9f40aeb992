// Exactness end to end (issue 10): a denial is reported at the path the kernel acted on. Real
// fence, bwrap and bpftrace, as root (direct monitor) and as fencetest through pkexec + polkit.
// Both programs (the helper's bpftrace decides which) walk a relative path's directory in the
// kernel at the syscall; the same assertions hold for each.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ReportViolation } from '../../src/core/model';
import { bpftraceVariant, installedBpftrace } from '../../src/monitor/programs';
import { requireComponents, runCli, stage, type Stage, uidOf } from '../support/rig';

const variant = bpftraceVariant(installedBpftrace() ?? '/usr/bin/bpftrace');
const find = (vs: readonly ReportViolation[], pred: (v: ReportViolation) => boolean): ReportViolation | undefined => vs.find(pred);

for (const mode of [
  { name: 'as root (direct monitor)', user: null, monitor: 'direct', pkexec: false },
  { name: 'as an ordinary user (pkexec + polkit)', user: 'fencetest', monitor: 'pkexec', pkexec: true },
] as const) {
  describe(`exactness ${mode.name}, ${variant} program`, function () {
    this.timeout(90_000);
    let s: Stage;
    before(function () {
      requireComponents(this, { pkexec: mode.pkexec });
      s = stage(mode.user);
    });
    after(() => s?.cleanup());
    const run = async (args: string[]) => {
      const r = await runCli(s, ['--monitor', mode.monitor, ...args]);
      assert.equal(r.report.monitor.state, 'active', r.report.monitor.detail);
      return r;
    };
    const tag = () => randomBytes(4).toString('hex');

    it('reports from where the user\'s command starts: not Fence\'s own setup, and a name cannot hide a denial', async () => {
      const name = `fl-setup-${tag()}`;
      // a copy of sh named fence, run by the command: it is the user's, so its denial is reported
      const r = await run(['-c', `cp /bin/sh ./fence && ./fence -c 'touch /etc/${name}'; exit 0`]);
      assert.deepEqual(r.report.violations.filter((v) => v.operation === 'mount' || v.process?.comm === 'bwrap'), [], JSON.stringify(r.report.violations));
      const hidden = find(r.report.violations, (v) => v.target === `/etc/${name}`);
      assert.ok(hidden, JSON.stringify(r.report.violations));
      assert.doesNotMatch(r.stderr, /mount: \//);
    });

    it('reports a command that is itself bwrap or fence like any other (they are not Fence\'s setup)', async () => {
      // a nested bwrap cannot set itself up inside the sandbox (as root its mount is refused, as a
      // user its uid_map): that refusal is the user's command's
      const bw = await run(['--', 'bwrap', '--ro-bind', '/', '/', '--dev', '/dev', 'true']);
      assert.ok(find(bw.report.violations, (v) => v.process?.comm === 'bwrap' && (v.errnoName === 'EPERM' || v.errnoName === 'EACCES')), JSON.stringify(bw.report.violations));
      const fence = spawnSync('readlink', ['-f', process.env.FENCE_LENS_FENCE ?? '/usr/local/bin/fence'], { encoding: 'utf8' }).stdout.trim();
      const nested = await run(['--', fence, '--settings', s.settings, '--', 'true']);
      assert.ok(find(nested.report.violations, (v) => v.process?.comm === 'bwrap' || v.process?.comm === 'fence'), JSON.stringify(nested.report.violations));
    });

    it('catches git\'s rename onto the .git/config Fence bind-mounts read-only (EBUSY), with no rule', async () => {
      const repo = `${s.ws}/repo-${tag()}`;
      const as = s.user ? ['runuser', '-u', s.user, '--'] : [];
      const init = spawnSync(as[0] ?? 'git', [...as.slice(1), ...(as.length ? ['git'] : []), 'init', '-q', repo], { encoding: 'utf8' });
      assert.equal(init.status, 0, init.stderr);
      const r = await run(['-c', `cd ${repo} && git config user.name fl; exit 0`]);
      // a rename is reported at its first path, the second is relatedPath
      const v = find(r.report.violations, (x) => /^rename/.test(x.operation) && x.relatedPath === `${repo}/.git/config`);
      assert.ok(v, `${JSON.stringify(r.report.violations)}\n${r.stderr}`);
      assert.deepEqual([v.errnoName, v.target, v.suggestion], ['EBUSY', `${repo}/.git/config.lock`, undefined]);
    });

    it('reads write intent from an open\'s flags (O_WRONLY | O_CREAT | O_APPEND): allowWrite of the directory', async () => {
      const name = `fl-log-${tag()}.log`;
      const r = await run(['-c', `python3 -c "
import os
try: os.open('/var/tmp/${name}', os.O_WRONLY | os.O_CREAT | os.O_APPEND)
except OSError: pass
"`]);
      const v = find(r.report.violations, (x) => x.target === `/var/tmp/${name}`);
      assert.ok(v, JSON.stringify(r.report.violations));
      assert.equal(((v.openFlags ?? 0) & 0o2101) === 0o2101, true, JSON.stringify(v));
      // /var/tmp is writable by everyone outside the sandbox: the rule is the sandbox's for both users
      assert.equal(v.suggestion?.setting, 'filesystem.allowWrite');
    });

    it('puts a relative path in the directory the process was in at the syscall, even once it is gone', async () => {
      // mkdir exits at once: by the time anyone could read /proc/PID/cwd it is gone.
      const name = `fl-rel-${tag()}`;
      const r = await run(['-c', `cd /usr/share/doc && mkdir ${name}; cd /usr && mkdir -p local/${name}; exit 0`]);
      const given = r.report.violations.filter((x) => x.givenPath === name);
      assert.ok(given.length > 0, JSON.stringify(r.report.violations));
      const doc = find(given, (x) => x.target === `/usr/share/doc/${name}`);
      const local = find(given, (x) => x.target === `/usr/local/${name}`);
      assert.ok(doc && local, JSON.stringify(given));
      assert.equal(given.length, 2, JSON.stringify(given));
      // root could write there outside the sandbox, so the rule is the sandbox's; fencetest could not
      assert.equal(doc.suggestion?.value, mode.user ? undefined : '/usr/share/doc');
    });

    it('puts a dirfd-relative path in the dirfd\'s directory (cp and install use openat(dirfd, name))', async () => {
      const name = `fl-at-${tag()}`;
      const r = await run(['-c', `python3 -c "
import os
fd = os.open('/usr/lib', os.O_RDONLY | os.O_DIRECTORY)
try: os.open('${name}', os.O_WRONLY | os.O_CREAT, dir_fd=fd)
except OSError: pass
"`]);
      const v = find(r.report.violations, (x) => x.givenPath === name);
      assert.ok(v, JSON.stringify(r.report.violations));
      assert.deepEqual([v.target, v.operation, v.errnoName, v.suggestion?.value], [`/usr/lib/${name}`, 'openat', 'EROFS', mode.user ? undefined : '/usr/lib']);
    });

    it('reports a read the sandbox refuses by hiding the path (denyRead), and no ordinary ENOENT', async () => {
      const secret = `${s.ws}/secret-${tag()}`;
      mkdirSync(`${secret}/sub`, { recursive: true });
      writeFileSync(`${secret}/token`, 'x');
      writeFileSync(`${secret}/sub/key`, 'y');
      const before = readFileSync(s.settings, 'utf8');
      const settings = JSON.parse(before) as { filesystem: Record<string, string[]> };
      settings.filesystem.denyRead = [secret];
      writeFileSync(s.settings, JSON.stringify(settings));
      if (s.user) chownSync(s.settings, uidOf(s.user), uidOf(s.user));
      try {
        const r = await run(['-c', `cat ${secret}/token; cd ${secret} && stat sub/key; ls /nonexistent-fl-${tag()}; command -v no-such-tool-fl; exit 0`]);
        const hidden = r.report.violations.filter((v) => v.hidden);
        const cat = find(hidden, (v) => v.target === `${secret}/token`);
        assert.ok(cat, JSON.stringify(r.report.violations));
        assert.deepEqual([cat.operation, cat.errnoName, cat.process?.comm, cat.cause, cat.suggestion], ['openat', 'ENOENT', 'cat', 'sandbox', undefined]);
        // a relative lookup, at its directory walked in the kernel
        assert.ok(find(hidden, (v) => v.target === `${secret}/sub/key` && v.givenPath === 'sub/key' && v.process?.comm === 'stat'), JSON.stringify(hidden));
        // everything hidden is under the mask; the ordinary lookups (PATH search, a missing file) are not reported
        assert.deepEqual(hidden.filter((v) => !v.target.startsWith(`${secret}/`)), [], JSON.stringify(hidden));
        assert.equal(find(r.report.violations, (v) => v.errno === 2 && !v.hidden), undefined);
      } finally {
        writeFileSync(s.settings, before);
      }
    });

    it('keeps lookups to a budget of their own: a flood of ENOENT pushes no real denial out', async () => {
      const name = `fl-after-${tag()}`;
      // 20,000 distinct missing names (past the lookups' budget and rate), then a real denial
      const r = await run(['-c', `python3 -c "
import os
for i in range(20000):
    try: os.stat('/nonexistent-fl/%d' % i)
    except OSError: pass
try: open('/usr/${name}', 'w')
except OSError: pass
"`]);
      const v = find(r.report.violations, (x) => x.target === `/usr/${name}`);
      assert.ok(v, JSON.stringify(r.report.violations.slice(0, 20)));
      assert.equal(v.errnoName, 'EROFS');
      assert.deepEqual(r.report.violations.filter((x) => x.errno === 2), []);
      assert.equal(r.report.monitor.lostEvents, 0);
    });

    it('resolves a path inside a bind mount the sandbox made, and both paths of a rename at their own directories', async () => {
      const name = `fl-mnt-${tag()}`;
      // /etc is a read-only bind inside bwrap: the walk crosses from it into the sandbox's root.
      const r = await run(['-c', `cd /etc/default && touch ${name}; cd /etc && python3 -c "
import os
a = os.open('/etc/default', os.O_RDONLY | os.O_DIRECTORY)
b = os.open('/usr/share', os.O_RDONLY | os.O_DIRECTORY)
try: os.rename('hostname', '${name}.moved', src_dir_fd=a, dst_dir_fd=b)
except OSError: pass
"`]);
      const t = find(r.report.violations, (x) => x.givenPath === name);
      const mv = find(r.report.violations, (x) => /^rename/.test(x.operation) && x.process?.comm === 'python3');
      assert.ok(t && mv, JSON.stringify(r.report.violations));
      assert.equal(t.target, `/etc/default/${name}`);
      assert.deepEqual([mv.target, mv.relatedPath], ['/etc/default/hostname', `/usr/share/${name}.moved`]);
    });
  });
}

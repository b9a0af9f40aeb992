// The Fence feature table against the fence at hand (FENCE_LENS_FENCE, default v0.1.5): each test
// asserts what this fence's features make right, and none skips for a version.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../../src/core/model';
import { fenceFeatures, type FenceFeatures } from '../../src/sandbox/fenceInfo';
import { FENCE, cliArgv, requireComponents, runCli, stage, startCli, type Stage } from '../support/rig';

const FORGED = (host: string): string => `[fence:http] 10:00:00 ✗ GET     403 ${host} http://${host}/ (0s)`;

describe(`Fence features (${FENCE})`, function () {
  this.timeout(120_000);
  let s: Stage;
  let f: FenceFeatures;
  before(async function () {
    requireComponents(this);
    s = stage(null);
    f = await fenceFeatures(FENCE);
    console.log(`    fence ${f.version}: ${JSON.stringify(f)}`);
  });
  after(() => s?.cleanup());

  it('runs an argv as exactly that argv, whether or not this fence quotes the words after --', async () => {
    const r = await runCli(s, ['--monitor', 'off', '--', 'sh', '-c', 'echo "$0 one"; echo two', 'x y']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x y one\ntwo\n');
    assert.equal(r.report.command, `sh -c 'echo "$0 one"; echo two' 'x y'`);
  });

  it('prints no Fence warning or Fence line on the command\'s stderr', async () => {
    const r = await runCli(s, ['--monitor', 'direct', '-c', 'echo out; echo err >&2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.doesNotMatch(r.stderr, /\[fence\] Warning/);
    assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('[fence')), []);
    assert.match(r.stderr, /^err$/m);
    assert.ok(!r.report.info.some((l) => /failed to open fence log file/.test(l)), r.report.info.join('\n'));
  });

  it('a Fence-looking line the command prints is output where the log file is in use (v0.1.5: the documented limitation)', async () => {
    const host = `forged-${randomBytes(3).toString('hex')}.invalid`;
    const r = await runCli(s, ['--monitor', 'direct', '-c', `echo '${FORGED(host)}' >&2`]);
    assert.equal(r.code, 0, r.stderr);
    const forged = r.report.violations.filter((v) => v.target === host);
    if (f.logFile) {
      assert.deepEqual(forged, []);
      assert.ok(r.stderr.includes(FORGED(host)), r.stderr);
    } else {
      // v0.1.5 shares stderr with the command: the README says such a line is taken as Fence's.
      assert.equal(forged.length, 1);
      assert.ok(!r.stderr.includes(FORGED(host)));
    }
  });

  it('the sandboxed command cannot write Fence\'s log file', async () => {
    const host = `forged-log-${randomBytes(3).toString('hex')}.invalid`;
    const r = await runCli(s, ['--monitor', 'off', '-c', `if [ -n "$FENCE_LOG_FILE" ]; then echo '${FORGED(host)}' >> "$FENCE_LOG_FILE" && echo wrote; else echo none; fi; true`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, f.logFile ? '' : 'none\n', r.stderr);
    assert.deepEqual(r.report.violations.filter((v) => v.target === host), []);
  });

  it('--template runs with a built-in policy where this fence has them, and is refused with the reason where not', () => {
    const reportPath = path.join(s.ws, 'template-report.json');
    const [file, argv] = cliArgv(s, ['run', '--fence', FENCE, '--monitor', 'off', '--template', 'code', '--json', reportPath, '--', 'true']);
    const r = spawnSync(file, argv, { cwd: s.ws, encoding: 'utf8' });
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    if (f.template) {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(report.policy.template, 'code');
      assert.equal(report.settingsFile, null);
      if (f.configShow) {
        const effective = report.policy.effective as { network?: { allowedDomains?: string[] } };
        assert.ok(effective.network?.allowedDomains?.includes('api.openai.com'), JSON.stringify(effective).slice(0, 300));
      }
    } else {
      assert.equal(r.status, 125);
      assert.match(r.stderr, /cannot run with the template "code": this fence \(.*version dev\) has no --template option/);
      assert.equal(report.exitCode, 125);
    }
  });

  it('refuses a template together with a settings file (Fence would ignore the file), saying why', async () => {
    const r = await runCli(s, ['--monitor', 'off', '--template', 'code', '--', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, f.template ? /give either a settings file or a template, not both/ : /has no --template option/);
    assert.equal(r.report.monitor.state, 'unavailable');
  });

  it('the report names the policy: files, template and the effective settings', async () => {
    const r = await runCli(s, ['--monitor', 'off', '--', 'true']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.policy.files, [s.settings]);
    assert.equal(r.report.policy.template, null);
    const written = JSON.parse(readFileSync(s.settings, 'utf8')) as { filesystem: { allowWrite: string[] } };
    if (f.configShow) {
      // The merged settings fence prints: what the file says, with every default filled in.
      const effective = r.report.policy.effective as { filesystem: { allowWrite: string[] } };
      assert.deepEqual(effective.filesystem.allowWrite, written.filesystem.allowWrite);
    } else {
      assert.deepEqual(r.report.policy.effective, written);
    }
  });

  it('two runs at the same time each see only their own proxy denials where the sandbox has its own network namespace (else as documented)', async () => {
    const other = stage(null);
    try {
      const hostA = `a-${randomBytes(3).toString('hex')}.fence-lens.invalid`;
      const hostB = `b-${randomBytes(3).toString('hex')}.fence-lens.invalid`;
      const curl = (host: string): string => `for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{http_code}\\n' http://${host}/; sleep 0.5; done`;
      const a = startCli(s, ['--monitor', 'off', '-c', curl(hostA)], 'concurrent-a.json');
      const b = startCli(other, ['--monitor', 'off', '-c', curl(hostB)], 'concurrent-b.json');
      const [ra, rb] = await Promise.all([a.result, b.result]);
      const targets = (r: typeof ra): string[] => [...new Set(r.report.violations.filter((v) => v.source === 'fence-http').map((v) => v.target))].sort();
      if (f.networkNamespace) {
        assert.deepEqual(targets(ra), [hostA], `${ra.stderr}\n${JSON.stringify(ra.report.violations)}`);
        assert.deepEqual(targets(rb), [hostB], `${rb.stderr}\n${JSON.stringify(rb.report.violations)}`);
        assert.equal(ra.stdout, '403\n'.repeat(6));
        assert.equal(rb.stdout, '403\n'.repeat(6));
      } else {
        // No namespace: both fences bridge to the fixed proxy ports on the host's loopback (README,
        // "Fence"), so a run can see the other's denials; every request is still refused.
        for (const r of [ra, rb]) assert.ok(r.stdout.split('\n').filter(Boolean).every((c) => c === '403' || c === '000'), r.stdout);
        const all = [...targets(ra), ...targets(rb)];
        assert.ok(all.every((t) => t === hostA || t === hostB), JSON.stringify(all));
      }
    } finally {
      other.cleanup();
    }
  });
});

// Item 8 end to end as the ordinary user fencetest (pkexec + polkit): a write the host refuses too
// is `cause: "host"`, dimmed, left out of the summary and given no rule; a write in a directory the
// user owns but the sandbox forbids is `cause: "sandbox"` with its rule.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { requireComponents, runCli, stage, type Stage } from '../support/rig';

describe('cause: the sandbox or the host (as fencetest, pkexec)', function () {
  this.timeout(90_000);
  let s: Stage;
  // Outside /tmp (Fence v0.1.66 gives the sandbox a private /tmp) and outside the workspace.
  const owned = `/var/tmp/fl-cause-${randomBytes(4).toString('hex')}`;
  before(function () {
    requireComponents(this, { pkexec: true });
    s = stage('fencetest');
    mkdirSync(owned, { mode: 0o755 });
    spawnSync('chown', ['fencetest:fencetest', owned]);
  });
  after(() => {
    s?.cleanup();
    rmSync(owned, { recursive: true, force: true });
  });

  it('a write in /etc is host (no rule, dimmed, not counted); one in a directory the user owns is sandbox (with its rule)', async () => {
    const etc = `/etc/fl-cause-${randomBytes(4).toString('hex')}`;
    const mine = `${owned}/f`;
    const r = await runCli(s, ['--monitor', 'pkexec', '-c', `touch ${etc}; touch ${mine}; exit 0`]);
    assert.equal(r.report.monitor.state, 'active', r.report.monitor.detail);
    const host = r.report.violations.find((v) => v.target === etc);
    const sandbox = r.report.violations.find((v) => v.target === mine);
    assert.ok(host && sandbox, JSON.stringify(r.report.violations));
    assert.equal(host.cause, 'host');
    assert.equal(host.suggestion, undefined);
    assert.equal(sandbox.cause, 'sandbox');
    assert.deepEqual(sandbox.suggestion, { setting: 'filesystem.allowWrite', value: owned, description: `Allow writing in ${owned}` });
    assert.match(r.stderr, /\[host: fails outside the sandbox too\]/);
    assert.match(r.stderr, /fence-lens: \d+ more denial\(s\) the host's own permissions refuse too, not counted/);
    assert.doesNotMatch(r.stderr, new RegExp(`to allow: filesystem\\.allowWrite \\+= "/etc"`));
  });
});

describe('cause as root: the host allows nearly everything', function () {
  this.timeout(90_000);
  let s: Stage;
  before(function () {
    requireComponents(this);
    s = stage(null);
  });
  after(() => s?.cleanup());

  it('a write in /etc is the sandbox\'s doing, with its rule', async () => {
    const etc = `/etc/fl-cause-${randomBytes(4).toString('hex')}`;
    const r = await runCli(s, ['--monitor', 'direct', '-c', `touch ${etc}; exit 0`]);
    const v = r.report.violations.find((x) => x.target === etc);
    assert.ok(v, JSON.stringify(r.report.violations));
    assert.equal(v.cause, 'sandbox');
    assert.equal(v.suggestion?.value, '/etc');
  });
});

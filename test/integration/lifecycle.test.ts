// The monitor's and the run's life: refusals, deaths and teardown, with real pkexec, polkit, fence.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fenceFeatures } from '../../src/sandbox/fenceInfo';
import { GATE_SCRIPT } from '../../src/sandbox/run';
import { FENCE, childrenOf, cliArgv, pidsMatching, requireComponents, runCli, stage, startCli, waitFor, type Stage } from '../support/rig';

/** Documented in the README: after the owner dies, everything it started is gone within this time. */
const TEARDOWN_MS = 10_000;

describe('monitor lifecycle and failures', function () {
  this.timeout(120_000);
  let root: Stage;
  let user: Stage;
  let denied: Stage;
  before(function () {
    requireComponents(this, { pkexec: true });
    root = stage(null);
    user = stage('fencetest');
    denied = stage('fencedenied');
  });
  after(() => {
    root?.cleanup();
    user?.cleanup();
    denied?.cleanup();
  });

  it('a pkexec refusal gives state denied, a clear reason, and the command\'s exit code', async () => {
    const r = await runCli(denied, ['--monitor', 'pkexec', '-c', 'touch /etc/fl-denied; exit 7']);
    assert.equal(r.code, 7);
    assert.equal(r.report.exitCode, 7);
    assert.equal(r.report.monitor.state, 'denied');
    assert.equal(r.report.monitor.detail, 'polkit refused: this user is not authorized to run the Fence Lens monitor');
    assert.match(r.stderr, /WARNING: monitor denied: polkit refused/);
    assert.match(r.stderr, /denials were NOT recorded/);
  });

  it('--monitor auto escalates through pkexec for an ordinary user with the helper installed', async () => {
    const r = await runCli(user, ['-c', 'exit 0']);
    assert.equal(r.report.monitor.state, 'active');
    assert.match(r.report.monitor.detail, /through pkexec/);
  });

  it('--monitor off runs the command unmonitored and says so', async () => {
    const r = await runCli(user, ['--monitor', 'off', '-c', 'exit 4']);
    assert.equal(r.code, 4);
    assert.deepEqual(r.report.monitor, { state: 'unavailable', detail: 'monitoring turned off (--monitor off)', lostEvents: 0 });
  });

  it('a monitor killed mid-run leaves the command running, keeps its exit code and marks the run failed', async () => {
    const marker = `/etc/fl-after-kill-${randomBytes(3).toString('hex')}`;
    const { child, result } = startCli(root, ['--monitor', 'direct', '-c', `sleep 2; touch ${marker}; echo finished; exit 5`]);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor('monitor active', () => /monitor active/.test(stderr), 30_000);
    const pid = child.pid ?? 0;
    const bpftrace = childrenOf(pid).filter((c) => c.comm === 'bpftrace');
    assert.equal(bpftrace.length, 1, JSON.stringify(childrenOf(pid)));
    process.kill(bpftrace[0].pid, 'SIGKILL');
    const r = await result;
    assert.equal(r.code, 5);
    assert.equal(r.stdout, 'finished\n');
    assert.equal(r.report.monitor.state, 'failed');
    assert.match(r.report.monitor.detail, /^monitor failed: it killed by SIGKILL during the run|^monitor failed: it (was )?killed|^monitor failed/);
    assert.match(r.stderr, /WARNING: monitor failed/);
  });

  it('the owner SIGKILLed mid-run leaves no privileged process and no unmonitored command', async () => {
    const tag = `fl-owner-${randomBytes(4).toString('hex')}`;
    const { child } = startCli(user, ['--monitor', 'pkexec', '-c', `sleep 300 && echo ${tag}`]);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor('monitor active', () => /monitor active/.test(stderr), 30_000);
    // runuser -> node (the owner) -> [gate/fence, pkexec'd entry point -> bpftrace]
    const owner = childrenOf(child.pid ?? 0).find((c) => c.comm === 'node');
    assert.ok(owner, 'owner process');
    const monitorPids = pidsMatching(`tail --pid=${owner.pid}`).length + childrenOf(owner.pid).filter((c) => c.comm === 'bpftrace').length;
    assert.ok(monitorPids >= 1, 'a privileged monitor runs before the kill');
    assert.ok(pidsMatching(`sleep 300 && echo ${tag}`).length >= 1, 'the command runs before the kill');
    process.kill(owner.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      'every process of the run to be gone',
      () => pidsMatching(tag).length === 0 && pidsMatching(`tail --pid=${owner.pid}`).length === 0 && pidsMatching(`bpftrace -B line -c /usr/bin/tail --pid=${owner.pid}`).length === 0,
      TEARDOWN_MS,
    );
    const took = Date.now() - killedAt;
    console.log(`      teardown after the owner's SIGKILL: ${took} ms`);
    assert.ok(took <= TEARDOWN_MS, `teardown took ${took} ms`);
    child.kill('SIGKILL');
  });

  it('the gate never runs the command without the release word (owner died before the monitor attached)', async () => {
    const flag = path.join(root.ws, `ran-${randomBytes(3).toString('hex')}`);
    const gate = spawn('/bin/sh', ['-c', GATE_SCRIPT, 'gate', '/bin/sh', '-c', `touch ${flag}`], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    const fd3 = gate.stdio[3] as NodeJS.WritableStream;
    fd3.end(); // EOF: what the gate sees when its owner dies
    const code = await new Promise<number | null>((r) => gate.on('close', r));
    assert.equal(code, 125);
    assert.equal(existsSync(flag), false);
    const wrong = spawn('/bin/sh', ['-c', GATE_SCRIPT, 'gate', '/bin/sh', '-c', `touch ${flag}`], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    (wrong.stdio[3] as NodeJS.WritableStream).end('gone\n');
    assert.equal(await new Promise<number | null>((r) => wrong.on('close', r)), 125);
    assert.equal(existsSync(flag), false);
  });

  it('a missing fence gives exit 127 and says where it looked', async () => {
    const [file, argv] = cliArgv(root, ['run', '--fence', '/nonexistent/fence', '--monitor', 'off', '--', 'true']);
    const r = spawnSync(file, argv, { encoding: 'utf8' });
    assert.equal(r.status, 127);
    assert.match(r.stderr, /fence not found \(looked in \/nonexistent\/fence\)/);
  });

  it('broken Fence settings: Fence\'s message reaches the user and its exit code is kept', async () => {
    const bad = path.join(root.ws, 'broken.json');
    writeFileSync(bad, '{ "filesystem": { "allowWrite": [ ');
    const [file, argv] = cliArgv(root, ['run', '--fence', FENCE, '--settings', bad, '--monitor', 'off', '--json', path.join(root.ws, 'broken-report.json'), '--', 'true']);
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: root.ws });
    assert.notEqual(r.status, 0);
    const report = JSON.parse(readFileSync(path.join(root.ws, 'broken-report.json'), 'utf8')) as { exitCode: number; settingsFile: string };
    assert.equal(report.exitCode, r.status);
    assert.equal(report.settingsFile, bad);
    assert.match(r.stderr, new RegExp(`fence-lens: the settings file ${bad} is not valid JSON\\(C\\): \\w+ at line 1, column \\d+; fence will refuse it`));
  });

  it('settings with comments and trailing commas work with a fence that reads only plain JSON', async () => {
    const jsonc = path.join(root.ws, 'commented.jsonc');
    writeFileSync(jsonc, `{\n  // only the workspace is writable\n  "filesystem": { "allowWrite": ["${root.ws}",], },\n}\n`);
    const [file, argv] = cliArgv(root, ['run', '--fence', FENCE, '--settings', jsonc, '--monitor', 'off', '--', 'touch', path.join(root.ws, 'made-it')]);
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: root.ws });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(path.join(root.ws, 'made-it')));
  });

  it('reports a command refused by Fence\'s command policy, with Fence\'s exit code', async () => {
    const deny = path.join(root.ws, 'deny.json');
    writeFileSync(deny, JSON.stringify({ filesystem: { allowWrite: [root.ws] }, command: { deny: ['git push'] } }));
    const [file, argv] = cliArgv(root, ['run', '--fence', FENCE, '--settings', deny, '--monitor', 'off', '--json', path.join(root.ws, 'deny-report.json'), '-c', 'git push origin main']);
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: root.ws });
    assert.equal(r.status, 1);
    const report = JSON.parse(readFileSync(path.join(root.ws, 'deny-report.json'), 'utf8')) as { violations: { category: string; target: string; source: string }[] };
    if ((await fenceFeatures(FENCE)).logFile) {
      // Fence prints this refusal on stderr, not in its log file, and with a log file nothing on the
      // command's stderr is parsed (README, "Fence"): the user sees Fence's own words, the report
      // has no entry for it.
      assert.deepEqual(report.violations, []);
      assert.match(r.stderr, /^Error: command blocked by (default )?sandbox command policy: "git push origin main" matches "git push"$/m);
    } else {
      assert.deepEqual(report.violations.map((v) => [v.category, v.target, v.source]), [['command', 'git push origin main', 'fence-policy']]);
      assert.match(r.stderr, /\[fence:policy\] \d\d:\d\d:\d\d ✗ exec: git push origin main/);
    }
  });

  it('doctor checks every component and passes on a set-up machine', () => {
    const r = spawnSync(process.execPath, [root.cli, 'doctor'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
    for (const id of ['fence', 'bwrap', 'socat', 'bpftrace', 'tracefs', 'privilege', 'helper', 'pkexec', 'polkit']) assert.match(r.stdout, new RegExp(`^ok\\s+${id}\\b`, 'm'));
  });
});

// The engine (startRun) itself, with real fence, bwrap and bpftrace: its stages' events and what a
// failed run leaves behind.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import type { MonitorMode, MonitorStatus } from '../../src/core/model';
import { EXIT_INTERNAL, startRun } from '../../src/sandbox/run';
import { fenceFeatures } from '../../src/sandbox/fenceInfo';
import type { RunEvent } from '../../src/sandbox/runTypes';
import { FENCE, pidsMatching, requireComponents, waitFor } from '../support/rig';

/** The engine's temp dirs (fence makes its own there too, e.g. v0.1.66's fence-seccomp). */
const ours = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('fence-lens-'));

describe('the run engine', function () {
  this.timeout(60_000);
  let tmpBase: string;
  let savedTmpdir: string | undefined;
  before(function () {
    requireComponents(this);
    // The engine makes its temp dir under os.tmpdir(): a private base shows exactly what it left.
    tmpBase = mkdtempSync('/var/tmp/fence-lens-engine-test-');
    savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = tmpBase;
  });
  after(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    if (tmpBase) rmSync(tmpBase, { recursive: true, force: true });
  });

  it('a failure after the gate started kills the gate, removes the temp dir and keeps the real start time', async () => {
    const tag = `fl-engine-${randomBytes(4).toString('hex')}`;
    const before = Date.now();
    // A JavaScript caller passing a mode the engine does not know: the monitor stage throws after
    // the gate was spawned (it then sits blocked on fd 3).
    const handle = startRun({ command: ['/bin/echo', tag], cwd: tmpBase, monitor: 'bogus' as MonitorMode, programs: { fence: FENCE }, stdio: 'pipe' });
    const report = await handle.done;
    assert.equal(report.exitCode, EXIT_INTERNAL);
    assert.ok(report.info.some((l) => l.startsWith('fence-lens: internal error:')), report.info.join('\n'));
    assert.equal(report.monitor.state, 'failed');
    await waitFor('the gate to be gone', () => pidsMatching(tag).length === 0, 5000);
    assert.deepEqual(ours(tmpBase), []);
    const started = Date.parse(report.startedAt);
    assert.ok(started >= before - 1 && started < Date.parse(report.endedAt), `${report.startedAt} .. ${report.endedAt}`);
  });

  it('emits each monitor status once, and a run not yet at the monitor is `starting`, never emitted', async () => {
    const handle = startRun({ command: ['/bin/true'], cwd: tmpBase, monitor: 'direct', programs: { fence: FENCE }, stdio: 'pipe' });
    assert.equal(handle.monitorStatus.state, 'starting');
    const statuses: MonitorStatus[] = [];
    const order: RunEvent['kind'][] = [];
    handle.onEvent((e) => {
      order.push(e.kind);
      if (e.kind === 'monitor') statuses.push(e.status);
    });
    handle.stdout?.resume();
    handle.stderr?.resume();
    const report = await handle.done;
    assert.equal(report.exitCode, 0);
    assert.equal(report.monitor.state, 'active');
    assert.equal(statuses.filter((s) => s.state === 'active').length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s.state === 'starting').length, 0);
    for (let i = 1; i < statuses.length; i++) assert.notDeepEqual(statuses[i], statuses[i - 1]);
    assert.deepEqual(order.filter((k) => k === 'started' || k === 'exited'), ['started', 'exited']);
    assert.ok(order.indexOf('monitor') < order.indexOf('started'));
    assert.deepEqual(ours(tmpBase), []);
  });

  it('runs fence with a /proc of its own PID namespace, so bwrap finds its children there', async () => {
    // bwrap opens /proc/<child pid from clone()>/...: in the host's /proc that PID names another
    // process or none (fence v0.1.66: `bwrap: open /proc/23/ns/ns failed`).
    const handle = startRun({ command: ['/bin/sh', '-c', 'read x'], cwd: tmpBase, monitor: 'off', programs: { fence: FENCE }, stdio: 'pipe' });
    let gatePid = 0;
    handle.onEvent((e) => {
      if (e.kind === 'started') gatePid = e.pid;
    });
    handle.stdout?.resume();
    handle.stderr?.resume();
    try {
      await waitFor('the run to start', () => gatePid > 0, 30_000);
      const fencePid = Number(readFileSync(`/proc/${gatePid}/task/${gatePid}/children`, 'utf8').trim().split(/\s+/)[0]);
      assert.ok(fencePid > 0);
      const mounts = readFileSync(`/proc/${fencePid}/mountinfo`, 'utf8');
      assert.notEqual(readlinkSync(`/proc/${fencePid}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'), 'a mount namespace of its own');
      assert.match(mounts, / \/proc rw,[^\n]* - proc /, 'a proc mounted in it');
    } catch (e) {
      handle.stop(); // a failed check must not leave the run (and so mocha) waiting for its input
      await handle.done;
      throw e;
    }
    handle.stdin?.end('\n');
    const report = await handle.done;
    assert.equal(report.exitCode, 0, report.info.join('\n'));
  });

  it('runs several fences at once, each with its own seccomp filter, and the command keeps the TMPDIR Fence sets', async () => {
    // Each fence is PID 1 of its namespace and names its filter after its PID: with a shared TMPDIR
    // concurrent runs overwrote each other's (bwrap: prctl(PR_SET_SECCOMP) reported EINVAL).
    const runs = Array.from({ length: 4 }, () => {
      const h = startRun({ command: ['/bin/sh', '-c', 'echo "$TMPDIR"'], cwd: tmpBase, monitor: 'off', programs: { fence: FENCE }, stdio: 'pipe' });
      let out = '';
      let err = '';
      h.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      h.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      return h.done.then((report) => ({ report, out, err }));
    });
    const results = await Promise.all(runs);
    for (const { report, out, err } of results) {
      assert.ok(!out.includes(`${tmpBase}/fence-lens-`), `the command never sees fence-lens's private TMPDIR: ${out}`);
      // v0.1.5 passes TMPDIR through and so keeps the shared filter name: only the exit is its own.
      if (!(await fenceFeatures(FENCE)).logFile) continue;
      assert.equal(report.exitCode, 0, `${err}\n${report.info.join('\n')}`);
      assert.doesNotMatch(err, /SECCOMP/);
    }
    assert.deepEqual(ours(tmpBase), []);
  });
});

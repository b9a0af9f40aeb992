// PrivilegedMonitor's reading of the privileged process's life, with a fake child in its place:
// what it makes of each way the process can end before attaching, and of its records. The real
// process (pkexec, sudo, bpftrace) is run by the integration suite.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describePkexecFailure } from '../../src/core/protocol/pkexecErrors';
import { HELPER_EXIT } from '../../src/core/protocol/helperFiles';
import { PROGRAM_VERSION } from '../../src/core/protocol/monitorProgram';
import type { MonitorStatus } from '../../src/core/model';
import { ViolationStore } from '../../src/core/store';
import type { EscalationPlan } from '../../src/monitor/escalation';
import { PrivilegedMonitor, type Launch, type MonitorChild } from '../../src/monitor/monitorProcess';

const ROOT = 4242;
const HELPER = '/usr/local/libexec/fence-lens-monitor';
const PKEXEC: EscalationPlan = { escalation: 'pkexec', pkexec: '/usr/bin/pkexec', helper: HELPER };
const SUDO: EscalationPlan = { escalation: 'sudo', sudo: '/usr/bin/sudo', helper: HELPER };

class FakeChild implements MonitorChild {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  kills = 0;
  private settle!: (r: { code: number | null; signal: string | null }) => void;
  readonly exited = new Promise<{ code: number | null; signal: string | null }>((r) => (this.settle = r));
  private gone = false;

  constructor(readonly launch: Launch) {}

  /** The helpers read the token from stdin. */
  get token(): string {
    return this.launch.input.trim();
  }

  print(body: string): void {
    this.stdout.write(`${this.token}|${body}|${this.token}\n`);
  }

  begin(root = ROOT, owner = process.pid, version = PROGRAM_VERSION): void {
    this.print(`BEGIN|${version}|${root}|${owner}|1`);
  }

  /** Ends as a process does: its pipes close, then it is reaped. */
  async exit(code: number | null, stderr = '', signal: string | null = null): Promise<void> {
    if (this.gone) return;
    this.gone = true;
    if (stderr) this.stderr.write(stderr);
    const closed = Promise.all([once(this.stdout, 'end'), once(this.stderr, 'end')]);
    this.stdout.end();
    this.stderr.end();
    await closed;
    this.settle({ code, signal });
  }

  /** Counted only: like the root process pkexec starts, which we may not signal, it ends when it ends. */
  kill(): void {
    this.kills++;
  }
}

function started(plan: EscalationPlan, attachTimeoutMs?: number): { monitor: PrivilegedMonitor; child: FakeChild; store: ViolationStore; statuses: MonitorStatus[] } {
  let child: FakeChild | undefined;
  const store = new ViolationStore();
  const statuses: MonitorStatus[] = [];
  const monitor = new PrivilegedMonitor({
    plan,
    rootPid: ROOT,
    store,
    attachTimeoutMs,
    onStatus: (s) => statuses.push(s),
    spawn: (launch) => (child = new FakeChild(launch)),
  });
  monitor.start();
  if (!child) throw new Error('spawn was not called');
  return { monitor, child, store, statuses };
}

const stateOf = (s: MonitorStatus): [string, string] => [s.state, s.detail];

describe('PrivilegedMonitor: how an early exit is told apart', () => {
  const pkexecMessages = [
    'Error getting authority: Error initializing authority: Could not connect: No such file or directory',
    'Error executing command as another user: Request dismissed',
    'Error executing command as another user: No authentication agent found.',
    'Error executing command as another user: Not authorized\n\nThis incident has been reported.',
    'pkexec: something new went wrong',
  ];
  for (const message of pkexecMessages) {
    it(`pkexec 127: ${message.split('\n')[0]}`, async () => {
      const { monitor, child } = started(PKEXEC);
      await child.exit(127, `${message}\n`);
      const d = describePkexecFailure(message);
      assert.deepEqual(stateOf(await monitor.attached), [d.state, d.detail]);
    });
  }

  it('sudo refusing (no password allowed) is denied, with sudo\'s words', async () => {
    const { monitor, child } = started(SUDO);
    await child.exit(1, 'sudo: a password is required\n');
    assert.deepEqual(stateOf(await monitor.attached), ['denied', 'sudo refused: sudo: a password is required']);
  });

  for (const [name, code] of Object.entries(HELPER_EXIT)) {
    it(`the entry point refusing (exit ${code}, ${name}) fails with its reason`, async () => {
      const { monitor, child } = started(PKEXEC);
      await child.exit(code, 'fence-lens-monitor: the reason it gives\n');
      assert.deepEqual(stateOf(await monitor.attached), ['failed', 'the privileged entry point refused: fence-lens-monitor: the reason it gives']);
    });
  }

  it('any other exit before READY fails with the code and the last stderr line, even after BEGIN', async () => {
    const { monitor, child } = started(PKEXEC);
    child.begin();
    await child.exit(1, 'ERROR: first\nERROR: Could not attach probe\n');
    assert.deepEqual(stateOf(await monitor.attached), ['failed', 'monitor exited with code 1 before attaching: ERROR: Could not attach probe']);
  });

  it('a signal before attaching names the signal', async () => {
    const { monitor, child } = started(PKEXEC);
    await child.exit(null, '', 'SIGTERM');
    assert.deepEqual(stateOf(await monitor.attached), ['failed', 'monitor was killed by SIGTERM before attaching']);
  });

  it('no READY within the attach timeout fails, kills the child, and ignores a late READY', async () => {
    const { monitor, child } = started(PKEXEC, 20);
    child.begin();
    assert.deepEqual(stateOf(await monitor.attached), ['failed', 'monitor did not attach within 0 s']);
    assert.equal(child.kills, 1);
    child.print('READY|1');
    await child.exit(0);
    assert.equal(monitor.status.state, 'failed');
  });

  it('a BEGIN naming another root process fails, kills the child, and trusts nothing it prints after', async () => {
    const { monitor, child, store } = started(PKEXEC);
    child.begin(ROOT + 1);
    child.print('READY|1');
    child.print('F|257|1|1|-30|5|5|' + child.token + '|touch|' + child.token + '|/etc/x');
    assert.deepEqual(stateOf(await monitor.attached), ['failed', `monitor is watching the wrong processes (${ROOT + 1}/${process.pid})`]);
    assert.equal(child.kills, 1);
    await child.exit(0);
    assert.equal(store.size, 0);
    assert.equal(monitor.status.state, 'failed');
  });

  it('a BEGIN naming another owner fails the same way', async () => {
    const { monitor, child } = started(PKEXEC);
    child.begin(ROOT, process.pid + 1);
    assert.equal((await monitor.attached).state, 'failed');
    assert.equal(child.kills, 1);
  });

  it('another program version fails with the fix, and what follows is not read', async () => {
    const { monitor, child, store } = started(PKEXEC);
    child.begin(ROOT, process.pid, PROGRAM_VERSION - 1);
    child.print('F|257|1|1|-30|5|5|' + child.token + '|touch|' + child.token + '|/etc/x');
    const s = await monitor.attached;
    assert.equal(s.state, 'failed');
    assert.match(s.detail, new RegExp(`program version ${PROGRAM_VERSION - 1}, this fence-lens needs ${PROGRAM_VERSION}: run sudo fence-lens install-helper`));
    await child.exit(0);
    assert.equal(store.size, 0);
  });
});

describe('PrivilegedMonitor: a monitor that attached', () => {
  it('is active from READY, records denials, and stays active when it ends with END', async () => {
    const { monitor, child, store, statuses } = started(PKEXEC);
    child.begin();
    child.print('READY|1');
    assert.deepEqual(stateOf(await monitor.attached), ['active', `watching the sandbox (${HELPER} through pkexec)`]);
    child.print('F|257|1|1|-30|5|5|' + child.token + '|touch|' + child.token + '|/etc/x');
    child.print('END|9');
    await child.exit(0);
    assert.equal((await monitor.finish()).state, 'active');
    assert.deepEqual(store.list().map((v) => v.target), ['/etc/x']);
    assert.deepEqual(statuses.map((s) => s.state), ['active']);
  });

  it('fails when the process dies during the run without END', async () => {
    const { monitor, child } = started(PKEXEC);
    child.begin();
    child.print('READY|1');
    await monitor.attached;
    await child.exit(1, 'ERROR: something broke\n');
    assert.deepEqual(stateOf(await monitor.finish()), ['failed', 'monitor failed: it exited with code 1 during the run (ERROR: something broke); denials after that were not seen']);
  });

  it('ignores a READY that comes before BEGIN', async () => {
    const { monitor, child } = started(PKEXEC);
    child.print('READY|1');
    await child.exit(0);
    assert.deepEqual(stateOf(await monitor.attached), ['failed', 'monitor exited with code 0 before attaching']);
  });
});

describe('PrivilegedMonitor without a way to get privileges', () => {
  it('reports the plan\'s reason at once and starts nothing', async () => {
    const monitor = new PrivilegedMonitor({
      plan: { escalation: 'none', state: 'unavailable', reason: 'monitoring turned off (--monitor off)' },
      rootPid: ROOT,
      store: new ViolationStore(),
      spawn: () => assert.fail('nothing may be started'),
    });
    monitor.start();
    assert.deepEqual(stateOf(await monitor.attached), ['unavailable', 'monitoring turned off (--monitor off)']);
    assert.equal((await monitor.finish()).state, 'unavailable');
  });
});

import assert from 'node:assert/strict';
import { exitProbeOf, floorProgram } from '../../bench/floorProbe';
import { platformRows } from '../../bench/platformRows';
import { monitorProgram } from '../../src/core/protocol/monitorProgram';

describe('bench: per-bpftrace rows and their floor', () => {
  it('reads the exit probe each program variant really uses, so the floor sits on the same probe type', () => {
    assert.equal(exitProbeOf(monitorProgram('legacy')), 'tracepoint:raw_syscalls:sys_exit');
    assert.equal(exitProbeOf(monitorProgram('modern')), 'rawtracepoint:sys_exit');
  });

  it('gives the floor a predicate no syscall passes, on that probe type, with the exec proof', () => {
    const raw = floorProgram('rawtracepoint:sys_exit');
    const tp = floorProgram('tracepoint:raw_syscalls:sys_exit');
    assert.match(raw, /^rawtracepoint:sys_exit \/\(int64\)arg1 < -4096\//);
    assert.match(tp, /^tracepoint:raw_syscalls:sys_exit \/args->ret < -4096\//);
    for (const p of [raw, tp]) assert.match(p, /tracepoint:sched:sched_process_exec \/pid == cpid\//);
  });

  it('keeps the rows of a bpftrace it could not find, null, each with the reason', () => {
    const empty = { rounds: 0, samples: {} };
    const { rows, aliases } = platformRows({
      lives: [],
      missing: [{ label: 'bpftrace-0.23', reason: '/var/lib/fence-lens/bin/bpftrace-0.23 not installed (bash scripts/bpftrace-chroot.sh up)' }],
      storm: empty,
      stormOps: 10,
      bystander: empty,
      cpus: [0, 1],
      sizes: { nullCalls: 1, fileCalls: 1, repeats: 1 },
    });
    assert.equal(rows.length, 7 + 2 * 2 * 3);
    for (const r of rows) {
      assert.ok(r.key.startsWith('bpftrace-0.23.'), r.key);
      assert.equal(r.value, null);
      assert.match(r.note ?? '', /not measured: .*bpftrace-chroot\.sh up/);
    }
    assert.deepEqual(rows.filter((r) => r.kind === 'max').map((r) => [r.key, r.target]), [
      ['bpftrace-0.23.monitor.attach_s', 0.3],
      ['bpftrace-0.23.monitor.detach_s', 0.5],
      ['bpftrace-0.23.overhead.storm.ratio', 1.5],
      ['bpftrace-0.23.overhead.bystander.cpu0.vs_floor', 1.1],
      ['bpftrace-0.23.overhead.bystander.cpu1.vs_floor', 1.1],
      ['bpftrace-0.23.overhead.bystander.null_syscall.cpu0.vs_floor', 1.1],
      ['bpftrace-0.23.overhead.bystander.null_syscall.cpu1.vs_floor', 1.1],
    ]);
    assert.deepEqual(aliases('bpftrace-0.23').map((r) => [r.key, r.value]), [
      ['monitor.attach_s', null],
      ['monitor.detach_s', null],
      ['overhead.storm.ratio', null],
      ['overhead.bystander.ratio', null],
    ]);
  });
});

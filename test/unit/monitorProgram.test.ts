import assert from 'node:assert/strict';
import { entryPointScript, HELPER_PATH, polkitPolicy, POLKIT_ACTION_ID } from '../../src/core/protocol/helperFiles';
import { BPFTRACE_ENV, monitorProgram, PROGRAM_VERSION, TOKEN_PLACEHOLDER } from '../../src/core/protocol/monitorProgram';

describe('monitor program', () => {
  const program = monitorProgram();
  it('is deterministic and carries its version', () => {
    assert.equal(monitorProgram(), program);
    assert.ok(program.includes(`|BEGIN|${PROGRAM_VERSION}|`));
  });
  it('takes its only run-time inputs as $1/$2 and the token placeholder', () => {
    assert.ok(program.includes('@tracked[$1] = 1'));
    assert.ok(program.includes('if ($p == (int32)$2) {'));
    assert.equal(/\$[3-9]/.test(program), false);
  });
  it('reads each tracepoint field once per probe (bpftrace 0.17 rescans available_events per args->)', () => {
    assert.ok((program.match(/args->/g) ?? []).length <= 16, String((program.match(/args->/g) ?? []).length));
  });

  it('probes syscalls at exit only, each probe rejecting a succeeded syscall at its first comparison', () => {
    // every syscall of the machine pays for these probes: the main one, then the walks and records it defers
    const probes = program.match(/^tracepoint:raw_syscalls:.*$/gm) ?? [];
    assert.equal(probes.length, 3);
    for (const p of probes) assert.match(p, /^tracepoint:raw_syscalls:sys_exit \/args->ret < 0 && /);
    assert.ok(program.includes('tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @tracked[tid] == 2/ {'));
  });
  it('finds the registers without a task_struct field; names task_struct only to walk directories', () => {
    // a found pt_regs location is re-checked against the syscall number on every record
    assert.match(program, /kptr\(\$regs \+ 120\) != \$id\) \{\n\s+\$regs = 0;/);
    assert.ok(program.includes('$regs = *(uint64 *)kptr((uint64)curtask + ($at >> 16)) + ($at & 0xffff);'));
    const fields = new Set(program.match(/\(\(struct task_struct \*\)curtask\)->\w+/g) ?? []);
    assert.deepEqual([...fields].sort(), ['((struct task_struct *)curtask)->files', '((struct task_struct *)curtask)->fs']);
  });

  it('types what bpftrace 0.20+ cannot infer: $regs from its first assignment, map reads before any write', () => {
    assert.ok(program.includes('$regs = (uint64)0;'));
    assert.equal(/\$regs = 0;/.test(program.replace(/ {6}\$regs = 0;/g, '')), false);
    assert.ok(program.includes('$u = @rid[$id, $r * 2 - (($s & 1603) != 0 ? 1 : 0), comm, $o, str(uptr($p))] + (uint64)0;'));
    assert.ok(program.includes('$v = @srid[$id, comm] + (uint64)0;'));
    assert.equal(/@s?uid\[|<uid>/.test(program), false);
  });
  it('sets both generations of bpftrace\'s variables, and no ".." trailer on cut strings', () => {
    assert.equal(BPFTRACE_ENV.BPFTRACE_STRLEN, BPFTRACE_ENV.BPFTRACE_MAX_STRLEN);
    assert.equal(BPFTRACE_ENV.BPFTRACE_MAP_KEYS_MAX, BPFTRACE_ENV.BPFTRACE_MAX_MAP_KEYS);
    assert.equal(BPFTRACE_ENV.BPFTRACE_STR_TRUNC_TRAILER, '');
  });
  it('frames every printf with the token at both ends', () => {
    const printfs = program.match(/printf\("[^"]*"/g) ?? [];
    assert.ok(printfs.length >= 8);
    for (const p of printfs) assert.ok(p.startsWith(`printf("${TOKEN_PLACEHOLDER}|`) && p.endsWith(`${TOKEN_PLACEHOLDER}\\n"`), p);
  });
  it('follows the tree by tid via fork/exit and reports only inside bwrap (no pid >= root filter)', () => {
    assert.ok(program.includes('tracepoint:sched:sched_process_fork /@tracked[tid]/'));
    assert.ok(program.includes('comm == "bwrap"'));
    // exec from a non-leader thread changes the tid: the program re-keys from old_pid
    assert.ok(program.includes('$o = args->old_pid;\n  $v = @tracked[$o];'));
    assert.ok(program.includes('@tracked[$n] = $v;'));
    assert.equal(/pid >=/.test(program), false);
  });
  it('exits when the owner or the root exits, after draining the other CPUs\' buffers', () => {
    assert.match(program, /if \(\$p == \(int32\)\$2\) \{\n\s+printf\([^;]*EXIT\|owner[^;]*;\n\s+@ending = nsecs;/);
    assert.match(program, /if \(\$p == \(int32\)\$1\) \{\n\s+printf\([^;]*EXIT\|root[^;]*;\n\s+@ending = nsecs;/);
    assert.match(program, /interval:ms:50 \{\n\s+@tokens = @tokens \+ \d+;\n\s+if \(@tokens > \d+\) \{\n\s+@tokens = \d+;\n\s+\}\n\s+@ltokens = @ltokens \+ \d+;\n\s+if \(@ltokens > \d+\) \{\n\s+@ltokens = \d+;\n\s+\}\n\s+if \(@ending != 0 && nsecs - @ending > 150000000\) \{\n\s+exit\(\);/);
  });
});

describe('privileged helper files', () => {
  it('entry point validates argv, uid, parentage and token before running the fixed program', () => {
    const s = entryPointScript({ bpftrace: '/usr/bin/bpftrace' });
    for (const needle of ['PKEXEC_UID', 'is not a child of', 'must be the caller', 'token must be 32 hex digits', '--pdeathsig KILL', 'tail --pid=$OWNER', '-B line']) {
      assert.ok(s.includes(needle), needle);
    }
  });
  it('polkit action targets exactly the entry point with auth_admin_keep', () => {
    const p = polkitPolicy();
    assert.ok(p.includes(`<action id="${POLKIT_ACTION_ID}">`));
    assert.ok(p.includes(`<annotate key="org.freedesktop.policykit.exec.path">${HELPER_PATH}</annotate>`));
    assert.equal((p.match(/auth_admin_keep/g) ?? []).length, 3);
  });
});

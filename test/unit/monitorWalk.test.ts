// The directory walks (W/WEND records) as the reader joins them, and the generator's two variants. The walk itself is pinned end to end in test/integration/exactness.
import assert from 'node:assert/strict';
import { MonitorDecoder } from '../../src/core/protocol/monitorDecoder';
import { bpftraceEnv, monitorProgram, PROGRAM_VERSION, TOKEN_PLACEHOLDER, variantForVersion, WALK_STATE } from '../../src/core/protocol/monitorProgram';
import { ViolationStore } from '../../src/core/store';
import { suggestRule } from '../../src/core/report/policy';

const T = 'fedcba9876543210fedcba9876543210';
const at = new Date('2026-12-01T10:00:00Z');

function decode(lines: string[]) {
  const store = new ViolationStore();
  const d = new MonitorDecoder({
    token: T,
    store,
    onLifecycle: () => undefined,
    now: () => at,
  });
  d.feed(lines.map((l) => `${l}\n`).join(''));
  d.end();
  return { list: store.list(), stats: d.stats };
}

const begin = `${T}|BEGIN|${PROGRAM_VERSION}|100|50|1|1024|${T}`;
const w = (tid: number, step: number, name: string) => `${T}|W|${tid}|${step}|${T}|${name}|${T}`;
const wend = (tid: number, state: number, t: number) => `${T}|WEND|${tid}|${state}|${t}|${T}`;
const f = (nr: number, tid: number, ret: number, ts: number, comm: string, path: string) => `${T}|F|${nr}|${tid}|${tid}|${ret}|0|${ts}|0|${T}|${comm}|${T}|${path}|${T}`;

describe('directories walked in the kernel', () => {
  it('joins a relative path to the directory walked at the syscall, leaf first, mount hops skipped', () => {
    // mkdir -p's chdir then mkdir("man3"); steps 0,1,3: step 2 was a mount crossing
    const { list } = decode([begin, w(7, 0, 'man'), w(7, 1, 'share'), w(7, 3, 'usr'), wend(7, WALK_STATE.whole, 5), f(83, 7, -30, 5, 'mkdir', 'man3')]);
    assert.deepEqual(list.map((v) => [v.target, v.givenPath, v.truncated]), [['/usr/share/man/man3', 'man3', undefined]]);
  });
  it('names the dirfd itself for an empty path, and the root as /', () => {
    const { list } = decode([begin, w(7, 0, 'lib'), wend(7, 0, 5), f(280, 7, -30, 5, 'touch', ''), wend(8, 0, 6), f(83, 8, -30, 6, 'mkdir', 'x')]);
    assert.deepEqual(list.map((v) => v.target), ['/lib', '/x']);
  });
  it('keeps a path whose walk did not reach the root as given: no rule, no guess', () => {
    for (const state of [WALK_STATE.tooDeep, WALK_STATE.outsideRoot, WALK_STATE.noSuchFd]) {
      const { list } = decode([begin, w(7, 0, 'deep'), wend(7, state, 5), f(257, 7, -13, 5, 'cp', 'libz.a')]);
      assert.deepEqual(list.map((v) => [v.target, v.givenPath]), [['libz.a', 'libz.a']], String(state));
      assert.equal(suggestRule(list[0]), undefined);
    }
  });
  it('gives each path of a rename its own directory, and never one tid\'s walk to another', () => {
    const pair = [
      begin,
      w(7, 0, 'a'), wend(7, 0, 5),
      w(9, 0, 'elsewhere'), wend(9, 0, 5),
      `${T}|F2|264|7|7|-18|5|0|${T}|mv|${T}|x|${T}`,
      w(7, 0, 'b'), wend(7, 0, 5),
      `${T}|P2|264|7|7|-18|5|0|${T}|mv|${T}|y|${T}`,
    ];
    const { list } = decode(pair);
    assert.deepEqual(list.map((v) => [v.target, v.relatedPath]), [['/a/x', '/b/y']]);
  });
  it('joins walks printed before both records (bpftrace 0.17\'s deferred probes) in path order, absolute paths taking none', () => {
    const { list } = decode([
      begin,
      w(7, 0, 'a'), wend(7, 0, 5), w(7, 0, 'b'), wend(7, 0, 5),
      `${T}|F2|264|7|7|-18|5|0|${T}|mv|${T}|x|${T}`,
      `${T}|P2|264|7|7|-18|5|0|${T}|mv|${T}|y|${T}`,
      w(7, 0, 'c'), wend(7, 0, 6),
      `${T}|F2|82|7|7|-18|6|0|${T}|mv|${T}|/abs|${T}`,
      `${T}|P2|82|7|7|-18|6|0|${T}|mv|${T}|z|${T}`,
      // symlink's first path is its content, never looked up: the one walk is the link's
      w(7, 0, 'd'), wend(7, 0, 7),
      `${T}|F2|88|7|7|-30|7|0|${T}|ln|${T}|../t|${T}`,
      `${T}|P2|88|7|7|-30|7|0|${T}|ln|${T}|l|${T}`,
    ]);
    assert.deepEqual(list.map((v) => [v.target, v.relatedPath]), [['/a/x', '/b/y'], ['/abs', '/c/z'], ['/d/l', '../t']]);
  });
  it('never gives a walk to a record other than its own (a lost record leaves it unmatched)', () => {
    // the walk of a record at time 4 whose F was lost, then a record at time 5 with no walk of its own
    const { list } = decode([begin, w(7, 0, 'stale'), wend(7, 0, 4), f(83, 7, -30, 5, 'mkdir', 'x')]);
    assert.deepEqual(list.map((v) => [v.target, v.givenPath]), [['x', 'x']]);
    assert.equal(suggestRule(list[0]), undefined);
  });
  it('marks a path cut when a component reached the string limit the BEGIN record announced', () => {
    const { list } = decode([begin, w(7, 0, 'd'.repeat(1023)), wend(7, 0, 5), f(83, 7, -30, 5, 'mkdir', 'x')]);
    assert.equal(list[0].truncated, true);
    assert.equal(suggestRule(list[0]), undefined);
  });
});

describe('program variants', () => {
  const legacy = monitorProgram('legacy');
  const modern = monitorProgram('modern');
  it('are chosen from bpftrace\'s own version line: 0.23 (the first verified) and later run the modern one', () => {
    assert.equal(variantForVersion('bpftrace v0.17.0\n'), 'legacy');
    assert.equal(variantForVersion('bpftrace v0.19.1'), 'legacy');
    assert.equal(variantForVersion('bpftrace v0.9.4'), 'legacy');
    assert.equal(variantForVersion('bpftrace v0.20.2'), 'legacy');
    assert.equal(variantForVersion('bpftrace v0.22.1'), 'legacy');
    assert.equal(variantForVersion('bpftrace v0.23.2'), 'modern');
    assert.equal(variantForVersion('bpftrace v1.0.0'), 'modern');
    assert.equal(variantForVersion(''), 'legacy');
    assert.equal(variantForVersion('fake v0.99'), 'legacy');
  });
  it('legacy: the perf tracepoint, registers found by scanning, walks and records in probes of their own, in that order', () => {
    assert.equal(/rawtracepoint/.test(legacy), false);
    const probes = legacy.match(/^tracepoint:raw_syscalls:sys_exit \/.*\/ \{$/gm) ?? [];
    assert.deepEqual(probes, [
      'tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @tracked[tid] == 2/ {',
      'tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @pend[tid] != 0/ {',
      'tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @pend[tid] != 0/ {',
    ]);
    const [main, walks, records] = legacy.split(/^tracepoint:raw_syscalls:sys_exit /m).slice(1);
    // the main probe decides and prints no path record; the walks come before the records
    assert.equal(/\|(F|F2|P2|W|WEND)\|/.test(main), false);
    assert.ok(main.includes('@pend[tid] = $t;'));
    assert.ok(walks.includes('|W|%d|%d|') && walks.includes('|WEND|%d|%d|%llu|') && !/\|(F|F2|P2)\|/.test(walks));
    assert.ok(/\|F\|/.test(records) && /\|F2\|/.test(records) && /\|P2\|/.test(records) && !records.includes('|W|'));
    assert.ok(records.includes('delete(@pend[tid]);'));
    assert.ok(legacy.includes('@rid[$id, $r * 2 - (($s & 1603) != 0 ? 1 : 0), comm, $o, str(uptr($p))]'));
    assert.ok(legacy.includes(`|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|200|`));
  });
  it('modern: the raw tracepoint returns at its first comparison, with registers from arg0', () => {
    assert.equal((modern.match(/^(tracepoint:raw_syscalls|rawtracepoint):/gm) ?? []).length, 1);
    assert.ok(modern.includes('rawtracepoint:sys_exit /(int64)arg1 < 0 && @tracked[tid] == 2/ {'));
    assert.ok(modern.includes('$regs = (uint64)arg0;'));
    assert.equal(modern.includes('@regsat = $at'), false);
    assert.ok(modern.includes(`|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|1024|`));
  });
  for (const [name, program] of [['legacy', legacy], ['modern', modern]] as const) {
    it(`${name}: walks the cwd or the dirfd's file up to the process root, crossing mounts, framed`, () => {
      assert.ok(program.includes('->fs->pwd.dentry'));
      assert.ok(program.includes('->files->fdt->fd + (uint64)$pd * 8'));
      assert.ok(program.includes('->fs->root.dentry && $k == (uint64)((struct task_struct *)curtask)->fs->root.mnt'));
      assert.ok(program.includes('->mnt_mountpoint'));
      assert.match(program, /while \(\$i < \d+\) \{/);
      assert.ok(program.includes(`printf("${TOKEN_PLACEHOLDER}|W|%d|%d|${TOKEN_PLACEHOLDER}`));
      assert.ok(program.includes(`printf("${TOKEN_PLACEHOLDER}|WEND|%d|%d|%llu|${TOKEN_PLACEHOLDER}\\n", tid, $st, $t);`));
      // the directory is in the dedup key: one name in two directories is two denials; so is an
      // open's write intent (folded into the errno's slot), so a read and a write are two as well
      assert.ok(program.includes('@rid[$id, $r * 2 - (($s & 1603) != 0 ? 1 : 0), comm, $o, str(uptr($p))]'));
    });
  }
  it('sets only the new generation\'s variables for the modern variant, both for the legacy one', () => {
    assert.deepEqual(bpftraceEnv('modern'), { BPFTRACE_MAX_STRLEN: '1024', BPFTRACE_MAX_MAP_KEYS: '16384', BPFTRACE_STR_TRUNC_TRAILER: '', BPFTRACE_PERF_RB_PAGES: '1024' });
    assert.equal(bpftraceEnv('legacy').BPFTRACE_STRLEN, '200');
    assert.equal(bpftraceEnv('legacy').BPFTRACE_MAX_STRLEN, '200');
  });
});

describe('where reporting starts', () => {
  for (const variant of ['legacy', 'modern'] as const) {
    const program = monitorProgram(variant);
    it(`${variant}: Fence's wrapper and the bwrap it probes with are setup; its exec of anything else is the command`, () => {
      assert.match(
        program,
        /\} else if \(\$v == 2 && @started == 0 && comm == "fence"\) \{\n\s+\$v = 3;\n\s+@wrapper = \$n;\n\s+\} else if \(\$v == 3\) \{/,
      );
      // bwrap itself is setup until it execs: then state 2, or 3 for Fence's wrapper
      assert.match(program, /if \(\$v == 1 && comm == "bwrap"\) \{\n\s+\$v = 5;\n\s+\} else if \(\$v == 5\) \{\n\s+\$v = 2;\n\s+if \(@started == 0 && comm == "fence"\) \{\n\s+\$v = 3;\n\s+@wrapper = \$n;\n\s+\}\n/);
      // the wrapper's bwrap probe is a child of it; what it execs in place is the command, bwrap too
      assert.match(program, /if \(\$n != @wrapper && comm == "bwrap"\) \{\n\s+\$v = 4;\n\s+\} else if \(comm != "fence"\) \{\n\s+\$v = 2;\n\s+@started = 1;/);
      // only state 2 is ever reported
      assert.ok(program.includes('@tracked[tid] == 2/ {'));
      assert.ok(program.includes('@started = 0;'));
    });
  }
});

describe('open flags', () => {
  it('both variants: F records carry an open\'s flags, and the reader passes them to the policy', () => {
    for (const program of [monitorProgram('modern'), monitorProgram('legacy')]) {
      assert.ok(program.includes('$s = *(uint64 *)uptr(*(uint64 *)kptr($regs + 96));'), 'openat2 reads struct open_how.flags');
      assert.ok(program.includes('$s = (uint64)577;'), 'creat is O_CREAT | O_WRONLY | O_TRUNC');
      assert.match(program, /\|F\|%d\|%d\|%d\|%d\|0\|%llu\|%llu\|.*\$t, \$s, comm/);
    }
    const { list } = decode([begin, f(257, 7, -13, 5, 'npm', '/home/u/.npm/_logs/x.log').replace('|0|5|0|', `|0|5|${0o2101}|`)]);
    assert.equal(list[0].openFlags, 0o2101);
    assert.deepEqual(suggestRule(list[0])?.value, '/home/u/.npm/_logs');
  });
});

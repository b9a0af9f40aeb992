// The modern program's directory walks (W/WEND records) as the reader joins them, and the
// generator's two variants. The walk itself is pinned end to end in test/integration/exactness.
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
    resolvePath: () => {
      throw new Error('a walked path must never reach the /proc resolver');
    },
  });
  d.feed(lines.map((l) => `${l}\n`).join(''));
  d.end();
  return { list: store.list(), stats: d.stats };
}

const begin = `${T}|BEGIN|${PROGRAM_VERSION}|100|50|1|1024|${T}`;
const w = (tid: number, step: number, name: string) => `${T}|W|${tid}|${step}|${T}|${name}|${T}`;
const wend = (tid: number, state: number) => `${T}|WEND|${tid}|${state}|${T}`;
const f = (nr: number, tid: number, ret: number, ts: number, comm: string, path: string) => `${T}|F|${nr}|${tid}|${tid}|${ret}|${ts}|${ts}|${T}|${comm}|${T}|${path}|${T}`;

describe('directories walked in the kernel', () => {
  it('joins a relative path to the directory walked at the syscall, leaf first, mount hops skipped', () => {
    // mkdir -p's chdir then mkdir("man3"); steps 0,1,3: step 2 was a mount crossing
    const { list } = decode([begin, w(7, 0, 'man'), w(7, 1, 'share'), w(7, 3, 'usr'), wend(7, WALK_STATE.whole), f(83, 7, -30, 5, 'mkdir', 'man3')]);
    assert.deepEqual(list.map((v) => [v.target, v.givenPath, v.cwdGuessed, v.truncated]), [['/usr/share/man/man3', 'man3', undefined, undefined]]);
  });
  it('names the dirfd itself for an empty path, and the root as /', () => {
    const { list } = decode([begin, w(7, 0, 'lib'), wend(7, 0), f(280, 7, -30, 5, 'touch', ''), wend(8, 0), f(83, 8, -30, 6, 'mkdir', 'x')]);
    assert.deepEqual(list.map((v) => v.target), ['/lib', '/x']);
  });
  it('keeps a path whose walk did not reach the root as given: no rule, no guess', () => {
    for (const state of [WALK_STATE.tooDeep, WALK_STATE.outsideRoot, WALK_STATE.noSuchFd]) {
      const { list } = decode([begin, w(7, 0, 'deep'), wend(7, state), f(257, 7, -13, 5, 'cp', 'libz.a')]);
      assert.deepEqual(list.map((v) => [v.target, v.givenPath]), [['libz.a', 'libz.a']], String(state));
      assert.equal(suggestRule(list[0]), undefined);
    }
  });
  it('gives each path of a rename its own directory, and never one tid\'s walk to another', () => {
    const pair = [
      begin,
      w(7, 0, 'a'), wend(7, 0),
      w(9, 0, 'elsewhere'), wend(9, 0),
      `${T}|F2|264|7|7|-18|5|0|${T}|mv|${T}|x|${T}`,
      w(7, 0, 'b'), wend(7, 0),
      `${T}|P2|264|7|7|-18|5|0|${T}|mv|${T}|y|${T}`,
    ];
    const { list } = decode(pair);
    assert.deepEqual(list.map((v) => [v.target, v.relatedPath]), [['/a/x', '/b/y']]);
  });
  it('marks a path cut when a component reached the string limit the BEGIN record announced', () => {
    const { list } = decode([begin, w(7, 0, 'd'.repeat(1023)), wend(7, 0), f(83, 7, -30, 5, 'mkdir', 'x')]);
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
  it('legacy: the perf tracepoint and registers found by scanning, no task_struct, no walk', () => {
    assert.ok(legacy.includes('tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @tracked[tid] == 2/ {'));
    assert.equal(/rawtracepoint|curtask->|\|W\||\|WEND\|/.test(legacy), false);
    assert.ok(legacy.includes(`|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|200|`));
  });
  it('modern: the raw tracepoint returns at its first comparison, with registers from arg0', () => {
    assert.equal((modern.match(/^(tracepoint:raw_syscalls|rawtracepoint):/gm) ?? []).length, 1);
    assert.ok(modern.includes('rawtracepoint:sys_exit /(int64)arg1 < 0 && @tracked[tid] == 2/ {'));
    assert.ok(modern.includes('$regs = (uint64)arg0;'));
    assert.equal(modern.includes('@regsat = $at'), false);
    assert.ok(modern.includes(`|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|1024|`));
  });
  it('modern: walks the cwd or the dirfd\'s file up to the process root, crossing mounts, framed', () => {
    assert.ok(modern.includes('->fs->pwd.dentry'));
    assert.ok(modern.includes('->files->fdt->fd + (uint64)$pd * 8'));
    assert.ok(modern.includes('->fs->root.dentry && $k == (uint64)((struct task_struct *)curtask)->fs->root.mnt'));
    assert.ok(modern.includes('->mnt_mountpoint'));
    assert.match(modern, /while \(\$i < \d+\) \{/);
    for (const rec of ['W', 'WEND']) assert.ok(modern.includes(`printf("${TOKEN_PLACEHOLDER}|${rec}|%d|%d|${TOKEN_PLACEHOLDER}`), rec);
    // the directory is in the dedup key: one name in two directories is two denials
    assert.ok(modern.includes('@rid[$id, $r, comm, $o, str(uptr($p))]'));
  });
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
        /\} else if \(\$v == 2 && @started == 0 && comm == "fence"\) \{\n\s+\$v = 3;\n\s+\} else if \(\$v == 3\) \{\n\s+if \(comm == "bwrap"\) \{\n\s+\$v = 4;\n\s+\} else if \(comm != "fence"\) \{\n\s+\$v = 2;\n\s+@started = 1;/,
      );
      // only state 2 is ever reported
      assert.ok(program.includes('@tracked[tid] == 2/ {'));
      assert.ok(program.includes('@started = 0;'));
    });
  }
});

describe('open flags', () => {
  it('modern: F records carry an open\'s flags, and the reader passes them to the policy', () => {
    const modern = monitorProgram('modern');
    assert.ok(modern.includes('$s = *(uint64 *)uptr(*(uint64 *)kptr($regs + 96));'), 'openat2 reads struct open_how.flags');
    assert.ok(modern.includes('$s = (uint64)577;'), 'creat is O_CREAT | O_WRONLY | O_TRUNC');
    assert.match(modern, /\|F\|%d\|%d\|%d\|%d\|%llu\|%llu\|%llu\|.*\$t, \$t, \$s, comm/);
    assert.match(monitorProgram('legacy'), /\|F\|%d\|%d\|%d\|%d\|%llu\|%llu\|0\|/);
    const { list } = decode([begin, f(257, 7, -13, 5, 'npm', '/home/u/.npm/_logs/x.log').replace('|5|5|', `|5|5|${0o2101}|`)]);
    assert.equal(list[0].openFlags, 0o2101);
    assert.deepEqual(suggestRule(list[0])?.value, '/home/u/.npm/_logs');
  });
});

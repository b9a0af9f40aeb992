// The benchmark's scratch workspace: a Fence settings file, the compiled C workload and the
// sources the build-like workload compiles. It lives under /var/tmp, not /tmp: Fence gives the
// sandbox its own /tmp, which would hide the workspace from the command.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isExecutableFile } from '../src/monitor/programs';

/** The repository root, seen from the bundled out/bench/*.js. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The fence binary every run uses, as in the test rig: FENCE_LENS_FENCE, else the one CI installs. */
export const FENCE = process.env.FENCE_LENS_FENCE || '/usr/local/bin/fence';

/**
 * A bpftrace the benchmarks measure the monitor with: the host's, and Debian 13's from the chroot
 * scripts/bpftrace-chroot.sh builds, when it is there.
 */
export interface Bpftrace {
  /** `bpftrace-0.17`: the prefix of this platform's keys. */
  readonly label: string;
  readonly path: string;
  /** `v0.17.0` */
  readonly version: string;
}

/** Where the benchmarks look for bpftrace, and the platform each place is expected to be. */
const BPFTRACE_CANDIDATES: readonly { readonly path: string; readonly expected: string; readonly fix: string }[] = [
  { path: '/usr/bin/bpftrace', expected: 'bpftrace-0.17', fix: 'apt-get install bpftrace' },
  { path: '/var/lib/fence-lens/bin/bpftrace-0.23', expected: 'bpftrace-0.23', fix: 'bash scripts/bpftrace-chroot.sh up' },
];

/** A platform that could not be measured, and why (its rows are null with this reason). */
export interface MissingBpftrace {
  readonly label: string;
  readonly reason: string;
}

/** The bpftraces found at their fixed places, with their versions, and the ones that were not. */
export function findBpftraces(): { found: Bpftrace[]; missing: MissingBpftrace[] } {
  const found: Bpftrace[] = [];
  const missing: MissingBpftrace[] = [];
  for (const c of BPFTRACE_CANDIDATES) {
    if (!isExecutableFile(c.path)) {
      missing.push({ label: c.expected, reason: `${c.path} not installed (${c.fix})` });
      continue;
    }
    const r = spawnSync(c.path, ['--version'], { encoding: 'utf8' });
    const m = /v(\d+)\.(\d+)[.\d]*/.exec(r.stdout ?? '');
    if (r.status !== 0 || !m) {
      missing.push({ label: c.expected, reason: `${c.path} --version failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? r.status} (${c.fix})` });
      continue;
    }
    found.push({ label: `bpftrace-${m[1]}.${m[2]}`, path: c.path, version: m[0] });
  }
  return { found, missing };
}

/** Pins a command to one CPU: perf-event tracepoints cost several times more on the CPU they were opened on. */
export function pinned(cpu: number, file: string, args: readonly string[]): [string, string[]] {
  return ['/usr/bin/taskset', ['-c', String(cpu), file, ...args]];
}

export interface Fixtures {
  readonly dir: string;
  /** Fence settings: writes allowed only inside `dir`, so writes to /etc are denied (EROFS). */
  readonly settings: string;
  /** The compiled bench/workload.c. */
  readonly workload: string;
  remove(): void;
}

export function makeFixtures(): Fixtures {
  const dir = mkdtempSync('/var/tmp/fence-lens-bench-');
  const settings = path.join(dir, 'fence.json');
  writeFileSync(settings, JSON.stringify({ filesystem: { allowWrite: ['.'] } }) + '\n');
  const source = path.join(REPO_ROOT, 'bench/workload.c');
  const workload = path.join(dir, 'workload');
  execFileSync('gcc', ['-O2', '-o', workload, source], { stdio: 'inherit' });
  mkdirSync(path.join(dir, 'src'));
  for (let j = 1; j <= 4; j++) copyFileSync(source, path.join(dir, `src/w${j}.c`));
  return { dir, settings, workload, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Prints BENCH_NS for: copy a header tree, compile four C files, tar it, cat every header. */
export function buildWorkload(): string {
  const work = [
    'rm -rf b && mkdir b',
    'cp -r /usr/include/linux b/',
    'for j in 1 2 3 4; do gcc -O1 -c src/w$j.c -o b/w$j.o || exit 1; done',
    'tar cf b/x.tar b/linux',
    "find b -name '*.h' | xargs cat >/dev/null",
    'rm -rf b',
  ].join(' && ');
  // The shell's children's CPU time (cutime + cstime, fields 16-17 of /proc/$$/stat, in clock ticks).
  const cpu = "awk '{print ($16 + $17) * 10000000}' /proc/$$/stat";
  return `s=$(date +%s%N); ${work} || exit 1; e=$(date +%s%N); echo BENCH_NS $((e - s)); echo BENCH_CPU_NS $(${cpu})`;
}

export const STORM_TARGET = '/etc/fence_lens_bench_storm';

/** `count` denied writes of one path. */
export function stormSame(f: Fixtures, count: number, target = STORM_TARGET): string {
  return `${f.workload} same ${count} ${target}`;
}

/** `count` ENOENT lookups cycling through 1,000 missing names (bench/workload.c `lookups`). */
export function lookupStorm(f: Fixtures, count: number, prefix = '/nonexistent_fence_lens_bench/l_'): string {
  return `${f.workload} lookups ${count} ${prefix}`;
}

/** `count` denied writes, each of a distinct path. */
export function stormDistinct(f: Fixtures, count: number, prefix = '/etc/fence_lens_bench_d_'): string {
  return `${f.workload} distinct ${count} ${prefix}`;
}

/** Reads the workload's own CPU time (user + system, its children included) from its output. */
export function parseBenchCpuNs(output: string): number | null {
  const m = /BENCH_CPU_NS (\d+)/.exec(output);
  return m ? Number(m[1]) : null;
}

/** Reads the workload's own elapsed time from its output. */
export function parseBenchNs(output: string): number | null {
  const m = /BENCH_NS (\d+)/.exec(output);
  return m ? Number(m[1]) : null;
}

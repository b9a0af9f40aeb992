// The benchmark's scratch workspace: a Fence settings file, the compiled C workload and the
// sources the build-like workload compiles. It lives under /var/tmp, not /tmp: Fence gives the
// sandbox its own /tmp, which would hide the workspace from the command.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, seen from the bundled out/bench/*.js. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

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

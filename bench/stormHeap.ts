// Heap growth after a storm of denials through the real monitor, each storm in its own Node
// process (so earlier benchmarks' garbage is not counted): 1M denials of distinct paths, where the
// store's bound (10,000 distinct, overflow counted) must hold, and 1M of one path, whose count must
// come out exact from the kernel's repeat counting.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, type Fixtures } from './fixtures';
import type { StormHeapSample } from './stormHeapChild';

export function stormHeap(f: Fixtures, mode: 'same' | 'distinct', count: number): Promise<StormHeapSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', path.join(REPO_ROOT, 'out/bench/stormHeapChild.js'), mode, String(count), f.dir, f.settings, f.workload],
      { cwd: f.dir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`storm heap child (${mode}) exited ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as StormHeapSample);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

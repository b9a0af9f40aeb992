// The monitor reports a path as the process passed it to the kernel, so `touch out/x` arrives as
// the relative `out/x`. Views that need a file (Problems, open, quick fixes) resolve it against the
// run's working directory: right for commands that do not chdir, and never outside what they named.

import * as path from 'node:path';
import type { Violation } from '../core/model';

export function absoluteTarget(v: Pick<Violation, 'category' | 'target'>, cwd: string): string | undefined {
  if (v.category !== 'filesystem' || v.target === '') return undefined;
  return path.isAbsolute(v.target) ? v.target : path.resolve(cwd, v.target);
}

/** The violation with its path made absolute, for `suggestRule`, which only writes absolute rules. */
export function withAbsoluteTarget(v: Violation, cwd: string): Violation {
  const abs = absoluteTarget(v, cwd);
  return abs && abs !== v.target ? { ...v, target: abs } : v;
}

// The engine resolves relative paths itself (keeping the original in `givenPath`); this is the
// fallback for a target that still arrives relative, so Problems, open and quick fixes (whose rules
// must be absolute) get a file: resolved against the run's working directory.

import * as path from 'node:path';
import type { Violation } from '../../core/model';

export function absoluteTarget(v: Pick<Violation, 'category' | 'target'>, cwd: string): string | undefined {
  if (v.category !== 'filesystem' || v.target === '') return undefined;
  return path.isAbsolute(v.target) ? v.target : path.resolve(cwd, v.target);
}

/** The violation with its path made absolute, for `suggestRule`, which only writes absolute rules. */
export function withAbsoluteTarget(v: Violation, cwd: string): Violation {
  const abs = absoluteTarget(v, cwd);
  return abs && abs !== v.target ? { ...v, target: abs } : v;
}

// Paths of denials as the editor shows and opens them. The engine reports every filesystem target
// absolute (the path as given is kept in `givenPath`), so nothing here resolves a path again.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Violation } from '../core/model';

/** The denied file's path; undefined for other categories and for targets that are not a path ("(... not itemised)"). */
export function deniedPath(v: Pick<Violation, 'category' | 'target'>): string | undefined {
  return v.category === 'filesystem' && path.isAbsolute(v.target) ? v.target : undefined;
}

/** `p` or its nearest ancestor that exists (a denied create leaves nothing to point at), not above `stopAt`. */
export function nearestExisting(p: string, stopAt = '/'): string {
  let current = p;
  while (!fs.existsSync(current) && current !== stopAt && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

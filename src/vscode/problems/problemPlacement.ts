// Which file a denial's problem goes on. A denial on a path inside a workspace folder is put on that
// file, or on its nearest existing parent when the file was never created (a denied create leaves
// nothing to point at). Everything else goes on the Fence settings file when it is in the workspace,
// since that is where the fix is made; otherwise the denial has no file and only the explorer shows it.

import * as path from 'node:path';
import type { Violation } from '../../core/model';
import { deniedPath, nearestExisting } from '../files';

/** What placement depends on besides the violation: fixed for a run, computed once per run. */
export interface Placement {
  readonly folders: readonly string[];
  /** The run's Fence settings file when it is inside a workspace folder. */
  readonly settingsInWorkspace: string | undefined;
}

/**
 * `p` is `folder` or below it; both absolute, `folder` normalised (workspace folders are). A prefix
 * test, not path.relative, which resolves and normalises both paths on every call, once per denial.
 */
function inside(folder: string, p: string): boolean {
  const n = p.includes('/.') || p.includes('//') ? path.normalize(p) : p; // `..`, `.` or `//` in a reported path
  return n === folder || n.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

export function placement(folders: readonly string[], settingsFile: string | null): Placement {
  const settingsInWorkspace = settingsFile !== null && folders.some((f) => inside(f, settingsFile)) ? settingsFile : undefined;
  return { folders, settingsInWorkspace };
}

/** The file for `v`'s problem, or undefined when it has none. Touches the disk for paths in the workspace. */
export function problemFileFor(v: Violation, where: Placement): string | undefined {
  const target = deniedPath(v);
  if (target) {
    const folder = where.folders.find((f) => inside(f, target));
    if (folder) return nearestExisting(target, folder);
  }
  return where.settingsInWorkspace;
}

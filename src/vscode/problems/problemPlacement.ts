// Which file a denial's problem goes on, and where in it. A denial of an existing file inside a
// workspace folder is put on that file. Everything else (a file never created, a folder, a path
// outside the workspace, a host) goes on the Fence settings file when it is in the workspace, on the
// key of the setting that would allow it (`"allowWrite"`; the section's key, or the top-level
// object, when the setting is absent), since that is where the fix is made. A folder never gets a
// problem: VS Code cannot show a directory in an editor. Without a settings file in the workspace
// the denial has no file and only the explorer shows it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TextSpan } from '../../core/fence/settingsText';
import type { Violation } from '../../core/model';
import { deniedPath } from '../files';

/** What placement depends on besides the violation: fixed for a run, computed once per run. */
export interface Placement {
  readonly folders: readonly string[];
  /** The run's Fence settings file when it is inside a workspace folder. */
  readonly settingsInWorkspace: string | undefined;
  /** Where a setting is written in that file (from its text when the run started). */
  readonly spanOf: (setting: string | undefined) => TextSpan | undefined;
}

/** Where a problem goes: the file, and the span in it (undefined: the file's first character). */
export interface ProblemPlace {
  readonly file: string;
  readonly span?: TextSpan;
  /** The place is the settings file, not the denied file itself. */
  readonly onSettings: boolean;
}

/**
 * `p` is `folder` or below it; both absolute, `folder` normalised (workspace folders are). A prefix
 * test, not path.relative, which resolves and normalises both paths on every call, once per denial.
 */
function inside(folder: string, p: string): boolean {
  const n = p.includes('/.') || p.includes('//') ? path.normalize(p) : p; // `..`, `.` or `//` in a reported path
  return n === folder || n.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function placement(folders: readonly string[], settingsFile: string | null, spanOf: Placement['spanOf']): Placement {
  const settingsInWorkspace = settingsFile !== null && folders.some((f) => inside(f, settingsFile)) ? settingsFile : undefined;
  return { folders, settingsInWorkspace, spanOf };
}

/** Where `v`'s problem goes, or undefined when it has none. `setting` is the rule that would allow it. Touches the disk for paths in the workspace. */
export function problemPlaceFor(v: Violation, setting: string | undefined, where: Placement): ProblemPlace | undefined {
  const target = deniedPath(v);
  if (target && where.folders.some((f) => inside(f, target)) && isFile(target)) return { file: target, onSettings: false };
  if (!where.settingsInWorkspace) return undefined;
  return { file: where.settingsInWorkspace, span: where.spanOf(setting), onSettings: true };
}

// The rules offered to allow a denial, narrowest first, written as the user would write them: a
// settings file is usually committed, so a path under the home directory is written `~/...`
// (Fence expands `~/` itself, v0.1.5 included) instead of one machine's absolute home path.
// Allowing the home directory, `/` or a system directory lets the sandboxed command write far more
// than the denial needed, so such a rule always comes with a warning, after a narrower one when
// there is one.

import type { RuleSuggestion } from '../model';
import { parentDir } from '../posixPath';

export interface AllowChoice {
  readonly suggestion: RuleSuggestion;
  /** Set when the rule opens much more than the denial needed: shown with the choice. */
  readonly warning?: string;
  /**
   * A directory to create (outside the sandbox, as the user) with the rule: Fence grants writes
   * only in directories that exist when it starts, so allowing a directory the command failed to
   * make allows nothing until it exists (measured with fence v0.1.5).
   */
  readonly createDirectory?: string;
}

/** Top-level folders of the system: a rule naming one of them (or a folder directly under `/usr`) is wide. */
const SYSTEM_DIRS = new Set(['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/usr', '/var', '/home', '/mnt', '/media']);

function isUnder(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** `~/x` for a path below `home`; `home` itself and other paths as they are. */
export function homeRelative(p: string, home: string): string {
  return home !== '/' && home !== '' && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
}

/** The home directory, `/`, a system folder, or a folder directly under `/usr` or `/usr/local`. */
export function isWideDirectory(dir: string, home: string): boolean {
  const d = dir.replace(/\/+$/, '') || '/';
  if (d === '/' || d === home || SYSTEM_DIRS.has(d)) return true;
  const parent = parentDir(d);
  return parent === '/usr' || parent === '/usr/local' || parent === '/var';
}

const PATH_SETTINGS = new Set(['filesystem.allowWrite', 'filesystem.allowRead', 'filesystem.allowExecute', 'network.allowUnixSockets']);

/** The same rule with its path written `~/...` when it is under the home directory. */
function portable(s: RuleSuggestion, home: string): RuleSuggestion {
  if (!PATH_SETTINGS.has(s.setting)) return s;
  const value = homeRelative(s.value, home);
  return value === s.value ? s : { ...s, value, description: s.description.replace(s.value, value) };
}

/** Operations that create the denied path as a directory: allowing that path itself is a rule. */
const MAKES_DIRECTORY = new Set(['mkdir', 'mkdirat']);

/**
 * The choices for a denial whose engine suggestion is `s`: `s` itself when it names a narrow folder.
 * When it names a wide one: for a denied mkdir, creating the new directory and allowing it first,
 * and `s` second with a warning; otherwise `s` alone, with the warning (Fence grants writes per
 * directory, so a rule for the file alone would not allow it).
 */
export function allowChoices(s: RuleSuggestion, denied: { readonly operation: string; readonly target: string }, home: string): AllowChoice[] {
  if (s.setting !== 'filesystem.allowWrite' || !isWideDirectory(s.value, home)) return [{ suggestion: portable(s, home) }];
  const shown = s.value === home ? '~ (the home directory)' : s.value;
  const wide: AllowChoice = { suggestion: portable(s, home), warning: `allows writing anywhere in ${shown}, not only what was denied` };
  const { target } = denied;
  if (!MAKES_DIRECTORY.has(denied.operation) || target === s.value || target === home || !isUnder(s.value, target)) return [wide];
  const shownTarget = homeRelative(target, home);
  const narrow = portable({ setting: s.setting, value: target, description: `Create ${shownTarget} and allow writing in it` }, home);
  return [{ suggestion: narrow, createDirectory: target }, wide];
}

// Turns a violation into the narrowest Fence settings change that would allow it. Suggestions are
// advice shown to the user (and offered as quick fixes), never applied without their action.

import type { RuleSuggestion, Violation } from '../model';
import { parentDir } from '../posixPath';
import { openWrites } from '../protocol/syscalls';

const WRITE_OPS = new Set([
  'open', 'openat', 'openat2', 'creat', 'unlink', 'unlinkat', 'rmdir', 'mkdir', 'mkdirat', 'mknod',
  'mknodat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat', 'chmod',
  'fchmodat', 'fchmodat2', 'chown', 'lchown', 'fchownat', 'truncate', 'utimensat',
]);

const OPEN_OPS = new Set(['open', 'openat', 'openat2', 'creat']);

/** Host part of `host:port`, `[v6]:port` or a bare host. */
export function hostOf(target: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (v6) return v6[1];
  const i = target.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(target.slice(i + 1)) ? target.slice(0, i) : target;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

export function suggestRule(v: Pick<Violation, 'category' | 'operation' | 'target' | 'errno' | 'relatedPath' | 'truncated' | 'targetBytes' | 'relatedPathBytes' | 'cause' | 'openFlags'>): RuleSuggestion | undefined {
  if (v.truncated) return undefined; // never write a rule for a path we only saw part of
  // nor for one whose bytes are not UTF-8: its text (with U+FFFD) names no file
  if (v.targetBytes !== undefined || v.relatedPathBytes !== undefined) return undefined;
  if (v.cause === 'host') return undefined; // the host refuses it too: no Fence rule would help
  // A target in parentheses describes what was not seen ("(unnamed unix socket)", the monitor's
  // "(openat denials not itemised ...)"); it is not a path or host a rule could name.
  if (v.target.startsWith('(')) return undefined;
  switch (v.category) {
    case 'filesystem': {
      if (!v.target.startsWith('/')) return undefined;
      // A read the sandbox refused by hiding the path (ENOENT). allowRead does not lift Fence's mask
      // of a denyRead directory (denyRead wins), so no single added rule is known to fix it.
      if (v.errno === 2) return undefined;
      if (v.operation === 'execve' || v.operation === 'execveat') {
        return { setting: 'filesystem.allowExecute', value: v.target, description: `Allow executing ${v.target}` };
      }
      if (v.operation === 'mount') return undefined;
      // EBUSY: a file Fence bind-mounts on its own (it protects .git/config, ~/.gitconfig); EXDEV: a
      // rename across two of its mounts. Allowing writes in the directory lifts neither.
      if (v.errno === 16 || v.errno === 18) return undefined;
      // An open's flags say what it meant; without them an EACCES open is taken for a read, as before.
      // Every other operation listed writes, and Landlock refuses a write it was not given with
      // EACCES even where the mount is writable: allowWrite of the directory, whatever the errno.
      const writes = OPEN_OPS.has(v.operation) ? (openWrites(v.openFlags) ?? v.errno !== 13) : WRITE_OPS.has(v.operation);
      if (writes) {
        // The directory, even for a write to an existing file: Fence's Landlock layer grants writes
        // per directory and ignores a file entry in allowWrite (measured with fence v0.1.5), so a
        // file rule would not fix the denial. A directory is the narrowest rule that works.
        const dir = parentDir(v.target);
        return { setting: 'filesystem.allowWrite', value: dir, description: `Allow writing in ${dir}` };
      }
      if (v.errno === 13 && OPEN_OPS.has(v.operation)) {
        return { setting: 'filesystem.allowRead', value: v.target, description: `Allow reading ${v.target}` };
      }
      return undefined;
    }
    case 'network': {
      const host = hostOf(v.target);
      if (v.target.startsWith('/')) {
        return { setting: 'network.allowUnixSockets', value: v.target, description: `Allow the Unix socket ${v.target}` };
      }
      if (LOOPBACK.test(host)) {
        if (v.operation === 'bind') return { setting: 'network.allowLocalBinding', value: 'true', description: 'Allow binding local ports' };
        return { setting: 'network.allowLocalOutbound', value: 'true', description: 'Allow connections to localhost' };
      }
      if (/^[\d.]+$/.test(host) || host.includes(':')) return undefined; // Fence allows domains, not raw addresses
      return { setting: 'network.allowedDomains', value: host, description: `Allow connections to ${host}` };
    }
    case 'command':
      return { setting: 'command.allow', value: v.target, description: `Allow the command ${v.target}` };
    default:
      return undefined;
  }
}

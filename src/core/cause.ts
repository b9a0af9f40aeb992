// Was a denial the sandbox's doing, or would the host have refused it anyway? For an ordinary user a
// write in /etc fails outside Fence too, and so does a PATH search through a root-only directory:
// no Fence rule can help, so such a denial is shown apart and never gets a suggestion. The rule
// below decides which host permissions the operation needed; the check itself runs as the user on
// the unprivileged side (src/sandbox/hostCause.ts). "host" needs positive evidence: a path the host
// does not have (the sandbox's own tmpfs, a file the command was about to create elsewhere) or an
// operation the rule does not know leaves the cause with the sandbox.

import type { Cause, ViolationInput } from './model';
import { parentDir } from './posixPath';
import { openWrites } from './protocol/syscalls';

/** What the user needs on a path: access(2)'s modes, or ownership (chmod, chown, times). */
export type HostNeed = 'read' | 'write' | 'exec' | 'writeDir' | 'own';

/** The host's answer, as the user: allowed, refused (EACCES/EPERM/EROFS), or no such path here. */
export type HostVerdict = 'allowed' | 'refused' | 'absent';

export type HostProbe = (path: string, need: HostNeed) => HostVerdict;

/** One requirement: any of `alternatives` allowed satisfies it (e.g. owner or writable for utimensat). */
interface Need {
  readonly path: string;
  readonly anyOf: readonly HostNeed[];
}


const EPERM = 1;
const EACCES = 13;
const EROFS = 30;

/** A write to an existing file needs write on it; a new one, write and search on its directory. */
function writeAt(path: string, probe: HostProbe): Need[] {
  return probe(path, 'read') === 'absent' && probe(path, 'write') === 'absent'
    ? [{ path: parentDir(path), anyOf: ['writeDir'] }]
    : [{ path, anyOf: ['write'] }];
}

/** The host permissions `v` needed, or null when the rule cannot tell (then the sandbox is the cause). */
function needsOf(v: ViolationInput, probe: HostProbe): Need[][] | null {
  const t = v.target;
  switch (v.operation) {
    case 'open':
    case 'openat':
    case 'openat2': {
      // With the flags (both programs record them) the open's intent is known. Without them EROFS can
      // only be a write; EACCES may be either, so the host is the cause only if it refuses both (it
      // would have refused whichever was meant).
      const writes = openWrites(v.openFlags);
      if (writes === true || v.errno === EROFS) return [writeAt(t, probe)];
      if (writes === false) return [[{ path: t, anyOf: ['read'] }]];
      return [[{ path: t, anyOf: ['read'] }], writeAt(t, probe)];
    }
    case 'creat':
    case 'truncate':
      return [writeAt(t, probe)];
    case 'mkdir':
    case 'mkdirat':
    case 'mknod':
    case 'mknodat':
    case 'unlink':
    case 'unlinkat':
    case 'rmdir':
    case 'symlink':
    case 'symlinkat':
      return [[{ path: parentDir(t), anyOf: ['writeDir'] }]];
    case 'rename':
    case 'renameat':
    case 'renameat2': {
      const dirs = [{ path: parentDir(t), anyOf: ['writeDir'] as const }];
      if (v.relatedPath?.startsWith('/')) dirs.push({ path: parentDir(v.relatedPath), anyOf: ['writeDir'] });
      return [dirs];
    }
    case 'link':
    case 'linkat':
      return v.relatedPath?.startsWith('/') ? [[{ path: parentDir(v.relatedPath), anyOf: ['writeDir'] }]] : null;
    case 'chmod':
    case 'fchmodat':
    case 'fchmodat2':
    case 'chown':
    case 'lchown':
    case 'fchownat':
      // Only the owner may chmod; chown is root's (an owner may change the group to one of theirs).
      return [[{ path: t, anyOf: ['own'] }]];
    case 'utimensat':
      return [[{ path: t, anyOf: ['own', 'write'] }]];
    case 'execve':
    case 'execveat':
      return [[{ path: t, anyOf: ['exec'] }]];
    default:
      return null;
  }
}

/**
 * 'host' when the host, checked as the user, refuses what the operation needed (for an EACCES
 * open of unknown intent, both reading and writing); otherwise 'sandbox'.
 */
export function classifyCause(v: ViolationInput, probe: HostProbe): Cause {
  if (v.cause) return v.cause;
  if (v.category !== 'filesystem' || v.source !== 'ebpf') return 'sandbox';
  if (v.errno !== EACCES && v.errno !== EPERM && v.errno !== EROFS) return 'sandbox';
  // A path we cannot name exactly is not one we can check on the host.
  if (!v.target.startsWith('/') || v.truncated || v.targetBytes !== undefined || v.relatedPathBytes !== undefined) return 'sandbox';
  const alternatives = needsOf(v, probe);
  if (!alternatives) return 'sandbox';
  // Every alternative (reading, writing) must fail on the host, each through at least one need
  // none of whose modes the host allows.
  const refused = alternatives.every((needs) => needs.some((n) => n.anyOf.every((mode) => probe(n.path, mode) === 'refused')));
  return refused ? 'host' : 'sandbox';
}

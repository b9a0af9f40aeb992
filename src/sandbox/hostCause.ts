// The host side of classifyCause: asks the kernel, as the user fence-lens runs as, whether it would
// allow what a denied operation needed, on the host's own file system (outside the sandbox).

import { accessSync, constants, statSync } from 'node:fs';
import type { HostNeed, HostProbe, HostVerdict } from '../core/cause';
import { classifyCause } from '../core/cause';
import type { Cause, ViolationInput } from '../core/model';

const MODE: Record<Exclude<HostNeed, 'own'>, number> = {
  read: constants.R_OK,
  write: constants.W_OK,
  exec: constants.X_OK,
  writeDir: constants.W_OK | constants.X_OK,
};

function verdictOf(e: unknown): HostVerdict {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'refused' : 'absent';
}

/** access(2) with the real uid and gids of this process, which is the user's; ownership from stat (chmod follows links). */
export const hostProbe: HostProbe = (path, need) => {
  try {
    if (need === 'own') {
      const uid = process.getuid?.() ?? -1;
      return uid === 0 || statSync(path, { throwIfNoEntry: true }).uid === uid ? 'allowed' : 'refused';
    }
    accessSync(path, MODE[need]);
    return 'allowed';
  } catch (e) {
    return verdictOf(e);
  }
};

/** The cause of a denial as this user sees the host: a few access(2) calls per distinct denial. */
export function hostCause(input: ViolationInput): Cause {
  return classifyCause(input, hostProbe);
}

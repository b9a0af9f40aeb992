// Linux errno values (x86-64 and every other mainstream Linux arch agree on these). Fence's own
// monitor shipped a wrong table (-2 "Operation not permitted", -110 "Connection refused", ...):
// these numbers and messages are glibc's strerror() text, pinned by test/unit/errno.test.ts.

export interface ErrnoInfo {
  readonly errno: number;
  readonly name: string;
  readonly message: string;
}

const TABLE: readonly ErrnoInfo[] = [
  { errno: 1, name: 'EPERM', message: 'Operation not permitted' },
  { errno: 2, name: 'ENOENT', message: 'No such file or directory' },
  { errno: 13, name: 'EACCES', message: 'Permission denied' },
  { errno: 16, name: 'EBUSY', message: 'Device or resource busy' },
  { errno: 17, name: 'EEXIST', message: 'File exists' },
  { errno: 18, name: 'EXDEV', message: 'Invalid cross-device link' },
  { errno: 20, name: 'ENOTDIR', message: 'Not a directory' },
  { errno: 21, name: 'EISDIR', message: 'Is a directory' },
  { errno: 22, name: 'EINVAL', message: 'Invalid argument' },
  { errno: 30, name: 'EROFS', message: 'Read-only file system' },
  { errno: 98, name: 'EADDRINUSE', message: 'Address already in use' },
  { errno: 99, name: 'EADDRNOTAVAIL', message: 'Cannot assign requested address' },
  { errno: 101, name: 'ENETUNREACH', message: 'Network is unreachable' },
  { errno: 110, name: 'ETIMEDOUT', message: 'Connection timed out' },
  { errno: 111, name: 'ECONNREFUSED', message: 'Connection refused' },
  { errno: 113, name: 'EHOSTUNREACH', message: 'No route to host' },
];

const BY_NUMBER = new Map(TABLE.map((e) => [e.errno, e]));

/** Errnos that mean "the sandbox said no" for file operations. */
export const FILE_DENIAL_ERRNOS: readonly number[] = [1, 13, 30];
/**
 * Errnos a sandbox's mounts cause on the rename/unlink/rmdir/link family: EBUSY for a file Fence
 * bind-mounts on its own (git's rename("config.lock", "config") onto a read-only .git/config), EXDEV
 * for a rename or link across two of its mounts.
 */
export const MOUNT_DENIAL_ERRNOS: readonly number[] = [16, 18];
/** Errnos that mean "the sandbox said no" for connect and bind. */
export const SOCKET_DENIAL_ERRNOS: readonly number[] = [1, 13, 99, 101, 111];

export function errnoInfo(errno: number): ErrnoInfo {
  return BY_NUMBER.get(errno) ?? { errno, name: `E${errno}`, message: `errno ${errno}` };
}

/** Finds the errno whose strerror() text is `message` (Fence's ebpf lines print only the text). */
export function errnoByMessage(message: string): ErrnoInfo | undefined {
  return TABLE.find((e) => e.message.toLowerCase() === message.trim().toLowerCase());
}

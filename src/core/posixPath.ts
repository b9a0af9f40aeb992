// Absolute POSIX paths as the kernel reported them: string operations only, no file system.

/** The directory holding `p` (`/` for a path directly under the root); trailing slashes ignored. */
export function parentDir(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

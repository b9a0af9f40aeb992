// x86-64 syscall numbers the monitor cares about, and where each keeps its path or sockaddr.
// The monitor attaches one probe to raw_syscalls:sys_exit instead of ~60 per-syscall tracepoints:
// measured on these machines, 55 per-syscall exit probes took 4.5 s to detach (one RCU grace period
// each) against the 2.5 s target. The price is this table (and reading the arguments from pt_regs).

/**
 * Where a path argument sits, and the directory fd a relative one is relative to (`dir`; absent:
 * the cwd). The monitor resolves that directory in the kernel at the syscall.
 */
export type ArgShape =
  | { kind: 'path'; arg: number; dir?: number; flags?: OpenFlagsArg }
  | { kind: 'twoPaths'; first: number; second: number; targetIsSecond: boolean; firstDir?: number; secondDir?: number }
  | { kind: 'sockaddr'; arg: number };

export interface SyscallInfo {
  readonly nr: number;
  readonly name: string;
  readonly shape: ArgShape;
}

/**
 * Where an open's flags are: a register, the first field of openat2's struct open_how (a pointer in
 * that register), or implied (creat is open(O_CREAT | O_WRONLY | O_TRUNC)).
 */
export type OpenFlagsArg = { arg: number } | { howArg: number } | { implied: number };
/** creat's flags: O_CREAT | O_WRONLY | O_TRUNC. */
export const CREAT_FLAGS = 0o1101;
/** O_WRONLY | O_RDWR, and the flags that write without them: O_CREAT, O_TRUNC, O_APPEND. */
const O_ACCMODE = 0o3;
const WRITING_FLAGS = 0o100 | 0o1000 | 0o2000;

/** Whether an open meant to write, from its flags; undefined when the monitor did not see them. */
export function openWrites(flags: number | undefined): boolean | undefined {
  if (flags === undefined) return undefined;
  return (flags & O_ACCMODE) !== 0 || (flags & WRITING_FLAGS) !== 0;
}

const p = (arg: number): ArgShape => ({ kind: 'path', arg });
/** A *at syscall: the path at `arg`, relative to the directory fd in `dir`. */
const at = (dir: number, arg: number): ArgShape => ({ kind: 'path', arg, dir });
const two = (first: number, second: number, targetIsSecond = false): ArgShape => ({
  kind: 'twoPaths',
  first,
  second,
  targetIsSecond,
});
const twoAt = (firstDir: number, first: number, secondDir: number, second: number): ArgShape => ({
  kind: 'twoPaths',
  first,
  second,
  targetIsSecond: false,
  firstDir,
  secondDir,
});

/** Syscalls whose denials carry a path or an address. */
export const TRACED_SYSCALLS: readonly SyscallInfo[] = [
  { nr: 2, name: 'open', shape: { kind: 'path', arg: 0, flags: { arg: 1 } } },
  { nr: 257, name: 'openat', shape: { kind: 'path', arg: 1, dir: 0, flags: { arg: 2 } } },
  { nr: 437, name: 'openat2', shape: { kind: 'path', arg: 1, dir: 0, flags: { howArg: 2 } } },
  { nr: 85, name: 'creat', shape: { kind: 'path', arg: 0, flags: { implied: CREAT_FLAGS } } },
  { nr: 87, name: 'unlink', shape: p(0) },
  { nr: 263, name: 'unlinkat', shape: at(0, 1) },
  { nr: 84, name: 'rmdir', shape: p(0) },
  { nr: 83, name: 'mkdir', shape: p(0) },
  { nr: 258, name: 'mkdirat', shape: at(0, 1) },
  { nr: 133, name: 'mknod', shape: p(0) },
  { nr: 259, name: 'mknodat', shape: at(0, 1) },
  { nr: 82, name: 'rename', shape: two(0, 1) },
  { nr: 264, name: 'renameat', shape: twoAt(0, 1, 2, 3) },
  { nr: 316, name: 'renameat2', shape: twoAt(0, 1, 2, 3) },
  { nr: 86, name: 'link', shape: two(0, 1) },
  { nr: 265, name: 'linkat', shape: twoAt(0, 1, 2, 3) },
  // symlink(target, linkpath): the write happens at linkpath, the second argument.
  { nr: 88, name: 'symlink', shape: two(0, 1, true) },
  { nr: 266, name: 'symlinkat', shape: { kind: 'twoPaths', first: 0, second: 2, targetIsSecond: true, secondDir: 1 } },
  { nr: 90, name: 'chmod', shape: p(0) },
  { nr: 268, name: 'fchmodat', shape: at(0, 1) },
  { nr: 452, name: 'fchmodat2', shape: at(0, 1) },
  { nr: 92, name: 'chown', shape: p(0) },
  { nr: 94, name: 'lchown', shape: p(0) },
  { nr: 260, name: 'fchownat', shape: at(0, 1) },
  { nr: 76, name: 'truncate', shape: p(0) },
  { nr: 280, name: 'utimensat', shape: at(0, 1) },
  { nr: 59, name: 'execve', shape: p(0) },
  { nr: 322, name: 'execveat', shape: at(0, 1) },
  { nr: 165, name: 'mount', shape: p(1) },
  { nr: 42, name: 'connect', shape: { kind: 'sockaddr', arg: 1 } },
  { nr: 49, name: 'bind', shape: { kind: 'sockaddr', arg: 1 } },
];

/**
 * Syscalls that look a path up without writing it, traced only for ENOENT: where the sandbox hides a
 * path (a tmpfs over a denyRead directory, or one defaultDenyRead leaves out), a read fails with
 * ENOENT. Their other errnos are the host's (Landlock does not refuse a stat), so they are not in
 * TRACED_SYSCALLS; the opens and execs there are looked up for ENOENT too (LOOKUP_SYSCALLS).
 */
export const LOOKUP_ONLY_SYSCALLS: readonly SyscallInfo[] = [
  { nr: 4, name: 'stat', shape: p(0) },
  { nr: 6, name: 'lstat', shape: p(0) },
  { nr: 262, name: 'newfstatat', shape: at(0, 1) },
  { nr: 332, name: 'statx', shape: at(0, 1) },
  { nr: 21, name: 'access', shape: p(0) },
  { nr: 269, name: 'faccessat', shape: at(0, 1) },
  { nr: 439, name: 'faccessat2', shape: at(0, 1) },
  { nr: 89, name: 'readlink', shape: p(0) },
  { nr: 267, name: 'readlinkat', shape: at(0, 1) },
  { nr: 80, name: 'chdir', shape: p(0) },
];

/** Every syscall whose ENOENT the monitor records as a possible hidden read: opens, execs and LOOKUP_ONLY_SYSCALLS. */
export const LOOKUP_SYSCALLS: readonly SyscallInfo[] = [
  ...TRACED_SYSCALLS.filter((s) => ['open', 'openat', 'openat2', 'execve', 'execveat'].includes(s.name)),
  ...LOOKUP_ONLY_SYSCALLS,
];

// Names for syscalls that can come back EPERM from Fence's seccomp filter (or elsewhere); any other
// number is shown as syscall_<n> rather than dropped.
const OTHER_NAMES: Record<number, string> = {
  101: 'ptrace', 310: 'process_vm_readv', 311: 'process_vm_writev', 166: 'umount2', 155: 'pivot_root',
  161: 'chroot', 169: 'reboot', 175: 'init_module', 313: 'finit_module', 176: 'delete_module',
  246: 'kexec_load', 320: 'kexec_file_load', 167: 'swapon', 168: 'swapoff', 170: 'sethostname',
  171: 'setdomainname', 172: 'iopl', 173: 'ioperm', 163: 'acct', 321: 'bpf', 298: 'perf_event_open',
  323: 'userfaultfd', 272: 'unshare', 308: 'setns', 62: 'kill', 200: 'tkill', 234: 'tgkill',
  105: 'setuid', 106: 'setgid', 117: 'setresuid', 119: 'setresgid', 113: 'setreuid', 114: 'setregid',
  157: 'prctl', 160: 'setrlimit', 302: 'prlimit64', 16: 'ioctl', 41: 'socket', 44: 'sendto',
  46: 'sendmsg', 54: 'setsockopt', 56: 'clone', 435: 'clone3', 57: 'fork', 58: 'vfork',
  91: 'fchmod', 93: 'fchown', 77: 'ftruncate', 33: 'dup2', 1: 'write', 0: 'read', 3: 'close',
  103: 'syslog', 140: 'getpriority', 141: 'setpriority', 250: 'keyctl', 248: 'add_key', 249: 'request_key',
  425: 'io_uring_setup', 426: 'io_uring_enter', 427: 'io_uring_register', 134: 'uselib',
  135: 'personality', 139: 'sysfs', 304: 'open_by_handle_at', 303: 'name_to_handle_at',
  428: 'open_tree', 429: 'move_mount', 430: 'fsopen', 431: 'fsconfig', 432: 'fsmount', 433: 'fspick',
  442: 'mount_setattr', 444: 'landlock_create_ruleset', 445: 'landlock_add_rule',
  446: 'landlock_restrict_self', 227: 'clock_settime', 164: 'settimeofday', 159: 'adjtimex',
  305: 'clock_adjtime',
};

const BY_NR = new Map<number, SyscallInfo>([...TRACED_SYSCALLS, ...LOOKUP_ONLY_SYSCALLS].map((s) => [s.nr, s]));

export function tracedSyscall(nr: number): SyscallInfo | undefined {
  return BY_NR.get(nr);
}

export function syscallName(nr: number): string {
  return BY_NR.get(nr)?.name ?? OTHER_NAMES[nr] ?? `syscall_${nr}`;
}

/** Where MOUNT_DENIAL_ERRNOS are a sandbox's doing: rename, unlink, rmdir and link, in every form. */
export const MOUNT_BOUNDARY_SYSCALLS: readonly number[] = [82, 264, 316, 87, 263, 84, 86, 265];

/**
 * Syscalls Fence's seccomp filter answers with EPERM (its DangerousSyscalls list), plus the
 * namespace calls other sandboxes block. EPERM from any other syscall is routine (epoll_ctl on a
 * regular file, prlimit64 raising a hard limit) and would bury the real denials.
 */
export const SECCOMP_SYSCALLS: readonly number[] = [
  101, 310, 311, 250, 248, 249, 135, 323, 298, 321, 246, 320, 169, 103, 163, 166, 155, 167, 168, 170,
  171, 175, 313, 176, 173, 172, 272, 308, 161,
];

// Generates the fixed bpftrace program the privileged monitor runs. Its only inputs are the
// syscall table and errno lists of this package: no workspace or sandbox string ever reaches it.
// At run time the privileged entry point substitutes TOKEN_PLACEHOLDER with a validated hex token and
// passes two integers ($1 = root PID of the sandbox tree, $2 = owner PID) on argv.
//
// Record grammar (one record per printf; a user-controlled string may contain newlines, so the
// reader joins physical lines until the closing token):
//   T|BEGIN|<version>|<root>|<owner>|<nsecs>|<strlen>|T   strlen: the str() limit of this run's records
//   T|READY|<child pid>|T                      every probe is attached (see the exec probe)
//   T|F|<nr>|<pid>|<tid>|<ret>|0|<rid>|<flags>|T|<comm>|T|<path>|T  file op, one path (its time
//                                    is its rid); flags: an open's flags (write intent), 0 otherwise
//   T|F2|<nr>|<pid>|<tid>|<ret>|<nsecs>|0|T|<comm>|T|<path>|T            two-path op, first path
//   T|P2|<nr>|<pid>|<tid>|<ret>|<nsecs>|0|T|<comm>|T|<path>|T            ... its second path
//   T|N|<nr>|<pid>|<tid>|<ret>|<nsecs>|0|<family>|<port>|T|<comm>|T|<addr>|T      connect/bind
//   T|S|<nr>|<pid>|<tid>|<ret>|<nsecs>|<rid>|T|<comm>|T||T               seccomp-blockable syscall, EPERM
//   T|W|<tid>|<step>|T|<name>|T     one component of the directory the next path
//                                    record of <tid> is relative to, leaf first; steps skip mount hops
//   T|WEND|<tid>|<state>|<t>|T      ... end of that walk: 0 reached the process's root (the path is
//                                    whole), 1 too deep, 2 outside that root, 3 the dirfd is no open file.
//                                    A walk precedes each relative path of an F, F2 or P2 record, in
//                                    path order; <t> is that record's rid (F) or nsecs (F2, P2).
//   T|NOREGS|<nr>|T       the task's saved registers were not found: no argument is read (once)
//   T|COUNTS|T, then bpftrace's own "@cnt[<rid>]: <n>" and "@over[<nr>, <ret>]: <n>" lines
//   (running totals of repeats, and of denials past a record budget), then T|COUNTS_END|T
//   T|EXIT|root|<pid>|<nsecs>|T   T|EXIT|owner|<pid>|<nsecs>|T   T|END|<nsecs>|T
// <rid> is the record id: the record's first nsecs (0 on records that are never deduplicated).
// F and S records are emitted once per distinct (syscall, errno, comm, path/address);
// repeats are counted in the kernel under <rid> and reported in COUNTS blocks (every second and at
// the end). This is what keeps a storm of 200k identical denials cheap: printing every event was the
// measured cost of Fence's own monitor. Past a per-kind record budget (RECORD_BUDGET below) new
// denials are only counted, per syscall and errno, so nothing is ever under-counted or flooded away.

import { FILE_DENIAL_ERRNOS, MOUNT_DENIAL_ERRNOS, SOCKET_DENIAL_ERRNOS } from './errno';
import { LOOKUP_ONLY_SYSCALLS, LOOKUP_SYSCALLS, MOUNT_BOUNDARY_SYSCALLS, type OpenFlagsArg, SECCOMP_SYSCALLS, TRACED_SYSCALLS } from './syscalls';

export const TOKEN_PLACEHOLDER = '@@FENCE_LENS_TOKEN@@';
/** Bumped whenever the record grammar changes, so a stale installed helper is detected. */
export const PROGRAM_VERSION = 16;
/** How long the program keeps draining after the run's root or owner exits. */
const DRAIN_NS = 150_000_000;
/** bpftrace 0.17's maximum; a string of STRLEN - 1 bytes may have been cut. */
export const STRLEN = 200;
/** What the modern variant asks for (BPFTRACE_MAX_STRLEN): paths of 1,023 bytes come through whole. */
export const MODERN_STRLEN = 1024;

/** The string limit of a variant's records (BEGIN carries it too, so the reader never guesses). */
export function strlenOf(variant: ProgramVariant): number {
  return variant === 'modern' ? MODERN_STRLEN : STRLEN;
}
/** Entries of every bpftrace map (BPFTRACE_MAP_KEYS_MAX): the dedup maps must stay below it. */
export const KERNEL_DEDUP_KEYS = 16384;
/**
 * Records printed per run, at most, per kind: distinct file and seccomp denials (deduplicated in
 * the kernel, so this also bounds the dedup maps); network denials and two-path denials (rename, link,
 * symlink), which are printed each time (their keys would not fit the BPF stack). Past a budget no record of
 * that kind is printed: each new denial is counted in the kernel per (syscall, errno) and reported in
 * the COUNTS blocks, so a flood can neither overrun the ring buffer (losing other denials with it)
 * nor outgrow the maps, and a flood of one kind leaves the others itemised. RECORD_BUDGET stays under
 * the map size with a margin, since the counters are not atomic.
 */
export const RECORD_BUDGET = 12_000;
export const NET_BUDGET = 5_000;
/** Records printable per 50 ms, and at once (see the interval probe). */
export const BURST = 500;
export const BURST_CAPACITY = 2_000;
export const PAIR_BUDGET = 5_000;
/**
 * ENOENT lookups (a possible hidden read, see LOOKUP_SYSCALLS) have a budget, a map and a token
 * bucket of their own: ordinary ENOENT (PATH search, config probing) is everywhere, and lookups must
 * never push a real denial out of its budget or rate. 100 per 50 ms, 500 at once: with the main
 * bucket's 2,000 that stays under what one CPU's ring buffer holds (~3,500 records).
 */
export const LOOKUP_BUDGET = 4_000;
export const LOOKUP_BURST = 100;
export const LOOKUP_BURST_CAPACITY = 500;

function anyOf(variable: string, values: readonly number[]): string {
  return values.map((v) => `${variable} == ${v}`).join(' || ');
}

/**
 * Finds the task's saved user registers (struct pt_regs) without naming a task_struct field:
 * resolving `curtask->stack` makes bpftrace 0.17 import the whole task_struct from BTF, which
 * measured 0.6 s of CPU at every start (more than the rest of the program's compile). So the first
 * failing syscall of a run scans the start of task_struct for the kernel stack pointer (a kernel
 * address aligned to THREAD_SIZE), and takes the pt_regs slot at its top (THREAD_SIZE 16 or 32 KiB,
 * with or without FRED's 16 bytes of padding) whose orig_ax is this syscall's number and whose cs
 * is the user code segment. The answer (field offset << 16 | slot offset) is kept in @regsat, and
 * every later record checks orig_ax again, so a wrong guess can only ever read nothing.
 */
const PT_REGS_SIZE = 168;
/** Offsets in x86-64's struct pt_regs (an ABI: its layout is what the entry code pushes). */
const PT_REGS = { origAx: 120, cs: 136 } as const;
/** Where syscall arguments 0-5 (di, si, dx, r10, r8, r9) sit in struct pt_regs. */
const ARG_OFFSETS = [112, 104, 96, 56, 72, 64] as const;
const USER_CS = 0x33;
const REGS_SLOTS = [16384 - PT_REGS_SIZE, 16384 - 16 - PT_REGS_SIZE, 32768 - PT_REGS_SIZE, 32768 - 16 - PT_REGS_SIZE] as const;
/** task_struct offsets scanned for `stack` (it sits right after thread_info and __state). */
const STACK_FIELD_SCAN = { from: 8, count: 12 } as const;

function locateRegs(): string {
  const tries = REGS_SLOTS.map(
    (slot) =>
      `          if ($at == 0 && *(int64 *)kptr($k + ${slot + PT_REGS.origAx}) == $id && (*(uint64 *)kptr($k + ${slot + PT_REGS.cs}) & 0xffff) == ${USER_CS}) {\n            $at = ($o << 16) | ${slot};\n          }`,
  );
  return [
    '  $task = (uint64)curtask;',
    '  $at = @regsat;',
    '  if ($at == 0) {',
    `    $o = (uint64)${STACK_FIELD_SCAN.from};`,
    `    unroll(${STACK_FIELD_SCAN.count}) {`,
    '      if ($at == 0) {',
    '        $k = *(uint64 *)kptr($task + $o);',
    "        if (($k >> 48) == 0xffff && ($k & 0x3fff) == 0) {",
    ...tries,
    '        }',
    '        $o = $o + 8;',
    '      }',
    '    }',
    '    if ($at != 0) {',
    '      @regsat = $at;',
    '    }',
    '  }',
    // Typed at its first assignment: bpftrace 0.20+ refuses an int64 variable later given a uint64.
    '  $regs = (uint64)0;',
    '  if ($at != 0) {',
    "    $regs = *(uint64 *)kptr($task + ($at >> 16)) + ($at & 0xffff);",
    `    if (*(int64 *)kptr($regs + ${PT_REGS.origAx}) != $id) {`,
    '      $regs = 0;',
    '    }',
    '  }',
  ].join('\n');
}

/** Indents every line of a generated block by `levels` more steps of two spaces. */
function indent(block: string, levels: number): string {
  const pad = '  '.repeat(levels);
  return block
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function regOf(arg: number): string {
  const at = ARG_OFFSETS[arg];
  if (at === undefined) throw new Error(`syscall argument ${arg} has no register`);
  return `*(uint64 *)kptr($regs + ${at})`;
}

/** The dirfd value meaning "relative to the cwd" (AT_FDCWD), and ours for "never resolve this path". */
const AT_FDCWD = -100;
const NO_DIR = -1000;

/**
 * `if (...) { $p = ...; } else if ...` choosing the path (and second path) registers by syscall, and
 * the directory fd each is relative to ($pd, $qd: AT_FDCWD for the legacy calls, NO_DIR for
 * symlink's first argument, which is the link's content, not a path the kernel looks up).
 */
function pathArgs(): string {
  const dirOf = (dir: number | undefined): string => `(int32)${dir === undefined ? AT_FDCWD : regOf(dir)}`;
  const groups = new Map<string, { nrs: number[]; body: string }>();
  for (const s of [...TRACED_SYSCALLS, ...LOOKUP_ONLY_SYSCALLS]) {
    if (s.shape.kind === 'sockaddr') continue;
    const body =
      s.shape.kind === 'path'
        ? `$p = ${regOf(s.shape.arg)};${flagsOf(s.shape.flags)} $pd = ${dirOf(s.shape.dir)};`
        : `$p = ${regOf(s.shape.first)}; $q = ${regOf(s.shape.second)}; $pd = ${s.shape.targetIsSecond ? `(int32)${NO_DIR}` : dirOf(s.shape.firstDir)}; $qd = ${dirOf(s.shape.secondDir)};`;
    const g = groups.get(body) ?? { nrs: [], body };
    g.nrs.push(s.nr);
    groups.set(body, g);
  }
  const lines: string[] = [];
  let first = true;
  for (const { nrs, body } of groups.values()) {
    lines.push(`${first ? 'if' : '} else if'} (${anyOf('$id', nrs)}) {`, `  ${body}`);
    first = false;
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * `$s = ...;` for an open (its flags say whether it meant to write), nothing otherwise. $s is the
 * network branch's sockaddr: reused, because a variable of its own did not fit 0.17's BPF stack.
 */
function flagsOf(flags: OpenFlagsArg | undefined): string {
  if (flags === undefined) return '';
  if ('arg' in flags) return ` $s = ${regOf(flags.arg)};`;
  if ('howArg' in flags) return ` $s = *(uint64 *)uptr(${regOf(flags.howArg)});`;
  return ` $s = (uint64)${flags.implied};`;
}

/** O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND: the flags that make an open a write (see openWrites). */
const WRITE_INTENT_FLAGS = 0o3 | 0o100 | 0o1000 | 0o2000;

/** Components of a directory walked at most (mount crossings included); deeper is marked, not guessed. */
export const WALK_STEPS = 48;
/** struct mount embeds its struct vfsmount after mnt_hash (16 bytes), mnt_parent and mnt_mountpoint. */
const MOUNT_MNT_OFFSET = 32;
/** Why a directory walk stopped (the WEND record's state). */
export const WALK_STATE = { whole: 0, tooDeep: 1, outsideRoot: 2, noSuchFd: 3 } as const;

/**
 * Sets $o/$k (a dentry and its vfsmount, as integers) to the directory the path in `path` is
 * relative to, or 0 when it is absolute (or empty: the syscall then acts on the dirfd itself, and
 * the walk below gives its path); $st to WALK_STATE.noSuchFd for a dirfd that is no open file.
 * `dfd` holds the dirfd, AT_FDCWD or NO_DIR. The variables of locateRegs are reused on purpose:
 * every variable is a slot of the probe's 512-byte stack for its whole run, and this probe was at
 * the limit (a walk with its own dozen variables did not load on bpftrace 0.17).
 */
function dirLookup(path: string, dfd: string): string {
  const task = '((struct task_struct *)curtask)';
  // Two ifs, not one &&: bpftrace 0.23 warns of an address-space mismatch for a user read in a &&.
  return [
    '$o = (uint64)0;',
    '$k = (uint64)0;',
    `$st = ${WALK_STATE.whole};`,
    `if (${path} != 0 && ${dfd} != ${NO_DIR}) {`,
    `  if (*(uint8 *)uptr(${path}) != 47) {`,
    // An empty path names the dirfd itself (AT_EMPTY_PATH), never the cwd: with AT_FDCWD, or a
    // call that has no dirfd, it is a path that could not be read, and stays empty.
    `    if (${dfd} == ${AT_FDCWD}) {`,
    `      if (*(uint8 *)uptr(${path}) != 0) {`,
    `        $o = (uint64)${task}->fs->pwd.dentry;`,
    `        $k = (uint64)${task}->fs->pwd.mnt;`,
    '      }',
    `    } else if (${dfd} >= 0) {`,
    `      if ((uint64)${dfd} < (uint64)${task}->files->fdt->max_fds) {`,
    `        $at = *(uint64 *)kptr((uint64)${task}->files->fdt->fd + (uint64)${dfd} * 8);`,
    '        if ($at != 0) {',
    '          $o = (uint64)((struct file *)$at)->f_path.dentry;',
    '          $k = (uint64)((struct file *)$at)->f_path.mnt;',
    '        }',
    '      }',
    '      if ($o == 0) {',
    `        $st = ${WALK_STATE.noSuchFd};`,
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
}

/**
 * Prints the directory found by dirLookup as W records, leaf first, up to the process's root
 * (inside bwrap, the sandbox's root: the path the process itself would name), crossing mount
 * points through struct mount, then a WEND record saying whether the walk reached that root.
 * Printed only before the path record it belongs to, by the same thread, with that record's id ($t).
 */
function dirWalk(): string {
  const T = TOKEN_PLACEHOLDER;
  const fs = '((struct task_struct *)curtask)->fs';
  return [
    'if ($o != 0 || $st != 0) {',
    '  if ($st == 0) {',
    `    $st = ${WALK_STATE.tooDeep};`,
    '    $i = 0;',
    `    while ($i < ${WALK_STEPS}) {`,
    `      if ($o == (uint64)${fs}->root.dentry && $k == (uint64)${fs}->root.mnt) {`,
    `        $st = ${WALK_STATE.whole};`,
    '        break;',
    '      }',
    '      if ($o == (uint64)((struct vfsmount *)$k)->mnt_root) {',
    `        $at = (uint64)((struct mount *)($k - ${MOUNT_MNT_OFFSET}))->mnt_parent;`,
    `        if ($at == $k - ${MOUNT_MNT_OFFSET}) {`,
    `          $st = ${WALK_STATE.outsideRoot};`,
    '          break;',
    '        }',
    `        $o = (uint64)((struct mount *)($k - ${MOUNT_MNT_OFFSET}))->mnt_mountpoint;`,
    `        $k = $at + ${MOUNT_MNT_OFFSET};`,
    '      } else {',
    `        printf("${T}|W|%d|%d|${T}|%s|${T}\\n", tid, $i, str(((struct dentry *)$o)->d_name.name));`,
    '        $o = (uint64)((struct dentry *)$o)->d_parent;',
    '      }',
    '      $i = $i + 1;',
    '    }',
    '  }',
    `  printf("${T}|WEND|%d|%d|%llu|${T}\\n", tid, $st, $t);`,
    '}',
  ].join('\n');
}

/** A record budget and rate, as the program text that checks them and takes from them. */
interface Budget {
  /** The condition under which a new key may be printed. */
  readonly open: string;
  /** What printing one takes from the budget and the rate. */
  readonly take: string;
}
const budgetOf = (printed: string, tokens: string, budget: number): Budget => ({
  open: `${printed} < ${budget} && ${tokens} > 0`,
  take: `${printed} = ${printed} + 1;\n${tokens} = ${tokens} - 1;`,
});
const DENIALS = budgetOf('@printed', '@tokens', RECORD_BUDGET);
const LOOKUPS = budgetOf('@lprinted', '@ltokens', LOOKUP_BUDGET);
/**
 * A path denial's budget, or a lookup's ($want 3): one dedup map and one branch for both, as a second
 * map's key did not fit bpftrace 0.17's stack beside the first (measured); ENOENT keys stay apart by $r.
 */
const PATHS: Budget = {
  open: `($want == 3 && ${LOOKUPS.open}) || ($want != 3 && ${DENIALS.open})`,
  take: `if ($want == 3) {\n${indent(LOOKUPS.take, 1)}\n} else {\n${indent(DENIALS.take, 1)}\n}`,
};

/**
 * The kernel-side dedup of one record kind: a repeat of a known key adds to its count under the
 * key's record id (its first nsecs); a new key within the budget and the rate is stored and `emit`
 * runs once (it may use $t, the new id); anything else is counted per (syscall, errno) in @over.
 */
function dedupOrCount(ridVar: string, mapKey: string, emit: string, b: Budget = DENIALS): string {
  return [
    // `+ (uint64)0`: this read comes before any write of the map, and bpftrace 0.20+ cannot type a
    // map from a read alone (the error it gives names the next map, @cnt).
    `${ridVar} = ${mapKey} + (uint64)0;`,
    `if (${ridVar} != 0) {`,
    `  @cnt[${ridVar}] = count();`,
    `} else if (${b.open}) {`,
    indent(b.take, 1),
    '  $t = nsecs;',
    `  ${mapKey} = $t;`,
    indent(emit, 1),
    '} else {',
    '  @over[$id, $r] = count();',
    '}',
  ].join('\n');
}

/**
 * The F record of a one-path denial: $t is its id (its time, so the time field is 0: one argument
 * fewer was what made 0.17's deferred probe fit its stack), $s the open's flags.
 */
function fileRecord(): string {
  const T = TOKEN_PLACEHOLDER;
  return `printf("${T}|F|%d|%d|%d|%d|0|%llu|%llu|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, $s, comm, str(uptr($p)));`;
}

/** A two-path denial's records, F2 then P2, each after its path's directory walk when `walks`. */
function pairRecords(walks = false): string {
  const T = TOKEN_PLACEHOLDER;
  return [
    ...(walks ? [dirLookup('$p', '$pd'), dirWalk()] : []),
    `printf("${T}|F2|%d|%d|%d|%d|%llu|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($p)));`,
    ...(walks ? [dirLookup('$q', '$qd'), dirWalk()] : []),
    `printf("${T}|P2|%d|%d|%d|%d|%llu|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($q)));`,
  ].join('\n');
}

/**
 * A connect or bind denial's N record, from the sockaddr in $s: printed each time (not deduplicated
 * in the kernel: a key holding the address did not fit the 512-byte BPF stack, measured).
 */
function networkRecords(): string {
  const T = TOKEN_PLACEHOLDER;
  return `$fam = *(uint16 *)uptr($s);
if ($fam == 2) {
  $s4 = (struct sockaddr_in *)uptr($s);
  $port = $s4->sin_port;
  printf("${T}|N|%d|%d|%d|%d|%llu|0|2|%d|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t,
         (($port & 0xff) << 8) | (($port >> 8) & 0xff), comm, ntop(2, $s4->sin_addr.s_addr));
} else if ($fam == 10) {
  $s6 = (struct sockaddr_in6 *)uptr($s);
  $port = $s6->sin6_port;
  printf("${T}|N|%d|%d|%d|%d|%llu|0|10|%d|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t,
         (($port & 0xff) << 8) | (($port >> 8) & 0xff), comm, ntop(10, $s6->sin6_addr.in6_u.u6_addr8));
} else if ($fam == 1) {
  printf("${T}|N|%d|%d|%d|%d|%llu|0|1|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($s + 2)));
} else {
  printf("${T}|N|%d|%d|%d|%d|%llu|0|%d|0|${T}|%s|${T}||${T}\\n", $id, pid, tid, $r, $t, $fam, comm);
}`;
}

/** Reads the path registers of syscall $id into $p/$q, their dirfds into $pd/$qd, an open's flags into $s. */
function readPathArgs(): string {
  return [
    '$p = (uint64)0;',
    '$s = (uint64)0;',
    '$q = (uint64)0;',
    `$pd = (int32)${AT_FDCWD};`,
    `$qd = (int32)${AT_FDCWD};`,
    pathArgs(),
  ].join('\n');
}

/**
 * The main probe's branch for a path denial. The modern program prints its records there. On
 * bpftrace 0.17 a directory walk and a record do not fit one probe's 512-byte stack next to the
 * dedup key (measured), so the main probe only decides (dedup, budget, rate) and leaves the id in
 * @pend[tid]; the next probe on the same tracepoint, which the kernel runs right after it for the
 * same syscall (programs run in attach order, and bpftrace attaches in program order: checked on
 * this kernel: 1,000 of 1,000 syscalls in order, 0 with the text order reversed), walks and prints
 * on a stack of its own.
 */
function pathBranch(modern: boolean): string {
  // The directory is part of the key: the same relative name in two directories is two denials.
  // So is an open's write intent (its flags' access mode, O_CREAT, O_TRUNC, O_APPEND): a read and a
  // write of one path are two denials with two rules. Folded into the errno's slot (odd: writes), as
  // a slot of its own did not fit bpftrace 0.17's stack.
  const key = `@rid[$id, $r * 2 - (($s & ${WRITE_INTENT_FLAGS}) != 0 ? 1 : 0), comm, $o, str(uptr($p))]`;
  return [
    readPathArgs(),
    `if ($q != 0 && (@pairprinted >= ${PAIR_BUDGET} || @tokens <= 0)) {`,
    '  @over[$id, $r] = count();',
    '} else if ($q != 0) {',
    '  @pairprinted = @pairprinted + 1;',
    '  @tokens = @tokens - 1;',
    '  $t = nsecs;',
    indent(modern ? pairRecords(true) : '@pend[tid] = $t;', 1),
    '} else if ($p != 0) {',
    indent(dirLookup('$p', '$pd'), 1),
    indent(dedupOrCount('$u', key, modern ? `${dirWalk()}\n${fileRecord()}` : '@pend[tid] = $t;', PATHS), 1),
    '}',
  ].join('\n');
}

/**
 * bpftrace 0.17's probes after the main one: the walks, then the records it decided on (see
 * pathBranch). Two probes, as one with a walk and a record did not fit 512 bytes of stack (measured).
 * The walks come first, in path order, and each relative path takes the next walked directory of
 * its thread, so the reader joins them as it joins the modern program's.
 */
function deferredRecordsProbes(sockIds: string): string {
  // `last`: statements after the register check, which run whatever it found.
  const probe = (body: string, last = ''): string => `tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @pend[tid] != 0/ {
  $t = @pend[tid];
  $r = args->ret;
  $id = args->id;
  $at = @regsat;
  $regs = *(uint64 *)kptr((uint64)curtask + ($at >> 16)) + ($at & 0xffff);
  if (*(int64 *)kptr($regs + ${PT_REGS.origAx}) == $id) {
${indent(body, 2)}
  }${last ? `\n${indent(last, 1)}` : ''}
}`;
  // The second probe also prints network records (which have no walk): the main probe's stack had
  // no room left for them once it recorded lookups too, nor had the walks' (measured).
  const walks = [
    `if (!(${sockIds})) {`,
    indent(readPathArgs(), 1),
    indent(dirLookup('$p', '$pd'), 1),
    indent(dirWalk(), 1),
    '  if ($q != 0) {',
    indent(dirLookup('$q', '$qd'), 2),
    indent(dirWalk(), 2),
    '  }',
    '}',
  ].join('\n');
  const records = [
    `if (${sockIds}) {`,
    `  $s = ${regOf(1)};`,
    indent(networkRecords(), 1),
    '} else {',
    indent(readPathArgs(), 1),
    '  if ($q != 0) {',
    indent(pairRecords(), 2),
    '  } else {',
    indent(fileRecord(), 2),
    '  }',
    '}',
  ].join('\n');
  // the deletion is outside the register check: a pending id is never left for a later syscall
  return [probe(walks), probe(records, 'delete(@pend[tid]);')].join('\n');
}

/**
 * What the bpftrace at hand can run; both report the same records. `legacy` (0.17): the perf-event
 * tracepoint, 200-byte strings, and its work split over three probes (see pathBranch), as the
 * 512-byte BPF stack holds a dedup key or a walk or a record, not two. `modern` (0.23+, which moves
 * large values off the stack): the raw tracepoint, 1,024-byte strings, one probe.
 */
export type ProgramVariant = 'legacy' | 'modern';

// The probe every syscall of the machine runs: it returns at its first comparison unless the call
// failed in the sandbox. 0.17 has only the perf-event tracepoint, whose registers are found by
// locateRegs; 0.20+ has the raw tracepoint, which passes the pt_regs pointer and the return value
// (arg0, arg1) and costs unrelated processes less (measured on 0.23: attach 0.075 s against 0.27,
// a getppid loop 1.65x against 2.89x).
const LEGACY_PROBE_HEAD = `tracepoint:raw_syscalls:sys_exit /args->ret < 0 && @tracked[tid] == 2/ {
  $r = args->ret;
  $id = args->id;`;
const MODERN_PROBE_HEAD = `rawtracepoint:sys_exit /(int64)arg1 < 0 && @tracked[tid] == 2/ {
  $r = (int64)arg1;
  $id = *(int64 *)kptr(arg0 + ${PT_REGS.origAx});`;

/** The program text with TOKEN_PLACEHOLDER in it. Deterministic: install-helper writes it once. */
export function monitorProgram(variant: ProgramVariant = 'legacy'): string {
  const T = TOKEN_PLACEHOLDER;
  const modern = variant === 'modern';
  const fileErr = anyOf('$r', FILE_DENIAL_ERRNOS.map((e) => -e));
  const mountErr = `(${anyOf('$r', MOUNT_DENIAL_ERRNOS.map((e) => -e))}) && (${anyOf('$id', MOUNT_BOUNDARY_SYSCALLS)})`;
  const sockErr = anyOf('$r', SOCKET_DENIAL_ERRNOS.map((e) => -e));
  const seccomp = anyOf('$id', SECCOMP_SYSCALLS);
  const sockIds = anyOf('$id', TRACED_SYSCALLS.filter((s) => s.shape.kind === 'sockaddr').map((s) => s.nr));
  const pathIds = anyOf('$id', TRACED_SYSCALLS.filter((s) => s.shape.kind !== 'sockaddr').map((s) => s.nr));
  const lookupIds = anyOf('$id', LOOKUP_SYSCALLS.map((s) => s.nr));
  const counts = `printf("${T}|COUNTS|${T}\\n"); print(@cnt); print(@over); printf("${T}|COUNTS_END|${T}\\n");`;
  return `// Fence Lens privileged monitor, program version ${PROGRAM_VERSION}. Generated; do not edit.
BEGIN {
  @tracked[$1] = 1;
  @regsat = (uint64)0;
  @printed = 0;
  @tokens = ${BURST_CAPACITY};
  @netprinted = 0;
  @pairprinted = 0;
  @lprinted = 0;
  @ltokens = ${LOOKUP_BURST_CAPACITY};
  @started = 0;
  @wrapper = 0;
  printf("${T}|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|${strlenOf(variant)}|${T}\\n", $1, $2, nsecs);
}
// @tracked: 1 = in the run's tree (the gate, fence, its helpers), 5 = the sandbox's bwrap itself,
// setting the sandbox up (its lookups in the new mount namespace fail by design) until it execs what
// it runs, 2 = inside the sandbox (everything bwrap starts), 3 = Fence's own wrapper inside the sandbox (its Landlock stage, exec'd
// as "fence" before the user's command starts), 4 = a bwrap that wrapper starts (its probe of
// bwrap --unshare-net, whose mount("/") fails with EPERM in every run: setup, not a denial). Only 2
// is reported. The wrapper's exec of anything else is the user's command: back to 2, and from then
// on (@started) nothing enters 3 again, so the sandboxed program cannot hide behind the name. A bwrap
// is the probe only when a child of the wrapper (@wrapper) execs it: one the wrapper execs in place
// is the user's command. (One called fence is not: Fence re-executes itself in place the same way.)
tracepoint:sched:sched_process_fork /@tracked[tid]/ {
  @tracked[args->child_pid] = @tracked[tid];
}
// A multithreaded process (fence's Go landlock wrapper inside the sandbox) may exec from a
// non-leader thread: the kernel kills the old leader first (its sched_process_exit deletes
// @tracked[pid]) and the exec'ing thread takes over the pid. Re-key from old_pid, or the command
// and everything it starts go untracked (seen as empty reports in ~1 of 13 runs).
// BEGIN fires before the other probes are attached, so it proves nothing (and a command released on
// BEGIN sometimes ran before raw_syscalls was attached: seen as empty reports under load). bpftrace
// starts its -c child only after attaching every probe; the child's exec is the proof.
// (One exec probe for both jobs: bpftrace 0.17 reads available_events 21 times per tracepoint
// probe while compiling, ~60 ms of attach time each.)
tracepoint:sched:sched_process_exec {
  if (pid == cpid) {
    printf("${T}|READY|%d|${T}\\n", cpid);
  }
  $o = args->old_pid;
  $v = @tracked[$o];
  if ($v != 0) {
    $n = args->pid;
    if ($v == 1 && comm == "bwrap") {
      $v = 5;
    } else if ($v == 5) {
      $v = 2;
      if (@started == 0 && comm == "fence") {
        $v = 3;
        @wrapper = $n;
      }
    } else if ($v == 2 && @started == 0 && comm == "fence") {
      $v = 3;
      @wrapper = $n;
    } else if ($v == 3) {
      // The wrapper execs the command in place (the same process); its bwrap probe is a child.
      if ($n != @wrapper && comm == "bwrap") {
        $v = 4;
      } else if (comm != "fence") {
        $v = 2;
        @started = 1;
      }
    }
    @tracked[$n] = $v;
    if ($o != $n) {
      delete(@tracked[$o]);
    }
  }
}
// The root's or the owner's exit ends the run, but not at once: records from other CPUs may still
// sit in their ring buffers, and exit() right away lost them under load (seen in CI: a rename and a
// chmod made just before the command ended never arrived). The interval probe exits 150 ms later.
tracepoint:sched:sched_process_exit {
  $p = args->pid;
  if (@tracked[$p]) {
    delete(@tracked[$p]);
  }
  if ($p == (int32)$2) {
    printf("${T}|EXIT|owner|%d|%llu|${T}\\n", $2, nsecs);
    @ending = nsecs;
  }
  if ($p == (int32)$1) {
    printf("${T}|EXIT|root|%d|%llu|${T}\\n", $1, nsecs);
    @ending = nsecs;
  }
}
// Records are printed from a bucket of BURST_CAPACITY tokens refilled by BURST every 50 ms
// (10,000/s): a burst of a couple of thousand distinct denials is itemised whole, a flood is not
// allowed to overrun bpftrace's ring buffer (1 MiB per CPU, ~3,500 records) while the reader stalls,
// which would lose other records with it (measured with a 20,000-name flood: unlimited, ~15,000 lost;
// 2,500 per 50 ms, ~6,000; 1,000 per 50 ms, none here but 4 in a CI run under load). Past it, new
// denials are counted in @over.
interval:ms:50 {
  @tokens = @tokens + ${BURST};
  if (@tokens > ${BURST_CAPACITY}) {
    @tokens = ${BURST_CAPACITY};
  }
  @ltokens = @ltokens + ${LOOKUP_BURST};
  if (@ltokens > ${LOOKUP_BURST_CAPACITY}) {
    @ltokens = ${LOOKUP_BURST_CAPACITY};
  }
  if (@ending != 0 && nsecs - @ending > ${DRAIN_NS}) {
    exit();
  }
}
// One probe, on syscall exit only, and it returns at its first instruction for every syscall that
// succeeded: this probe runs for every syscall of the machine, so its cost to unrelated processes is
// the cost of that comparison plus the tracepoint's dispatch (measured: 1 enter + 3 exit probes cost
// a getppid() loop 0.8 us per call, this shape 0.19 us). The arguments come from the task's saved
// user registers (pt_regs, top of its kernel stack) instead of an enter probe: the kernel leaves
// them as the caller set them, and orig_ax must equal the syscall number or nothing is read.
${modern ? MODERN_PROBE_HEAD : LEGACY_PROBE_HEAD}
  // Registers are looked up only for a denial this program reports: other failed syscalls (say
  // rt_sigreturn, which restores orig_ax -1) would fail the orig_ax check for nothing.
  $want = 0;
  if (${sockIds}) {
    if (${sockErr}) {
      $want = 2;
    }
  } else if (${fileErr} || (${mountErr})) {
    if (${pathIds}) {
      $want = 1;
    }
  } else if ($r == -2) {
    if (${lookupIds}) {
      $want = 3;
    }
  }
  if ($want != 0) {
${modern ? `    $regs = (uint64)arg0;` : indent(locateRegs(), 1)}
    if ($regs == 0) {
      if (@regsbad == 0) {
        @regsbad = 1;
        printf("${T}|NOREGS|%d|${T}\\n", $id);
      }
    } else if ($want == 2) {
      // Printed each time, within a budget of their own (see networkRecords).
      $s = ${regOf(1)};
      if (@netprinted >= ${NET_BUDGET} || @tokens <= 0) {
        @over[$id, $r] = count();
      } else {
        @netprinted = @netprinted + 1;
        @tokens = @tokens - 1;
        $t = nsecs;
${indent(modern ? networkRecords() : '@pend[tid] = $t;', 4)}
      }
    } else {
${indent(pathBranch(modern), 3)}
    }
  } else if ($r == -1 && (${seccomp})) {
${indent(dedupOrCount('$v', '@srid[$id, comm]', `printf("${T}|S|%d|%d|%d|%d|%llu|%llu|${T}|%s|${T}||${T}\\n", $id, pid, tid, $r, $t, $t, comm);`), 2)}
  }
}
${modern ? '' : `${deferredRecordsProbes(sockIds)}\n`}interval:s:1 {
  ${counts}
}
END {
  ${counts}
  printf("${T}|END|%llu|${T}\\n", nsecs);
  clear(@tracked); clear(@started); clear(@wrapper); clear(@ending); clear(@regsat); clear(@regsbad); clear(@rid); clear(@srid); clear(@cnt); clear(@printed); clear(@tokens); clear(@netprinted); clear(@pairprinted); clear(@lprinted); clear(@ltokens); clear(@over);${modern ? '' : ' clear(@pend);'}
}
`;
}

/**
 * Environment the privileged side sets for bpftrace (kept here so both launch paths agree). The
 * legacy variant sets both generations' names: 0.17 reads BPFTRACE_STRLEN and
 * BPFTRACE_MAP_KEYS_MAX, 0.20+ deprecates them for BPFTRACE_MAX_STRLEN and BPFTRACE_MAX_MAP_KEYS
 * (the new name wins when both are set), so the legacy program also runs on a newer bpftrace. 0.20+
 * appends ".." to a cut string unless BPFTRACE_STR_TRUNC_TRAILER is empty: the records must be the
 * same on every version, and the reader marks truncation itself.
 */
export function bpftraceEnv(variant: ProgramVariant): Readonly<Record<string, string>> {
  const modern = { BPFTRACE_MAX_STRLEN: String(strlenOf(variant)), BPFTRACE_MAX_MAP_KEYS: String(KERNEL_DEDUP_KEYS), BPFTRACE_STR_TRUNC_TRAILER: '' };
  const legacy: Record<string, string> = variant === 'legacy' ? { BPFTRACE_STRLEN: String(STRLEN), BPFTRACE_MAP_KEYS_MAX: String(KERNEL_DEDUP_KEYS) } : {};
  // A record's strings are fixed-size, so 1,024-byte strings make each record ~4x larger: the modern
  // ring buffer is 4x larger too (4 MiB per CPU), or a burst of 2,000 records overran it (measured:
  // 149 of a 20,000-name flood lost with 1 MiB).
  return { ...legacy, ...modern, BPFTRACE_PERF_RB_PAGES: variant === 'modern' ? '1024' : '256' };
}

export const BPFTRACE_ENV: Readonly<Record<string, string>> = bpftraceEnv('legacy');

/**
 * The first bpftrace the modern variant was verified on (0.23: rawtracepoint:sys_exit with arg0/arg1,
 * 1,024-byte strings). 0.20 to 0.22 were not available to test, and the legacy program (which loads
 * on 0.17 and 0.23 alike) is the safe choice for them.
 */
const MODERN_SINCE_MINOR = 23;

/** `bpftrace --version` of 0.23 or later runs the modern variant; anything else (or nothing) the legacy one. */
export function variantForVersion(versionLine: string): ProgramVariant {
  const m = /^bpftrace v(\d+)\.(\d+)/.exec(versionLine.trim());
  if (!m) return 'legacy';
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 0 || minor >= MODERN_SINCE_MINOR ? 'modern' : 'legacy';
}

// Ground truth for the real-workload suite: the denials `strace -f` saw, outside fence, in the
// process subtree of the user's command only (not fence's or bwrap's setup). strace runs around
// fence with -ff (one file per task, so no line is split by another task's), -y (a dirfd shows
// its path, AT_FDCWD the cwd), -x (non-ASCII as \xNN) and -s 4096 (whole paths).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOOKUP_SYSCALLS, TRACED_SYSCALLS, type SyscallInfo } from '../../src/core/protocol/syscalls';

/** The errnos a sandbox's policy and mounts cause (EBUSY: rename onto a read-only bind mount). */
export const DENIAL_ERRNOS: Readonly<Record<string, number>> = { EPERM: 1, EACCES: 13, EROFS: 30, EBUSY: 16 };

export interface TruthDenial {
  readonly operation: string;
  readonly target: string;
  readonly relatedPath?: string;
  readonly errno: number;
  readonly pid: number;
  /** The task ran the user's command (or descends from it); false: fence/bwrap setup. */
  readonly inCommand: boolean;
}

export const PATH_SYSCALLS: ReadonlyMap<string, SyscallInfo> = new Map(
  TRACED_SYSCALLS.filter((s) => s.shape.kind !== 'sockaddr').map((s) => [s.name, s]),
);
/** Lookups whose ENOENT is a hidden read when the host had the path all along. */
export const LOOKUP_NAMES: ReadonlyMap<string, SyscallInfo> = new Map(LOOKUP_SYSCALLS.map((s) => [s.name, s]));
export const ENOENT = 2;

/**
 * Whether the host had `target` before `sinceMs` and still has it: an ENOENT there inside the sandbox
 * was the sandbox hiding it. Asked of the host after the run (the truth's own check, not the engine's).
 */
function hostHadBefore(target: string, sinceMs: number): boolean {
  if (/^\/(proc|sys|dev)(\/|$)/.test(target)) return false;
  try {
    const st = statSync(target);
    return (st.birthtimeMs || st.ctimeMs) < sinceMs;
  } catch {
    return false;
  }
}

/**
 * The syscall names strace must trace: the covered ones, and what follows processes and cwds. `?`:
 * a name this strace does not know (6.1 has no fchmodat2) is skipped, not an error.
 */
export function straceTraceSet(): string {
  return [...PATH_SYSCALLS.keys(), ...LOOKUP_NAMES.keys(), 'chdir', 'fchdir', 'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat']
    .filter((v, i, a) => a.indexOf(v) === i)
    .map((n) => `?${n}`)
    .join(',');
}

/** Splits strace's argument list at top-level commas (strings, [], {}, () and <...> kept whole). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      cur += c;
      if (c === '\\') cur += s[++i] ?? '';
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '[' || c === '{' || c === '(' || c === '<') depth++;
    else if (c === ']' || c === '}' || c === ')' || c === '>') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A strace string literal's bytes as text (\xNN, \n, \t, \", \\ and octal escapes). */
export function unquote(lit: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/.exec(lit);
  if (!m) return null;
  const bytes: number[] = [];
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      bytes.push(...Buffer.from(s[i], 'utf8'));
      continue;
    }
    const n = s[++i];
    if (n === 'x') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(n)) {
      let j = i;
      while (j < i + 3 && /[0-7]/.test(s[j])) j++;
      bytes.push(parseInt(s.slice(i, j), 8));
      i = j - 1;
    } else bytes.push(({ n: 10, t: 9, r: 13, v: 11, f: 12 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `3</usr/local/lib>` or `AT_FDCWD</ws>`: the directory an fd names. */
function fdPath(arg: string): string | null {
  const m = /^(?:\d+|AT_FDCWD)<(.*)>$/.exec(arg);
  return m ? m[1] : null;
}

interface Task {
  readonly pid: number;
  readonly lines: string[];
}

function readTasks(dir: string, base: string): Map<number, Task> {
  const tasks = new Map<number, Task>();
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(`${base}.`)) continue;
    const pid = Number(f.slice(base.length + 1));
    if (!Number.isInteger(pid)) continue;
    tasks.set(pid, { pid, lines: readFileSync(path.join(dir, f), 'latin1').split('\n').map((l) => Buffer.from(l, 'latin1').toString('utf8')) });
  }
  return tasks;
}

// `= 2 /* 3501 in strace's PID NS */` (--pidns-translation): the second number names the task file.
const CALL = /^([a-z0-9_]+)\((.*)\)\s+=\s+(-?\d+|\?)(?: \/\* (\d+) in strace's PID NS \*\/)?(?:\s+([A-Z]+))?/;

/**
 * Every covered denial in the trace, with whether it came from the user's command: the task whose
 * execve ran `marker` (the workload script) and everything it forked, walked from fence's task.
 */
export function readStraceTruth(dir: string, base: string, marker: string, commandCwd: string, runStartMs: number): TruthDenial[] {
  const tasks = readTasks(dir, base);
  const out: TruthDenial[] = [];
  const seen = new Set<number>();
  let commandRan = false;
  const roots = [...tasks.keys()].sort((a, b) => a - b);
  const walk = (pid: number, cwdIn: string, inCommandIn: boolean): void => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const task = tasks.get(pid);
    if (!task) return;
    let cwd = cwdIn;
    let inCommand = inCommandIn;
    for (const line of task.lines) {
      const m = CALL.exec(line);
      if (!m) continue;
      const [, name, argText, retText, outerPid, errName] = m;
      const args = splitArgs(argText);
      for (const a of args) {
        if (a.startsWith('AT_FDCWD<')) cwd = fdPath(a) ?? cwd;
      }
      const ret = Number(retText);
      if ((name === 'execve' || name === 'execveat') && ret === 0 && !inCommand) {
        const argv = args[name === 'execve' ? 1 : 2] ?? '';
        const program = unquote(args[name === 'execve' ? 0 : 1] ?? '') ?? '';
        // A shell running the script as its last argument. Not merely an argv that names it: Fence
        // v0.1.66 re-executes itself inside the sandbox with the command in its own argv, and that
        // bootstrap (its mount probe, its eBPF setup) is setup, not the user's command.
        if (/^(sh|dash|bash)$/.test(path.posix.basename(program)) && argv.endsWith(`${JSON.stringify(marker)}]`)) {
          inCommand = true;
          commandRan = true;
          cwd = commandCwd;
        }
      }
      if (name === 'chdir' && ret === 0) cwd = path.posix.resolve(cwd, unquote(args[0]) ?? '.');
      if (name === 'fchdir' && ret === 0) cwd = fdPath(args[0]) ?? cwd;
      if ((name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork') && ret > 0) {
        walk(outerPid ? Number(outerPid) : ret, cwd, inCommand);
        continue;
      }
      if (ret !== -1 || !errName) continue;
      const lookup = errName === 'ENOENT';
      if (!lookup && DENIAL_ERRNOS[errName] === undefined) continue;
      const info = lookup ? LOOKUP_NAMES.get(name) : PATH_SYSCALLS.get(name);
      if (!info) continue;
      const resolve = (i: number): string | null => {
        const p = unquote(args[i] ?? '');
        if (p === null) return null;
        if (p.startsWith('/')) return path.posix.normalize(p);
        const hasDirfd = name !== 'mount' && i > 0 && /at2?$/.test(name);
        const base2 = hasDirfd ? fdPath(args[i - 1]) ?? cwd : cwd;
        return path.posix.resolve(base2, p);
      };
      let target: string | null;
      let relatedPath: string | undefined;
      if (info.shape.kind === 'path') target = resolve(info.shape.arg);
      else if (info.shape.kind === 'twoPaths') {
        const first = info.shape.targetIsSecond ? unquote(args[info.shape.first] ?? '') ?? '' : resolve(info.shape.first);
        const second = resolve(info.shape.second);
        target = info.shape.targetIsSecond ? second : first;
        relatedPath = (info.shape.targetIsSecond ? first : second) ?? undefined;
      } else continue;
      if (target === null) continue;
      if (lookup && !hostHadBefore(target, runStartMs)) continue;
      out.push({ operation: name, target, ...(relatedPath !== undefined ? { relatedPath } : {}), errno: lookup ? ENOENT : DENIAL_ERRNOS[errName], pid, inCommand });
    }
  };
  // The first task is the one strace started (fence); the rest hang off it.
  if (roots.length > 0) walk(roots[0], commandCwd, false);
  // A trace in which the command never ran would make every report look perfect.
  if (!commandRan) throw new Error(`strace never saw ${marker} start (${tasks.size} task file(s) in ${dir})`);
  return out;
}

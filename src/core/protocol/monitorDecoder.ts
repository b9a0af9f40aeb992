// Turns framed monitor records into violations and lifecycle events. Pure: the monitor process
// feeds it the monitor's bytes (as latin1 text), it feeds the store.

import { detached, FramedRecord, FramingSink, RecordReader } from './framing';
import type { ViolationInput } from '../model';
import { decodePathBytes, type DecodedPath } from '../pathBytes';
import { PROGRAM_VERSION, STRLEN } from './monitorProgram';
import { syscallName, tracedSyscall } from './syscalls';
import type { ViolationStore } from '../store';

export type MonitorLifecycle =
  | { readonly kind: 'begin'; readonly version: number; readonly root: number; readonly owner: number }
  | { readonly kind: 'ready' }
  | { readonly kind: 'exit'; readonly who: 'root' | 'owner'; readonly pid: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'lost'; readonly count: number }
  | { readonly kind: 'versionMismatch'; readonly found: number }
  /** The program could not find the syscall's registers on this kernel: it reads no path or address. */
  | { readonly kind: 'noRegisters'; readonly nr: number };

export interface DecoderStats {
  records: number;
  malformed: number;
  lostEvents: number;
  /** ENOENT lookups the host side did not find hidden (ordinary ones), and those past their budget. */
  lookupsDropped: number;
}

const ENOENT = 2;

const COUNT_LINE = /^@cnt\[(\d+)\]: (\d+)$/;
// Denials past the program's record budget, counted per (syscall, return value) in the kernel.
const OVER_LINE = /^@over\[(\d+), (-\d+)\]: (\d+)$/;
// bpftrace reports perf ring-buffer overruns as "Lost N events".
const LOST_LINE = /^Lost (\d+) events/;

/** bpftrace's str() keeps strlen - 1 bytes: a string that long may have been cut. */
function mayBeTruncated(s: string, strlen: number): boolean {
  return s.length >= strlen - 1; // a wire string has one character per byte
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A wire string (the monitor's bytes, one character per byte: see `feed`) as the model's text, and
 * its escaped bytes when they are not UTF-8, so the exact name stays recoverable.
 */
function fromWire(s: string): DecodedPath {
  return NON_ASCII.test(s) ? decodePathBytes(Buffer.from(s, 'latin1')) : { text: s };
}

/** The path fields of a file denial in the model's form, from wire strings. */
function pathFields(
  abs: { target: string; givenPath?: string },
  related?: string,
): Pick<ViolationInput, 'target' | 'targetBytes' | 'givenPath' | 'relatedPath' | 'relatedPathBytes'> {
  const t = fromWire(abs.target);
  const r = related === undefined ? undefined : fromWire(related);
  return {
    target: t.text,
    ...(t.bytes !== undefined ? { targetBytes: t.bytes } : {}),
    ...(abs.givenPath !== undefined ? { givenPath: fromWire(abs.givenPath).text } : {}),
    ...(r ? { relatedPath: r.text, ...(r.bytes !== undefined ? { relatedPathBytes: r.bytes } : {}) } : {}),
  };
}

/**
 * The directory a relative path was relative to, walked in the kernel at the syscall (W and WEND
 * records): `path` when the walk reached the process's root, else null (never guessed).
 */
interface KernelDir {
  readonly path: string | null;
  readonly truncated: boolean;
}

/** The target of the one entry that holds a syscall's denials the kernel counted without printing. */
export function unitemisedTarget(operation: string): string {
  return `(${operation} denials not itemised: past the monitor's record rate or budget)`;
}

export interface DecoderOptions {
  /** The run's secret token, which frames every record. */
  readonly token: string;
  readonly store: ViolationStore;
  readonly onLifecycle: (e: MonitorLifecycle) => void;
  /** Lines that are neither records nor bpftrace's known chatter: shown as info. */
  readonly onOther?: (line: string) => void;
  readonly now?: () => Date;
  /**
   * Whether an ENOENT lookup was a read the sandbox refused by hiding the path (src/sandbox/hiddenRead.ts
   * asks the host). Without it no lookup is reported: ordinary ENOENT is everywhere.
   */
  readonly hiddenLookup?: (v: ViolationInput) => boolean;
}

/**
 * The kernel's id for a record it deduplicates (its first nsecs), or undefined for 0, which marks
 * a record printed every time. Kept by the store for the whole run: a copy, not a slice of the chunk.
 */
function recordIdOf(field: string | undefined): string | undefined {
  return field === undefined || field === '0' ? undefined : detached(field);
}

/** A two-path syscall whose first path is the link's content (symlink): never looked up, never walked. */
function targetIsSecond(nr: number): boolean {
  const info = tracedSyscall(nr);
  return info?.shape.kind === 'twoPaths' && info.shape.targetIsSecond;
}

/** Walks kept waiting for their records at most (only lost records leave any behind). */
const MAX_PENDING_WALKS = 4096;

export class MonitorDecoder implements FramingSink {
  private readonly reader: RecordReader;
  private readonly store: ViolationStore;
  private readonly onLifecycle: (e: MonitorLifecycle) => void;
  private readonly onOther: (line: string) => void;
  private readonly now: () => Date;
  private readonly hiddenLookup: (v: ViolationInput) => boolean;
  private lookupsDropped = 0;
  /** Denials past the record budget already credited per (syscall, errno): COUNTS blocks carry running totals. */
  private readonly creditedOver = new Map<string, number>();
  private inCounts = false;
  private firstOfPair: { head: readonly string[]; comm: string; path: string; dir: KernelDir | undefined } | null = null;
  /** The string limit of this program's records (its BEGIN says; 0.17's until then). */
  private strlen = STRLEN;
  /** Directory components being received per tid (W records), leaf first by step number. */
  private readonly walking = new Map<string, Array<{ step: number; name: string }>>();
  /**
   * Walked directories waiting for the record they belong to, by tid and that record's time, in
   * path order (a rename's two relative paths have two). A walk whose record never came (a lost
   * event) matches nothing, so it can never be given to another record.
   */
  private readonly walked = new Map<string, KernelDir[]>();
  private records = 0;
  private ownMalformed = 0;
  private lostEvents = 0;
  /** One timestamp per chunk: records in one read arrived together, and a Date per record cost more than the parsing. */
  private receivedAt: Date = new Date(0);

  constructor(o: DecoderOptions) {
    this.store = o.store;
    this.onLifecycle = o.onLifecycle;
    this.onOther = o.onOther ?? (() => undefined);
    this.now = o.now ?? (() => new Date());
    this.hiddenLookup = o.hiddenLookup ?? (() => false);
    this.reader = new RecordReader(o.token, this);
  }

  get stats(): DecoderStats {
    return { records: this.records, malformed: this.reader.malformed + this.ownMalformed, lostEvents: this.lostEvents, lookupsDropped: this.lookupsDropped };
  }

  /**
   * Takes the monitor's output decoded as latin1, one character per byte: names are bytes the
   * sandboxed program chose, and only the bytes say which file a name that is not UTF-8 means.
   */
  feed(chunk: string): void {
    this.receivedAt = this.now();
    this.reader.feed(chunk);
  }

  end(): void {
    this.receivedAt = this.now();
    this.reader.end();
  }

  /** Stderr lines of bpftrace: only "Lost N events" matters; the rest is shown as info. */
  stderrLine(line: string): void {
    if (this.countLost(line) || !line.trim() || /RLIMIT_MEMLOCK/.test(line)) return;
    this.onOther(line);
  }

  /** bpftrace reports ring-buffer overruns as "Lost N events", on stdout or stderr depending on version. */
  private countLost(line: string): boolean {
    const lost = LOST_LINE.exec(line.trim());
    if (!lost) return false;
    this.lostEvents += Number(lost[1]);
    this.onLifecycle({ kind: 'lost', count: Number(lost[1]) });
    return true;
  }

  unframed(line: string): void {
    if (this.inCounts) {
      const m = COUNT_LINE.exec(line);
      if (m) {
        this.credit(m[1], Number(m[2]));
        return;
      }
      const o = OVER_LINE.exec(line);
      if (o) {
        this.creditOver(Number(o[1]), Number(o[2]), Number(o[3]));
        return;
      }
    }
    if (line.trim() === '' || this.countLost(line)) return;
    if (/^Attaching \d+ probes/.test(line)) return;
    this.onOther(fromWire(line).text);
  }

  record(r: FramedRecord): void {
    this.records++;
    const kind = r.head[0];
    try {
      switch (kind) {
        case 'BEGIN': {
          const [, version, root, owner, , strlen] = r.head;
          if (Number(version) !== PROGRAM_VERSION) {
            this.onLifecycle({ kind: 'versionMismatch', found: Number(version) });
            return;
          }
          if (strlen !== undefined && /^\d{2,5}$/.test(strlen)) this.strlen = Number(strlen);
          this.onLifecycle({ kind: 'begin', version: Number(version), root: Number(root), owner: Number(owner) });
          return;
        }
        case 'NOREGS': {
          const nr = Number(r.head[1]);
          if (!Number.isInteger(nr)) throw new Error('bad syscall number');
          this.onLifecycle({ kind: 'noRegisters', nr });
          return;
        }
        case 'READY':
          this.onLifecycle({ kind: 'ready' });
          return;
        case 'EXIT':
          this.onLifecycle({ kind: 'exit', who: r.head[1] === 'owner' ? 'owner' : 'root', pid: Number(r.head[2]) });
          return;
        case 'END':
          this.onLifecycle({ kind: 'end' });
          return;
        case 'COUNTS':
          this.inCounts = true;
          return;
        case 'COUNTS_END':
          this.inCounts = false;
          return;
        case 'F':
        case 'S':
          this.single(r);
          return;
        case 'W': {
          const [tid, step] = this.ints(r.head, 1, 2);
          const parts = this.walking.get(String(tid)) ?? [];
          parts.push({ step, name: this.str(r, 0) });
          this.walking.set(String(tid), parts);
          return;
        }
        case 'WEND':
          this.endWalk(r);
          return;
        case 'F2': {
          this.flushPair();
          const path = this.str(r, 1);
          this.firstOfPair = { head: r.head, comm: this.str(r, 0), path, dir: this.takeDir(r.head[3], r.head[5], path, !targetIsSecond(Number(r.head[1]))) };
          return;
        }
        case 'P2':
          this.pair(r);
          return;
        case 'N':
          this.network(r);
          return;
        default:
          this.ownMalformed++;
      }
    } catch {
      this.ownMalformed++;
    }
  }

  private str(r: FramedRecord, i: number): string {
    const s = r.strings[i];
    if (s === undefined) throw new Error('missing field');
    return s;
  }

  private ints(head: readonly string[], from: number, n: number): number[] {
    const out: number[] = [];
    for (let i = from; i < from + n; i++) {
      const v = head[i];
      // Number('') is 0 and Number(' 1') is 1: require a non-empty field with no spaces too.
      const x = v === undefined || v === '' || v.includes(' ') ? NaN : Number(v);
      if (!Number.isSafeInteger(x)) throw new Error('bad integer');
      out.push(x);
    }
    return out;
  }

  private endWalk(r: FramedRecord): void {
    const [tid, state] = this.ints(r.head, 1, 2);
    const t = r.head[3] ?? '';
    const parts = this.walking.get(String(tid)) ?? [];
    this.walking.delete(String(tid));
    const names = parts.sort((a, b) => b.step - a.step).map((x) => x.name);
    const cut = names.some((n) => mayBeTruncated(n, this.strlen));
    // state 0: the walk reached the process's root. Too deep, outside that root, or no such dirfd: unknown.
    const key = `${tid}|${t}`;
    if (this.walked.size >= MAX_PENDING_WALKS && !this.walked.has(key)) this.walked.clear();
    const queue = this.walked.get(key) ?? [];
    queue.push({ path: state === 0 ? `/${names.join('/')}` : null, truncated: cut });
    this.walked.set(key, queue);
  }

  /**
   * The directory walked for a relative path of the record of `tid` at time `t`, in path order.
   * An absolute path, and symlink's first argument (its content, never looked up), take none.
   */
  private takeDir(tid: string | undefined, t: string | undefined, path: string, lookedUp = true): KernelDir | undefined {
    if (!lookedUp || path.startsWith('/')) return undefined;
    const key = `${tid ?? ''}|${t ?? ''}`;
    const queue = this.walked.get(key);
    const dir = queue?.shift();
    if (queue && queue.length === 0) this.walked.delete(key);
    return dir;
  }

  private single(r: FramedRecord): void {
    const [nr, pid, , ret] = this.ints(r.head, 1, 4);
    const recordId = recordIdOf(r.head[6]);
    const comm = this.str(r, 0);
    if (r.head[0] === 'F') {
      // An open's flags (0 for other calls): only a plain number says anything.
      const f = r.head[7];
      const flags = f !== undefined && f !== '0' && /^\d{1,16}$/.test(f) ? Number(f) : undefined;
      const path = this.str(r, 1);
      this.file(nr, pid, ret, recordId, fromWire(comm).text, path, this.takeDir(r.head[3], r.head[6], path), flags);
      return;
    }
    const input: ViolationInput = { category: 'syscall', operation: syscallName(nr), target: syscallName(nr), errno: -ret, source: 'ebpf', process: { comm: fromWire(comm).text, pid } };
    this.store.add(input, this.receivedAt, 1, recordId);
  }

  /** A denial on one path (an F record); an ENOENT lookup only when the sandbox hid the path. */
  private file(nr: number, pid: number, ret: number, recordId: string | undefined, comm: string, path: string, dir: KernelDir | undefined, openFlags: number | undefined): void {
    const input: ViolationInput = {
      category: 'filesystem',
      operation: syscallName(nr),
      ...pathFields(this.absolute(path, dir)),
      ...(mayBeTruncated(path, this.strlen) || dir?.truncated ? { truncated: true } : {}),
      ...(openFlags !== undefined ? { openFlags } : {}),
      errno: -ret,
      source: 'ebpf',
      process: { comm, pid },
    };
    if (input.errno === ENOENT) {
      if (!this.hiddenLookup(input)) {
        this.lookupsDropped++;
        return;
      }
      this.store.add({ ...input, hidden: true }, this.receivedAt, 1, recordId);
      return;
    }
    this.store.add(input, this.receivedAt, 1, recordId);
  }

  private pair(r: FramedRecord): void {
    const first = this.firstOfPair;
    this.firstOfPair = null;
    if (!first || first.head[5] !== r.head[5] || first.head[3] !== r.head[3]) {
      // A second path whose first half never came (or belongs to another event): count, do not guess.
      this.ownMalformed++;
      return;
    }
    const [nr, pid, , ret] = this.ints(first.head, 1, 4);
    const second = this.str(r, 1);
    const secondDir = this.takeDir(r.head[3], r.head[5], second);
    // symlink's first argument is the link's content, not a path we touch: leave it as written.
    const linkContent = targetIsSecond(nr);
    const resolved = linkContent ? this.absolute(second, secondDir) : this.absolute(first.path, first.dir);
    const target = resolved.target;
    const related = linkContent ? first.path : this.absolute(second, secondDir).target;
    const dirCut = (linkContent ? false : first.dir?.truncated) || secondDir?.truncated;
    this.store.add(
      {
        category: 'filesystem',
        operation: syscallName(nr),
        ...pathFields(resolved, related),
        ...(mayBeTruncated(target, this.strlen) || mayBeTruncated(related, this.strlen) || dirCut ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm: fromWire(first.comm).text, pid },
      },
      this.receivedAt,
    );
  }

  /** An F2 without its P2 (e.g. lost event) is still a denial: report its first path alone. */
  private flushPair(): void {
    const first = this.firstOfPair;
    if (!first) return;
    this.firstOfPair = null;
    const [nr, pid, , ret] = this.ints(first.head, 1, 4);
    this.store.add(
      { category: 'filesystem', operation: syscallName(nr), ...pathFields(this.absolute(first.path, first.dir)), errno: -ret, source: 'ebpf', process: { comm: fromWire(first.comm).text, pid } },
      this.receivedAt,
    );
  }

  /**
   * The path the kernel acted on. A relative path is joined to the directory walked in the kernel
   * at the syscall (an empty path names the dirfd itself). One whose walk did not reach the root, or
   * never came (a lost record), stays as given: it is never guessed from /proc afterwards (the cwd
   * or the dirfd may have changed, or the process be gone), and no rule is built from it.
   */
  private absolute(p: string, dir?: KernelDir): { target: string; givenPath?: string } {
    if (p.startsWith('/')) return { target: p };
    if (!dir || dir.path === null) return { target: p, givenPath: p };
    if (p === '') return { target: dir.path, givenPath: p };
    return { target: dir.path === '/' ? `/${p}` : `${dir.path}/${p}`, givenPath: p };
  }

  private network(r: FramedRecord): void {
    const [nr, pid, , ret] = this.ints(r.head, 1, 4);
    const [family, port] = this.ints(r.head, 7, 2);
    const comm = fromWire(this.str(r, 0)).text;
    const addr = this.str(r, 1);
    const unixPath = family === 1 && addr.length > 0 ? fromWire(addr) : undefined;
    let target: string;
    if (family === 2) target = `${addr}:${port}`;
    else if (family === 10) target = `[${addr}]:${port}`;
    else if (family === 1) target = unixPath?.text ?? '(unnamed unix socket)';
    else target = `(address family ${family})`;
    this.store.add(
      {
        category: 'network',
        operation: syscallName(nr),
        target,
        ...(unixPath?.bytes !== undefined ? { targetBytes: unixPath.bytes } : {}),
        ...(family === 1 && mayBeTruncated(addr, this.strlen) ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm, pid },
      },
      this.receivedAt,
    );
  }

  private credit(recordId: string, total: number): void {
    this.store.repeatsSoFar(recordId, total, this.receivedAt);
  }

  /**
   * Denials the kernel counted without printing (past its record rate or budget: a flood). Their
   * paths are gone, so they are merged into one entry per syscall and errno, with no rule suggested.
   */
  private creditOver(nr: number, ret: number, total: number): void {
    const key = `${nr}|${ret}`;
    const before = this.creditedOver.get(key) ?? 0;
    if (total <= before) return;
    this.creditedOver.set(key, total);
    // Lookups past their budget: with no path, a hidden read cannot be told from an ordinary one.
    if (-ret === ENOENT) {
      this.lookupsDropped += total - before;
      return;
    }
    const shape = tracedSyscall(nr)?.shape.kind;
    const category = shape === undefined ? 'syscall' : shape === 'sockaddr' ? 'network' : 'filesystem';
    this.store.add(
      { category, operation: syscallName(nr), target: unitemisedTarget(syscallName(nr)), errno: -ret, source: 'ebpf', process: { comm: '?', pid: 0 } },
      this.receivedAt,
      total - before,
    );
  }

}

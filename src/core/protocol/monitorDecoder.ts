// Turns framed monitor records into violations and lifecycle events. Pure: the monitor process
// feeds it text, it feeds the store.

import { detached, FramedRecord, FramingSink, RecordReader, RecordSpan } from './framing';
import type { ViolationInput } from '../model';
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

/** A relative path made absolute; `guessed` when the process's own cwd could not be read. */
export interface ResolvedPath {
  readonly path: string;
  readonly guessed: boolean;
}

export interface DecoderStats {
  records: number;
  malformed: number;
  lostEvents: number;
}

const COUNT_LINE = /^@cnt\[(\d+)\]: (\d+)$/;
// Denials past the program's record budget, counted per (syscall, return value) in the kernel.
const OVER_LINE = /^@over\[(\d+), (-\d+)\]: (\d+)$/;
// bpftrace reports perf ring-buffer overruns as "Lost N events".
const LOST_LINE = /^Lost (\d+) events/;

const PIPE = 0x7c;
const MINUS = 0x2d;
const ZERO = 0x30;
const LETTER_F = 0x46;

/** Longest header field read in place: 15 digits are always a safe integer, and no field that short can hold a token. */
const MAX_DIGITS = 15;

/**
 * Reads the header of an F record in place, `F|nr|pid|tid|ret|ts|uid|`: nr to ret plain decimal
 * integers, ts unread, uid exactly 0. Anything else (a sign, spaces, 0x, 1e3, empty, long or
 * missing fields, another uid) fails, and the record is split and judged by ints() instead.
 */
class HeadReader {
  /** Where the next field starts: just past the '|' that ended the last one read. */
  at = 0;

  /** The integer at `at` ending at a '|', or NaN. */
  int(text: string): number {
    let i = this.at;
    const negative = text.charCodeAt(i) === MINUS;
    if (negative) i++;
    const start = i;
    let n = 0;
    for (let d = text.charCodeAt(i) - ZERO; d >= 0 && d <= 9; d = text.charCodeAt(++i) - ZERO) n = n * 10 + d;
    if (i === start || i - start > MAX_DIGITS || text.charCodeAt(i) !== PIPE) return NaN;
    this.at = i + 1;
    return negative ? -n : n;
  }

  /** Moves past the timestamp (unread, as on the split path: up to 20 characters, bpftrace's nsecs) and its '|'. */
  skipTimestamp(text: string): boolean {
    const end = text.indexOf('|', this.at);
    if (end === -1 || end - this.at > 20) return false;
    this.at = end + 1;
    return true;
  }
}

/** bpftrace's str() keeps STRLEN - 1 bytes: a path that long may have been cut. */
function mayBeTruncated(s: string): boolean {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short strings need no byte count.
  return s.length * 3 >= STRLEN - 1 && Buffer.byteLength(s, 'utf8') >= STRLEN - 1;
}

/** The target of the one entry that holds a syscall's denials the kernel counted without printing. */
export function unitemisedTarget(operation: string): string {
  return `(${operation} denials not itemised: past the monitor's record rate or budget)`;
}

export class MonitorDecoder implements FramingSink {
  private readonly reader: RecordReader;
  private readonly headReader = new HeadReader();
  /** Repeats already credited per record id: COUNTS blocks carry running totals, we add the difference. */
  private readonly creditedById = new Map<string, number>();
  /** The same for the kernel's per-(syscall, errno) counts of denials past its record budget. */
  private readonly creditedOver = new Map<string, number>();
  private inCounts = false;
  private firstOfPair: { head: readonly string[]; comm: string; path: string } | null = null;
  private records = 0;
  private ownMalformed = 0;
  private lostEvents = 0;

  constructor(
    token: string,
    private readonly store: ViolationStore,
    private readonly onLifecycle: (e: MonitorLifecycle) => void,
    private readonly onOther: (line: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
    /** Makes a path the process gave relative to its cwd absolute (the engine reads /proc/PID/cwd). */
    private readonly resolvePath: (pid: number, path: string) => ResolvedPath = (_pid, p) => ({ path: p, guessed: true }),
  ) {
    this.reader = new RecordReader(token, this);
  }

  /** One timestamp per chunk: records in one read arrived together, and a Date per record cost more than the parsing. */
  private at: Date = new Date(0);

  get stats(): DecoderStats {
    return { records: this.records, malformed: this.reader.malformed + this.ownMalformed, lostEvents: this.lostEvents };
  }

  feed(chunk: string): void {
    this.at = this.now();
    this.reader.feed(chunk);
  }

  end(): void {
    this.at = this.now();
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
    this.onOther(line);
  }

  /**
   * The storm's record, an F with a plain header and two strings, read in place: the only strings
   * made are comm and path. Anything else is left to record(), split (returns false).
   */
  recordSpan(r: RecordSpan): boolean {
    const { text, head, end } = r;
    if (text.charCodeAt(head) !== LETTER_F || text.charCodeAt(head + 1) !== PIPE) return false;
    const h = this.headReader;
    h.at = head + 2;
    const nr = h.int(text);
    const pid = h.int(text);
    const tid = h.int(text);
    const ret = h.int(text);
    if (Number.isNaN(nr + pid + tid + ret) || !h.skipTimestamp(text)) return false;
    // uid 0 (the kernel prints repeats without one), then the first separator: fields this short
    // cannot hold the 32-digit token, so no separator started earlier and the header is exactly these.
    const uidEnd = h.at + 1;
    if (text.charCodeAt(h.at) !== ZERO || !r.separatorAt(uidEnd)) return false;
    const commStart = r.next(uidEnd);
    const commEnd = text.indexOf('|', commStart); // at `end` at the latest: the closing token starts with '|'
    if (!r.separatorAt(commEnd)) return false;
    // A path without '|' holds no separator: it runs to the closing token.
    const pathStart = r.next(commEnd);
    if (text.indexOf('|', pathStart) !== end) return false;
    this.records++;
    try {
      this.file(nr, pid, ret, '0', text.slice(commStart, commEnd), text.slice(pathStart, end));
    } catch {
      this.ownMalformed++;
    }
    return true;
  }

  record(r: FramedRecord): void {
    this.records++;
    const kind = r.head[0];
    try {
      switch (kind) {
        case 'BEGIN': {
          const [, version, root, owner] = r.head;
          if (Number(version) !== PROGRAM_VERSION) {
            this.onLifecycle({ kind: 'versionMismatch', found: Number(version) });
            return;
          }
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
        case 'F2':
          this.flushPair();
          this.firstOfPair = { head: r.head, comm: this.str(r, 0), path: this.str(r, 1) };
          return;
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

  private single(r: FramedRecord): void {
    const [nr, pid, , ret] = this.ints(r.head, 1, 4);
    const uid = r.head[6] ?? '0';
    const comm = this.str(r, 0);
    if (r.head[0] === 'F') {
      this.file(nr, pid, ret, uid, comm, this.str(r, 1));
      return;
    }
    const input: ViolationInput = { category: 'syscall', operation: syscallName(nr), target: syscallName(nr), errno: -ret, source: 'ebpf', process: { comm, pid } };
    this.store.add(input, this.at, 1, uid === '0' ? undefined : uid);
  }

  /** A denial on one path (an F record), however it was read. */
  private file(nr: number, pid: number, ret: number, uid: string, comm: string, raw: string): void {
    // The store may keep these strings: they must not pin the chunk they were read from.
    const path = detached(raw);
    this.store.add(
      {
        category: 'filesystem',
        operation: syscallName(nr),
        ...this.absolute(pid, path),
        ...(mayBeTruncated(path) ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm: detached(comm), pid },
      },
      this.at,
      1,
      uid === '0' ? undefined : uid,
    );
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
    const info = tracedSyscall(nr);
    const targetIsSecond = info?.shape.kind === 'twoPaths' && info.shape.targetIsSecond;
    // symlink's first argument is the link's content, not a path we touch: leave it as written.
    const resolved = this.absolute(pid, targetIsSecond ? second : first.path);
    const target = resolved.target;
    const related = targetIsSecond ? first.path : this.absolute(pid, second).target;
    this.store.add(
      {
        category: 'filesystem',
        operation: syscallName(nr),
        ...resolved,
        relatedPath: related,
        ...(mayBeTruncated(target) || mayBeTruncated(related) ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm: first.comm, pid },
      },
      this.at,
    );
  }

  /** An F2 without its P2 (e.g. lost event) is still a denial: report its first path alone. */
  private flushPair(): void {
    const first = this.firstOfPair;
    if (!first) return;
    this.firstOfPair = null;
    const [nr, pid, , ret] = this.ints(first.head, 1, 4);
    this.store.add(
      { category: 'filesystem', operation: syscallName(nr), ...this.absolute(pid, first.path), errno: -ret, source: 'ebpf', process: { comm: first.comm, pid } },
      this.at,
    );
  }

  private absolute(pid: number, p: string): { target: string; givenPath?: string; cwdGuessed?: boolean } {
    if (p.startsWith('/') || p === '') return { target: p };
    const r = this.resolvePath(pid, p);
    return { target: r.path, givenPath: p, ...(r.guessed ? { cwdGuessed: true } : {}) };
  }

  private network(r: FramedRecord): void {
    const [nr, pid, , ret] = this.ints(r.head, 1, 4);
    const [family, port] = this.ints(r.head, 7, 2);
    const comm = this.str(r, 0);
    const addr = this.str(r, 1);
    let target: string;
    if (family === 2) target = `${addr}:${port}`;
    else if (family === 10) target = `[${addr}]:${port}`;
    else if (family === 1) target = addr.length > 0 ? addr : '(unnamed unix socket)';
    else target = `(address family ${family})`;
    this.store.add(
      {
        category: 'network',
        operation: syscallName(nr),
        target,
        ...(family === 1 && mayBeTruncated(addr) ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm, pid },
      },
      this.at,
    );
  }

  private credit(uid: string, total: number): void {
    const before = this.creditedById.get(uid) ?? 0;
    if (total <= before) return;
    this.creditedById.set(uid, total);
    this.store.addRepeats(uid, total - before, this.at);
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
    const shape = tracedSyscall(nr)?.shape.kind;
    const category = shape === undefined ? 'syscall' : shape === 'sockaddr' ? 'network' : 'filesystem';
    this.store.add(
      { category, operation: syscallName(nr), target: unitemisedTarget(syscallName(nr)), errno: -ret, source: 'ebpf', process: { comm: '?', pid: 0 } },
      this.at,
      total - before,
    );
  }

}

// Turns framed monitor records into violations and lifecycle events. Pure: the monitor process
// feeds it text, it feeds the store.

import { detached, FramedRecord, FramingSink, RecordReader, RecordSpan } from './framing';
import type { Violation, ViolationInput } from './model';
import { PROGRAM_VERSION, STRLEN } from './monitorProgram';
import { syscallName, tracedSyscall } from './syscalls';
import type { ViolationStore } from './store';

export type MonitorLifecycle =
  | { readonly kind: 'begin'; readonly version: number; readonly root: number; readonly owner: number }
  | { readonly kind: 'ready' }
  | { readonly kind: 'exit'; readonly who: 'root' | 'owner'; readonly pid: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'lost'; readonly count: number }
  | { readonly kind: 'versionMismatch'; readonly found: number };

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
// bpftrace reports perf ring-buffer overruns as "Lost N events".
const LOST_LINE = /^Lost (\d+) events/;

const PIPE = 0x7c;
const MINUS = 0x2d;
const ZERO = 0x30;
const LETTER_F = 0x46;

/**
 * The header integer text[from, to) when it is plain (-?digits, at most 15 of them), else NaN:
 * anything else (empty, spaces, +, 0x, 1e3, 1.0, too long) is left to ints(), whose Number() rules decide.
 */
function plainInt(text: string, from: number, to: number): number {
  let i = from;
  const negative = i < to && text.charCodeAt(i) === MINUS;
  if (negative) i++;
  if (i === to || to - i > 15) return NaN;
  let n = 0;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/** End of the header field starting at `from`: the next '|', which is at `headEnd` at the latest. */
function headFieldEnd(text: string, from: number, headEnd: number): number {
  const at = text.indexOf('|', from);
  return at === -1 || at > headEnd ? headEnd : at;
}

/** bpftrace's str() keeps STRLEN - 1 bytes: a path that long may have been cut. */
function mayBeTruncated(s: string): boolean {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short strings need no byte count.
  return s.length * 3 >= STRLEN - 1 && Buffer.byteLength(s, 'utf8') >= STRLEN - 1;
}

export class MonitorDecoder implements FramingSink {
  private readonly reader: RecordReader;
  private readonly keyByUid = new Map<string, string>();
  /** Repeats already credited per uid: COUNTS blocks carry running totals, we add the difference. */
  private readonly creditedByUid = new Map<string, number>();
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
    }
    if (line.trim() === '' || this.countLost(line)) return;
    if (/^Attaching \d+ probes/.test(line)) return;
    this.onOther(line);
  }

  /**
   * The storm's record, `F|nr|pid|tid|ret|ts|uid` with two strings, read in place: no split, no
   * field strings but comm, path and a uid other than 0. Anything else goes to record() split.
   */
  recordSpan(r: RecordSpan): boolean {
    const { text, head, headEnd } = r;
    if (headEnd - head < 2 || text.charCodeAt(head) !== LETTER_F || text.charCodeAt(head + 1) !== PIPE) return false;
    const nrEnd = headFieldEnd(text, head + 2, headEnd);
    const nr = plainInt(text, head + 2, nrEnd);
    if (nrEnd === headEnd || Number.isNaN(nr)) return false;
    const pidEnd = headFieldEnd(text, nrEnd + 1, headEnd);
    const pid = plainInt(text, nrEnd + 1, pidEnd);
    if (pidEnd === headEnd || Number.isNaN(pid)) return false;
    const tidEnd = headFieldEnd(text, pidEnd + 1, headEnd);
    if (tidEnd === headEnd || Number.isNaN(plainInt(text, pidEnd + 1, tidEnd))) return false;
    const retEnd = headFieldEnd(text, tidEnd + 1, headEnd);
    const ret = plainInt(text, tidEnd + 1, retEnd);
    if (Number.isNaN(ret)) return false;
    let uid = '0'; // head[6] ?? '0'
    if (retEnd < headEnd) {
      const tsEnd = headFieldEnd(text, retEnd + 1, headEnd);
      if (tsEnd < headEnd) {
        const uidEnd = headFieldEnd(text, tsEnd + 1, headEnd);
        if (uidEnd !== tsEnd + 2 || text.charCodeAt(tsEnd + 1) !== ZERO) uid = text.slice(tsEnd + 1, uidEnd);
      }
    }
    if (headEnd === r.end) return false; // no strings: malformed, counted by record()
    const commStart = r.next(headEnd);
    const commEnd = r.fieldEnd(commStart);
    if (commEnd === r.end) return false;
    const pathStart = r.next(commEnd);
    const pathEnd = r.fieldEnd(pathStart);
    this.records++;
    try {
      this.file(nr, pid, ret, uid, text.slice(commStart, commEnd), text.slice(pathStart, pathEnd));
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
    const v = this.store.add(input, this.at);
    if (v && uid !== '0') this.keyByUid.set(uid, v.key);
  }

  /** A denial on one path (an F record), however it was read. */
  private file(nr: number, pid: number, ret: number, uid: string, comm: string, raw: string): void {
    const operation = syscallName(nr);
    // An absolute path is its own target: a repeat is merged by its key fields alone, without the
    // input object add() needs. A relative one must go through resolvePath every time.
    const absolute = raw.startsWith('/') || raw === '';
    const v = (absolute ? this.store.repeat('filesystem', operation, raw, -ret, comm, this.at) : undefined) ?? this.addFile(operation, pid, ret, comm, raw);
    if (v && uid !== '0') this.keyByUid.set(uid, v.key);
  }

  private addFile(operation: string, pid: number, ret: number, comm: string, raw: string): Violation | undefined {
    // The store may keep these strings: they must not pin the chunk they were read from.
    const path = detached(raw);
    return this.store.add(
      {
        category: 'filesystem',
        operation,
        ...this.absolute(pid, path),
        ...(mayBeTruncated(path) ? { truncated: true } : {}),
        errno: -ret,
        source: 'ebpf',
        process: { comm: detached(comm), pid },
      },
      this.at,
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
    const key = this.keyByUid.get(uid);
    if (key === undefined) return; // a uid we never saw a record for (its record was lost): nothing to credit
    const before = this.creditedByUid.get(uid) ?? 0;
    if (total > before) {
      this.store.addCount(key, total - before, this.at);
      this.creditedByUid.set(uid, total);
    }
  }
}

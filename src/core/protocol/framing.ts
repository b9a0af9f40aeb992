// Reads the monitor's token-framed output. Every record starts with `TOKEN|` and ends with `|TOKEN`;
// a file name may contain newlines, so physical lines are joined until the closing token. The
// token is random per run and known only to the owner and the root monitor (it travels on stdin),
// so a sandboxed program cannot end a record early or start a fake one: a name containing
// "\nTOKEN-less fake record" stays inside the real record's path.

export interface FramedRecord {
  /** Header fields: the text before the first `|TOKEN|`, split on `|`. */
  readonly head: readonly string[];
  /** The user-controlled strings (comm, path, ...), in order. */
  readonly strings: readonly string[];
}

export interface FramingSink {
  record(r: FramedRecord): void;
  /** A line outside any record: bpftrace's own messages, map prints inside COUNTS blocks. */
  unframed(line: string): void;
}

/** A record that never closes within this many bytes is cut off and counted as malformed. */
export const MAX_RECORD_BYTES = 64 * 1024;

const PIPE = 0x7c;

/**
 * A copy of `s` that does not keep alive the text it was sliced from. V8 makes a slice of 13 or more
 * characters a view into its parent, so one held violation would pin a whole 64 KiB read, and the
 * young generation would copy that read on every scavenge. (Adding a character makes a pair that
 * slicing flattens into a fresh string of just these characters.)
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

export class RecordReader {
  private partial = '';
  private pending: string | null = null;
  private readonly open: string;
  private readonly close: string;
  private readonly sep: string;
  malformed = 0;

  constructor(
    token: string,
    private readonly sink: FramingSink,
  ) {
    if (!/^[0-9a-f]{32}$/.test(token)) throw new Error('monitor token must be 32 lowercase hex digits');
    this.open = `${token}|`;
    this.close = `|${token}`;
    this.sep = `|${token}|`;
  }

  feed(chunk: string): void {
    // One string to read from: V8 flattens it on the first search, and its string functions are
    // several times slower on a slice of a larger string (which a chunk may be) than on a flat one.
    const text = this.partial + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      this.line(text, start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    let rest = text.slice(start);
    if (rest.length > MAX_RECORD_BYTES) {
      // A single line this long is no record we print; drop it rather than grow without bound.
      this.malformed++;
      rest = '';
    }
    this.partial = rest;
  }

  /** Flushes at end of stream: an unterminated record is malformed, not silently accepted. */
  end(): void {
    if (this.partial.length > 0) this.line(this.partial, 0, this.partial.length);
    this.partial = '';
    if (this.pending !== null) {
      this.malformed++;
      this.pending = null;
    }
  }

  /** The line text[start, end): text[end] is its newline, or the end of text. */
  private line(text: string, start: number, end: number): void {
    if (this.pending === null) {
      if (!this.opensAt(text, start)) {
        this.sink.unframed(text.slice(start, end));
        return;
      }
      if (this.complete(text, start, end)) this.deliver(text, start, end);
      else this.pending = text.slice(start, end);
      return;
    }
    const rec = this.pending + '\n' + text.slice(start, end);
    if (rec.length > MAX_RECORD_BYTES) {
      this.malformed++;
      this.pending = null;
      return;
    }
    if (!this.complete(rec, 0, rec.length)) {
      this.pending = rec;
      return;
    }
    this.pending = null;
    this.deliver(rec, 0, rec.length);
  }

  // startsWith/endsWith would say the same, but V8 runs them in its runtime (several times slower) on a
  // string that is a concatenation or a slice, which `text` nearly always is; indexOf is fast on both.

  /** Whether the line at `start` begins with `TOKEN|` (the token holds no newline: no match past the line). */
  private opensAt(text: string, start: number): boolean {
    // The first character rules out most other lines without searching ahead for the next record.
    return text.charCodeAt(start) === this.open.charCodeAt(0) && text.indexOf(this.open, start) === start;
  }

  /** The opening `TOKEN|` alone is also a suffix match for `|TOKEN` only if the record is complete. */
  private complete(text: string, start: number, end: number): boolean {
    const at = end - this.close.length;
    return at - start >= this.open.length && text.indexOf(this.close, at) === at;
  }

  /** Splits the record text[start, end) (its tokens included) into fields; its strings may be kept. */
  private deliver(text: string, start: number, end: number): void {
    const head = start + this.open.length;
    const body = end - this.close.length;
    const headEnd = this.fieldEnd(text, head, body);
    if (headEnd === body) {
      this.sink.record({ head: text.slice(head, body).split('|'), strings: [] });
      return;
    }
    const strings = text.slice(headEnd + this.sep.length, body).split(this.sep).map(detached);
    this.sink.record({ head: text.slice(head, headEnd).split('|'), strings });
  }

  /** Where the field starting at `from` ends: at the next `|TOKEN|` before `body` (where the closing token starts), else at `body`. */
  private fieldEnd(text: string, from: number, body: number): number {
    // Search for the closing token, a prefix of the separator that always occurs at `body`: the
    // search never runs past this record, whatever follows it in the chunk.
    let at = text.indexOf(this.close, from);
    while (at + this.sep.length <= body) {
      if (text.charCodeAt(at + this.close.length) === PIPE) return at;
      at = text.indexOf(this.close, at + 1);
    }
    return body;
  }
}

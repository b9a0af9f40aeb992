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
    let text = this.partial + chunk;
    let nl = text.indexOf('\n');
    let start = 0;
    while (nl !== -1) {
      this.line(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    text = text.slice(start);
    if (text.length > MAX_RECORD_BYTES) {
      // A single line this long is no record we print; drop it rather than grow without bound.
      this.malformed++;
      text = '';
    }
    this.partial = text;
  }

  /** Flushes at end of stream: an unterminated record is malformed, not silently accepted. */
  end(): void {
    if (this.partial.length > 0) this.line(this.partial);
    this.partial = '';
    if (this.pending !== null) {
      this.malformed++;
      this.pending = null;
    }
  }

  private line(line: string): void {
    if (this.pending === null) {
      if (!line.startsWith(this.open)) {
        this.sink.unframed(line);
        return;
      }
      this.pending = line;
    } else {
      this.pending += '\n' + line;
      if (this.pending.length > MAX_RECORD_BYTES) {
        this.malformed++;
        this.pending = null;
        return;
      }
    }
    const rec = this.pending;
    // The opening `TOKEN|` alone is also a suffix match for `|TOKEN` only if the record is complete.
    if (rec.length < this.open.length + this.close.length || !rec.endsWith(this.close)) return;
    this.pending = null;
    const body = rec.slice(this.open.length, rec.length - this.close.length);
    const first = body.indexOf(this.sep);
    if (first === -1) {
      this.sink.record({ head: body.split('|'), strings: [] });
      return;
    }
    this.sink.record({ head: body.slice(0, first).split('|'), strings: body.slice(first + this.sep.length).split(this.sep) });
  }
}

// A path is bytes; the report is text. A name that is valid UTF-8 is its own text. One that is not
// (`bad\xff\xfeutf8`) decodes with U+FFFD in place of the bad bytes, which names no file, so the
// model keeps an escaped form alongside from which the exact bytes come back: valid UTF-8 as
// itself, each invalid byte as `\xNN`, a backslash as `\\`. A rule is never built from such a path.

/** What a decoder gives the model for one path read as bytes. */
export interface DecodedPath {
  /** The text as shown when nothing better is known (U+FFFD where bytes were not UTF-8). */
  readonly text: string;
  /** Set only when the bytes were not valid UTF-8: the escaped exact bytes (see escapePathBytes). */
  readonly bytes?: string;
}

/** Splits bytes into maximal valid UTF-8 runs and single invalid bytes. */
export function utf8Segments(buf: Uint8Array): Array<string | number> {
  const out: Array<string | number> = [];
  let start = 0;
  let i = 0;
  const flush = (end: number): void => {
    if (end > start) out.push(Buffer.from(buf.subarray(start, end)).toString('utf8'));
  };
  while (i < buf.length) {
    const n = validSequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    out.push(buf[i]);
    i++;
    start = i;
  }
  flush(i);
  return out;
}

/** Length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), else 0. */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function isValidUtf8(buf: Uint8Array): boolean {
  return utf8Segments(buf).every((s) => typeof s === 'string');
}

const hex = (n: number): string => `\\x${n.toString(16).padStart(2, '0')}`;

/** The escaped exact bytes: valid UTF-8 kept, `\` as `\\`, every invalid byte as `\xNN`. */
export function escapePathBytes(buf: Uint8Array): string {
  return utf8Segments(buf)
    .map((s) => (typeof s === 'number' ? hex(s) : s.replace(/\\/g, '\\\\')))
    .join('');
}

/** The exact bytes back from escapePathBytes' form; throws on a form it cannot have written. */
export function unescapePathBytes(escaped: string): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  let run = '';
  const flush = (): void => {
    if (run) parts.push(Buffer.from(run, 'utf8'));
    run = '';
  };
  while (i < escaped.length) {
    const ch = escaped[i];
    if (ch !== '\\') {
      run += ch;
      i++;
      continue;
    }
    if (escaped[i + 1] === '\\') {
      run += '\\';
      i += 2;
      continue;
    }
    const m = /^\\x([0-9a-f]{2})/.exec(escaped.slice(i, i + 4));
    if (!m) throw new Error(`not an escaped path: stray backslash at ${i} in ${JSON.stringify(escaped)}`);
    flush();
    parts.push(Buffer.from([parseInt(m[1], 16)]));
    i += 4;
  }
  flush();
  return Buffer.concat(parts);
}

/** The model's form of a path read as bytes: its text, and its escaped bytes when it is not UTF-8. */
export function decodePathBytes(buf: Uint8Array): DecodedPath {
  const text = Buffer.from(buf).toString('utf8');
  return isValidUtf8(buf) ? { text } : { text, bytes: escapePathBytes(buf) };
}

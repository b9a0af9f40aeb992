// One readable line per violation, in Fence's own log style, so users who know `fence -m` read it
// at a glance: `[fence:ebpf] 15:04:05 ✗ openat: /etc/hosts (Read-only file system, touch:1234)`.

import type { Source, Violation } from '../model';
import { unescapePathBytes, utf8Segments } from '../pathBytes';

const TAG: Record<Source, string> = {
  ebpf: 'fence:ebpf',
  'fence-http': 'fence:http',
  'fence-socks': 'fence:socks',
  'fence-logstream': 'fence:logstream',
  'fence-policy': 'fence:policy',
};

/** HH:MM:SS in local time, the layout Fence uses (Go's 15:04:05). */
export function clockTime(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Everything in a name that is not what it looks like: controls (C0, DEL, C1), format characters
 * (the bidi embeddings, overrides and isolates U+202A-202E and U+2066-2069, the marks U+200E/200F
 * and U+061C, zero-width characters, U+FEFF, soft hyphen, tags), line and paragraph separators,
 * every space but U+0020, lone surrogates, private-use and unassigned code points, variation
 * selectors, and the blank letters that render as nothing (Hangul fillers, U+2800).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]|(?![ ])\p{Zs}|\\/gu;

/**
 * The one display escaping: what a person reads is the name. A file name must not be able to draw
 * fake lines on a terminal, reorder what follows it (U+202E), or hide a character. A backslash is
 * doubled so that `\x1b` in the output always means the byte, never a name spelling it out.
 */
export function printable(s: string): string {
  return s.replace(HIDDEN, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const cp = c.codePointAt(0) ?? 0;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
}

/** A path as shown: escaped text, or, when its bytes are not UTF-8, every byte exactly (`\xff`). */
export function printablePath(text: string, bytes?: string): string {
  if (bytes === undefined) return printable(text);
  let exact: Buffer;
  try {
    exact = unescapePathBytes(bytes);
  } catch {
    return printable(text);
  }
  return utf8Segments(exact)
    .map((s) => (typeof s === 'number' ? `\\x${s.toString(16).padStart(2, '0')}` : printable(s)))
    .join('');
}

export function describeTarget(v: Pick<Violation, 'target' | 'relatedPath' | 'truncated' | 'targetBytes' | 'relatedPathBytes'>): string {
  const target = printablePath(v.target, v.targetBytes) + (v.truncated ? '…[truncated]' : '');
  return v.relatedPath !== undefined ? `${target} -> ${printablePath(v.relatedPath, v.relatedPathBytes)}` : target;
}

/** `comm:pid`, or '' when the source could not tell which process it was. */
export function processLabel(p: Violation['process']): string {
  if (!p) return '';
  return p.pid > 0 ? `${printable(p.comm)}:${p.pid}` : printable(p.comm);
}

export function formatViolationLine(v: Violation): string {
  const proc = processLabel(v.process);
  const why = [printable(v.message), proc].filter((s) => s.length > 0).join(', ');
  const count = v.count > 1 ? ` ×${v.count}` : '';
  const hidden = v.hidden ? ', hidden by the sandbox' : '';
  return `[${TAG[v.source]}] ${clockTime(v.firstSeen)} ✗ ${printable(v.operation)}: ${describeTarget(v)} (${why}${hidden})${count}`;
}

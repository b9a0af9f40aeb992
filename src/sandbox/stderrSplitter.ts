// Separates Fence's own lines from the command's stderr when both share one pipe (fence versions
// without --fence-log-file). The command's bytes pass through unchanged, including partial lines
// such as prompts: only bytes that could still become a Fence line are held back, and only briefly.
//
// Fence writes each of its lines whole, in one write, and always from its own line start. The
// command's partial line may precede it in the pipe ("install: " then "[fence:ebpf] ...\n"), so a
// Fence line is recognised wherever one begins inside a line and ends at its newline; the command's
// bytes on either side are kept exactly, and its line continues after Fence's.
// Limitation, documented in the README: on such fence versions a command can print a line that looks
// like Fence's; with --fence-log-file (newer fence) Fence's lines come from a private file instead.

import type { Readable, Writable } from 'node:stream';
import { isFenceLine } from '../core/fence/fenceLog';

const TAG = '[fence';
/** Fence's final error line ("Error: ... command blocked ...") only ever starts a line. */
const LINE_START_PREFIXES = [TAG, 'Error: '];
const HOLD_MS = 100;

/** Where in `line` (one line, without its newline) a Fence line begins, or -1. */
function fenceLineAt(line: string, fromLineStart: boolean): number {
  const text = (i: number): string => Buffer.from(line.slice(i), 'latin1').toString('utf8').replace(/\r$/, '');
  if (fromLineStart && isFenceLine(text(0))) return 0;
  for (let i = line.indexOf(TAG, fromLineStart ? 1 : 0); i !== -1; i = line.indexOf(TAG, i + 1)) {
    if (isFenceLine(text(i))) return i;
  }
  return -1;
}

/** Where in an unfinished line the bytes that could still become a Fence line begin, or -1. */
function undecidedFrom(partial: string, fromLineStart: boolean): number {
  if (fromLineStart && LINE_START_PREFIXES.some((p) => p.startsWith(partial) || partial.startsWith(p))) return 0;
  for (let i = partial.indexOf('['); i !== -1; i = partial.indexOf('[', i + 1)) {
    const rest = partial.slice(i);
    if (TAG.startsWith(rest) || rest.startsWith(TAG)) return i;
  }
  return -1;
}

export function splitFenceStderr(input: Readable, passthrough: Writable, onFenceLine: (line: string) => void): Promise<void> {
  // latin1 maps bytes 1:1 to code units, so the command's bytes are written back exactly.
  let held = '';
  /** `held` (or the next byte, when nothing is held) starts a line of the stream. */
  let atLineStart = true;
  let timer: NodeJS.Timeout | undefined;
  const write = (s: string): void => {
    if (s.length) passthrough.write(Buffer.from(s, 'latin1'));
  };
  const fenceText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
  const flushHeld = (): void => {
    timer = undefined;
    if (held) {
      write(held);
      held = '';
      atLineStart = false;
    }
  };
  const onData = (chunk: Buffer): void => {
    if (timer) clearTimeout(timer);
    let text = held + chunk.toString('latin1');
    held = '';
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      const at = fenceLineAt(line, atLineStart);
      if (at === -1) {
        write(`${line}\n`);
        atLineStart = true;
        continue;
      }
      // The command's bytes before Fence's line are its unfinished line, which goes on after it.
      write(line.slice(0, at));
      onFenceLine(fenceText(line.slice(at)));
      if (at > 0) atLineStart = false;
    }
    const from = undecidedFrom(text, atLineStart);
    const decided = from === -1 ? text : text.slice(0, from);
    write(decided);
    if (decided.length > 0) atLineStart = false;
    held = from === -1 ? '' : text.slice(from);
    if (held) timer = setTimeout(flushHeld, HOLD_MS);
  };
  return new Promise((resolve) => {
    input.on('data', onData);
    input.on('end', () => {
      if (timer) clearTimeout(timer);
      if (held) {
        const at = fenceLineAt(held, atLineStart);
        write(at === -1 ? held : held.slice(0, at));
        if (at !== -1) onFenceLine(fenceText(held.slice(at)));
      }
      resolve();
    });
    input.on('error', () => resolve());
  });
}

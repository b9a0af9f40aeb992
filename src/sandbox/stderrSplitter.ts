// Separates Fence's own lines from the command's stderr when both share one pipe (fence versions
// without --fence-log-file). The command's bytes pass through unchanged, including partial lines
// such as prompts: a partial line is held back only while it could still become a Fence line.
// Limitation, documented in the README: on such fence versions a command can print a line that looks
// like Fence's; with --fence-log-file (newer fence) Fence's lines come from a private file instead.

import type { Readable, Writable } from 'node:stream';
import { isFenceLine } from '../core/fence/fenceLog';

const PREFIXES = ['[fence', 'Error: '];
const HOLD_MS = 100;

function couldBecomeFenceLine(partial: string): boolean {
  return PREFIXES.some((p) => p.startsWith(partial) || partial.startsWith(p));
}

export function splitFenceStderr(input: Readable, passthrough: Writable, onFenceLine: (line: string) => void): Promise<void> {
  // latin1 maps bytes 1:1 to code units, so the command's bytes are written back exactly.
  let partial = '';
  let midLine = false;
  let timer: NodeJS.Timeout | undefined;
  const write = (s: string): void => {
    if (s.length) passthrough.write(Buffer.from(s, 'latin1'));
  };
  const fenceText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
  const flushHeld = (): void => {
    timer = undefined;
    if (partial) {
      write(partial);
      partial = '';
      midLine = true;
    }
  };
  const onData = (chunk: Buffer): void => {
    if (timer) clearTimeout(timer);
    let text = chunk.toString('latin1');
    while (text.length > 0) {
      if (midLine) {
        const nl = text.indexOf('\n');
        if (nl === -1) {
          write(text);
          return;
        }
        write(text.slice(0, nl + 1));
        midLine = false;
        text = text.slice(nl + 1);
        continue;
      }
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      text = '';
      for (const line of lines) {
        const asText = fenceText(line);
        if (isFenceLine(asText.replace(/\r$/, ''))) onFenceLine(asText);
        else write(`${line}\n`);
      }
      if (partial && !couldBecomeFenceLine(partial)) {
        write(partial);
        partial = '';
        midLine = true;
      }
    }
    if (partial) timer = setTimeout(flushHeld, HOLD_MS);
  };
  return new Promise((resolve) => {
    input.on('data', onData);
    input.on('end', () => {
      if (timer) clearTimeout(timer);
      if (partial) {
        const asText = fenceText(partial);
        if (isFenceLine(asText)) onFenceLine(asText);
        else write(partial);
      }
      resolve();
    });
    input.on('error', () => resolve());
  });
}

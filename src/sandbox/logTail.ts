// Follows Fence's --fence-log-file as it grows. Polling (100 ms) rather than fs.watch: inotify is
// unreliable on some filesystems, and the file is small and private.

import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LineBuffer } from '../core/protocol/lineBuffer';

export class LogTail {
  private offset = 0;
  private readonly lines = new LineBuffer();
  // A read may end inside a multi-byte character: the decoder keeps the partial bytes for the next one.
  private readonly decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.read(), 100);
    this.timer.unref();
  }

  /** Reads what is left and stops; the last partial line counts as a line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.read();
    const rest = this.lines.takePartial();
    if (rest) this.onLine(rest);
  }

  private read(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        for (const l of this.lines.push(this.decoder.write(buf.subarray(0, n)))) this.onLine(l);
      }
    } finally {
      closeSync(fd);
    }
  }
}

// Splits a stream of text into lines, holding back at most one partial line.

export class LineBuffer {
  private partial = '';

  /** Returns the complete lines in `chunk` (without their newlines). */
  push(chunk: string): string[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }

  /** The partial line so far, removed from the buffer. */
  takePartial(): string {
    const p = this.partial;
    this.partial = '';
    return p;
  }
}

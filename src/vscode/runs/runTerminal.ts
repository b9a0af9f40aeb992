// A Pseudoterminal showing one run: the command's output (colours pass through), keyboard input to
// its stdin, Ctrl-C as an interrupt, and the exit code at the end. The run is already started when
// the terminal is made, so output that arrives before VS Code opens the terminal is buffered.

import * as vscode from 'vscode';
import { StringDecoder } from 'node:string_decoder';
import { clockTime } from '../../core/report/format';
import type { Run } from './runs';

/** Terminals want CRLF; a lone LF would staircase the output. */
function toTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private pending: string[] = [];
  private finished = false;
  /** An exit code that arrived before VS Code opened the terminal; a close fired then would be lost. */
  private exitBeforeOpen: number | undefined;

  /** `closeOnExit`: tasks close with the exit code (so a failing command fails the task). */
  constructor(
    private readonly run: Run,
    private readonly closeOnExit: boolean,
  ) {
    const { handle } = run;
    this.write(`\x1b[2m[fence-lens] ${clockTime(run.startedAt)} ${run.commandLine}  (cwd ${run.request.cwd})\x1b[0m\n`);
    // One decoder per stream: a UTF-8 character split across two chunks must not become two U+FFFD.
    for (const stream of [handle.stdout, handle.stderr]) {
      const decoder = new StringDecoder('utf8');
      stream?.on('data', (chunk: Buffer) => this.write(decoder.write(chunk)));
    }
    void handle.done.then((report) => {
      this.finished = true;
      const n = report.violations.length;
      const colour = report.exitCode === 0 ? '32' : '31';
      this.write(
        `\n\x1b[${colour}m[fence-lens] exit code ${report.exitCode ?? 'none'}\x1b[0m · ${n} denial${n === 1 ? '' : 's'} · monitor ${report.monitor.state}\n`,
      );
      if (!this.closeOnExit) return;
      if (this.opened) this.closeEmitter.fire(report.exitCode ?? 1);
      else this.exitBeforeOpen = report.exitCode ?? 1;
    });
  }

  open(): void {
    this.opened = true;
    for (const text of this.pending) this.writeEmitter.fire(text);
    this.pending = [];
    if (this.exitBeforeOpen !== undefined) this.closeEmitter.fire(this.exitBeforeOpen);
  }

  close(): void {
    // The user closed the terminal: a command nobody can see or stop any more must not keep running.
    if (!this.finished) this.run.handle.stop();
  }

  handleInput(data: string): void {
    if (this.finished) return;
    if (data === '\x03') {
      this.run.handle.interrupt();
      return;
    }
    // Echo is the command's job when it has a tty; with pipes we echo so the user sees what they type.
    this.write(data === '\r' ? '\n' : data);
    this.run.handle.stdin?.write(data === '\r' ? '\n' : data);
  }

  private write(text: string): void {
    const out = toTerminal(text);
    if (this.opened) this.writeEmitter.fire(out);
    else this.pending.push(out);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

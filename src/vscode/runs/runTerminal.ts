// A Pseudoterminal showing runs: the command's output (colours pass through), keyboard input to its
// stdin, Ctrl-C as an interrupt, and how it ended. A palette run's terminal shows its reruns too
// (./terminals); a task's shows one run and closes with its exit code. The run is already started
// when the terminal is made, so output that arrives before VS Code opens the terminal is buffered.

import * as vscode from 'vscode';
import { StringDecoder } from 'node:string_decoder';
import { clockTime } from '../../core/report/format';
import { plural } from '../explorer/explorerItems';
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
  /** An exit code that arrived before VS Code opened the terminal; a close fired then would be lost. */
  private exitBeforeOpen: number | undefined;
  private run: Run;

  /** `closeOnExit`: tasks close with the exit code (so a failing command fails the task). */
  constructor(
    run: Run,
    private readonly closeOnExit: boolean,
  ) {
    this.run = run;
    this.follow(run);
  }

  /** The run shown now (the latest one attached). */
  get current(): Run {
    return this.run;
  }

  /** Shows a new run below the previous one's output (a rerun in the same terminal). */
  attach(run: Run): void {
    this.run = run;
    this.write('\n');
    this.follow(run);
  }

  private follow(run: Run): void {
    const { handle } = run;
    this.write(`\x1b[2m[fence-lens] ${clockTime(run.startedAt)} ${run.commandLine}  (cwd ${run.request.cwd})\x1b[0m\n`);
    // One decoder per stream: a UTF-8 character split across two chunks must not become two U+FFFD.
    for (const stream of [handle.stdout, handle.stderr]) {
      const decoder = new StringDecoder('utf8');
      stream?.on('data', (chunk: Buffer) => {
        if (this.run === run) this.write(decoder.write(chunk));
      });
    }
    void run.done.then((report) => {
      const ok = report.exitCode === 0 && !run.stopped;
      const how = run.stopped ? 'Stopped' : `exit code ${report.exitCode ?? 'none'}`;
      const monitor = report.monitor.state === 'active' ? '' : ` · \x1b[33mfile denials not watched (monitor ${report.monitor.state})\x1b[0m`;
      this.write(`\n\x1b[${ok ? '32' : '31'}m[fence-lens] ${how}\x1b[0m · ${plural(report.violations.length, 'denial')}${monitor}\n`);
      if (!this.closeOnExit) return;
      const code = report.exitCode ?? 1;
      if (this.opened) this.closeEmitter.fire(code);
      else this.exitBeforeOpen = code;
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
    this.run.stop();
  }

  handleInput(data: string): void {
    if (this.run.state !== 'running') return;
    if (data === '\x03') {
      this.write('^C');
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

// The terminals of palette runs. A rerun of the same command in the same folder is shown in the
// terminal its last run used, so a session of reruns leaves one terminal, not one per run; and at
// most MAX_TERMINALS are kept: opening another closes the oldest whose run has ended.

import * as vscode from 'vscode';
import { RunTerminal } from './runTerminal';
import type { Run, RunRequest } from './runs';
import { printable } from '../../core/report/format';

export const MAX_TERMINALS = 3;

interface Shown {
  readonly terminal: vscode.Terminal;
  readonly pty: RunTerminal;
  readonly key: string;
}

function keyOf(request: RunRequest): string {
  return JSON.stringify([request.command, request.cwd, request.settings ?? null]);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export class RunTerminals implements vscode.Disposable {
  /** Oldest first. */
  private readonly shown: Shown[] = [];
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.window.onDidCloseTerminal((t) => {
      const i = this.shown.findIndex((s) => s.terminal === t);
      if (i >= 0) this.shown.splice(i, 1);
      this.updateContext();
    });
  }

  /** The terminal showing `run`: the one its command last ran in when that run has ended, else a new one. */
  show(run: Run, reveal: boolean): vscode.Terminal {
    const key = keyOf(run.request);
    const i = this.shown.findIndex((s) => s.key === key && s.pty.current.state !== 'running');
    let entry: Shown;
    if (i >= 0) {
      entry = this.shown.splice(i, 1)[0];
      entry.pty.attach(run);
    } else {
      for (let j = 0; this.shown.length >= MAX_TERMINALS && j < this.shown.length; ) {
        if (this.shown[j].pty.current.state === 'running') j++;
        else this.shown.splice(j, 1)[0].terminal.dispose();
      }
      const pty = new RunTerminal(run, false);
      entry = { terminal: vscode.window.createTerminal({ name: `Fence: ${truncate(printable(run.label), 40)}`, pty, iconPath: new vscode.ThemeIcon('shield') }), pty, key };
    }
    this.shown.push(entry);
    this.updateContext();
    if (reveal) entry.terminal.show(true);
    return entry.terminal;
  }

  get terminals(): readonly vscode.Terminal[] {
    return this.shown.map((s) => s.terminal);
  }

  /** Closes every run terminal; a run still going in one is stopped (closing its terminal does that). */
  closeAll(): void {
    for (const s of this.shown.splice(0)) s.terminal.dispose();
    this.updateContext();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'fenceLens.hasTerminals', this.shown.length > 0);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

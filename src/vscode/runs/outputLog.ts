// The "Fence" output channel: a header per run, then one line per new distinct violation in Fence's
// own log style (`formatViolationLine`), then a footer. Repeats only bump counts in the tree, so a
// loop that hits the same path a million times writes one line here. Lines reach the channel in one
// append per FLUSH_MS: every append is a message to the window, and a storm makes thousands a second.

import * as vscode from 'vscode';
import { clockTime, formatViolationLine, printable } from '../../core/report/format';
import type { Run, Runs, RunsChange } from './runs';
import { plural } from '../explorer/explorerItems';

/** Kept for the extension's API (tests, other tools); bounded (the last 5,000 to 5,500 lines) so a long session cannot grow it forever. */
const MAX_MIRRORED_LINES = 5000;
const FLUSH_MS = 100;

export class OutputLog implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private readonly mirror: string[] = [];
  private readonly subscription: vscode.Disposable;
  /** Text not yet handed to the channel. */
  private buffered = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(runs: Runs) {
    this.channel = vscode.window.createOutputChannel('Fence');
    this.subscription = runs.onDidChange((change) => this.onChange(change));
  }

  lines(): readonly string[] {
    return this.mirror;
  }

  private onChange(change: RunsChange): void {
    switch (change.kind) {
      case 'started':
        this.header(change.run);
        break;
      case 'violations':
        for (const v of change.added) this.append(formatViolationLine(v));
        break;
      case 'monitor':
        this.append(`[fence-lens] monitor ${change.run.monitor.state}: ${printable(change.run.monitor.detail)}`);
        break;
      case 'finished': {
        const r = change.run;
        const how = r.stopped ? 'stopped' : `exit code ${r.exitCode ?? 'none'}`;
        this.append(`[fence-lens] ${clockTime(new Date())} run ${r.id} ended: ${how}, ${plural(r.violationCount, 'distinct denial')}`);
        break;
      }
      case 'cleared':
        break;
    }
  }

  private header(run: Run): void {
    this.append('');
    this.append(`=== Run ${run.id}: ${printable(run.commandLine)}`);
    this.append(`    started ${clockTime(run.startedAt)} in ${printable(run.request.cwd)}`);
    // The monitor's state is not known yet: its own line follows once it is.
    this.append(`    Fence settings: ${run.request.settings !== undefined ? printable(run.request.settings) : 'Fence default'}`);
  }

  private append(line: string): void {
    this.buffered += `${line}\n`;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    this.mirror.push(line);
    // Trimmed by a tenth at a time: one splice per line of a full mirror would move 5,000 entries each.
    if (this.mirror.length > MAX_MIRRORED_LINES + MAX_MIRRORED_LINES / 10) this.mirror.splice(0, this.mirror.length - MAX_MIRRORED_LINES);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffered === '') return;
    this.channel.append(this.buffered);
    this.buffered = '';
  }

  dispose(): void {
    this.flush();
    this.subscription.dispose();
    this.channel.dispose();
  }
}

// The "Fence" output channel: a header per run, then one line per new distinct violation in Fence's
// own log style (`formatViolationLine`), then a footer. Repeats only bump counts in the tree, so a
// loop that hits the same path a million times writes one line here.

import * as vscode from 'vscode';
import { clockTime, formatViolationLine, printable } from '../core/format';
import type { Run, Runs, RunsChange } from './runs';

/** Kept for the extension's API (tests, other tools); bounded so a long session cannot grow it forever. */
const MAX_MIRRORED_LINES = 5000;

export class OutputLog implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private readonly mirror: string[] = [];
  private readonly subscription: vscode.Disposable;

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
        this.append(`[fence-lens] ${clockTime(new Date())} run ${r.id} ended: exit code ${r.exitCode ?? 'none'}, ${r.violations().length} distinct denials`);
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
    this.append(`    Fence settings: ${run.request.settings ?? 'Fence default'} · monitor ${run.monitor.state}`);
  }

  private append(line: string): void {
    this.channel.appendLine(line);
    this.mirror.push(line);
    if (this.mirror.length > MAX_MIRRORED_LINES) this.mirror.splice(0, this.mirror.length - MAX_MIRRORED_LINES);
  }

  dispose(): void {
    this.subscription.dispose();
    this.channel.dispose();
  }
}

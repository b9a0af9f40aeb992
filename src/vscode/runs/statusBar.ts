// One status bar item: running / monitor state / denial count of the latest run. Clicking it
// focuses the violation explorer, where the details are. During a storm the count is repainted a
// few times a second (each repaint is a message to the window), run state changes at once.

import * as vscode from 'vscode';
import type { Runs } from './runs';
import { plural } from '../explorer/explorerItems';
import { printable } from '../../core/report/format';

const COUNT_REPAINT_MS = 250;

export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('fenceLens.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runs: Runs) {
    this.item.name = 'Fence Lens';
    this.item.command = 'fenceLens.violations.focus';
    this.subscription = runs.onDidChange((change) => (change.kind === 'violations' ? this.schedule() : this.update()));
    this.update();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.update(), COUNT_REPAINT_MS);
  }

  update(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.runs.latest();
    if (!run) {
      this.item.hide();
      return;
    }
    const running = this.runs.running().length;
    const denials = run.violationCount;
    const icon = running > 0 ? '$(sync~spin)' : denials > 0 ? '$(shield)' : '$(pass)';
    // No monitor word until its state is known, and none when it is watching.
    const monitor = run.monitor.state === 'active' || run.monitor.state === 'starting' ? '' : ` · monitor ${run.monitor.state}`;
    this.item.text = `${icon} Fence: ${running > 0 ? 'running · ' : ''}${plural(denials, 'denial')}${monitor}`;
    const monitorLine = run.monitor.state === 'starting' ? '' : `\nmonitor ${run.monitor.state}: ${printable(run.monitor.detail)}`;
    this.item.tooltip = `Fence Lens: ${printable(run.commandLine)}${monitorLine}\nClick to show the violations.`;
    this.item.backgroundColor = denials > 0 && running === 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}

// Starting a run from the editor: the trust check, settings, a terminal, progress and the list of
// recent commands. Every entry point (palette, tree, tasks, the `fenceLens.run` contract) goes
// through here so they behave the same.

import * as vscode from 'vscode';
import * as os from 'node:os';
import type { RunReport } from '../../core/model';
import { Run, Runs, type RunRequest } from './runs';
import type { RunTerminals } from './terminals';
import { fenceSettingsFile, maxRecentCommands, monitorMode, programPaths } from '../settings';
import { UntrustedWorkspaceError, isTrusted } from '../setup/trust';
import { plural } from '../explorer/explorerItems';
import { printable } from '../../core/report/format';

const RECENT_KEY = 'fenceLens.recentCommands';
const PROGRESS_INTERVAL_MS = 250;

export interface LaunchOptions {
  /** Palette runs show the terminal and a cancellable notification; contract runs stay quiet. */
  readonly interactive: boolean;
}

export class Launcher {
  private last: RunRequest | undefined;

  constructor(
    private readonly runs: Runs,
    private readonly state: vscode.Memento,
    private readonly terminals: RunTerminals,
  ) {}

  defaultCwd(): string {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  }

  /** A request for `command` in `cwd` with the workspace's Fence settings file, if it has one. */
  request(command: string | readonly string[], cwd?: string, settings?: string, label?: string): RunRequest {
    const dir = cwd ?? this.defaultCwd();
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir))?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return { command, cwd: dir, settings: settings ?? fenceSettingsFile(folder), label };
  }

  /** Starts a run (throws UntrustedWorkspaceError in Restricted Mode); for tasks, without a terminal. */
  start(request: RunRequest): Run {
    if (!isTrusted()) throw new UntrustedWorkspaceError();
    this.last = request;
    return this.runs.start(request, { monitor: monitorMode(), programs: programPaths() });
  }

  lastRequest(): RunRequest | undefined {
    return this.last;
  }

  /** Starts a run in a terminal (its last run's, for a rerun); resolves to the report when it ends. */
  async launch(request: RunRequest, options: LaunchOptions): Promise<RunReport> {
    const run = this.start(request);
    if (typeof request.command === 'string') await this.remember(request.command);
    this.terminals.show(run, options.interactive);
    const report = vscode.window.withProgress(
      {
        location: options.interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
        title: `Fence: ${truncate(printable(run.label), 60)}`,
        cancellable: options.interactive,
      },
      async (progress, token) => {
        token.onCancellationRequested(() => run.stop());
        // A few progress messages a second at most: each is a message to the window.
        let timer: NodeJS.Timeout | undefined;
        const sub = this.runs.onDidChange((c) => {
          if (c.kind !== 'violations' || c.run !== run || c.added.length === 0 || timer) return;
          timer = setTimeout(() => {
            timer = undefined;
            progress.report({ message: `${run.violationCount} denials so far` });
          }, PROGRESS_INTERVAL_MS);
        });
        try {
          return await run.handle.done;
        } finally {
          if (timer) clearTimeout(timer);
          sub.dispose();
        }
      },
    );
    const result = await report;
    if (options.interactive) void this.announce(run, result);
    return result;
  }

  private async announce(run: Run, report: RunReport): Promise<void> {
    const n = report.violations.length;
    const how = run.stopped ? 'Stopped' : `exited with ${report.exitCode ?? 'no exit code'}`;
    const text = `Fence: "${truncate(printable(run.label), 60)}" ${how}; ${plural(n, 'denial')}.`;
    const show = 'Show Violations';
    const choice = n > 0 || (report.exitCode !== 0 && !run.stopped) ? await vscode.window.showWarningMessage(text, show) : await vscode.window.showInformationMessage(text);
    if (choice === show) await vscode.commands.executeCommand('fenceLens.violations.focus');
  }

  recent(): string[] {
    return this.state.get<string[]>(RECENT_KEY, []);
  }

  private async remember(command: string): Promise<void> {
    const list = [command, ...this.recent().filter((c) => c !== command)].slice(0, maxRecentCommands());
    await this.state.update(RECENT_KEY, list);
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

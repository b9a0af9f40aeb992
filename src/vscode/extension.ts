// Entry point: wires the engine's runs to the editor's views. Activation is lazy (a command, the
// explorer view, or a `fence` task); nothing here parses Fence output or starts processes itself.
// activate() only creates views and registers commands and providers, synchronously: what starts
// processes or reads the machine (the doctor behind the welcome views) runs after it returns, and
// the engine itself is loaded on first use (./engine), so activating costs little more than
// activating an extension that does nothing (bench: extension.activate_ms and its baseline).

import * as vscode from 'vscode';
import type { MonitorMode } from '../core/model';
import type { ProgramPaths } from '../monitor/programs';
import { registerCommands } from './commands';
import { Diagnostics } from './problems/diagnostics';
import { ViolationExplorer, type ExplorerNode } from './explorer/explorer';
import { plural } from './explorer/explorerItems';
import { Launcher } from './runs/launcher';
import { EnvironmentCheck } from './setup/environmentCheck';
import { OutputLog } from './runs/outputLog';
import { FenceQuickFixes } from './problems/quickFixes';
import { Runs } from './runs/runs';
import { defaultSettingsFile, monitorMode, programPaths } from './settings';
import { StatusBar } from './runs/statusBar';
import { FenceTaskProvider, TASK_TYPE } from './tasks/taskProvider';

export const VIEW_ID = 'fenceLens.violations';

/** What `activate` returns: read-only access for other extensions and for the integration tests. */
export interface FenceLensApi {
  readonly runs: Runs;
  readonly explorer: ViolationExplorer;
  readonly treeView: vscode.TreeView<ExplorerNode>;
  readonly output: OutputLog;
  readonly diagnostics: Diagnostics;
  readonly statusBar: StatusBar;
  /** The doctor's checks behind the welcome views, run shortly after activation (never in it). */
  readonly environment: EnvironmentCheck;
  programPaths(): ProgramPaths;
  monitorMode(): MonitorMode;
}

export function activate(context: vscode.ExtensionContext): FenceLensApi {
  const runs = new Runs();
  const explorer = new ViolationExplorer(runs);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: explorer, showCollapseAll: true });
  const output = new OutputLog(runs);
  const diagnostics = new Diagnostics(runs);
  const status = new StatusBar(runs);
  const launcher = new Launcher(runs, context.workspaceState);
  const tasks = new FenceTaskProvider(launcher);
  const environment = new EnvironmentCheck();

  const updateBadge = (): void => {
    const n = runs.latest()?.violationCount ?? 0;
    treeView.badge = n > 0 ? { value: n, tooltip: `${plural(n, 'distinct denial')} in the latest run` } : undefined;
    void vscode.commands.executeCommand('setContext', 'fenceLens.hasRuns', runs.list().length > 0);
    void vscode.commands.executeCommand('setContext', 'fenceLens.running', runs.running().length > 0);
  };
  // The badge follows the same throttled repaint as the tree, so both always agree.
  const badgeSub = explorer.onDidChangeTreeData(updateBadge);

  context.subscriptions.push(
    runs,
    explorer,
    treeView,
    output,
    diagnostics,
    status,
    badgeSub,
    vscode.tasks.registerTaskProvider(TASK_TYPE, tasks),
    vscode.languages.registerCodeActionsProvider(
      { scheme: 'file' },
      new FenceQuickFixes(diagnostics, () => runs.latest()?.settingsFile ?? defaultSettingsFile(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath)),
      { providedCodeActionKinds: FenceQuickFixes.kinds },
    ),
    ...registerCommands({ runs, launcher, tasks, extensionPath: context.extensionPath }),
    environment,
  );
  updateBadge();

  return { runs, explorer, treeView, output, diagnostics, statusBar: status, environment, programPaths, monitorMode };
}

export function deactivate(): void {
  // Disposing the subscriptions stops running commands (Runs.dispose).
}

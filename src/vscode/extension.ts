// Entry point: wires the engine's runs to the editor's views. Activation is lazy (a command, the
// explorer view, or a `fence` task); nothing here parses Fence output or starts processes itself.
// activate() only creates views and registers commands and providers, synchronously: what starts
// processes or reads the machine (the doctor behind the welcome views) runs after it returns, and
// the engine itself is loaded on first use (./engine), so activating costs little more than
// activating an extension that does nothing.

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
import { Runs, type Run } from './runs/runs';
import { defaultSettingsFile, monitorMode, programPaths } from './settings';
import { StatusBar } from './runs/statusBar';
import { RunTerminals } from './runs/terminals';
import { SettingsPreview } from './problems/settingsPreview';
import { UnwatchedWarning } from './setup/monitorSetup';
import { FenceTaskProvider, TASK_TYPE } from './tasks/taskProvider';

export const VIEW_ID = 'fenceLens.violations';

/** One run as the API shows it: what it is and how it went, without the means to stop or change it. */
export type RunView = Pick<
  Run,
  'id' | 'request' | 'state' | 'exitCode' | 'report' | 'startedAt' | 'commandLine' | 'label' | 'monitor' | 'settingsFile' | 'violations' | 'violationCount' | 'done' | 'outcome' | 'stopped'
>;

/**
 * What `activate` returns: read-only access for other extensions and for the integration tests.
 * Only views of state: starting, stopping and clearing go through the contributed commands.
 */
export interface FenceLensApi {
  readonly runs: { list(): readonly RunView[]; latest(): RunView | undefined; running(): readonly RunView[] };
  readonly explorer: Pick<ViolationExplorer, 'getChildren' | 'getTreeItem' | 'getParent' | 'refreshCount' | 'refreshPending'>;
  readonly treeView: Pick<vscode.TreeView<ExplorerNode>, 'badge' | 'visible' | 'selection'>;
  readonly output: { lines(): readonly string[] };
  readonly statusBar: Pick<vscode.StatusBarItem, 'text' | 'tooltip' | 'command'>;
  /** The doctor's checks behind the welcome views, run shortly after activation (never in it). */
  readonly environment: Pick<EnvironmentCheck, 'checks'>;
  /** The once-per-session warning that a run was not watched by the monitor, once shown. */
  readonly unwatchedWarning: Pick<UnwatchedWarning, 'shown'>;
  /** The run terminals kept for reruns. */
  readonly terminals: Pick<RunTerminals, 'terminals'>;
  programPaths(): ProgramPaths;
  monitorMode(): MonitorMode;
}

/** `target` behind getters only: a caller holding the API cannot reach the mutable object. */
function readOnly<T extends object, K extends keyof T>(target: T, keys: readonly K[]): Pick<T, K> {
  const view = {} as Pick<T, K>;
  for (const k of keys) {
    const value = target[k];
    if (typeof value === 'function') Object.defineProperty(view, k, { value: (value as (...a: unknown[]) => unknown).bind(target), enumerable: true });
    else Object.defineProperty(view, k, { get: () => target[k], enumerable: true });
  }
  return view;
}

export function activate(context: vscode.ExtensionContext): FenceLensApi {
  const runs = new Runs();
  const explorer = new ViolationExplorer(runs);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: explorer, showCollapseAll: true });
  const output = new OutputLog(runs);
  const diagnostics = new Diagnostics(runs);
  const status = new StatusBar(runs);
  const terminals = new RunTerminals();
  const launcher = new Launcher(runs, context.workspaceState, terminals);
  const preview = new SettingsPreview();
  const unwatchedWarning = new UnwatchedWarning(runs, context.extensionPath);
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
    terminals,
    preview,
    unwatchedWarning,
    ...registerCommands({ runs, launcher, tasks, explorer, preview, terminals, extensionPath: context.extensionPath, version: String((context.extension.packageJSON as { version?: unknown }).version ?? '') }),
    environment,
  );
  updateBadge();

  return {
    runs: readOnly(runs, ['list', 'latest', 'running']),
    explorer: readOnly(explorer, ['getChildren', 'getTreeItem', 'getParent', 'refreshCount', 'refreshPending']),
    treeView: readOnly(treeView, ['badge', 'visible', 'selection']),
    output: readOnly(output, ['lines']),
    statusBar: readOnly(status.item, ['text', 'tooltip', 'command']),
    environment: readOnly(environment, ['checks']),
    unwatchedWarning: readOnly(unwatchedWarning, ['shown']),
    terminals: readOnly(terminals, ['terminals']),
    programPaths,
    monitorMode,
  };
}

export function deactivate(): void {
  // Disposing the subscriptions stops running commands (Runs.dispose).
}

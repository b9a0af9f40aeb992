// Every command the extension contributes, wired to the launcher, runs and views.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunReport } from '../core/model';
import { formatViolationLine } from '../core/report/format';
import { commandText, pickCommand } from './runs/commandPicker';
import { violationsOf, type ExplorerNode } from './explorer/explorer';
import type { Launcher } from './runs/launcher';
import { installHelper, showMonitorStatus } from './setup/monitorSetup';
import { APPLY_COMMAND, allowInSettings, suggestionsFor } from './problems/quickFixes';
import type { Run, Runs } from './runs/runs';
import { defaultSettingsFile } from './settings';
import { deniedPath, nearestExisting } from './files';
import { taskCommand } from './tasks/taskCommand';
import { FenceTaskProvider, TASK_TYPE, type FenceTaskDefinition } from './tasks/taskProvider';
import { UntrustedWorkspaceError, explainRefusal, isTrusted } from './setup/trust';

/** The `fenceLens.run` contract: other tools pass this and get the CLI's JSON report back. */
export interface RunArgs {
  readonly command: string | readonly string[];
  readonly cwd?: string;
  readonly settings?: string;
}

function isRunArgs(a: unknown): a is RunArgs {
  if (typeof a !== 'object' || a === null) return false;
  const r = a as Record<string, unknown>;
  const commandOk = typeof r.command === 'string' || (Array.isArray(r.command) && r.command.length > 0 && r.command.every((c) => typeof c === 'string'));
  return commandOk && (r.cwd === undefined || typeof r.cwd === 'string') && (r.settings === undefined || typeof r.settings === 'string');
}

export interface CommandDeps {
  readonly runs: Runs;
  readonly launcher: Launcher;
  readonly tasks: FenceTaskProvider;
  readonly extensionPath: string;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { runs, launcher } = deps;

  /** Palette runs: refusals and failures become messages, never unhandled rejections. */
  const interactive = async (start: () => Promise<RunReport>): Promise<void> => {
    if (!isTrusted()) return explainRefusal();
    try {
      await start();
    } catch (e) {
      if (e instanceof UntrustedWorkspaceError) return explainRefusal();
      void vscode.window.showErrorMessage(`Fence Lens: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const runOf = (node: ExplorerNode | undefined): Run | undefined => node?.run ?? runs.latest();

  const exportReport = async (node?: ExplorerNode): Promise<void> => {
    const run = runOf(node);
    if (!run) return void vscode.window.showInformationMessage('Fence Lens: no run to export yet.');
    if (!run.report) return void vscode.window.showInformationMessage('Fence Lens: the run is still going; export it when it ends.');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(run.request.cwd, `fence-report-${run.id}.json`)),
      filters: { JSON: ['json'] },
      title: 'Export Fence Report',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(`${JSON.stringify(run.report, null, 2)}\n`, 'utf8'));
    void vscode.window.showInformationMessage(`Fence report written to ${target.fsPath}.`);
  };

  const openSettings = async (): Promise<void> => {
    const latest = runs.latest();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = latest?.settingsFile ?? defaultSettingsFile(folder);
    if (!file) return void vscode.window.showInformationMessage('Fence Lens: open a folder to create its fence.json, or set "fenceLens.settingsFile".');
    if (!fs.existsSync(file)) {
      const create = 'Create';
      const choice = await vscode.window.showInformationMessage(`${file} does not exist. Create it with writes allowed in the workspace only?`, { modal: true }, create);
      if (choice !== create) return;
      fs.writeFileSync(file, `{\n  "filesystem": { "allowWrite": ["."] },\n  "network": { "allowedDomains": [] }\n}\n`);
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  };

  const allow = async (node?: ExplorerNode): Promise<void> => {
    if (!node) return;
    const suggestions = suggestionsFor(violationsOf(node));
    if (suggestions.length === 0) return void vscode.window.showInformationMessage('Fence Lens: no Fence setting would allow this denial.');
    const chosen =
      suggestions.length === 1
        ? suggestions[0]
        : (await vscode.window.showQuickPick(suggestions.map((s) => ({ label: s.description, description: s.setting, s })), { title: 'Allow in Fence settings' }))?.s;
    const file = node.run.settingsFile ?? defaultSettingsFile(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(node.run.request.cwd))?.uri.fsPath);
    if (!chosen || !file) return;
    await allowInSettings(file, chosen);
  };

  const openTarget = async (node?: ExplorerNode): Promise<void> => {
    if (node?.kind !== 'target') return;
    const denied = deniedPath(violationsOf(node)[0]);
    if (!denied) return;
    const p = nearestExisting(denied);
    const uri = vscode.Uri.file(p);
    if (fs.statSync(p).isDirectory()) {
      if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
    } else {
      await vscode.window.showTextDocument(uri, { preview: true });
    }
  };

  const runTask = async (): Promise<void> => {
    if (!isTrusted()) return explainRefusal();
    const all = await vscode.tasks.fetchTasks();
    const candidates = all.flatMap((t) => {
      if (t.definition.type === TASK_TYPE) return [];
      const tc = taskCommand(t, launcher.defaultCwd());
      return tc ? [{ label: t.name, description: `${t.source} · ${commandText(tc)}`, t, tc }] : [];
    });
    if (candidates.length === 0) return void vscode.window.showInformationMessage('Fence Lens: this workspace has no shell or process tasks to wrap.');
    const picked = await vscode.window.showQuickPick(candidates, { title: 'Run Task in Fence Sandbox', placeHolder: 'A task whose command line runs inside Fence' });
    if (!picked) return;
    const cmd = picked.tc.command;
    const def: FenceTaskDefinition =
      typeof cmd === 'string' ? { type: TASK_TYPE, command: cmd, cwd: picked.tc.cwd } : { type: TASK_TYPE, command: cmd[0], args: cmd.slice(1), cwd: picked.tc.cwd };
    const scope = picked.t.scope ?? vscode.TaskScope.Workspace;
    await vscode.tasks.executeTask(deps.tasks.build(def, scope, `${picked.t.name} (in Fence)`));
  };

  const register = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn);

  return [
    register('fenceLens.runCommand', async () => {
      if (!isTrusted()) return explainRefusal();
      const picked = await pickCommand(launcher.recent(), launcher.defaultCwd());
      if (picked) await interactive(() => launcher.launch(launcher.request(picked.command, picked.cwd), { interactive: true }));
    }),
    register('fenceLens.runTask', runTask),
    register('fenceLens.rerunLast', async () => {
      const last = launcher.lastRequest();
      if (!last) return void vscode.window.showInformationMessage('Fence Lens: nothing has run yet in this window.');
      await interactive(() => launcher.launch(last, { interactive: true }));
    }),
    register('fenceLens.rerun', async (node?: ExplorerNode) => {
      const run = runOf(node);
      if (run) await interactive(() => launcher.launch(run.request, { interactive: true }));
    }),
    register('fenceLens.stop', (node?: ExplorerNode) => {
      if (node?.kind === 'run') node.run.handle.stop();
      else runs.stopAll();
    }),
    register('fenceLens.clearViolations', () => runs.clear()),
    register('fenceLens.showMonitorStatus', () => showMonitorStatus(runs)),
    register('fenceLens.installHelper', () => installHelper(deps.extensionPath)),
    register('fenceLens.openSettings', openSettings),
    register('fenceLens.exportReport', exportReport),
    register('fenceLens.openTarget', openTarget),
    register('fenceLens.copyTarget', async (node?: ExplorerNode) => {
      if (node) await vscode.env.clipboard.writeText(violationsOf(node).map(formatViolationLine).join('\n'));
    }),
    register('fenceLens.allow', allow),
    register(APPLY_COMMAND, (file: string, s: Parameters<typeof allowInSettings>[1]) => allowInSettings(file, s)),
    // The contract for other tools: no prompts, resolves to the CLI's JSON report; rejects with a reason.
    register('fenceLens.run', async (args: unknown) => {
      if (!isRunArgs(args)) throw new Error('fenceLens.run expects { command: string | string[], cwd?: string, settings?: string }');
      return launcher.launch(launcher.request(args.command, args.cwd, args.settings), { interactive: false });
    }),
    register('fenceLens.clear', () => runs.clear()),
  ];
}

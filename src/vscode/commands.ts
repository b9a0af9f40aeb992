// Every command the extension contributes, wired to the launcher, runs and views.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunReport } from '../core/model';
import { formatViolationLine, printable } from '../core/report/format';
import { choiceItem } from './shownText';
import { commandText, pickCommand } from './runs/commandPicker';
import { isNodeRef, violationsOf, type ExplorerNode, type NodeRef, type ViolationExplorer } from './explorer/explorer';
import type { AllowChoice } from '../core/fence/allowChoices';
import { toSarif } from '../core/report/sarif';
import { detailText } from './explorer/detail';
import type { SettingsPreview } from './problems/settingsPreview';
import type { RunTerminals } from './runs/terminals';
import type { Launcher } from './runs/launcher';
import { howToFixMonitor, installHelper, showMonitorStatus } from './setup/monitorSetup';
import { APPLY_COMMAND, allowInSettings, choicesFor, currentSettingsText, noFixReason } from './problems/quickFixes';
import type { Run, Runs } from './runs/runs';
import { defaultSettingsFile } from './settings';
import { deniedPath, nearestExisting } from './files';
import { taskCommand } from './tasks/taskCommand';
import { reportName } from './runs/reportName';
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
  readonly explorer: ViolationExplorer;
  readonly preview: SettingsPreview;
  readonly terminals: RunTerminals;
  readonly extensionPath: string;
  readonly version: string;
}

/** A row as the tree hands it to a command, or as a tooltip's command link names it. */
type NodeArg = ExplorerNode | NodeRef | undefined;

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { runs, launcher, explorer } = deps;

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

  const nodeOf = (arg: NodeArg): ExplorerNode | undefined => (isNodeRef(arg) ? explorer.nodeFor(arg) : arg);
  const runOf = (arg: NodeArg): Run | undefined => nodeOf(arg)?.run ?? (isNodeRef(arg) ? undefined : runs.latest());

  const exportReport = async (arg?: NodeArg): Promise<void> => {
    const run = runOf(arg);
    if (!run) return void vscode.window.showInformationMessage('Fence Lens: no run to export yet.');
    const report = run.report;
    if (!report) return void vscode.window.showInformationMessage('Fence Lens: the run is still going; export it when it ends.');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(run.request.cwd, `${reportName(run)}.json`)),
      filters: { 'Fence Lens report (JSON)': ['json'], 'SARIF 2.1.0': ['sarif'] },
      title: 'Export Fence Report',
    });
    if (!target) return;
    const sarif = /\.sarif(\.json)?$/i.test(target.path);
    const body = sarif ? toSarif(report, deps.version) : report;
    await vscode.workspace.fs.writeFile(target, Buffer.from(`${JSON.stringify(body, null, 2)}\n`, 'utf8'));
    const open = 'Open';
    const choice = await vscode.window.showInformationMessage(`Fence ${sarif ? 'SARIF' : 'JSON'} report written to ${printable(target.fsPath)}.`, open);
    if (choice === open) await vscode.window.showTextDocument(target);
  };

  const openSettings = async (): Promise<void> => {
    const latest = runs.latest();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = latest?.settingsFile ?? defaultSettingsFile(folder);
    if (!file) return void vscode.window.showInformationMessage('Fence Lens: open a folder to create its fence.json, or set "fenceLens.settingsFile".');
    if (!fs.existsSync(file)) {
      const create = 'Create';
      const choice = await vscode.window.showInformationMessage(`${printable(file)} does not exist. Create it with writes allowed in the workspace only?`, { modal: true }, create);
      if (choice !== create) return;
      fs.writeFileSync(file, `{\n  "filesystem": { "allowWrite": ["."] },\n  "network": { "allowedDomains": [] }\n}\n`);
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  };

  const settingsFileOf = (run: Run): string | undefined =>
    run.settingsFile ?? defaultSettingsFile(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.request.cwd))?.uri.fsPath);

  const allow = async (arg?: NodeArg): Promise<void> => {
    const node = nodeOf(arg);
    if (!node) return;
    const violations = violationsOf(node);
    const file = settingsFileOf(node.run);
    const choices = choicesFor(violations);
    if (choices.length === 0) {
      const why = file && violations.length > 0 ? noFixReason(violations[0], currentSettingsText(file), file) : undefined;
      return void vscode.window.showInformationMessage(`Fence Lens: no Fence setting would allow this denial${why ? `: ${why}` : ''}.`);
    }
    const chosen =
      choices.length === 1
        ? choices[0]
        : (
            await vscode.window.showQuickPick(
              choices.map((c) => ({ ...choiceItem(c), c })),
              { title: 'Allow in Fence settings', placeHolder: 'The narrowest rule first' },
            )
          )?.c;
    if (!chosen || !file) return;
    await allowInSettings(deps.preview, file, chosen);
  };

  /** Folders in the workspace are revealed in its explorer; anything else is never opened as a window. */
  const openTarget = async (arg?: NodeArg): Promise<void> => {
    const node = nodeOf(arg);
    if (node?.kind !== 'target') return;
    const denied = deniedPath(violationsOf(node)[0]);
    if (!denied) return;
    const p = nearestExisting(denied);
    const uri = vscode.Uri.file(p);
    const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      // gone meanwhile: treated as a file below, which then fails to open with its own message
    }
    if (isDir && inWorkspace) return void (await vscode.commands.executeCommand('revealInExplorer', uri));
    if (!isDir) {
      await vscode.window.showTextDocument(uri, { preview: true });
      // A file outside the workspace is shown, not edited: the fix is in the Fence settings.
      if (!inWorkspace) await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
      return;
    }
    // A folder outside the workspace: the OS file manager on a desktop; in a remote or web editor, which has none here, its path to copy.
    const local = vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
    if (local) return void (await vscode.commands.executeCommand('revealFileInOS', uri));
    await vscode.env.clipboard.writeText(p);
    void vscode.window.showInformationMessage(`Fence Lens: ${printable(p)} is outside the workspace; its path is copied to the clipboard.`);
  };

  /** Enter on a denial: a file opens (read-only outside the workspace); anything else shows its details. */
  const showDetail = async (arg?: NodeArg): Promise<void> => {
    const node = nodeOf(arg);
    if (node?.kind !== 'target') return;
    const denied = deniedPath(node.group.violations[0]);
    if (denied && fs.existsSync(denied) && !fs.statSync(denied).isDirectory()) return openTarget(node);
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: detailText(node) });
    await vscode.window.showTextDocument(doc, { preview: true });
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
    register('fenceLens.rerun', async (arg?: NodeArg) => {
      const run = runOf(arg);
      if (run) await interactive(() => launcher.launch(run.request, { interactive: true }));
    }),
    register('fenceLens.stop', (arg?: NodeArg) => {
      const node = nodeOf(arg);
      if (node?.kind === 'run') node.run.stop();
      else runs.stopAll();
    }),
    register('fenceLens.clearViolations', () => runs.clear()),
    register('fenceLens.showMonitorStatus', () => showMonitorStatus(runs, deps.extensionPath)),
    register('fenceLens.installHelper', () => installHelper(deps.extensionPath)),
    register('fenceLens.openSettings', openSettings),
    register('fenceLens.exportReport', exportReport),
    register('fenceLens.openTarget', openTarget),
    register('fenceLens.copyTarget', async (arg?: NodeArg) => {
      const node = nodeOf(arg);
      if (node) await vscode.env.clipboard.writeText(violationsOf(node).map(formatViolationLine).join('\n'));
    }),
    register('fenceLens.allow', allow),
    register('fenceLens.showDetail', showDetail),
    register('fenceLens.howToFixMonitor', (arg?: NodeArg) => howToFixMonitor(runOf(arg), deps.extensionPath)),
    register('fenceLens.closeTerminals', () => deps.terminals.closeAll()),
    register(APPLY_COMMAND, (file: string, c: AllowChoice) => allowInSettings(deps.preview, file, c)),
    // The contract for other tools: no prompts, resolves to the CLI's JSON report; rejects with a reason.
    register('fenceLens.run', async (args: unknown) => {
      if (!isRunArgs(args)) throw new Error('fenceLens.run expects { command: string | string[], cwd?: string, settings?: string }');
      return launcher.launch(launcher.request(args.command, args.cwd, args.settings), { interactive: false });
    }),
    register('fenceLens.clear', () => runs.clear()),
  ];
}

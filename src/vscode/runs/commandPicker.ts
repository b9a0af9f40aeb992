// The "Run in Fence Sandbox…" quick pick: recent commands, the workspace's npm scripts and tasks,
// and whatever the user types. Returns a command line; nothing runs from here.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandLine } from '../../core/fence/fenceArgs';
import { taskCommand, type TaskCommand } from '../tasks/taskCommand';

interface Choice extends vscode.QuickPickItem {
  readonly pick?: TaskCommand;
}

/** `npm run <script>` for every script of every workspace folder's package.json. */
export function npmScripts(): { folder: string; script: string }[] {
  const out: { folder: string; script: string }[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const file = path.join(f.uri.fsPath, 'package.json');
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      const scripts = typeof parsed === 'object' && parsed !== null ? (parsed as { scripts?: unknown }).scripts : undefined;
      if (typeof scripts === 'object' && scripts !== null) for (const s of Object.keys(scripts)) out.push({ folder: f.uri.fsPath, script: s });
    } catch {
      // no package.json, or not JSON: this folder simply has no scripts to offer
    }
  }
  return out;
}

export async function pickCommand(recent: readonly string[], defaultCwd: string): Promise<TaskCommand | undefined> {
  const qp = vscode.window.createQuickPick<Choice>();
  qp.title = 'Run in Fence Sandbox';
  qp.placeholder = 'Type a command line, or pick a recent command, npm script or task';
  qp.matchOnDescription = true;
  const fixed: Choice[] = [];
  if (recent.length) fixed.push({ label: 'Recent', kind: vscode.QuickPickItemKind.Separator });
  for (const c of recent) fixed.push({ label: c, iconPath: new vscode.ThemeIcon('history'), pick: { command: c, cwd: defaultCwd } });
  const scripts = npmScripts();
  if (scripts.length) fixed.push({ label: 'npm scripts', kind: vscode.QuickPickItemKind.Separator });
  for (const s of scripts) {
    fixed.push({ label: `npm run ${s.script}`, description: path.basename(s.folder), iconPath: new vscode.ThemeIcon('package'), pick: { command: `npm run ${s.script}`, cwd: s.folder } });
  }
  qp.items = fixed;
  qp.busy = true;
  void vscode.tasks.fetchTasks().then((tasks) => {
    const items: Choice[] = [];
    for (const t of tasks) {
      if (t.definition.type === 'fence' || t.source === 'npm') continue; // npm scripts are listed above already
      const tc = taskCommand(t, defaultCwd);
      if (tc) items.push({ label: t.name, description: `${t.source} · ${commandText(tc)}`, iconPath: new vscode.ThemeIcon('tools'), pick: tc });
    }
    if (items.length) fixed.push({ label: 'Tasks', kind: vscode.QuickPickItemKind.Separator }, ...items);
    qp.busy = false;
    refresh();
  }, () => (qp.busy = false));
  const refresh = (): void => {
    const typed = qp.value.trim();
    qp.items = typed
      ? [{ label: typed, description: 'run this command line', iconPath: new vscode.ThemeIcon('play'), alwaysShow: true, pick: { command: typed, cwd: defaultCwd } }, ...fixed]
      : fixed;
  };
  qp.onDidChangeValue(refresh);
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0]?.pick;
      qp.hide();
      resolve(chosen);
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export function commandText(tc: TaskCommand): string {
  return commandLine(tc.command);
}

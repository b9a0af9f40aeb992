// The "Run in Fence Sandbox…" quick pick: recent commands, the workspace's npm scripts and tasks,
// and whatever the user types. Each entry shows what it will run (an npm script its command). An
// entry that matches what is typed comes first, so Enter on "build" runs `npm run build`; the typed
// text as a command line comes first only when nothing matches. Nothing runs from here.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandLine } from '../../core/fence/fenceArgs';
import { taskCommand, type TaskCommand } from '../tasks/taskCommand';

interface Choice extends vscode.QuickPickItem {
  readonly pick?: TaskCommand;
}

/** Every script of every workspace folder's package.json, with the command it runs. */
export function npmScripts(): { folder: string; script: string; command: string }[] {
  const out: { folder: string; script: string; command: string }[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const file = path.join(f.uri.fsPath, 'package.json');
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      const scripts = typeof parsed === 'object' && parsed !== null ? (parsed as { scripts?: unknown }).scripts : undefined;
      if (typeof scripts === 'object' && scripts !== null) {
        for (const [s, command] of Object.entries(scripts as Record<string, unknown>)) out.push({ folder: f.uri.fsPath, script: s, command: typeof command === 'string' ? command : '' });
      }
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
  const folders = new Set(scripts.map((s) => s.folder)).size;
  if (scripts.length) fixed.push({ label: 'npm scripts', kind: vscode.QuickPickItemKind.Separator });
  for (const s of scripts) {
    fixed.push({
      label: `npm run ${s.script}`,
      description: s.command,
      detail: folders > 1 ? path.basename(s.folder) : undefined,
      iconPath: new vscode.ThemeIcon('package'),
      pick: { command: `npm run ${s.script}`, cwd: s.folder },
    });
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
    if (!typed) {
      qp.items = fixed;
      return;
    }
    // The typed text is the description, not the label: the quick pick sorts rows whose label
    // matches the filter first, and this row's label would always match it exactly.
    const free: Choice = { label: 'Run this command line', description: typed, iconPath: new vscode.ThemeIcon('play'), alwaysShow: true, pick: { command: typed, cwd: defaultCwd } };
    const matches = fixed.filter((c) => c.pick && matchesTyped(c, typed));
    if (matches.length === 0) {
      qp.items = [free, ...fixed];
      return;
    }
    qp.items = [...matches, { label: '', kind: vscode.QuickPickItemKind.Separator }, free];
    qp.activeItems = [matches[0]];
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

/** Every word typed appears in the entry's label or in what it runs (case-insensitive). */
export function matchesTyped(c: Pick<vscode.QuickPickItem, 'label' | 'description'>, typed: string): boolean {
  const hay = `${c.label} ${c.description ?? ''}`.toLowerCase();
  return typed
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

export function commandText(tc: TaskCommand): string {
  return commandLine(tc.command);
}

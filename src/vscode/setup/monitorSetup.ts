// What this machine can do (fence found? monitor helper installed?), surfaced as context keys for
// the welcome views, as the "Show Monitor Status" list, and the "Install Privileged Monitor…" flow.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoctorCheck } from '../../sandbox/doctorTypes';
import { monitorFixText, unwatched, type FixContext } from './monitorFix';
import { loadEngine } from '../engine';
import { programPaths } from '../settings';
import type { Run, Runs } from '../runs/runs';
import { printable } from '../../core/report/format';
import { noIcons } from '../shownText';

let lastChecks: readonly DoctorCheck[] | undefined;

export async function refreshEnvironment(): Promise<DoctorCheck[]> {
  const checks = await loadEngine().runDoctor(programPaths());
  lastChecks = checks;
  const failed = (id: DoctorCheck['id']): boolean => checks.some((c) => c.id === id && !c.ok);
  await vscode.commands.executeCommand('setContext', 'fenceLens.fenceMissing', failed('fence'));
  await vscode.commands.executeCommand('setContext', 'fenceLens.helperMissing', failed('helper'));
  await vscode.commands.executeCommand('setContext', 'fenceLens.helperInstalled', !failed('helper') && checks.some((c) => c.id === 'helper'));
  return checks;
}

function fixContext(extensionPath: string): FixContext {
  const helper = lastChecks?.find((c) => c.id === 'helper');
  return { user: os.userInfo().username, helperInstalled: helper ? helper.ok : undefined, cli: `node ${path.join(extensionPath, 'dist', 'cli.js')}` };
}

/** Opens the fix for a run the monitor did not watch: the exact rule or command for this machine. */
export async function howToFixMonitor(run: Run | undefined, extensionPath: string): Promise<void> {
  const status = run?.monitor;
  if (!status || !unwatched(status)) return void vscode.window.showInformationMessage('Fence Lens: the latest run was watched by the monitor; nothing to fix.');
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: monitorFixText(status, fixContext(extensionPath)) });
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** Once per session: the first run the monitor did not watch says so, with the fix one click away. */
export class UnwatchedWarning implements vscode.Disposable {
  private warned = false;
  /** The warning shown this session, if any. */
  shown: string | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(runs: Runs, extensionPath: string) {
    this.subscription = runs.onDidChange((change) => {
      if (this.warned || (change.kind !== 'monitor' && change.kind !== 'finished')) return;
      const { run } = change;
      if (!unwatched(run.monitor) || run.monitorOff) return;
      this.warned = true;
      const fix = 'How to Fix';
      this.shown = `Fence Lens: file denials are not being watched (monitor ${run.monitor.state}: ${run.monitor.detail}). Only Fence's own network denials are reported.`;
      void vscode.window
        .showWarningMessage(this.shown, fix)
        .then((choice) => (choice === fix ? howToFixMonitor(run, extensionPath) : undefined));
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

export async function showMonitorStatus(runs: Runs, extensionPath: string): Promise<void> {
  const checks = await refreshEnvironment();
  const items: (vscode.QuickPickItem & { readonly fix?: true })[] = [];
  const latest = runs.latest();
  if (latest) {
    items.push({ label: 'Latest run', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: `$(${latest.monitor.state === 'active' ? 'pass' : 'warning'}) monitor ${latest.monitor.state}`, detail: noIcons(printable(latest.monitor.detail)), description: `escalation ${latest.monitor.escalation} · lost events ${latest.monitor.lostEvents}` });
    if (unwatched(latest.monitor)) items.push({ label: '$(lightbulb) How to fix…', detail: 'The exact polkit rule or command for this machine', fix: true });
  }
  items.push({ label: 'This machine', kind: vscode.QuickPickItemKind.Separator });
  for (const c of checks) items.push({ label: `$(${c.unknown ? 'question' : c.ok ? 'pass' : 'error'}) ${c.id}`, description: c.detail, detail: c.ok ? undefined : c.fix });
  if (checks.length === 0) items.push({ label: '$(info) no checks reported by the engine' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Fence Lens: Monitor Status', placeHolder: 'What Fence Lens found on this machine' });
  if (picked?.fix) await howToFixMonitor(latest, extensionPath);
}

/** A Node that can run the CLI bundle as root: the extension host's own, unless it is Electron. */
function nodeForHelper(): string | undefined {
  if (!process.versions.electron) return process.execPath;
  return ['/usr/bin/node', '/usr/local/bin/node'].find((p) => fs.existsSync(p));
}

export async function installHelper(extensionPath: string): Promise<void> {
  const plan = loadEngine().helperInstallPlan();
  const files = plan.map((f) => `${f.path} (${f.mode}): ${f.purpose}`).join('\n');
  const install = 'Install';
  const choice = await vscode.window.showWarningMessage(
    'Install the Fence Lens privileged monitor?',
    { modal: true, detail: `With administrator rights (pkexec), this writes:\n\n${files || '(the engine did not report its files)'}\n\nThe monitor then runs bpftrace for your sandboxed commands only.` },
    install,
  );
  if (choice !== install) return;
  const node = nodeForHelper();
  if (!node) {
    void vscode.window.showErrorMessage('Install Privileged Monitor: no Node.js found at /usr/bin/node or /usr/local/bin/node to run the installer with.');
    return;
  }
  const argv = loadEngine().installHelperArgv(programPaths().pkexec ?? '/usr/bin/pkexec', node, path.join(extensionPath, 'dist', 'cli.js'));
  if (argv.length === 0) {
    void vscode.window.showErrorMessage('Install Privileged Monitor: the engine returned no installer command.');
    return;
  }
  // A task, not our own child process: VS Code shows the output and the exit code, and the
  // polkit agent prompt appears as it would for any admin action.
  const task = new vscode.Task({ type: 'fence-lens-install' }, vscode.TaskScope.Global, 'Install privileged monitor', 'fence', new vscode.ProcessExecution(argv[0], argv.slice(1)));
  const execution = await vscode.tasks.executeTask(task);
  const sub = vscode.tasks.onDidEndTaskProcess(async (e) => {
    if (e.execution !== execution) return;
    sub.dispose();
    await refreshEnvironment();
    if (e.exitCode === 0) void vscode.window.showInformationMessage('Fence Lens: the privileged monitor is installed.');
    else void vscode.window.showErrorMessage(`Fence Lens: installing the privileged monitor failed (exit code ${e.exitCode ?? 'none'}).`);
  });
}

// Task type `fence`: tasks.json entries and one provided task per npm script, all run through a
// CustomExecution whose Pseudoterminal shows the run; the task fails when the command fails.

import * as vscode from 'vscode';
import { npmScripts } from '../runs/commandPicker';
import type { Launcher } from '../runs/launcher';
import { RunTerminal } from '../runs/runTerminal';
import { UNTRUSTED_MESSAGE, isTrusted } from '../setup/trust';

export const TASK_TYPE = 'fence';

export interface FenceTaskDefinition extends vscode.TaskDefinition {
  readonly type: 'fence';
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly settings?: string;
  readonly template?: string;
  /** false runs without the privileged monitor; the monitor's mode itself is a machine setting. */
  readonly monitor?: boolean;
  readonly ports?: readonly number[];
}

function isDefinition(d: vscode.TaskDefinition): d is FenceTaskDefinition {
  const r = d as Record<string, unknown>;
  return (
    d.type === TASK_TYPE &&
    typeof r.command === 'string' &&
    (r.args === undefined || (Array.isArray(r.args) && r.args.every((a) => typeof a === 'string'))) &&
    (r.ports === undefined || (Array.isArray(r.ports) && r.ports.every((p) => Number.isInteger(p))))
  );
}

/** A Pseudoterminal that only says why nothing ran, and fails the task. */
class RefusalTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  constructor(private readonly message: string) {}
  open(): void {
    this.writeEmitter.fire(`\x1b[31m[fence-lens] ${this.message}\x1b[0m\r\n`);
    this.closeEmitter.fire(1);
  }
  close(): void {}
}

export class FenceTaskProvider implements vscode.TaskProvider {
  constructor(private readonly launcher: Launcher) {}

  provideTasks(): vscode.Task[] {
    return npmScripts().map(({ folder, script }) => {
      const ws = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder));
      const def: FenceTaskDefinition = { type: TASK_TYPE, command: 'npm', args: ['run', script], cwd: folder };
      return this.build(def, ws ?? vscode.TaskScope.Workspace, `npm run ${script}`);
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (!isDefinition(task.definition)) return undefined;
    return this.build(task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name);
  }

  build(def: FenceTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, name: string): vscode.Task {
    const task = new vscode.Task(
      def,
      scope,
      name,
      TASK_TYPE,
      new vscode.CustomExecution(async (resolved) => this.execute(isDefinition(resolved) ? resolved : def, scope, name)),
      [],
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  private execute(def: FenceTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, name: string): vscode.Pseudoterminal {
    if (!isTrusted()) return new RefusalTerminal(UNTRUSTED_MESSAGE);
    const folder = typeof scope === 'object' ? scope.uri.fsPath : undefined;
    const command = def.args && def.args.length ? [def.command, ...def.args] : def.command;
    const base = this.launcher.request(command, def.cwd ?? folder, def.settings, name);
    if (def.template) {
      // The engine has no template option (this Fence has no -t): refuse rather than run under a policy the user did not ask for.
      return new RefusalTerminal(`"template": "${def.template}" is not supported by this Fence version; use "settings" with a file that extends it.`);
    }
    try {
      const run = this.launcher.start({ ...base, ports: def.ports, monitorOff: def.monitor === false });
      return new RunTerminal(run, true);
    } catch (e) {
      return new RefusalTerminal(e instanceof Error ? e.message : String(e));
    }
  }
}

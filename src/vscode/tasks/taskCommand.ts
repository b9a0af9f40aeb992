// Reads the command line out of an existing shell or process task, so "Run Task in Fence Sandbox…"
// can run the same thing inside Fence. Shell tasks keep shell semantics (`fence -c`); process
// tasks stay an argv (`fence -- argv`), never joined into a string a shell would re-split.

import * as vscode from 'vscode';
import { shellQuote } from '../../core/fence/shellQuote';

export interface TaskCommand {
  readonly command: string | readonly string[];
  readonly cwd: string;
}

function text(v: string | vscode.ShellQuotedString): string {
  return typeof v === 'string' ? v : v.value;
}

/** A task word as shell text: weak quoting keeps `$` expansions (as VS Code's own shell tasks do), every other word is quoted strongly. */
function quoteForShell(v: string | vscode.ShellQuotedString): string {
  if (typeof v !== 'string' && v.quoting === vscode.ShellQuoting.Weak) return `"${v.value.replace(/["\\`]/g, '\\$&')}"`;
  return shellQuote(text(v));
}

/** Substitutes the variables a task's cwd commonly uses; others are left for the user to see. */
function resolveCwd(cwd: string | undefined, folder: string): string {
  if (!cwd) return folder;
  return cwd.replace(/\$\{workspaceFolder\}/g, folder).replace(/\$\{workspaceRoot\}/g, folder);
}

export function taskCommand(task: vscode.Task, defaultCwd: string): TaskCommand | undefined {
  const folder = typeof task.scope === 'object' && task.scope !== null && 'uri' in task.scope ? task.scope.uri.fsPath : defaultCwd;
  const exec = task.execution;
  if (exec instanceof vscode.ShellExecution) {
    const cwd = resolveCwd(exec.options?.cwd, folder);
    if (exec.commandLine !== undefined) return { command: exec.commandLine, cwd };
    if (exec.command === undefined) return undefined;
    return { command: [exec.command, ...(exec.args ?? [])].map(quoteForShell).join(' '), cwd };
  }
  if (exec instanceof vscode.ProcessExecution) {
    return { command: [exec.process, ...exec.args], cwd: resolveCwd(exec.options?.cwd, folder) };
  }
  return undefined;
}

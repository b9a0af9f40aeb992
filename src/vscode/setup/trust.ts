// Runs are refused in an untrusted workspace: the workspace chooses both the command and (through
// its fence.json) the sandbox policy, so running it is exactly what Restricted Mode exists to stop.

import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'Fence Lens does not run commands in an untrusted workspace: the workspace would choose both the command and its own sandbox policy (fence.json). Trust the workspace to run commands in the Fence sandbox.';

export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(UNTRUSTED_MESSAGE);
    this.name = 'UntrustedWorkspaceError';
  }
}

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Tells the user why nothing ran, with a way to change it. */
export async function explainRefusal(): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, manage);
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

// Shared by the extension-host tests: the extension's API, the fixture workspace, and waiting for
// the throttled views instead of sleeping a fixed time.

import * as vscode from 'vscode';
import * as path from 'node:path';
import type { FenceLensApi } from '../../../src/vscode/extension';
import type { ExplorerNode } from '../../../src/vscode/explorer/explorer';

export const EXTENSION_ID = 'fence-lens.fence-lens';

export async function fenceLens(): Promise<FenceLensApi> {
  const ext = vscode.extensions.getExtension<FenceLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace is not open');
  return folder.uri.fsPath;
}

export function inWorkspace(...parts: string[]): string {
  return path.join(workspaceDir(), ...parts);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the views have caught up: no explorer repaint pending (its refresh is throttled). */
export async function repainted(api: FenceLensApi): Promise<void> {
  await new Promise((r) => setTimeout(r, 50)); // let the run's last events arrive
  await waitFor('the explorer to repaint', () => !api.explorer.refreshPending, 5_000);
  await new Promise((r) => setTimeout(r, 400)); // diagnostics use their own, slightly longer, timer
}

export interface ItemView {
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  readonly node: ExplorerNode;
}

export async function items(api: FenceLensApi, parent?: ExplorerNode): Promise<ItemView[]> {
  const nodes = api.explorer.getChildren(parent);
  return Promise.all(
    nodes.map(async (node) => {
      const item = await api.explorer.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { label, description: String(item.description ?? ''), contextValue: item.contextValue ?? '', node };
    }),
  );
}

export function fenceDiagnostics(): [vscode.Uri, vscode.Diagnostic[]][] {
  return vscode.languages
    .getDiagnostics()
    .map(([uri, ds]): [vscode.Uri, vscode.Diagnostic[]] => [uri, ds.filter((d) => d.source === 'fence')])
    .filter(([, ds]) => ds.length > 0);
}

// Shows a settings change before it is written: a diff of the Fence settings file (as it is, and as
// it would be) with Apply and Cancel on the notification and on the diff's title bar. Cancel, or
// closing the diff, writes nothing. Only one change is pending at a time; a new one replaces it.

import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SettingsEdit } from '../../core/fence/settingsText';
import { printable } from '../../core/report/format';
import { diffTitle } from '../shownText';

export const PREVIEW_SCHEME = 'fence-lens-preview';
export const APPLY_PREVIEW_COMMAND = 'fenceLens.applySettingsPreview';
export const CANCEL_PREVIEW_COMMAND = 'fenceLens.cancelSettingsPreview';

interface Pending {
  readonly file: vscode.Uri;
  /** The text the change was computed on; undefined when the file does not exist yet. */
  readonly before: string | undefined;
  readonly edit: Extract<SettingsEdit, { changed: true }>;
  readonly settle: (applied: boolean) => void;
}

export class SettingsPreview implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private pending: Pending | undefined;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      vscode.commands.registerCommand(APPLY_PREVIEW_COMMAND, () => this.settle(true)),
      vscode.commands.registerCommand(CANCEL_PREVIEW_COMMAND, () => this.settle(false)),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const p = this.pending;
    if (!p) return '';
    return uri.query === 'before' ? (p.before ?? '') : p.edit.text;
  }

  /** Shows the change; resolves true once it is written, false when cancelled. */
  async propose(file: vscode.Uri, before: string | undefined, edit: Extract<SettingsEdit, { changed: true }>, summary: string, warning?: string): Promise<boolean> {
    await this.settle(false);
    const applied = new Promise<boolean>((resolve) => (this.pending = { file, before, edit, settle: resolve }));
    const name = printable(path.basename(file.fsPath));
    const left = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: file.path, query: 'before' });
    const right = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: file.path, query: 'after' });
    this.changed.fire(left);
    this.changed.fire(right);
    await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(file.fsPath, summary), { preview: true });
    void vscode.commands.executeCommand('setContext', 'fenceLens.previewPending', true);
    const apply = 'Apply';
    const message = warning ? `${summary} in ${name}? Warning: this ${warning}.` : `${summary} in ${name}?`;
    const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const mine = this.pending;
    // A notification left over from an earlier preview must not settle this one.
    void show(message, apply, 'Cancel').then((choice) => (this.pending === mine ? this.settle(choice === apply) : undefined));
    return applied;
  }

  /** True while a change is shown and neither applied nor cancelled. */
  get isPending(): boolean {
    return this.pending !== undefined;
  }

  private async settle(apply: boolean): Promise<void> {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    void vscode.commands.executeCommand('setContext', 'fenceLens.previewPending', false);
    await closePreviewTabs();
    if (!apply) return p.settle(false);
    try {
      await write(p);
      p.settle(true);
    } catch (e) {
      p.settle(false);
      void vscode.window.showErrorMessage(`Fence Lens: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    void this.settle(false);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

async function closePreviewTabs(): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PREVIEW_SCHEME);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

/** Writes the change through the editor, so an open, unsaved settings document is edited, not overwritten. */
async function write(p: Pending): Promise<void> {
  if (p.before === undefined) {
    await vscode.workspace.fs.writeFile(p.file, Buffer.from(p.edit.text, 'utf8'));
    return;
  }
  const doc = await vscode.workspace.openTextDocument(p.file);
  if (doc.getText() !== p.before) throw new Error(`${p.file.fsPath} changed since the preview; nothing was written. Try again.`);
  const edit = new vscode.WorkspaceEdit();
  for (const e of p.edit.edits) edit.replace(p.file, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  if (!(await vscode.workspace.applyEdit(edit)) || !(await doc.save())) throw new Error(`could not write ${p.file.fsPath}`);
}

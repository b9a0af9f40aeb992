// Quick fixes on Fence diagnostics and the tree's "Allow" action: the engine's `suggestRule` says
// what to allow; we write it into the Fence settings file the run used, only when the user asks.

import * as vscode from 'vscode';
import * as path from 'node:path';
import type { RuleSuggestion, Violation } from '../../core/model';
import { suggestRule } from '../../core/report/policy';
import { DIAGNOSTIC_SOURCE, type Diagnostics } from './diagnostics';
import { loadEngine } from '../engine';
import { MORE_DENIALS_CODE } from './problemFile';

export const APPLY_COMMAND = 'fenceLens.applySuggestion';

export class FenceQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly settingsFileFor: () => string | undefined,
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const file = this.settingsFileFor();
    const actions: vscode.CodeAction[] = [];
    // One action per rule: hundreds of denials in one folder (all on one line) want the same fix.
    const byRule = new Map<string, vscode.CodeAction>();
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      if (d.code === MORE_DENIALS_CODE) {
        actions.push(showExplorerAction(d));
        continue;
      }
      if (!file) continue;
      const v = this.diagnostics.violationFor(document.uri, d.message);
      const s = v ? suggestRule(v) : undefined;
      if (!s) continue;
      const rule = `${s.setting}\u0000${s.value}`;
      const same = byRule.get(rule);
      if (same) {
        same.diagnostics?.push(d);
        continue;
      }
      const action = new vscode.CodeAction(`Fence: ${s.description} (${s.setting} in ${path.basename(file)})`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.command = { command: APPLY_COMMAND, title: action.title, arguments: [file, s] };
      byRule.set(rule, action);
      actions.push(action);
    }
    return actions;
  }
}

/** On the "N more denials" summary: where the ones Problems does not list are. */
function showExplorerAction(d: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction('Fence: Show Every Denial in the Fence Lens View', vscode.CodeActionKind.QuickFix);
  action.diagnostics = [d];
  action.command = { command: 'fenceLens.violations.focus', title: action.title };
  return action;
}

export function suggestionsFor(violations: readonly Violation[]): RuleSuggestion[] {
  const seen = new Set<string>();
  const out: RuleSuggestion[] = [];
  for (const v of violations) {
    const s = suggestRule(v);
    if (!s || seen.has(`${s.setting}\u0000${s.value}`)) continue;
    seen.add(`${s.setting}\u0000${s.value}`);
    out.push(s);
  }
  return out;
}

/** The settings text as the editor has it (unsaved changes included), or as on disk; empty when there is no file. */
async function currentText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Adds the suggestion to the settings file through the editor (the core computes the edits), then offers a rerun. */
export async function allowInSettings(file: string, s: RuleSuggestion): Promise<boolean> {
  const uri = vscode.Uri.file(file);
  const text = await currentText(uri);
  const result = loadEngine().settingsEditFor(text ?? '', s);
  if (!result.changed) {
    void vscode.window.showInformationMessage(`Fence settings unchanged: ${result.reason}.`);
    return false;
  }
  if (text === undefined) {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(result.text, 'utf8'));
  } else {
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    for (const e of result.edits) edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
    if (!(await vscode.workspace.applyEdit(edit)) || !(await doc.save())) throw new Error(`could not write ${file}`);
  }
  await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true });
  const rerun = 'Rerun Last';
  // Not awaited: the change is made; the offer to rerun must not hold the caller until dismissed.
  void vscode.window.showInformationMessage(`Added ${s.value} to ${s.setting} in ${path.basename(file)}.`, rerun).then((choice) => {
    if (choice === rerun) void vscode.commands.executeCommand('fenceLens.rerunLast');
  });
  return true;
}

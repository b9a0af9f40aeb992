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

/** Writes the suggestion, opens the file to show the change, and offers a rerun. */
export async function applySuggestion(file: string, s: RuleSuggestion): Promise<boolean> {
  const result = loadEngine().applySuggestionToFile(file, s);
  if (!result.changed) {
    void vscode.window.showInformationMessage(`Fence settings unchanged: ${result.reason}.`);
    return false;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, preserveFocus: true });
  const rerun = 'Rerun Last';
  // Not awaited: the change is made; the offer to rerun must not hold the caller until dismissed.
  void vscode.window.showInformationMessage(`Added ${s.value} to ${s.setting} in ${path.basename(file)}.`, rerun).then((choice) => {
    if (choice === rerun) void vscode.commands.executeCommand('fenceLens.rerunLast');
  });
  return true;
}

// Quick fixes on Fence diagnostics and the tree's "Allow…" action: the engine's `suggestRule` says
// what to allow, core's `allowChoices` how to write it (`~/...`, narrowest first, a warning on a
// wide folder); the change is shown as a diff of the settings file and written only on Apply.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allowChoices, type AllowChoice } from '../../core/fence/allowChoices';
import type { Violation } from '../../core/model';
import { suggestRule } from '../../core/report/policy';
import { DIAGNOSTIC_SOURCE, type Diagnostics } from './diagnostics';
import { loadEngine } from '../engine';
import { printable } from '../../core/report/format';
import { addedMessage, changeSummary, fixTitle } from '../shownText';
import { MORE_DENIALS_CODE } from './problemFile';
import type { SettingsPreview } from './settingsPreview';

export const APPLY_COMMAND = 'fenceLens.applySuggestion';

/** Why a denial gets no fix, when it gets none although a rule names it; undefined when it can be fixed. */
export function noFixReason(v: Violation, settingsText: string | undefined, file: string): string | undefined {
  if (v.cause === 'host') return "the host's own permissions refused it (it would fail outside Fence too): no Fence setting allows it";
  const s = suggestRule(v);
  if (!s || settingsText === undefined) return undefined;
  for (const c of allowChoices(s, v, os.homedir())) {
    const edit = loadEngine().settingsEditFor(settingsText, c.suggestion);
    if (!edit.changed) return `${printable(path.basename(file))} already allows it (${printable(edit.reason)}): the host's own permissions refused it`;
  }
  return undefined;
}

/** The settings text as the editor has it (unsaved changes included), or as on disk; undefined when there is no file. */
export function currentSettingsText(file: string): string | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (open) return open.getText();
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function choicesFor(violations: readonly Violation[]): AllowChoice[] {
  const seen = new Set<string>();
  const out: AllowChoice[] = [];
  for (const v of violations) {
    if (v.cause === 'host') continue;
    const s = suggestRule(v);
    if (!s) continue;
    for (const c of allowChoices(s, v, os.homedir())) {
      const key = `${c.suggestion.setting}\u0000${c.suggestion.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  // Choices with no warning first: the narrow ones.
  return [...out.filter((c) => !c.warning), ...out.filter((c) => c.warning)];
}

export class FenceQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly settingsFileFor: () => string | undefined,
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const file = this.settingsFileFor();
    const text = file ? currentSettingsText(file) : undefined;
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
      if (!v) continue;
      const why = noFixReason(v, text, file);
      if (why) {
        const action = new vscode.CodeAction(`Fence: no fix: ${why}`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.disabled = { reason: why };
        actions.push(action);
        continue;
      }
      const s = suggestRule(v);
      if (!s) continue;
      allowChoices(s, v, os.homedir()).forEach((c, i) => {
        const rule = `${c.suggestion.setting}\u0000${c.suggestion.value}`;
        const same = byRule.get(rule);
        if (same) {
          same.diagnostics?.push(d);
          return;
        }
        const action = new vscode.CodeAction(fixTitle(c, file), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = i === 0 && !c.warning;
        action.command = { command: APPLY_COMMAND, title: action.title, arguments: [file, c] };
        byRule.set(rule, action);
        actions.push(action);
      });
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

/**
 * Proposes the rule as a diff of the settings file; writes it on Apply (through the editor, the
 * core computing the edits), then offers a rerun. Resolves true when written.
 */
export async function allowInSettings(preview: SettingsPreview, file: string, choice: AllowChoice): Promise<boolean> {
  const s = choice.suggestion;
  const before = currentSettingsText(file);
  const result = loadEngine().settingsEditFor(before ?? '', s);
  if (!result.changed) {
    void vscode.window.showInformationMessage(`Fence settings unchanged: ${printable(result.reason)}; the denial came from the host's own permissions.`);
    return false;
  }
  const summary = changeSummary(choice);
  const applied = await preview.propose(vscode.Uri.file(file), before, result, summary, choice.warning);
  if (!applied) return false;
  // Fence grants writes only in directories that exist when it starts (see allowChoices).
  if (choice.createDirectory) await vscode.workspace.fs.createDirectory(vscode.Uri.file(choice.createDirectory));
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, preserveFocus: true });
  const rerun = 'Rerun Last';
  // Not awaited: the change is made; the offer to rerun must not hold the caller until dismissed.
  void vscode.window.showInformationMessage(addedMessage(s, file), rerun).then((c) => {
    if (c === rerun) void vscode.commands.executeCommand('fenceLens.rerunLast');
  });
  return true;
}

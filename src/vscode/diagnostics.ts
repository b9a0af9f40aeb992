// Problems panel entries for the latest run. A denial on a path inside a workspace folder is put on
// that file, or on its nearest existing parent when the file was never created (a denied create
// leaves nothing to point at). Everything else goes on the Fence settings file when it is in the
// workspace, since that is where the fix is made. Replaced wholesale when a new run starts.

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Violation } from '../core/model';
import { formatViolationLine } from '../core/format';
import { suggestRule } from '../core/policy';
import type { Runs } from './runs';
import { absoluteTarget, withAbsoluteTarget } from './targets';

export const DIAGNOSTIC_SOURCE = 'fence';

/** Stable per kind of denial: what rule would allow it, else the category. */
export function diagnosticCode(v: Violation): string {
  const s = suggestRule(v);
  return s ? s.setting : `${v.category}.denied`;
}

function inside(folder: string, p: string): boolean {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function nearestExisting(p: string, stopAt: string): string {
  let current = p;
  while (!fs.existsSync(current) && current !== stopAt && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  /** Diagnostic identity (uri + message) to the violation, for quick fixes. */
  private readonly byKey = new Map<string, Violation>();
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly runs: Runs) {
    this.subscription = runs.onDidChange((change) => {
      if (change.kind === 'cleared') return this.update();
      if (change.kind === 'started') return this.update(); // clears the previous run's problems now
      this.schedule();
    });
  }

  violationFor(uri: vscode.Uri, message: string): Violation | undefined {
    return this.byKey.get(`${uri.toString()}\u0000${message}`);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, 300);
  }

  update(): void {
    const run = this.runs.latest();
    this.collection.clear();
    this.byKey.clear();
    if (!run) return;
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const settings = run.settingsFile;
    const settingsInWorkspace = settings !== null && folders.some((f) => inside(f, settings));
    const perFile = new Map<string, vscode.Diagnostic[]>();
    for (const v of run.violations()) {
      let file: string | undefined;
      const target = absoluteTarget(v, run.request.cwd);
      if (target) {
        const folder = folders.find((f) => inside(f, target));
        if (folder) file = nearestExisting(target, folder);
      }
      if (!file && settingsInWorkspace && settings) file = settings;
      if (!file) continue;
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), formatViolationLine(v), vscode.DiagnosticSeverity.Warning);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = diagnosticCode(withAbsoluteTarget(v, run.request.cwd));
      const list = perFile.get(file) ?? [];
      list.push(d);
      perFile.set(file, list);
      this.byKey.set(`${vscode.Uri.file(file).toString()}\u0000${d.message}`, withAbsoluteTarget(v, run.request.cwd));
    }
    for (const [file, list] of perFile) this.collection.set(vscode.Uri.file(file), list);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.collection.dispose();
  }
}

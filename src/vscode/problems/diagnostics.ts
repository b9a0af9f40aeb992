// Problems panel entries for the latest run (where each goes: ./problemPlacement; one file's bounded
// list: ./problemFile). Kept incrementally: a new denial is placed once and gets its Diagnostic
// once, a repeat marks only its own entry, and a repaint (at most every REPAINT_MS) resends only the
// files that changed: rebuilding every problem on every repaint grows with the count, and a storm
// repaints often. Replaced wholesale when a new run starts.

import * as vscode from 'vscode';
import type { Violation } from '../../core/model';
import { suggestRule } from '../../core/report/policy';
import { DIAGNOSTIC_SOURCE, ProblemFile, type ProblemEntry } from './problemFile';
import { placement, problemPlaceFor, type Placement } from './problemPlacement';
import type { TextSpan } from '../../core/fence/settingsText';
import { loadEngine } from '../engine';
import * as fs from 'node:fs';
import type { Run, Runs, RunsChange } from '../runs/runs';

export { DIAGNOSTIC_SOURCE } from './problemFile';

const REPAINT_MS = 300;

/** Stable per kind of denial: what rule would allow it, else the category. */
export function diagnosticCode(v: Violation): string {
  const s = suggestRule(v);
  return s ? s.setting : `${v.category}.denied`;
}

/** Where each setting is written in one settings text, computed once per setting. */
class SpanCache {
  private readonly known = new Map<string, TextSpan | undefined>();
  constructor(private readonly text: string) {}

  get(setting: string | undefined): TextSpan | undefined {
    const key = setting ?? '';
    if (!this.known.has(key)) this.known.set(key, this.text === '' ? undefined : loadEngine().settingSpan(this.text, key || 'fence-lens.none'));
    return this.known.get(key);
  }
}

/** The latest run's problems. */
class RunProblems {
  /** By URI string, as quick fixes look them up. */
  readonly files = new Map<string, ProblemFile>();
  /** The same by path: placing a denial must not build a URI per denial. */
  private readonly byPath = new Map<string, ProblemFile>();
  /** Listed violations: where their entry is, so a repeat touches only that entry. */
  readonly listed = new Map<Violation, { readonly file: ProblemFile; readonly entry: ProblemEntry }>();
  readonly dirty = new Set<ProblemFile>();

  constructor(
    readonly run: Run,
    readonly where: Placement,
    /** The settings file's text when the run's problems were placed (spans index into it). */
    private readonly settingsText: string,
  ) {}

  private rangeOf(span: TextSpan): vscode.Range {
    const start = lineCol(this.settingsText, span.offset);
    const end = lineCol(this.settingsText, span.offset + span.length);
    return new vscode.Range(start.line, start.character, end.line, end.character);
  }

  add(v: Violation): void {
    const setting = suggestRule(v)?.setting;
    const place = problemPlaceFor(v, setting, this.where);
    if (place === undefined) return;
    let file = this.byPath.get(place.file);
    if (!file) {
      file = new ProblemFile(vscode.Uri.file(place.file));
      this.byPath.set(place.file, file);
      this.files.set(file.uri.toString(), file);
    }
    const entry = file.add(v, () => diagnosticCode(v), place.span && this.rangeOf(place.span));
    if (entry) this.listed.set(v, { file, entry });
    this.dirty.add(file);
  }

  touch(v: Violation): void {
    const at = this.listed.get(v);
    if (!at) return; // not on any file, or past its file's bound: the summary counts distinct denials only
    at.file.touch(at.entry);
    this.dirty.add(at.file);
  }
}

function lineCol(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

/** The text of the settings file as the editor has it (unsaved edits too), else as on disk. */
function settingsText(file: string | undefined): string {
  if (!file) return '';
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (open) return open.getText();
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private problems: RunProblems | undefined;
  /** The latest run's settings file when its problems were placed (a denial outside the workspace goes on it). */
  private settingsFileUsed: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runs: Runs) {
    this.subscriptions = [runs.onDidChange((change) => this.onChange(change)), vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild())];
  }

  /** The violation behind a Fence diagnostic VS Code hands back (a copy: matched by file and message). */
  violationFor(uri: vscode.Uri, message: string): Violation | undefined {
    const p = this.problems;
    const entry = p?.files.get(uri.toString())?.entryFor(message);
    return entry?.violation;
  }

  private onChange(change: RunsChange): void {
    switch (change.kind) {
      case 'started': // clears the previous run's problems now
      case 'cleared':
        return this.rebuild();
      case 'violations': {
        const p = this.problems;
        if (change.run !== p?.run) return;
        for (const v of change.added) p.add(v);
        for (const v of change.updated) p.touch(v);
        if (p.dirty.size > 0) this.schedule();
        return;
      }
      case 'finished':
        // The report may name the settings file the run used only now; other-placed problems follow it.
        if (change.run === this.problems?.run && change.run.settingsFile !== this.settingsFileUsed) this.rebuild();
        return;
      case 'monitor':
        return;
    }
  }

  /** Starts over from the latest run's violations (a new run, a clear, other workspace folders). */
  rebuild(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.collection.clear();
    const run = this.runs.latest();
    this.settingsFileUsed = run?.settingsFile ?? null;
    if (!run) {
      this.problems = undefined;
      return;
    }
    const where = placement(workspaceFolders(), this.settingsFileUsed, (setting) => spans.get(setting));
    const text = settingsText(where.settingsInWorkspace);
    const spans = new SpanCache(text);
    this.problems = new RunProblems(run, where, text);
    if (!this.problems) return;
    for (const v of this.problems.run.violations()) this.problems.add(v);
    this.repaint();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.repaint(), REPAINT_MS);
  }

  /** Hands VS Code the lists of the files that changed since the last repaint, one file per call. */
  private repaint(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.problems;
    if (!p) return;
    // One set() per file: a set() of several files stops sending past 1,100 problems in all.
    for (const file of p.dirty) this.collection.set(file.uri, file.diagnostics());
    p.dirty.clear();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

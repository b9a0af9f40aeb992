// The Fence problems of one file, kept between repaints. VS Code takes a file's problems only as a
// whole list (DiagnosticCollection.set), converting and sending every entry on every set, so the
// list is bounded: the first MAX_PROBLEMS_PER_FILE denials that land on the file are listed, and
// one summary entry counts the rest and points to the explorer, which lists every denial. An entry
// keeps its Diagnostic object; a repeat only rewrites that entry's message (it carries the count).

import * as vscode from 'vscode';
import type { Violation } from '../../core/model';
import { describeTarget, printable } from '../../core/report/format';
import { thousands } from '../explorer/explorerItems';

/**
 * Below VS Code's own 1,000 per file (past which it drops entries, lowest severity first: our
 * summary would be the first to go). Every repaint of a file resends all of its list, so the bound
 * is also what a repaint costs; nobody reads past a few hundred warnings on one file.
 */
export const MAX_PROBLEMS_PER_FILE = 500;
export const DIAGNOSTIC_SOURCE = 'fence';
/** The summary entry's code: no rule allows it; its quick fix shows the explorer. */
export const MORE_DENIALS_CODE = 'fenceLens.moreDenials';

export function moreDenialsMessage(hidden: number): string {
  const more = hidden === 1 ? '1 more denial on this file is' : `${thousands(hidden)} more denials on this file are`;
  return `Fence: ${more} not listed here (Problems lists the first ${MAX_PROBLEMS_PER_FILE} per file); the Fence Lens view lists every denial.`;
}

/**
 * `/etc/x: openat denied (EROFS Read-only file system, touch:1234) ×2`: the path and the operation
 * first, so a narrow Problems row still says what was denied; no time (Problems is not a log).
 */
export function problemMessage(v: Violation): string {
  const why = [v.errnoName ? `${v.errnoName} ${printable(v.message)}` : printable(v.message), v.process ? (v.process.pid > 0 ? `${printable(v.process.comm)}:${v.process.pid}` : printable(v.process.comm)) : '']
    .filter(Boolean)
    .join(', ');
  const host = v.cause === 'host' ? "; refused by the host's own permissions, not by Fence" : '';
  return `${describeTarget(v)}: ${printable(v.operation)} denied (${why}${host})${v.count > 1 ? ` ×${v.count}` : ''}`;
}

export interface ProblemEntry {
  readonly violation: Violation;
  readonly diagnostic: vscode.Diagnostic;
}

export class ProblemFile {
  private readonly listed: ProblemEntry[] = [];
  /** The listed entries by the message VS Code last got, for quick fixes (their diagnostics come back as copies). */
  private readonly byMessage = new Map<string, ProblemEntry>();
  private readonly changed = new Set<ProblemEntry>();
  private hidden = 0;
  private summary: vscode.Diagnostic | undefined;

  constructor(readonly uri: vscode.Uri) {}

  /** Lists `v` (or counts it in the summary once the file is full); the entry, or undefined when not listed. */
  add(v: Violation, code: () => string, range = new vscode.Range(0, 0, 0, 0)): ProblemEntry | undefined {
    if (this.listed.length >= MAX_PROBLEMS_PER_FILE) {
      this.hidden++;
      return undefined;
    }
    const d = new vscode.Diagnostic(range, problemMessage(v), vscode.DiagnosticSeverity.Warning);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = code();
    const entry = { violation: v, diagnostic: d };
    this.listed.push(entry);
    this.byMessage.set(d.message, entry);
    return entry;
  }

  /** The entry's violation was counted again: its message is rewritten on the next `diagnostics()`. */
  touch(entry: ProblemEntry): void {
    this.changed.add(entry);
  }

  entryFor(message: string): ProblemEntry | undefined {
    return this.byMessage.get(message);
  }

  /** The list to hand to VS Code; brings the messages of touched entries up to date first. */
  diagnostics(): vscode.Diagnostic[] {
    for (const entry of this.changed) {
      const message = problemMessage(entry.violation);
      if (message === entry.diagnostic.message) continue;
      if (this.byMessage.get(entry.diagnostic.message) === entry) this.byMessage.delete(entry.diagnostic.message);
      entry.diagnostic.message = message;
      this.byMessage.set(message, entry);
    }
    this.changed.clear();
    const list = this.listed.map((e) => e.diagnostic);
    if (this.hidden > 0) {
      const message = moreDenialsMessage(this.hidden);
      if (!this.summary) {
        this.summary = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), message, vscode.DiagnosticSeverity.Information);
        this.summary.source = DIAGNOSTIC_SOURCE;
        this.summary.code = MORE_DENIALS_CODE;
      }
      this.summary.message = message;
      list.push(this.summary);
    }
    return list;
  }
}

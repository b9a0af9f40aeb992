// When to run the doctor for the welcome views' context keys (fence missing? monitor helper
// missing?). The doctor starts processes (fence --help, dbus-send) and loads the engine, so it never
// runs inside activate(): it runs once the Violations view is showing (where the welcome views
// are), shortly after, and again when the trust or the program paths change. Show Monitor Status
// and the helper installer run it themselves, on demand.

import * as vscode from 'vscode';
import type { DoctorCheck } from '../sandbox/doctorTypes';
import { refreshEnvironment } from './monitorSetup';

/**
 * Lets the window's first requests to the new view (an RPC to this host) be answered before the
 * doctor's engine load and process spawns hold the host's thread.
 */
const DELAY_MS = 200;

export class EnvironmentCheck implements vscode.Disposable {
  /** The context keys do not reflect the current settings and trust yet. */
  private stale = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** The latest checks behind the context keys (undefined until the first has finished). */
  checks: readonly DoctorCheck[] | undefined;

  constructor(private readonly view: vscode.TreeView<unknown>) {
    this.subscriptions = [
      view.onDidChangeVisibility((e) => {
        if (e.visible) this.schedule();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('fenceLens.paths')) this.invalidate();
      }),
    ];
    if (view.visible) this.schedule();
  }

  invalidate(): void {
    this.stale = true;
    if (this.view.visible) this.schedule();
  }

  private schedule(): void {
    if (!this.stale || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stale = false;
      // A failing doctor leaves the keys as they were; the next showing of the view tries again,
      // and Show Monitor Status reports the error itself.
      refreshEnvironment().then(
        (checks) => (this.checks = checks),
        () => (this.stale = true),
      );
    }, DELAY_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

// When to run the doctor for the welcome views' context keys (fence missing? monitor helper
// missing?). The doctor starts processes (fence --help, dbus-send) and loads the engine bundle, so it
// never runs inside activate(): it runs shortly after it, and again when the trust or the program
// paths change. Show Monitor Status and the helper installer run it themselves, on demand.
//
// Running it after every activation, not only once the view shows, is deliberate: it also loads the
// engine and warms execa while nothing else happens, so the first run does not pay for that on
// the extension host's thread.

import * as vscode from 'vscode';
import type { DoctorCheck } from '../../sandbox/doctorTypes';
import { refreshEnvironment } from './monitorSetup';

/**
 * Lets activation finish and the window's first requests to the new view (RPCs to this host) be
 * answered before the doctor's engine load and process spawns hold the host's thread.
 */
const DELAY_MS = 500;

export class EnvironmentCheck implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** The latest checks behind the context keys (undefined until the first has finished). */
  checks: readonly DoctorCheck[] | undefined;

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('fenceLens.paths')) this.schedule();
      }),
    ];
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failing doctor leaves the keys as they were; Show Monitor Status reports its error.
      refreshEnvironment().then(
        (checks) => (this.checks = checks),
        () => undefined,
      );
    }, DELAY_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

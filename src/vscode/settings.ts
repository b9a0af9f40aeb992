// Reads Fence Lens settings. Program paths and the monitor mode decide which binaries run, some of
// them as root, so they are machine-scoped and read from user/machine values only: a repository's
// `.vscode/settings.json` must never be able to point us at its own "fence" or "pkexec".

import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMonitorMode, type MonitorMode } from '../core/model';
import type { ProgramPaths } from '../monitor/programs';

export const SECTION = 'fenceLens';

/** The user's or machine's value, or the default; workspace and folder values are ignored on purpose. */
function machineValue<T>(key: string): T | undefined {
  const info = vscode.workspace.getConfiguration(SECTION).inspect<T>(key);
  return info?.globalValue ?? info?.defaultValue;
}

/** Only absolute paths: a relative one would resolve against whatever folder happens to be open. */
function absolutePath(key: string): string | undefined {
  const value = machineValue<string>(key);
  return typeof value === 'string' && path.isAbsolute(value) ? value : undefined;
}

export function programPaths(): ProgramPaths {
  return {
    fence: absolutePath('paths.fence'),
    helper: absolutePath('paths.helper'),
    pkexec: absolutePath('paths.pkexec'),
    sudo: absolutePath('paths.sudo'),
  };
}

export function monitorMode(): MonitorMode {
  const value = machineValue<string>('monitor.mode');
  return isMonitorMode(value) ? value : 'auto';
}

export function maxRecentCommands(): number {
  const value = vscode.workspace.getConfiguration(SECTION).get<number>('recentCommands.max', 10);
  return Math.max(0, Math.min(50, Math.floor(value)));
}

/**
 * The Fence settings file a run in `folder` uses: the configured one (relative to the folder), else
 * `fence.jsonc` / `fence.json` in the folder. Undefined lets Fence use its own default (~/.fence.json).
 * Reading this from the workspace is acceptable because runs are refused in untrusted workspaces.
 */
export function fenceSettingsFile(folder: string | undefined): string | undefined {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('settingsFile', '').trim();
  if (configured) return folder && !path.isAbsolute(configured) ? path.join(folder, configured) : configured;
  if (!folder) return undefined;
  return ['fence.jsonc', 'fence.json'].map((f) => path.join(folder, f)).find((f) => fs.existsSync(f));
}

/** Where "Open Fence Settings" and quick fixes write when no settings file exists yet. */
export function defaultSettingsFile(folder: string | undefined): string | undefined {
  return fenceSettingsFile(folder) ?? (folder ? path.join(folder, 'fence.json') : undefined);
}

// Contributions and settings, checked in the real extension host.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, fenceLens, inWorkspace, waitFor } from './helpers';

interface Contributed {
  readonly command: string;
}

describe('activation and contributions', () => {
  it('activates lazily: only on its task type (commands and the view are implied)', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.deepEqual(ext.packageJSON.activationEvents, ['onTaskType:fence']);
    assert.deepEqual(ext.packageJSON.extensionKind, ['workspace']);
    assert.equal(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('registers every command it contributes', async () => {
    await fenceLens();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = (ext?.packageJSON.contributes.commands as Contributed[]).map((c) => c.command).sort();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    assert.equal(contributed.length, 21);
  });

  it('checks the machine for the welcome views after activation', async () => {
    const api = await fenceLens();
    // The doctor starts processes (fence --help, dbus-send), so it runs after activate(), not in it.
    const checks = await waitFor('the environment check behind the welcome views', () => api.environment.checks, 30_000);
    // This machine has fence and the helper (scripts/test-env.sh): neither welcome view may say otherwise.
    assert.deepEqual(
      checks.filter((c) => c.id === 'fence' || c.id === 'helper').map((c) => [c.id, c.ok]),
      [['fence', true], ['helper', true]],
    );
  });
});

describe('machine-scoped settings', () => {
  it('ignores the workspace values of program paths and the monitor mode', async () => {
    const api = await fenceLens();
    // The fixture's .vscode/settings.json really tries ...
    const attempt: unknown = JSON.parse(fs.readFileSync(inWorkspace('.vscode', 'settings.json'), 'utf8'));
    assert.deepEqual(attempt, {
      'fenceLens.paths.fence': inWorkspace('evil-fence'),
      'fenceLens.paths.pkexec': inWorkspace('evil-fence'),
      'fenceLens.monitor.mode': 'off',
    });
    // ... VS Code itself drops machine-scoped values from workspace settings ...
    const cfg = vscode.workspace.getConfiguration('fenceLens');
    assert.equal(cfg.inspect<string>('paths.fence')?.workspaceValue, undefined);
    // ... and what we read (user/machine values only) reaches no run.
    assert.deepEqual(api.programPaths(), { fence: undefined, helper: undefined, pkexec: undefined, sudo: undefined });
    assert.equal(api.monitorMode(), 'auto');
  });

  it('never ran the workspace\'s own "fence" during any earlier test', () => {
    assert.equal(fs.existsSync(inWorkspace('EVIL-FENCE-RAN')), false);
  });
});

describe('contributions a first-time user meets', () => {
  it('marks Fence\'s proxy ports so the editor does not offer to forward them', () => {
    const attrs = vscode.workspace.getConfiguration('remote').inspect<Record<string, { onAutoForward?: string }>>('portsAttributes')?.defaultValue ?? {};
    assert.equal(attrs['3128']?.onAutoForward, 'ignore', JSON.stringify(attrs));
    assert.equal(attrs['1080']?.onAutoForward, 'ignore', JSON.stringify(attrs));
  });

  it('hides commands that make no sense yet, and gives every tree row a context menu', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> };
    };
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    for (const c of ['fenceLens.clearViolations', 'fenceLens.exportReport', 'fenceLens.rerunLast']) assert.equal(palette.get(c), 'fenceLens.hasRuns', c);
    assert.equal(palette.get('fenceLens.installHelper'), '!fenceLens.helperInstalled');
    const menu = pkg.contributes.menus['view/item/context'].filter((m) => !m.group?.startsWith('inline'));
    for (const row of ['run', 'run.running', 'notice', 'category', 'page', 'target.path.fixable', 'target.other.nofix']) {
      const shown = menu.filter((m) => {
        const re = /viewItem (==|=~) (\S+)/.exec(m.when ?? '');
        if (!re) return true;
        return re[1] === '==' ? re[2] === row : new RegExp(re[2].slice(1, -1)).test(row);
      });
      assert.ok(shown.length > 0, `no context menu entry for a ${row} row`);
    }
  });
});

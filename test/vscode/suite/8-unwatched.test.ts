// A run the monitor did not watch says so where the user looks: a row at the top of the run, a
// warning once per session, and a fix for this machine. The helper path (a machine setting) is
// pointed at a file that does not exist, so the monitor is unavailable for real.

import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { fenceLens, items, repainted, waitFor } from './helpers';

describe('a run without the monitor', () => {
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('fenceLens');
  let report: RunReport;

  before(async () => {
    const api = await fenceLens();
    await config().update('paths.helper', '/nonexistent/fence-lens-monitor', vscode.ConfigurationTarget.Global);
    assert.equal(api.programPaths().helper, '/nonexistent/fence-lens-monitor', 'the user setting did not take');
    await vscode.commands.executeCommand('fenceLens.clear');
    report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'true' });
    await repainted(api);
  });

  after(async () => {
    await config().update('paths.helper', undefined, vscode.ConfigurationTarget.Global);
  });

  it('is reported unwatched', () => {
    assert.equal(report.monitor.state, 'unavailable', report.monitor.detail);
  });

  it('shows a warning row at the top of the run that opens how to fix it', async () => {
    const api = await fenceLens();
    const [run] = await items(api);
    const [first] = await items(api, run.node);
    assert.ok(first, 'the run has no rows');
    assert.equal(first.label, 'File denials not watched');
    assert.equal(first.contextValue, 'notice');
    assert.ok(first.description.startsWith('monitor unavailable: '), first.description);
    const item = await api.explorer.getTreeItem(first.node);
    assert.equal(item.command?.command, 'fenceLens.howToFixMonitor');
  });

  it('warns once per session', async () => {
    const api = await fenceLens();
    const shown = await waitFor('the warning', () => api.unwatchedWarning.shown);
    assert.ok(shown.startsWith('Fence Lens: file denials are not being watched (monitor unavailable: '), shown);
    await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'true' });
    assert.equal(api.unwatchedWarning.shown, shown);
  });

  it('"How to fix" shows the exact command for this machine', async () => {
    await vscode.commands.executeCommand('fenceLens.howToFixMonitor');
    const doc = await waitFor('the fix document', () => vscode.window.activeTextEditor?.document);
    const text = doc.getText();
    assert.ok(text.startsWith('# Fence Lens: file denials were not watched'), text);
    assert.match(text, /sudo node \/\S+\/dist\/cli\.js install-helper/);
    assert.ok(text.includes(`subject.user == "${os.userInfo().username}"`), text);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

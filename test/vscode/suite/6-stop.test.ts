// Stopping a run from the editor ends the sandboxed command (and its monitor) promptly.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { fenceLens, waitFor } from './helpers';

describe('Fence: Stop', () => {
  it('stops a running command within seconds and the run is marked finished', async () => {
    const api = await fenceLens();
    const started = Date.now();
    const pending = Promise.resolve(vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'sleep 60' }));
    const run = await waitFor('the run to start', () => api.runs.running().find((r) => r.commandLine === 'sleep 60'), 30_000);
    await waitFor('the command to be released', () => run.monitor.state !== 'unavailable' || Date.now() - started > 5_000, 30_000);
    await vscode.commands.executeCommand('fenceLens.stop');
    const report = await pending;
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.notEqual(report.exitCode, 0);
    assert.equal(run.state, 'finished');
    assert.deepEqual(api.runs.running(), []);
  });
});

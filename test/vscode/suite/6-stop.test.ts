// Stopping and interrupting a run from the editor: Stop and Ctrl-C in the run's terminal end the
// sandboxed command promptly, and the run says how it ended; a rerun reuses the run's terminal.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { fenceLens, items, waitFor } from './helpers';

/** Waits until the command is released into the sandbox (the monitor's state is known) and has started. */
async function released(command: string, settleMs = 1_000): Promise<{ run: { readonly monitor: { readonly state: string } }; pending: Promise<RunReport> }> {
  const api = await fenceLens();
  const pending = Promise.resolve(vscode.commands.executeCommand<RunReport>('fenceLens.run', { command }));
  const run = await waitFor('the run to start', () => api.runs.running().find((r) => r.commandLine === command), 30_000);
  await waitFor('the command to be released', () => run.monitor.state !== 'starting', 30_000);
  await new Promise((r) => setTimeout(r, settleMs)); // the gate's release and sh's exec of the command
  return { run, pending };
}

describe('Fence: Stop, Ctrl-C and the run terminal', () => {
  it('stops a running command within seconds, and the run says "stopped", not an exit code', async () => {
    const api = await fenceLens();
    const { pending } = await released('sleep 60');
    const run = api.runs.latest();
    assert.ok(run);
    const stopAt = Date.now();
    await vscode.commands.executeCommand('fenceLens.stop');
    await pending;
    assert.ok(Date.now() - stopAt < 10_000, `took ${Date.now() - stopAt} ms`);
    assert.equal(run.state, 'finished');
    assert.equal(run.outcome, 'stopped');
    const [row] = await items(api);
    assert.match(row.description, / · stopped · /);
    assert.deepEqual(api.runs.running(), []);
  });

  it('Ctrl-C in the run terminal interrupts the command as a terminal would: within 2 s, exit code 130', async () => {
    const api = await fenceLens();
    const { pending } = await released('sleep 20');
    const terminal = api.terminals.terminals.find((t) => t.name === 'Fence: sleep 20');
    assert.ok(terminal, JSON.stringify(api.terminals.terminals.map((t) => t.name)));
    const at = Date.now();
    terminal.sendText('\x03', false); // a Pseudoterminal gets this through handleInput, as a key press
    const report = await pending;
    const took = Date.now() - at;
    assert.ok(took < 2_000, `ended ${took} ms after Ctrl-C`);
    assert.equal(report.exitCode, 130);
    assert.equal(api.runs.latest()?.outcome, 'exit 130');
  });

  it('Ctrl-C while the sandbox is still starting reaches the command once it runs', async () => {
    const api = await fenceLens();
    const { pending } = await released('sleep 20', 0);
    const terminal = api.terminals.terminals.find((t) => t.name === 'Fence: sleep 20');
    assert.ok(terminal);
    const at = Date.now();
    terminal.sendText('\x03', false);
    const report = await pending;
    assert.ok(Date.now() - at < 8_000, `ended ${Date.now() - at} ms after Ctrl-C`);
    assert.equal(report.exitCode, 130);
  });

  it('reruns in the terminal of the run it repeats instead of opening another', async () => {
    const api = await fenceLens();
    const named = (): vscode.Terminal[] => api.terminals.terminals.filter((t) => t.name === 'Fence: echo rerun-me');
    await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'echo rerun-me' });
    assert.equal(named().length, 1);
    const first = named()[0];
    const run = api.runs.latest();
    assert.ok(run);
    await vscode.commands.executeCommand('fenceLens.rerun', { run: run.id });
    await waitFor('the rerun to end', () => api.runs.latest() !== run && api.runs.latest()?.state === 'finished', 60_000);
    assert.deepEqual(named(), [first]);
    assert.ok(api.terminals.terminals.length <= 3, `${api.terminals.terminals.length} run terminals kept`);
    await vscode.commands.executeCommand('fenceLens.closeTerminals');
    await waitFor('the run terminals to close', () => api.terminals.terminals.length === 0);
  });
});

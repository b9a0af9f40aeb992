// Task type `fence`: provided npm-script tasks, tasks.json entries, exit codes, and the same store.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fenceLens, items, repainted } from './helpers';

async function runTask(label: string): Promise<number | undefined> {
  const tasks = await vscode.tasks.fetchTasks({ type: 'fence' });
  const task = tasks.find((t) => t.name === label);
  assert.ok(task, `no fence task "${label}" in ${JSON.stringify(tasks.map((t) => t.name))}`);
  const ended = new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name !== label) return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

describe('task provider (type fence)', () => {
  it('provides one task per npm script and resolves the tasks.json entries', async () => {
    await fenceLens();
    const names = (await vscode.tasks.fetchTasks({ type: 'fence' })).map((t) => t.name).sort();
    assert.deepEqual(names, ['npm run build', 'npm run fail', 'true in fence', 'write to /etc in fence']);
  });

  it('fails the task when the command fails, and the denial reaches the explorer', async () => {
    const api = await fenceLens();
    const exitCode = await runTask('write to /etc in fence');
    assert.equal(exitCode, 1);
    const run = api.runs.latest();
    assert.ok(run);
    assert.equal(run.commandLine, 'touch /etc/fence-lens-task-probe');
    // The tree labels a task's run by the task's name.
    assert.equal(run.label, 'write to /etc in fence');
    const [row] = await items(api);
    assert.equal(row.label, 'write to /etc in fence');
    await run.done;
    await repainted(api);
    const v = run.violations().find((x) => x.target === '/etc/fence-lens-task-probe');
    assert.ok(v, `monitor ${run.monitor.state} (${run.monitor.detail}); violations ${JSON.stringify(run.violations().map((x) => x.target))}`);
    assert.equal(v.errnoName, 'EROFS');
    assert.equal(v.process?.comm, 'touch');
  });

  it('succeeds when the command succeeds', async () => {
    assert.equal(await runTask('true in fence'), 0);
  });
});

describe('fenceLens.clear', () => {
  it('clears all runs, the tree, the badge and the problems', async () => {
    const api = await fenceLens();
    assert.ok(api.runs.list().length > 0);
    await vscode.commands.executeCommand('fenceLens.clear');
    await repainted(api);
    assert.equal(api.runs.list().length, 0);
    assert.deepEqual(api.explorer.getChildren(), []);
    assert.equal(api.treeView.badge, undefined);
    assert.deepEqual(
      vscode.languages.getDiagnostics().filter(([, ds]) => ds.some((d) => d.source === 'fence')),
      [],
    );
  });
});

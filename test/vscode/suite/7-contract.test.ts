// The `fenceLens.run` contract's edges: an argv array, an explicit cwd and settings file, bad input.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { fenceLens, inWorkspace } from './helpers';

describe('fenceLens.run contract edges', () => {
  it('runs an argv array without a shell, in the given cwd, with the given settings file', async () => {
    await fenceLens();
    const settings = inWorkspace('other-fence.json');
    fs.writeFileSync(settings, '{ "filesystem": { "allowWrite": [] } }\n');
    const report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', {
      command: ['sh', '-c', 'pwd; exit 7'],
      cwd: inWorkspace('src'),
      settings,
    });
    assert.equal(report.exitCode, 7);
    assert.equal(report.cwd, inWorkspace('src'));
    assert.equal(report.settingsFile, settings);
    assert.equal(report.command, "sh -c 'pwd; exit 7'");
  });

  it('rejects malformed arguments with a message naming the expected shape', async () => {
    await assert.rejects(
      () => Promise.resolve(vscode.commands.executeCommand('fenceLens.run', { command: 42 })),
      (e: unknown) => e instanceof Error && e.message === 'fenceLens.run expects { command: string | string[], cwd?: string, settings?: string }',
    );
  });
});

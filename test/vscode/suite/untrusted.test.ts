// Restricted Mode: the launcher opens the fixture with workspace trust enabled and never grants it.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { UNTRUSTED_MESSAGE } from '../../../src/vscode/setup/trust';
import { fenceLens } from './helpers';

describe('untrusted workspace', () => {
  it('is really untrusted in this session', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses fenceLens.run with a message saying why, and starts nothing', async () => {
    const api = await fenceLens();
    await assert.rejects(
      () => Promise.resolve(vscode.commands.executeCommand('fenceLens.run', { command: 'touch /etc/fence-lens-untrusted' })),
      (e: unknown) => e instanceof Error && e.message === UNTRUSTED_MESSAGE,
    );
    assert.equal(api.runs.list().length, 0);
    assert.deepEqual(api.explorer.getChildren(), []);
  });
});

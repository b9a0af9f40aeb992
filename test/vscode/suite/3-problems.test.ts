// Problems panel entries for writes inside the workspace, and the quick fix that allows them.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatViolationLine } from '../../../src/core/report/format';
import type { RunReport } from '../../../src/core/model';
import { fenceDiagnostics, fenceLens, inWorkspace, repainted, waitFor, workspaceDir } from './helpers';

describe('Problems panel and quick fixes', () => {
  let report: RunReport;
  const existing = (): string => inWorkspace('existing.txt');

  before(async () => {
    const api = await fenceLens();
    report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'echo changed >> existing.txt; touch src/new-file.txt' });
    await repainted(api);
  });

  it('replaces the previous run\'s problems (the /etc probe is gone)', () => {
    const all = fenceDiagnostics().flatMap(([, ds]) => ds.map((d) => d.message));
    assert.deepEqual(all.filter((m) => m.includes('/etc/fence-lens-probe')), []);
  });

  it('puts a denied write to an existing file on that file, source fence, stable code', async () => {
    const api = await fenceLens();
    assert.equal(report.exitCode, 1);
    const ds = vscode.languages.getDiagnostics(vscode.Uri.file(existing())).filter((d) => d.source === 'fence');
    assert.equal(ds.length, 1);
    // The monitor reports the path as bash passed it (relative); the extension resolves it against the run's cwd.
    const v = api.runs.latest()?.violations().find((x) => path.resolve(workspaceDir(), x.target) === existing());
    assert.ok(v);
    assert.equal(ds[0].message, formatViolationLine(v));
    assert.equal(ds[0].code, 'filesystem.allowWrite');
    assert.equal(v.errnoName, 'EROFS');
  });

  it('puts a denied create on the nearest existing parent folder', async () => {
    const ds = vscode.languages.getDiagnostics(vscode.Uri.file(inWorkspace('src'))).filter((d) => d.source === 'fence');
    assert.equal(ds.length, 1);
    const api = await fenceLens();
    const v = api.runs.latest()?.violations().find((x) => path.resolve(workspaceDir(), x.target) === inWorkspace('src', 'new-file.txt'));
    assert.ok(v);
    assert.equal(v.process?.comm, 'touch');
    assert.equal(ds[0].message, formatViolationLine(v));
    assert.equal(ds[0].code, 'filesystem.allowWrite');
  });

  it('offers the engine\'s rule as a quick fix and writes it into fence.json, keeping the rest', async () => {
    await fenceLens();
    const uri = vscode.Uri.file(existing());
    await vscode.workspace.openTextDocument(uri);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0));
    const fix = actions.find((a) => a.title.startsWith('Fence: '));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    // Fence honours only directories in allowWrite, so the engine's rule is the file's folder.
    assert.equal(fix.title, `Fence: Allow writing in ${workspaceDir()} (filesystem.allowWrite in fence.json)`);
    assert.ok(fix.command);
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    const settings: unknown = JSON.parse(fs.readFileSync(inWorkspace('fence.json'), 'utf8'));
    assert.deepEqual(settings, { filesystem: { allowWrite: [workspaceDir()] }, network: { allowedDomains: ['example.invalid'] } });
  });

  it('reruns without the denial once the rule is in place', async function () {
    const settings = JSON.parse(fs.readFileSync(inWorkspace('fence.json'), 'utf8')) as { filesystem: { allowWrite: string[] } };
    const rule = settings.filesystem.allowWrite[0];
    // Fence v0.1.5 (Landlock) honours only directories in allowWrite, so the quick fix must add one.
    assert.ok(fs.statSync(rule).isDirectory(), `the quick fix added ${rule}, which is not a directory`);
    const api = await fenceLens();
    const uri = vscode.Uri.file(existing());
    const rerun = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: 'echo changed >> existing.txt' });
    await repainted(api);
    assert.equal(rerun.exitCode, 0);
    assert.deepEqual(rerun.violations.filter((v) => path.resolve(workspaceDir(), v.target) === existing()), []);
    assert.equal(fs.readFileSync(existing(), 'utf8'), 'existing\nchanged\n');
    await waitFor('the file\'s problems to clear', () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'fence').length === 0);
  });
});

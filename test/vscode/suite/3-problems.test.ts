// Problems panel entries for writes inside the workspace, and the quick fix that allows them.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { problemMessage } from '../../../src/vscode/problems/problemFile';
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
    assert.equal(ds[0].message, problemMessage(v));
    assert.ok(ds[0].message.startsWith(`${existing()}: openat denied (EROFS`), ds[0].message);
    assert.equal(ds[0].code, 'filesystem.allowWrite');
    assert.equal(v.errnoName, 'EROFS');
  });

  it('never puts a problem on a folder: a denied create goes on the settings key that would allow it', async () => {
    const onFolder = fenceDiagnostics().filter(([uri]) => fs.statSync(uri.fsPath).isDirectory());
    assert.deepEqual(onFolder.map(([uri]) => uri.fsPath), []);
    const api = await fenceLens();
    const created = inWorkspace('src', 'new-file.txt');
    const v = api.runs.latest()?.violations().find((x) => x.target === created);
    assert.ok(v, 'the engine reports the created path absolute');
    assert.equal(v.process?.comm, 'touch');
    const ds = vscode.languages.getDiagnostics(vscode.Uri.file(inWorkspace('fence.json'))).filter((d) => d.source === 'fence');
    const d = ds.find((x) => x.message === problemMessage(v));
    assert.ok(d, JSON.stringify(ds.map((x) => x.message)));
    assert.ok(d.message.startsWith(`${created}: `));
    const text = fs.readFileSync(inWorkspace('fence.json'), 'utf8');
    assert.equal(text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character), '"allowWrite"');
  });

  const quickFix = async (): Promise<vscode.CodeAction> => {
    const uri = vscode.Uri.file(existing());
    await vscode.workspace.openTextDocument(uri);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0));
    const fix = actions.find((a) => a.title.startsWith('Fence: '));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    return fix;
  };
  const previewTab = (): vscode.Tab | undefined =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'fence-lens-preview');

  it('shows the quick fix as a diff of the settings file first; Cancel writes nothing', async () => {
    await fenceLens();
    const before = fs.readFileSync(inWorkspace('fence.json'), 'utf8');
    const fix = await quickFix();
    // Fence honours only directories in allowWrite, so the engine's rule is the file's folder.
    assert.equal(fix.title, `Fence: Allow writing in ${workspaceDir()} (filesystem.allowWrite in fence.json)…`);
    assert.ok(fix.command);
    const done = Promise.resolve(vscode.commands.executeCommand<boolean>(fix.command.command, ...(fix.command.arguments ?? [])));
    const tab = await waitFor('the settings diff', previewTab);
    assert.ok(tab.label.startsWith('fence.json: Add '), tab.label);
    const input = tab.input as vscode.TabInputTextDiff;
    const proposed = (await vscode.workspace.openTextDocument(input.modified)).getText();
    assert.deepEqual(JSON.parse(proposed), { filesystem: { allowWrite: [workspaceDir()] }, network: { allowedDomains: ['example.invalid'] } });
    await vscode.commands.executeCommand('fenceLens.cancelSettingsPreview');
    assert.equal(await done, false);
    assert.equal(fs.readFileSync(inWorkspace('fence.json'), 'utf8'), before);
    await waitFor('the diff to close', () => previewTab() === undefined);
  });

  it('writes the rule into fence.json on Apply, keeping the rest', async () => {
    const fix = await quickFix();
    assert.ok(fix.command);
    const done = Promise.resolve(vscode.commands.executeCommand<boolean>(fix.command.command, ...(fix.command.arguments ?? [])));
    await waitFor('the settings diff', previewTab);
    await vscode.commands.executeCommand('fenceLens.applySettingsPreview');
    assert.equal(await done, true);
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

describe('quick fixes for a denied mkdir in the home directory', () => {
  const name = '.fence-lens-mkdir-probe';
  const dir = path.join(os.homedir(), name);

  it('offers to create the directory and allow ~/..., the whole home directory only second with a warning; then the rerun writes', async () => {
    const api = await fenceLens();
    fs.rmSync(dir, { recursive: true, force: true });
    const report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: `mkdir ~/${name}` });
    await repainted(api);
    const v = report.violations.find((x) => x.target === dir);
    assert.ok(v, JSON.stringify(report.violations.map((x) => x.target)));
    assert.equal(v.cause, 'sandbox');
    const fenceJson = vscode.Uri.file(inWorkspace('fence.json'));
    await vscode.workspace.openTextDocument(fenceJson);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fenceJson, new vscode.Range(0, 0, 100, 0));
    const titles = actions.filter((a) => a.title.startsWith('Fence: ')).map((a) => a.title);
    assert.deepEqual(titles, [
      `Fence: Create ~/${name} and allow writing in it (filesystem.allowWrite in fence.json)…`,
      `Fence: Allow writing in ${os.homedir()} (filesystem.allowWrite in fence.json)… (wide: allows writing anywhere in ~ (the home directory), not only what was denied)`,
    ]);
    const first = actions.find((a) => a.title === titles[0]);
    assert.ok(first?.command);
    assert.equal(first.isPreferred, true);
    const done = Promise.resolve(vscode.commands.executeCommand<boolean>(first.command.command, ...(first.command.arguments ?? [])));
    await waitFor('the settings diff', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'fence-lens-preview'),
    );
    await vscode.commands.executeCommand('fenceLens.applySettingsPreview');
    assert.equal(await done, true);
    const settings = JSON.parse(fs.readFileSync(inWorkspace('fence.json'), 'utf8')) as { filesystem: { allowWrite: string[] } };
    assert.ok(settings.filesystem.allowWrite.includes(`~/${name}`), JSON.stringify(settings));
    assert.ok(fs.statSync(dir).isDirectory());
    const rerun = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: `mkdir -p ~/${name}/sub && touch ~/${name}/sub/file` });
    assert.equal(rerun.exitCode, 0, JSON.stringify(rerun.violations.map((x) => x.target)));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

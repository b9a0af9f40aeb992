// A flood of distinct denials: every one reaches the tree, and the tree repaints a few times a
// second rather than once per event (the UI must stay responsive). Past a file's bound, Problems
// lists the first denials and one summary entry, while the tree still shows every denial (in pages).

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { problemMessage } from '../../../src/vscode/problems/problemFile';
import type { RunReport } from '../../../src/core/model';
import { diagnosticCode } from '../../../src/vscode/problems/diagnostics';
import { REFRESH_INTERVAL_MS } from '../../../src/vscode/explorer/explorer';
import { thousands } from '../../../src/vscode/explorer/explorerItems';
import { MAX_PROBLEMS_PER_FILE, MORE_DENIALS_CODE, moreDenialsMessage } from '../../../src/vscode/problems/problemFile';
import { PAGE_SIZE } from '../../../src/vscode/explorer/runTree';
import { fenceDiagnostics, fenceLens, inWorkspace, items, repainted, workspaceDir } from './helpers';

const FILES = 500;

describe('a flood of denials', () => {
  it(`shows all ${FILES} distinct denied writes with throttled repaints`, async () => {
    const api = await fenceLens();
    await vscode.commands.executeCommand('fenceLens.clear');
    const before = api.explorer.refreshCount;
    const started = Date.now();
    const report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', {
      command: `i=0; while [ $i -lt ${FILES} ]; do i=$((i+1)); : > /etc/fence-lens-flood-$i 2>/dev/null; done; exit 0`,
    });
    await repainted(api);
    const elapsed = Date.now() - started;
    const flood = report.violations.filter((v) => v.target.startsWith('/etc/fence-lens-flood-'));
    const why = `monitor ${report.monitor.state} (${report.monitor.detail}), exit ${report.exitCode}, ${report.violations.length} violations, info ${JSON.stringify(report.info.slice(0, 5))}`;
    assert.equal(report.monitor.lostEvents, 0, why);
    assert.equal(flood.length, FILES, why);
    const [run] = await items(api);
    const [fsCategory] = await items(api, run.node);
    const targets = await items(api, fsCategory.node);
    assert.equal(targets.filter((t) => t.label.startsWith('fence-lens-flood-')).length, FILES);
    const repaints = api.explorer.refreshCount - before;
    assert.ok(repaints <= Math.ceil(elapsed / REFRESH_INTERVAL_MS) + 2, `${repaints} repaints in ${elapsed} ms`);
    assert.ok(repaints < FILES / 10, `${repaints} repaints for ${FILES} denials`);
  });

  const MANY = Math.max(MAX_PROBLEMS_PER_FILE, PAGE_SIZE) + 100;

  it(`lists the first ${MAX_PROBLEMS_PER_FILE} of ${MANY} denials on one file in Problems, one summary for the rest, all in the tree`, async () => {
    const api = await fenceLens();
    await vscode.commands.executeCommand('fenceLens.clear');
    const report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', {
      command: `i=0; while [ $i -lt ${MANY} ]; do i=$((i+1)); : > /etc/fence-lens-many-$i 2>/dev/null; done; exit 0`,
    });
    await repainted(api);
    const why = `monitor ${report.monitor.state} (${report.monitor.detail}), ${report.violations.length} violations, lost ${report.monitor.lostEvents}`;
    assert.equal(report.violations.filter((v) => v.target.startsWith('/etc/fence-lens-many-')).length, MANY, why);

    // Every denial of this run is outside the workspace, so each goes on fence.json, in arrival order.
    const run = api.runs.latest();
    assert.ok(run);
    const held = run.violations();
    assert.ok(held.every((v) => !v.target.startsWith(`${workspaceDir()}/`)), why);
    const fenceJson = vscode.Uri.file(inWorkspace('fence.json'));
    const diags = fenceDiagnostics();
    assert.deepEqual(diags.map(([uri]) => uri.fsPath), [fenceJson.fsPath]);
    const ds = diags[0][1];
    assert.equal(ds.length, MAX_PROBLEMS_PER_FILE + 1);
    assert.deepEqual(ds.slice(0, MAX_PROBLEMS_PER_FILE).map((d) => d.message), held.slice(0, MAX_PROBLEMS_PER_FILE).map(problemMessage));
    assert.deepEqual(ds.slice(0, MAX_PROBLEMS_PER_FILE).map((d) => d.code), held.slice(0, MAX_PROBLEMS_PER_FILE).map(diagnosticCode));
    assert.ok(ds.slice(0, MAX_PROBLEMS_PER_FILE).every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
    const summary = ds[MAX_PROBLEMS_PER_FILE];
    assert.equal(summary.message, moreDenialsMessage(held.length - MAX_PROBLEMS_PER_FILE));
    assert.match(summary.message, new RegExp(`^Fence: ${thousands(held.length - MAX_PROBLEMS_PER_FILE)} more denials on this file are not listed here`));
    assert.equal(summary.code, MORE_DENIALS_CODE);
    assert.equal(summary.severity, vscode.DiagnosticSeverity.Information);

    // The summary's quick fix shows the explorer.
    await vscode.workspace.openTextDocument(fenceJson);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fenceJson, new vscode.Range(0, 0, 100, 0));
    const show = actions.find((a) => a.title === 'Fence: Show Every Denial in the Fence Lens View');
    assert.ok(show, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(show.command?.command, 'fenceLens.violations.focus');
    // The test user cannot write /etc outside Fence either: the host refused these, so no rule is offered.
    assert.deepEqual(actions.filter((a) => a.title.startsWith('Fence: Allow')).map((a) => a.title), []);

    // The tree: the first page of targets under the category, the rest behind a page node.
    const [runItem] = await items(api);
    const [fsCategory] = await items(api, runItem.node);
    const children = await items(api, fsCategory.node);
    const targets = children.filter((c) => c.node.kind === 'target');
    const pages = children.filter((c) => c.node.kind === 'page');
    assert.equal(targets.length, PAGE_SIZE);
    assert.deepEqual(pages.map((p) => [p.label, p.description]), [[`targets ${thousands(PAGE_SIZE + 1)}–${thousands(held.length)}`, `of ${thousands(held.length)}, most frequent first`]]);
    const paged = await items(api, pages[0].node);
    const all = [...targets, ...paged].map((t) => t.label);
    assert.equal(new Set(all).size, held.length);
    assert.equal(all.filter((l) => l.startsWith('fence-lens-many-')).length, MANY);
  });
});

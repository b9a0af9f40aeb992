// Real runs through the `fenceLens.run` contract: real fence, real bpftrace behind real pkexec.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { clockTime } from '../../../src/core/report/format';
import type { ReportViolation, RunReport } from '../../../src/core/model';
import { fenceDiagnostics, fenceLens, inWorkspace, items, repainted, workspaceDir } from './helpers';

const PROBE = '/etc/fence-lens-probe';

function find(report: RunReport, target: string): ReportViolation {
  const v = report.violations.find((x) => x.target === target);
  assert.ok(v, `no violation for ${target} in ${JSON.stringify(report.violations.map((x) => x.target))}`);
  return v;
}

describe('fenceLens.run (contract) with real fence and the privileged monitor', () => {
  let report: RunReport;

  before(async () => {
    const api = await fenceLens();
    await vscode.commands.executeCommand('fenceLens.clear');
    report = await vscode.commands.executeCommand<RunReport>('fenceLens.run', { command: `touch ${PROBE}` });
    await repainted(api);
  });

  it('resolves to the JSON report: command, cwd, settings file, exit code, monitor', () => {
    assert.equal(report.command, `touch ${PROBE}`);
    assert.equal(report.cwd, workspaceDir());
    assert.equal(report.settingsFile, inWorkspace('fence.json'));
    assert.equal(report.exitCode, 1);
    assert.equal(report.monitor.state, 'active', report.monitor.detail);
  });

  it('reports the denied write with its path, errno and process', () => {
    const v = find(report, PROBE);
    assert.equal(v.category, 'filesystem');
    assert.equal(v.operation, 'openat');
    assert.equal(v.errno, 30);
    assert.equal(v.errnoName, 'EROFS');
    assert.equal(v.message, 'Read-only file system');
    assert.equal(v.process?.comm, 'touch');
    assert.equal(v.source, 'ebpf');
    // The test user cannot write /etc outside Fence either: the host refused it, and no rule is offered.
    assert.equal(v.cause, 'host');
    assert.equal(v.suggestion, undefined);
  });

  it('shows the run > category > target in the explorer with counts, errno and process', async () => {
    const api = await fenceLens();
    const runs = await items(api);
    assert.equal(runs.length, 1);
    const run = api.runs.latest();
    assert.ok(run);
    assert.equal(runs[0].label, `touch ${PROBE}`);
    const n = report.violations.length;
    assert.equal(runs[0].description, `${clockTime(run.startedAt)} · exit 1 · monitor active · ${n} denial${n === 1 ? '' : 's'}`);
    assert.equal(runs[0].contextValue, 'run');
    const categories = await items(api, runs[0].node);
    assert.equal(categories[0].label, 'filesystem');
    const targets = await items(api, categories[0].node);
    // The file name as the label, its folder first in the description, then the errno.
    const row = targets.find((t) => t.label === 'fence-lens-probe');
    assert.ok(row, `no tree row for ${PROBE}: ${JSON.stringify(targets.map((t) => t.label))}`);
    const v = find(report, PROBE);
    assert.equal(row.description, `/etc · EROFS · ×${v.count} · openat · touch:${v.process?.pid}`);
    assert.equal(row.contextValue, 'target.path.nofix');
    // Enter on the row shows the denial.
    const item = await api.explorer.getTreeItem(row.node);
    assert.equal(item.command?.command, 'fenceLens.showDetail');
  });

  it('puts the number of distinct denials of the latest run on the badge', async () => {
    const api = await fenceLens();
    assert.equal(api.treeView.badge?.value, report.violations.length);
  });

  it('shows the denial count on the status bar, which focuses the explorer', async () => {
    const api = await fenceLens();
    const n = report.violations.length;
    assert.equal(api.statusBar.text, `$(shield) Fence: ${n} denial${n === 1 ? '' : 's'}`);
    assert.equal(api.statusBar.command, 'fenceLens.violations.focus');
  });

  it('writes a header and one Fence-style line per distinct denial to the output channel', async () => {
    const api = await fenceLens();
    const run = api.runs.latest();
    assert.ok(run);
    const v = find(report, PROBE);
    const lines = api.output.lines();
    assert.ok(lines.includes(`=== Run ${run.id}: touch ${PROBE}`), lines.join('\n'));
    const expected = `[fence:ebpf] ${clockTime(new Date(v.firstSeen))} ✗ openat: ${PROBE} (Read-only file system, touch:${v.process?.pid})`;
    assert.equal(lines.filter((l) => l === expected).length, 1, `missing ${expected} in\n${lines.join('\n')}`);
  });

  it('shows the monitor status once, when it is known, and counts in words', async () => {
    const api = await fenceLens();
    const run = api.runs.latest();
    assert.ok(run);
    const lines = api.output.lines();
    const ofRun = lines.slice(lines.indexOf(`=== Run ${run.id}: touch ${PROBE}`));
    const end = ofRun.findIndex((l) => l.includes(`run ${run.id} ended`));
    assert.ok(end > 0, ofRun.join('\n'));
    const monitorLines = ofRun.slice(0, end + 1).filter((l) => /\bmonitor\b/.test(l));
    assert.deepEqual(monitorLines.map((l) => l.split(':')[0]), ['[fence-lens] monitor active'], ofRun.join('\n'));
    const n = report.violations.length;
    assert.ok(ofRun[end].endsWith(`exit code 1, ${n} distinct denial${n === 1 ? '' : 's'}`), ofRun[end]);
  });

  it('files denials outside the workspace on fence.json, path first; a host refusal on its top-level object', () => {
    const diags = fenceDiagnostics();
    assert.deepEqual(diags.map(([uri]) => uri.fsPath), [inWorkspace('fence.json')]);
    const d = diags[0][1].find((x) => x.message.includes(PROBE));
    assert.ok(d);
    const v = find(report, PROBE);
    assert.equal(d.message, `${PROBE}: openat denied (EROFS Read-only file system, touch:${v.process?.pid}; refused by the host's own permissions, not by Fence)`);
    assert.equal(d.code, 'filesystem.denied');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    // No setting allows a host refusal: it sits on the settings' top-level object (its `{`).
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [0, 0, 0, 1]);
  });

  it('did not run the workspace\'s "fence" (machine scope held for a real run)', () => {
    assert.equal(fs.existsSync(inWorkspace('EVIL-FENCE-RAN')), false);
  });
});

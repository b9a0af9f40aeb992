// A flood of distinct denials: every one reaches the tree, and the tree repaints a few times a
// second rather than once per event (the UI must stay responsive).

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunReport } from '../../../src/core/model';
import { REFRESH_INTERVAL_MS } from '../../../src/vscode/explorer';
import { fenceLens, items, repainted } from './helpers';

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
    assert.equal(targets.filter((t) => t.label.startsWith('/etc/fence-lens-flood-')).length, FILES);
    const repaints = api.explorer.refreshCount - before;
    assert.ok(repaints <= Math.ceil(elapsed / REFRESH_INTERVAL_MS) + 2, `${repaints} repaints in ${elapsed} ms`);
    assert.ok(repaints < FILES / 10, `${repaints} repaints for ${FILES} denials`);
  });
});

import * as assert from 'node:assert/strict';
import type { MonitorState, Violation } from '../../../src/core/model';
import { reportName } from '../../../src/vscode/runs/reportName';
import { RULE_FILE, monitorFixText, polkitRule, unwatched } from '../../../src/vscode/setup/monitorFix';
import { groupByTarget, plural, runDescription, targetDescription, targetRow } from '../../../src/vscode/explorer/explorerItems';
import { deniedPath } from '../../../src/vscode/files';

function v(target: string, comm: string, pid: number, count: number, operation = 'openat'): Violation {
  const at = new Date(0);
  return {
    category: 'filesystem', operation, target, errno: 30, source: 'ebpf', process: { comm, pid },
    key: `${target}/${comm}/${operation}`, errnoName: 'EROFS', message: 'Read-only file system', count, firstSeen: at, lastSeen: at,
  };
}

describe('explorer labels', () => {
  it('groups by target, most frequent first, with summed counts, operations, errno and processes', () => {
    const groups = groupByTarget([v('/a', 'touch', 1, 1), v('/b', 'sh', 2, 5), v('/a', 'cp', 3, 2, 'rename')], 'filesystem');
    assert.deepEqual(groups.map((g) => g.target), ['/b', '/a']);
    assert.equal(targetDescription(groups[1]), '×3 · openat, rename · EROFS Read-only file system · touch:1, cp:3');
  });

  it('shows at most three processes', () => {
    const [g] = groupByTarget([1, 2, 3, 4, 5].map((i) => v('/a', `p${i}`, i, 1)), 'filesystem');
    assert.equal(targetDescription(g), '×5 · openat · EROFS Read-only file system · p1:1, p2:2, p3:3, +2');
  });

  it('pluralises', () => {
    assert.equal(plural(1, 'denial'), '1 denial');
    assert.equal(plural(0, 'denial'), '0 denials');
  });
});

describe('deniedPath', () => {
  it('is the target of a filesystem denial, never re-resolved, and nothing for hosts or descriptions', () => {
    assert.equal(deniedPath({ category: 'filesystem', target: '/etc/x' }), '/etc/x');
    assert.equal(deniedPath({ category: 'filesystem', target: '(openat denials not itemised: past the budget)' }), undefined);
    assert.equal(deniedPath({ category: 'network', target: 'example.com:443' }), undefined);
  });
});

describe('targetRow (a target row in a narrow side bar)', () => {
  it('labels a path by its file name, its folder (~ for home) first, then the errno', () => {
    const [g] = groupByTarget([v('/home/me/.cache/tool/x.json', 'npm', 7, 2, 'openat')], 'filesystem');
    assert.deepEqual(targetRow(g, '/home/me'), { label: 'x.json', description: '~/.cache/tool · EROFS · ×2 · openat · npm:7' });
    const [top] = groupByTarget([v('/home/me/.npm', 'npm', 7, 1, 'mkdir')], 'filesystem');
    assert.equal(targetRow(top, '/home/me').description, '~ · EROFS · ×1 · mkdir · npm:7');
  });

  it('keeps hosts whole', () => {
    const host: Violation = { ...v('example.com:443', 'curl', 3, 1, 'connect'), category: 'network', errno: null, errnoName: null, message: 'Blocked by the network allowlist' };
    const [g] = groupByTarget([host], 'network');
    assert.deepEqual(targetRow(g, '/home/me'), { label: 'example.com:443', description: 'Blocked by the network allowlist · ×1 · connect · curl:3' });
  });
});

describe('runDescription', () => {
  const base = { startedAt: new Date(2026, 0, 1, 16, 56, 52), violationCount: 1 };
  it('says a stopped run was stopped, and names no monitor state before it is known', () => {
    const monitor = (state: MonitorState) => ({ state, detail: '', escalation: 'none' as const, lostEvents: 0 });
    assert.equal(runDescription({ ...base, outcome: 'stopped', monitor: monitor('active') }), '16:56:52 · stopped · monitor active · 1 denial');
    assert.equal(runDescription({ ...base, outcome: 'running', monitor: monitor('starting') }), '16:56:52 · running · 1 denial');
  });
});

describe('reportName', () => {
  it('names the export after the command and its start time', () => {
    assert.equal(reportName({ commandLine: "npm run 'build'", startedAt: new Date(2026, 11, 1, 16, 5, 2) }), 'fence-report-npm-run-build-20261201-160502');
  });
});

describe('monitorFixText', () => {
  const ctx = { user: 'alice', helperInstalled: true, cli: 'node /ext/dist/cli.js' };
  it('gives the polkit rule for exactly this user when pkexec had no agent', () => {
    const text = monitorFixText({ state: 'denied', detail: 'no polkit authentication agent is running' }, ctx);
    assert.ok(text.includes(`sudo tee ${RULE_FILE} >/dev/null <<'EOF'\n${polkitRule('alice')}\nEOF`), text);
    assert.ok(polkitRule('alice').includes('action.id == "dev.fencelens.monitor" && subject.user == "alice"'));
    assert.ok(!text.includes('install-helper'));
  });
  it('gives the install command first when the helper is missing', () => {
    const text = monitorFixText({ state: 'unavailable', detail: 'not privileged, and /x is missing (run: sudo fence-lens install-helper)' }, ctx);
    assert.ok(text.indexOf('sudo node /ext/dist/cli.js install-helper') < text.indexOf('polkit.addRule'), text);
  });
  it('knows which states were not watched', () => {
    assert.deepEqual((['starting', 'active', 'unavailable', 'denied', 'failed'] as const).filter((state) => unwatched({ state })), ['unavailable', 'denied', 'failed']);
  });
});

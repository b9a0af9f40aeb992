import assert from 'node:assert/strict';
import type { RunReport } from '../../src/core/model';
import { toSarif } from '../../src/core/report/sarif';

describe('toSarif', () => {
  it('writes SARIF 2.1.0 with one result per violation, a rule per kind, and file locations', () => {
    const report: RunReport = {
      command: 'touch /etc/x', exitCode: 1, monitor: { state: 'active', detail: 'ok', lostEvents: 0 }, cwd: '/w', settingsFile: null, policy: { files: [], template: null, effective: null },
      startedAt: '2026-11-28T10:00:00.000Z', endedAt: '2026-11-28T10:00:01.000Z', overflow: { distinct: 0, events: 0 }, info: [],
      violations: [
        { category: 'filesystem', operation: 'openat', target: '/etc/my file', errno: 30, errnoName: 'EROFS', message: 'Read-only file system', source: 'ebpf', cause: 'sandbox', process: { comm: 'touch', pid: 5 }, count: 2, firstSeen: 'a', lastSeen: 'b', suggestion: { setting: 'filesystem.allowWrite', value: '/etc/my file', description: 'd' } },
        { category: 'network', operation: 'GET', target: 'x.example', errno: null, errnoName: null, message: 'Blocked by the network allowlist', source: 'fence-http', cause: 'sandbox', process: null, count: 1, firstSeen: 'a', lastSeen: 'b' },
      ],
    };
    const sarif = toSarif(report, '9.9.9') as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; message: { text: string }; locations?: unknown[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['fence/filesystem/openat', 'fence/network/GET']);
    assert.equal(run.results[0].message.text, 'openat /etc/my file: Read-only file system (EROFS), by touch (2 times). To allow it: add "/etc/my file" to filesystem.allowWrite.');
    assert.deepEqual(run.results[0].locations, [{ physicalLocation: { artifactLocation: { uri: 'file:///etc/my%20file' } } }]);
    assert.equal(run.results[1].locations, undefined);
    assert.equal(run.results[1].message.text, 'GET x.example: Blocked by the network allowlist.');
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, USAGE } from '../../src/cli/args';
import { MONITOR_MODES } from '../../src/core/model';

interface Manifest {
  readonly contributes: { readonly configuration: { readonly properties: Record<string, { enum?: string[]; markdownEnumDescriptions?: string[] }> } };
}

describe('monitor modes have one list (core/model.ts)', () => {
  it("package.json's fenceLens.monitor.mode enum is that list, each with a description", () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;
    const setting = manifest.contributes.configuration.properties['fenceLens.monitor.mode'];
    assert.deepEqual(setting.enum, [...MONITOR_MODES]);
    assert.equal(setting.markdownEnumDescriptions?.length, MONITOR_MODES.length);
  });
  it('the CLI accepts every mode and lists them all in its usage', () => {
    for (const m of MONITOR_MODES) {
      const c = parseArgs(['run', '--monitor', m, '--', 'true']);
      assert.ok(c.name === 'run' && c.monitor === m);
    }
    assert.ok(USAGE.includes(`--monitor ${MONITOR_MODES.join('|')}`));
  });
});

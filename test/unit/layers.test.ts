// The layer rules of the README's Layout section are enforced by `npm run lint`: a probe file that
// breaks one, written into a temporary copy of the tree, must fail ESLint with the rule's error.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const ESLINT = path.join(ROOT, 'node_modules/.bin/eslint');

interface Probe {
  readonly file: string;
  readonly text: string;
}

/** Lints `probe` inside a fresh copy of src/ with the project's own configuration. */
function lintProbe(probe: Probe): { code: number | null; output: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fence-lens-layers-'));
  try {
    for (const f of ['eslint.config.mjs', 'tsconfig.json', 'package.json']) cpSync(path.join(ROOT, f), path.join(tmp, f));
    cpSync(path.join(ROOT, 'src'), path.join(tmp, 'src'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    writeFileSync(path.join(tmp, probe.file), probe.text);
    const r = spawnSync(ESLINT, [probe.file], { cwd: tmp, encoding: 'utf8' });
    return { code: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const RESTRICTED = '@typescript-eslint/no-restricted-imports';

describe('layer rules (npm run lint)', function () {
  this.timeout(120_000);

  const broken: Array<[string, Probe]> = [
    ['core importing vscode', { file: 'src/core/probe.ts', text: "import * as vscode from 'vscode';\nexport const x = vscode;\n" }],
    ['core importing the sandbox', { file: 'src/core/probe.ts', text: "import { startRun } from '../sandbox/run';\nexport const x = startRun;\n" }],
    ['core importing execa', { file: 'src/core/report/probe.ts', text: "import { execa } from 'execa';\nexport const x = execa;\n" }],
    ['core importing child_process', { file: 'src/core/probe.ts', text: "import { spawn } from 'node:child_process';\nexport const x = spawn;\n" }],
    ['monitor importing the sandbox', { file: 'src/monitor/probe.ts', text: "import { startRun } from '../sandbox/run';\nexport const x = startRun;\n" }],
    ['the editor importing an engine value', { file: 'src/vscode/probe.ts', text: "import { startRun } from '../sandbox/run';\nexport const x = startRun;\n" }],
    ['the editor importing the CLI', { file: 'src/vscode/runs/probe.ts', text: "import { main } from '../../cli/main';\nexport const x = main;\n" }],
  ];
  for (const [name, probe] of broken) {
    it(`fails on ${name}`, () => {
      const r = lintProbe(probe);
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, new RegExp(RESTRICTED.replace('/', '\\/')));
    });
  }

  it('passes a type-only engine import in the editor layer', () => {
    const r = lintProbe({ file: 'src/vscode/probe.ts', text: "import type { RunReport } from '../core/model';\nimport type { RunHandle } from '../sandbox/runTypes';\nexport type X = [RunReport, RunHandle];\n" });
    assert.equal(r.code, 0, r.output);
  });
});

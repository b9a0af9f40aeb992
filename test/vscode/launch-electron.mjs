#!/usr/bin/env node
// Launcher for machines with internet (a developer's laptop, public CI): @vscode/test-electron
// downloads VS Code and runs the same suite as the offline launcher, as the current user, in a
// fresh copy of the fixture workspace. Runs escalate through pkexec/sudo as that user's would.
//   npm run test:vscode:electron            (FENCE_LENS_SUITE=untrusted for the Restricted Mode suite)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace } from './fixture.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Not under /tmp: Fence gives the sandbox its own /tmp, which would hide the fixture from the command.
const stage = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'fence-lens-electron-'));
const ws = path.join(stage, 'workspace');
makeWorkspace(ws);
const suite = process.env.FENCE_LENS_SUITE === 'untrusted' ? 'untrusted' : 'suite';
const results = path.join(stage, 'results.json');
let code = 1;
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/vscode/index.js'),
    launchArgs: [ws, '--disable-extensions', `--user-data-dir=${path.join(stage, 'user-data')}`, ...(suite === 'suite' ? ['--disable-workspace-trust'] : [])],
    extensionTestsEnv: { FENCE_LENS_SUITE: suite, FENCE_LENS_RESULTS: results, ...(process.env.FENCE_LENS_GREP ? { FENCE_LENS_GREP: process.env.FENCE_LENS_GREP } : {}) },
  });
  code = 0;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
}
if (fs.existsSync(results)) {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  for (const t of r.tests) console.log(`  ${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.title}${t.error ? `\n      ${t.error}` : ''}`);
  console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
} else {
  console.log('0 passed, 1 failed');
}
fs.rmSync(stage, { recursive: true, force: true });
process.exit(code);

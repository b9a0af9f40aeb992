// The extension-host entry (`extensionTestsPath`): loads the mocha suite the launcher selected
// (FENCE_LENS_SUITE: `suite` trusted, `untrusted`), runs it, and writes a results file the launcher
// prints, since the host's console does not reliably reach the terminal that started it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestResult {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  readonly error?: string;
}

export function run(): Promise<void> {
  // The extension's bundles are minified (they are built as they ship): map failures' stack frames
  // back to src/ through the .map files next to them. Bundles loaded from here on are mapped, and
  // the tests activate the extension themselves.
  process.setSourceMapsEnabled(true);
  const untrusted = process.env.FENCE_LENS_SUITE === 'untrusted';
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, grep: process.env.FENCE_LENS_GREP });
  const dir = path.join(__dirname, 'suite');
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.test.js')) continue;
    if (untrusted === (f === 'untrusted.test.js')) mocha.addFile(path.join(dir, f));
  }
  const tests: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = tests.filter((t) => t.state === 'passed').length;
      const skipped = tests.filter((t) => t.state === 'skipped').length;
      const summary = { passed, failed: tests.filter((t) => t.state === 'failed').length, skipped, tests };
      const out = process.env.FENCE_LENS_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
      console.log(`${summary.passed} passed, ${summary.failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? err.message }));
    runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'skipped' }));
  });
}

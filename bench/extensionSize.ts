// Size of the extension's JavaScript as built, which is what ships: scripts/build.mjs builds
// dist/extension.js and dist/engine.js minified in every build (the source maps go to separate
// .map files that are not packaged), so the bytes measured here are the bytes `npm run package`
// puts in the .vsix. Activation loads only dist/extension.js; dist/engine.js is loaded by the first
// run, doctor check, helper install or settings edit.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './fixtures';

export interface BundleSize {
  /** dist/extension.js + dist/engine.js: everything the extension can load (null: not built). */
  readonly totalKb: number | null;
  /** dist/extension.js alone: what activation loads. */
  readonly activationKb: number | null;
  /** dist/engine.js alone: loaded on first use. */
  readonly engineKb: number | null;
}

function kib(rel: string): number | null {
  const file = path.join(REPO_ROOT, rel);
  return existsSync(file) ? statSync(file).size / 1024 : null;
}

export function bundleSize(): BundleSize {
  const activationKb = kib('dist/extension.js');
  const engineKb = kib('dist/engine.js');
  return { totalKb: activationKb === null || engineKb === null ? null : activationKb + engineKb, activationKb, engineKb };
}

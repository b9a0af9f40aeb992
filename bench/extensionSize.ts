// Size of the extension bundle: dist/extension.js as built (what `npm run bench` just built, with
// its source map kept in a separate file), and the minified production bundle `vsce package` ships,
// built here into a scratch file so dist/ is left as it was.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './fixtures';

export interface BundleSize {
  readonly devKb: number | null;
  readonly productionKb: number | null;
}

export function bundleSize(): BundleSize {
  const dist = path.join(REPO_ROOT, 'dist/extension.js');
  const devKb = existsSync(dist) ? statSync(dist).size / 1024 : null;
  const entry = path.join(REPO_ROOT, 'src/vscode/extension.ts');
  const esbuild = path.join(REPO_ROOT, 'node_modules/.bin/esbuild');
  if (!existsSync(entry) || !existsSync(esbuild)) return { devKb, productionKb: null };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fence-lens-bundle-'));
  try {
    const out = path.join(tmp, 'extension.js');
    execFileSync(esbuild, [entry, '--bundle', '--platform=node', '--target=node20', '--format=cjs', '--minify', '--external:vscode', `--outfile=${out}`, '--log-level=warning'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    return { devKb, productionKb: statSync(out).size / 1024 };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

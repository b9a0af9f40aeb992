// Packages the extension (.vsix) with @vscode/vsce from a staging folder holding only what ships:
// the bundles (dist/extension.js, loaded at activation; dist/engine.js, loaded on first use;
// dist/cli.js, which the helper installer runs; never the .map files), media, README, CHANGELOG,
// LICENSE and a manifest without scripts or devDependencies. The manifest is trimmed because vsce
// refuses a package whose @types/vscode (~1.138, needed to type-check) is newer than engines.vscode
// (^1.100.0, the oldest VS Code we support); the shipped extension has no devDependencies anyway.
// Usage: node scripts/build.mjs --production && node scripts/package-vsix.mjs [out.vsix]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(root, process.argv[2] ?? 'fence-lens.vsix');
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'fence-lens-vsix-'));
try {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  delete manifest.devDependencies;
  delete manifest.scripts;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'dist/extension.js', 'dist/engine.js', 'dist/cli.js', 'media']) {
    fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  }
  const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: stage, stdio: 'inherit' });
  console.log(execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: stage }).toString());
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

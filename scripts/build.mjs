// Bundles the CLI, the extension, the test suites and the benchmarks with esbuild.
// Type-checking is `npm run typecheck` (tsc --noEmit); the bundler stays fast.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * @param {string} dir
 * @returns {string[]}
 */
function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
// `import * as vscode from 'vscode'` (every file of src/vscode) makes esbuild copy the whole API
// object (~200 properties) into a fresh namespace object per importing file, at load time: ~17
// copies were the largest part of what loading dist/extension.js still cost once the engine was
// split off. Resolving 'vscode' to one bundled module that re-exports it leaves a single copy.
/** @type {esbuild.Plugin} */
const oneVscodeNamespace = {
  name: 'one-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-namespace' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-namespace' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-namespace' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

// The extension's two bundles are built the same way in every build, minified, so the tests and the
// benchmark (extension.bundle_kb, extension.activate_ms) load exactly the bytes users get. The source
// map goes to a separate .map file (never packaged, see .vscodeignore) that maps minified stack
// frames back to src/; test/vscode/index.ts turns on Node's source maps so the suite's failures do.
// dist/extension.js is what activation loads (views, commands, providers); dist/engine.js (runs,
// doctor, helper install, settings edits: execa, the monitor, jsonc-parser) is required on first use
// (src/vscode/engine.ts).
/** @type {esbuild.BuildOptions} */
const extensionBundle = { ...common, minify: true, sourcemap: 'linked', plugins: [oneVscodeNamespace] };
if (fs.existsSync(path.join(root, 'src/vscode/extension.ts'))) {
  builds.push({ ...extensionBundle, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js' });
  builds.push({ ...extensionBundle, entryPoints: ['src/vscode/engineEntry.ts'], outfile: 'dist/engine.js' });
}
const testEntries = [...listTs(path.join(root, 'test')), ...listTs(path.join(root, 'bench'))];
if (!production && testEntries.length) {
  builds.push({
    ...common,
    entryPoints: testEntries,
    outdir: 'out',
    outbase: '.',
    external: ['vscode', 'mocha', 'playwright-core'],
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}

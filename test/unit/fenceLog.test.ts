import assert from 'node:assert/strict';
import { fenceTime, isFenceLine, parseFenceLine } from '../../src/core/fence/fenceLog';

// Lines recorded from fence v0.1.5 on this machine, and the formats documented for newer versions.
describe('parseFenceLine', () => {
  it('reads a blocked HTTP request (recorded)', () => {
    const r = parseFenceLine('[fence:http] 16:22:59 ✗ GET     403 blocked.example.invalid http://blocked.example.invalid/ (0s)', false);
    assert.equal(r.kind, 'violation');
    if (r.kind !== 'violation') return;
    assert.equal(r.time, '16:22:59');
    assert.deepEqual(
      [r.input.category, r.input.operation, r.input.target, r.input.source, r.input.errno],
      ['network', 'GET', 'blocked.example.invalid', 'fence-http', null],
    );
    // The proxy's line names no process: none is made up (the seed's parser said "HTTP 403", pid 0).
    assert.equal(r.input.process, null);
  });

  it('reads a blocked CONNECT through the HTTP proxy', () => {
    const r = parseFenceLine('[fence:http] 09:01:02 ✗ CONNECT 403 api.github.com https://api.github.com:443 (1ms)', false);
    assert.ok(r.kind === 'violation' && r.input.operation === 'CONNECT' && r.input.target === 'api.github.com');
  });

  it('keeps proxy errors (!) and allowed requests as info, not violations', () => {
    assert.equal(parseFenceLine('[fence:http] 09:01:02 ! GET     502 example.com http://example.com/ (3ms)', false).kind, 'info');
    assert.equal(parseFenceLine('[fence:http] 09:01:02 ✓ GET     200 example.com http://example.com/ (3ms)', false).kind, 'info');
  });

  it('reads a blocked SOCKS connection', () => {
    const r = parseFenceLine('[fence:socks] 10:11:12 ✗ CONNECT evil.example.com:22 BLOCKED', false);
    assert.ok(r.kind === 'violation');
    if (r.kind === 'violation') assert.deepEqual([r.input.target, r.input.source, r.input.process], ['evil.example.com:22', 'fence-socks', null]);
  });

  it('reads macOS logstream lines whose process names contain - and . (Fence\'s own regex misses them)', () => {
    const a = parseFenceLine('[fence:logstream] 10:11:12 ✗ file-write-create /Users/me/.gitconfig (git-remote-https:4242)', false);
    const b = parseFenceLine('[fence:logstream] 10:11:13 ✗ network-outbound (python3.11:77)', false);
    assert.ok(a.kind === 'violation' && b.kind === 'violation');
    if (a.kind === 'violation') assert.deepEqual([a.input.category, a.input.target, a.input.process], ['filesystem', '/Users/me/.gitconfig', { comm: 'git-remote-https', pid: 4242 }]);
    if (b.kind === 'violation') assert.deepEqual([b.input.category, b.input.operation, b.input.process?.comm], ['network', 'network-outbound', 'python3.11']);
  });

  it('reads Fence\'s own ebpf line with the right pid group and errno (seed: groups off by one, wrong table)', () => {
    const r = parseFenceLine('[fence:ebpf] 15:04:05 ✗ open: Read-only file system (touch, pid=1234)', false);
    assert.ok(r.kind === 'violation');
    if (r.kind === 'violation') {
      assert.deepEqual(r.input.process, { comm: 'touch', pid: 1234 });
      assert.equal(r.input.errno, 30);
    }
    const perm = parseFenceLine('[fence:ebpf] 15:04:05 ✗ open: Operation not permitted (x, pid=1)', false);
    assert.ok(perm.kind === 'violation' && perm.input.errno === 1);
  });

  it('keeps Fence\'s pathless ebpf lines as info while our monitor runs (no double count)', () => {
    assert.equal(parseFenceLine('[fence:ebpf] 15:04:05 ✗ open: Read-only file system (touch, pid=1234)', true).kind, 'info');
  });

  it('reads a runtime exec policy block and a command-policy refusal', () => {
    const a = parseFenceLine('[fence:linux] Runtime exec policy blocked exec="/usr/bin/git" argv=[git push] matched="git push" source=command.deny', false);
    assert.ok(a.kind === 'violation' && a.input.category === 'command' && a.input.target === '/usr/bin/git');
    const b = parseFenceLine('Error: command blocked by default sandbox command policy: "git push origin main" matches "git push"', false);
    assert.ok(b.kind === 'violation' && b.input.target === 'git push origin main' && b.input.source === 'fence-policy');
    const old = parseFenceLine('Error: failed to wrap command: command blocked by sandbox command policy: "git push origin main" matches "git push"', false);
    assert.ok(old.kind === 'violation' && old.input.target === 'git push origin main', 'v0.1.5 recorded line');
  });

  it('keeps other tagged lines as info and leaves everything else alone', () => {
    assert.equal(parseFenceLine('[fence:linux] Bridges ready (HTTP: /tmp/a, SOCKS: /tmp/b)', false).kind, 'info');
    assert.equal(parseFenceLine('[fence:ebpf:err] something', false).kind, 'info');
    assert.equal(parseFenceLine('touch: cannot touch', false).kind, 'notFence');
    assert.ok(isFenceLine('[fence] hello') && !isFenceLine('fence] no'));
  });
});

describe('fenceTime', () => {
  it('puts HH:MM:SS on today (the seed used 15:05:05 and 25:03:04 as layouts)', () => {
    const now = new Date(2026, 10, 28, 15, 10, 0);
    const t = fenceTime('15:04:05', now);
    assert.deepEqual([t.getHours(), t.getMinutes(), t.getSeconds(), t.getDate()], [15, 4, 5, 28]);
  });
  it('moves a stamp from just before midnight to yesterday', () => {
    const now = new Date(2026, 10, 28, 0, 0, 5);
    assert.equal(fenceTime('23:59:59', now).getDate(), 27);
  });
  it('falls back to now for a malformed stamp', () => {
    const now = new Date(2026, 10, 28, 1, 2, 3);
    assert.equal(fenceTime('25:03:04x', now).getTime(), now.getTime());
  });
});

// Hostile file names through the real CLI: what a person reads is the name, escaped, and the JSON
// keeps it exactly (a name that is not UTF-8 as its escaped bytes, with no rule built from it).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ReportViolation } from '../../src/core/model';
import { requireComponents, runCli, stage, type Stage } from '../support/rig';

describe('fence-lens run with hostile file names (as root, direct monitor)', function () {
  this.timeout(90_000);
  let s: Stage;
  before(function () {
    requireComponents(this);
    s = stage(null);
  });
  after(() => s?.cleanup());
  const tag = randomBytes(3).toString('hex');
  const named = (vs: readonly ReportViolation[], target: string): ReportViolation | undefined => vs.find((v) => v.target === target);

  it('escapes bidi controls, invisible characters and terminal escapes in the live line, and keeps the exact names in the JSON', async () => {
    // printf's octal escapes spell the UTF-8 bytes, so the names reach the sandbox exactly.
    const names: Array<[string, string, string]> = [
      [`/etc/fl-${tag}-rtl\u202egpj.txt`, `/etc/fl-${tag}-rtl\\342\\200\\256gpj.txt`, `/etc/fl-${tag}-rtl\\u{202e}gpj.txt`],
      [`/etc/fl-${tag}-iso\u2067x\u2069`, `/etc/fl-${tag}-iso\\342\\201\\247x\\342\\201\\251`, `/etc/fl-${tag}-iso\\u{2067}x\\u{2069}`],
      [`/etc/fl-${tag}-zw\u200bj\u00a0`, `/etc/fl-${tag}-zw\\342\\200\\213j\\302\\240`, `/etc/fl-${tag}-zw\\u{200b}j\\xa0`],
      [`/etc/fl-${tag}-esc\u001b[31mred`, `/etc/fl-${tag}-esc\\033[31mred`, `/etc/fl-${tag}-esc\\x1b[31mred`],
      [`/etc/fl-${tag}-nl\nfake line`, `/etc/fl-${tag}-nl\\nfake line`, `/etc/fl-${tag}-nl\\nfake line`],
      [`/etc/fl-${tag}-mark\u200f\u061c`, `/etc/fl-${tag}-mark\\342\\200\\217\\330\\234`, `/etc/fl-${tag}-mark\\u{200f}\\u{61c}`],
    ];
    // touch's own complaint (the command's stderr, passed through untouched) is silenced, so what
    // remains on stderr is fence-lens's alone.
    const script = names.map(([, printf]) => `touch "$(printf '${printf}')" 2>/dev/null`).join('; ');
    const r = await runCli(s, ['--monitor', 'direct', '-c', `${script}; exit 0`]);
    assert.equal(r.report.monitor.state, 'active', r.report.monitor.detail);
    for (const [exact, , shown] of names) {
      const v = named(r.report.violations, exact);
      assert.ok(v, `no violation at ${JSON.stringify(exact)} in ${JSON.stringify(r.report.violations.map((x) => x.target))}`);
      assert.equal(v.targetBytes, undefined, 'valid UTF-8 needs no bytes form');
      assert.ok(r.stderr.includes(`: ${shown} (`), `live line for ${JSON.stringify(exact)} should show ${shown}:\n${r.stderr}`);
    }
    // Nothing a terminal would act on reaches it from a name: no raw bidi, isolate, mark, ESC or
    // zero-width character anywhere in what the CLI printed.
    assert.doesNotMatch(r.stderr, /[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u00a0]/u);
    assert.ok(!r.stderr.includes(`esc\u001b`), 'a raw ESC from a name reached the terminal');
  });

  it('keeps the exact bytes of a name that is not UTF-8 (escaped, flagged) and builds no rule from it', async () => {
    const r = await runCli(s, ['--monitor', 'direct', '-c', `touch "$(printf '/etc/fl-${tag}-bad\\377\\376utf8')"; exit 0`]);
    assert.equal(r.report.monitor.state, 'active', r.report.monitor.detail);
    const v = r.report.violations.find((x) => x.target.startsWith(`/etc/fl-${tag}-bad`));
    assert.ok(v, JSON.stringify(r.report.violations.map((x) => x.target)));
    assert.equal(v.targetBytes, `/etc/fl-${tag}-bad\\xff\\xfeutf8`, `the JSON must keep the bytes: ${JSON.stringify(v)}`);
    assert.equal(v.suggestion, undefined, 'no rule from a lossy path');
    assert.ok(r.stderr.includes(`/etc/fl-${tag}-bad\\xff\\xfeutf8 (`), r.stderr);
  });
});

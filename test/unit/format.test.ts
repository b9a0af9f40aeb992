import assert from 'node:assert/strict';
import { describeTarget, formatViolationLine, printable } from '../../src/core/report/format';
import { ViolationStore } from '../../src/core/store';

describe('formatViolationLine', () => {
  it('writes Fence\'s style with HH:MM:SS (Go layout 15:04:05), operation, target, errno text and process', () => {
    const s = new ViolationStore();
    const v = s.add({ category: 'filesystem', operation: 'openat', target: '/etc/hosts', errno: 30, source: 'ebpf', process: { comm: 'touch', pid: 1234 } }, new Date(2026, 10, 28, 15, 4, 5));
    assert.ok(v);
    if (v) assert.equal(formatViolationLine(v), '[fence:ebpf] 15:04:05 ✗ openat: /etc/hosts (Read-only file system, touch:1234)');
  });
  it('shows control characters in names instead of letting them draw fake lines', () => {
    assert.equal(printable('/tmp/a\nb\u001b[31m'), '/tmp/a\\nb\\x1b[31m');
    assert.equal(describeTarget({ target: '/a', relatedPath: '/b', truncated: true }), '/a…[truncated] -> /b');
  });
});

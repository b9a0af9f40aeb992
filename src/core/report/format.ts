// One readable line per violation, in Fence's own log style, so users who know `fence -m` read it
// at a glance: `[fence:ebpf] 15:04:05 ✗ openat: /etc/hosts (Read-only file system, touch:1234)`.

import type { Source, Violation } from '../model';

const TAG: Record<Source, string> = {
  ebpf: 'fence:ebpf',
  'fence-http': 'fence:http',
  'fence-socks': 'fence:socks',
  'fence-logstream': 'fence:logstream',
  'fence-policy': 'fence:policy',
};

/** HH:MM:SS in local time, the layout Fence uses (Go's 15:04:05). */
export function clockTime(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Makes control characters visible: a file name must not be able to draw fake lines on a terminal. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

export function describeTarget(v: Pick<Violation, 'target' | 'relatedPath' | 'truncated'>): string {
  const target = printable(v.target) + (v.truncated ? '…[truncated]' : '');
  return v.relatedPath !== undefined ? `${target} -> ${printable(v.relatedPath)}` : target;
}

export function formatViolationLine(v: Violation): string {
  const proc = v.process.pid > 0 ? `${printable(v.process.comm)}:${v.process.pid}` : printable(v.process.comm);
  const why = [v.message, proc].filter((s) => s.length > 0).join(', ');
  const count = v.count > 1 ? ` ×${v.count}` : '';
  return `[${TAG[v.source]}] ${clockTime(v.firstSeen)} ✗ ${v.operation}: ${describeTarget(v)} (${why})${count}`;
}

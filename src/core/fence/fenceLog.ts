// Parses Fence's own lines into the same violation model as the monitor. Formats are Fence's
// (see the reference notes): timestamps are HH:MM:SS local time without a date. Regexes are
// compiled once (the seed compiled them per line) and every group index is pinned by a test.

import { errnoByMessage } from '../protocol/errno';
import type { Category, ViolationInput } from '../model';

export type FenceLine =
  | { readonly kind: 'violation'; readonly input: ViolationInput; readonly time: string | null }
  | { readonly kind: 'info'; readonly line: string }
  | { readonly kind: 'notFence' };

// [fence:http] 16:22:59 ✗ GET     403 host url (0s)
const HTTP = /^\[fence:http\] (\d\d:\d\d:\d\d) (✗|!|✓|→) (\S+) +(\d{3}) (\S+) (\S+) \(([^()]*)\)$/;
// [fence:socks] 16:22:59 ✗ CONNECT host:port BLOCKED
const SOCKS = /^\[fence:socks\] (\d\d:\d\d:\d\d) ✗ CONNECT (\S+) BLOCKED$/;
// [fence:logstream] 16:22:59 ✗ file-write-create /path (git-remote-https:123)
// The process is everything up to the last ':' inside the final parentheses: names like
// `git-remote-https` and `python3.11` broke Fence's own `(\w+)` pattern.
const LOGSTREAM = /^\[fence:logstream\] (\d\d:\d\d:\d\d) ✗ (\S+)(?: (.*?))? \((.+):(\d+)\)$/;
// [fence:ebpf] 16:22:59 ✗ open: Read-only file system (touch, pid=123)   (v0.1.5 and later)
const EBPF = /^\[fence:ebpf\] (\d\d:\d\d:\d\d) ✗ (\w+): (.+?) \((.+), pid=(\d+)\)$/;
// [fence:linux] Runtime exec policy blocked exec="/usr/bin/git" argv=... matched="git push" source=command.deny
const EXEC_POLICY = /^\[fence:linux\] Runtime exec policy blocked exec="((?:[^"\\]|\\.)*)"(?: argv=(.*?))?(?: matched="((?:[^"\\]|\\.)*)")?(?: source=(\S+))?$/;
// Error: command blocked by default sandbox command policy: "git push origin" matches "git push"
// (v0.1.5 prefixes "failed to wrap command: ")
const COMMAND_BLOCKED = /^Error: (?:failed to wrap command: )?command blocked by (?:default )?sandbox command policy: "((?:[^"\\]|\\.)*)" matches "((?:[^"\\]|\\.)*)"$/;

const TAGGED = /^\[fence(?::[\w:-]+)?\]/;

function unquote(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function logstreamCategory(op: string): Category {
  if (op.startsWith('file-')) return 'filesystem';
  if (op.startsWith('network-')) return 'network';
  if (op.startsWith('process-exec')) return 'command';
  return 'syscall';
}

/**
 * @param ownMonitorActive when our monitor runs, Fence's own pathless ebpf lines would double-count
 *   the same denials; they are kept as info instead.
 */
export function parseFenceLine(raw: string, ownMonitorActive: boolean): FenceLine {
  const line = raw.replace(/\r$/, '');
  let m = HTTP.exec(line);
  if (m) {
    const [, time, icon, method, , host] = m;
    if (icon !== '✗') return { kind: 'info', line };
    return {
      kind: 'violation',
      time,
      input: { category: 'network', operation: method, target: host, errno: null, source: 'fence-http', process: null },
    };
  }
  m = SOCKS.exec(line);
  if (m) {
    return {
      kind: 'violation',
      time: m[1],
      input: { category: 'network', operation: 'CONNECT', target: m[2], errno: null, source: 'fence-socks', process: null },
    };
  }
  m = LOGSTREAM.exec(line);
  if (m) {
    const [, time, op, details, proc, pid] = m;
    return {
      kind: 'violation',
      time,
      input: { category: logstreamCategory(op), operation: op, target: details ?? '', errno: null, source: 'fence-logstream', process: { comm: proc, pid: Number(pid) } },
    };
  }
  m = EBPF.exec(line);
  if (m) {
    if (ownMonitorActive) return { kind: 'info', line };
    const [, time, syscall, text, comm, pid] = m;
    const errno = errnoByMessage(text)?.errno ?? null;
    const category: Category = syscall === 'connect' ? 'network' : 'filesystem';
    return {
      kind: 'violation',
      time,
      input: { category, operation: syscall, target: '(path not reported by Fence)', errno, source: 'ebpf', process: { comm, pid: Number(pid) } },
    };
  }
  // Both policy lines name the refused command in their first group.
  m = EXEC_POLICY.exec(line) ?? COMMAND_BLOCKED.exec(line);
  if (m) {
    return {
      kind: 'violation',
      time: null,
      input: { category: 'command', operation: 'exec', target: unquote(m[1]), errno: null, source: 'fence-policy', process: null },
    };
  }
  if (TAGGED.test(line)) return { kind: 'info', line };
  return { kind: 'notFence' };
}

/** True for lines Fence itself writes to stderr (so they are not the command's output). */
export function isFenceLine(line: string): boolean {
  return TAGGED.test(line) || COMMAND_BLOCKED.test(line);
}

/** Today's date at a Fence HH:MM:SS stamp (Fence prints no date); `now` when absent or malformed. */
export function fenceTime(hms: string | null, now: Date): Date {
  if (!hms) return now;
  const m = /^(\d\d):(\d\d):(\d\d)$/.exec(hms);
  if (!m) return now;
  const d = new Date(now);
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), 0);
  // A stamp "later" than now belongs to yesterday (a run across midnight).
  if (d.getTime() - now.getTime() > 60_000) d.setDate(d.getDate() - 1);
  return d;
}

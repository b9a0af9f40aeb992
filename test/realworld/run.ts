// `npm run test:realworld`: real workloads under fence-lens, compared with strace's ground truth.
//
// For each workload: one fence-lens run whose fence is wrapped in `strace -ff` (outside the
// sandbox, it follows into it), so the report and the truth come from the same run; recall and
// precision over the syscalls the monitor covers, every miss and false positive with its cause.
// Then every suggested rule is applied and the workload rerun in a throwaway mount namespace
// (overlays over the directories the rules open, so nothing is written on the host): each rule's
// denial must be gone. Then `fence -m` on the same workload, for the README's table.
//
// Environment: FENCE_LENS_FENCE (default /usr/local/bin/fence), FENCE_LENS_REALWORLD_CACHE
// (default /var/cache/fence-lens/realworld), FENCE_LENS_REALWORLD_ONLY=git,make (a subset).
// Needs root (the direct monitor, strace into the sandbox, mount namespaces). Every fence run
// takes /tmp/fence-lens-fence.lock by itself.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportViolation, RunReport } from '../../src/core/model';
import { shellQuote } from '../../src/core/fence/shellQuote';
import { DENIAL_ERRNOS, ENOENT, LOOKUP_NAMES, PATH_SYSCALLS, readStraceTruth, straceTraceSet, type TruthDenial } from './straceTruth';
import { WORKLOADS, type Workload } from './workloads';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const FENCE = process.env.FENCE_LENS_FENCE ?? '/usr/local/bin/fence';
const CACHE = process.env.FENCE_LENS_REALWORLD_CACHE ?? '/var/cache/fence-lens/realworld';
const LOCK = '/tmp/fence-lens-fence.lock';
const MARKER = '.fl-workload.sh';
const TARGET = 0.99;
const ERRNOS = new Set(Object.values(DENIAL_ERRNOS));
const PATH_ENV = `/usr/local/go/bin:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;

let passed = 0;
let failed = 0;
let skipped = 0;
const say = (s: string): void => void process.stdout.write(`${s}\n`);
const result = (ok: boolean, what: string): void => {
  if (ok) passed++;
  else failed++;
  say(`  ${ok ? '✔' : '✗'} ${what}`);
};

function missing(): string | null {
  if (process.getuid?.() !== 0) return 'the real-workload suite needs root (direct monitor, strace, mount namespaces)';
  for (const p of [FENCE, '/usr/bin/strace', '/usr/bin/bwrap', '/usr/bin/bpftrace', '/usr/bin/unshare', '/usr/bin/flock', CLI]) {
    if (!existsSync(p)) return `${p} not found`;
  }
  return null;
}

function fetchInputs(): string | null {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/realworld-inputs.sh')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PATH: PATH_ENV, FENCE_LENS_REALWORLD_CACHE: CACHE } });
  return r.status === 0 ? null : 'scripts/realworld-inputs.sh failed (the inputs are fetched once, with the network)';
}

/** A fresh workspace with the workload script and `allowWrite: ["."]`, no domains. */
function workspace(w: Workload, extraRules: Record<string, string[]> = {}): string {
  let extra = extraRules;
  // Not under /tmp: Fence v0.1.66 gives the sandbox a private /tmp.
  const ws = mkdtempSync(`/var/tmp/fl-rw-${w.name}-`);
  chmodSync(ws, 0o755);
  for (const [rel, text] of Object.entries(w.prepare?.(ws) ?? {})) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), text);
  }
  extra = { ...(w.settings?.(ws) ?? {}), ...extra };
  const settings: { filesystem: Record<string, string[]>; network: { allowedDomains: string[] } } = { filesystem: { allowWrite: ['.'] }, network: { allowedDomains: [] } };
  for (const [setting, values] of Object.entries(extra)) {
    const [group, key] = setting.split('.');
    if (group === 'filesystem') settings.filesystem[key] = [...(settings.filesystem[key] ?? []), ...values];
  }
  writeFileSync(path.join(ws, 'fence.json'), JSON.stringify(settings, null, 2));
  writeFileSync(path.join(ws, MARKER), `exec 1>&2\nexport PATH=${shellQuote(PATH_ENV)}\ncd ${shellQuote(ws)}\n${w.script(CACHE)}\n`);
  return ws;
}

interface Run {
  readonly report: RunReport | null;
  readonly stderr: string;
  readonly status: number | null;
}

/** Waits for the lock as long as it takes; the run itself is bounded (timeout kills it, then its group). */
function runLocked(argv: string[], cwd: string, timeoutMs: number): { stdout: string; stderr: string; status: number | null } {
  const bounded = ['timeout', '-k', '10', String(Math.ceil(timeoutMs / 1000)), ...argv];
  // -o: the lock is not inherited, so a daemon a workload starts cannot keep holding it.
  const r = spawnSync('flock', ['-o', LOCK, ...bounded], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PATH: PATH_ENV } });
  return { stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : ''), status: r.status };
}

function fenceLensArgv(ws: string, fence: string): string[] {
  return [process.execPath, CLI, 'run', '--monitor', 'direct', '--settings', path.join(ws, 'fence.json'), '--fence', fence, '--json', '-', '--', '/bin/sh', path.join(ws, MARKER)];
}

function parseReport(stdout: string): RunReport | null {
  const i = stdout.indexOf('{\n  "command"');
  try {
    return i < 0 ? null : (JSON.parse(stdout.slice(i)) as RunReport);
  } catch {
    return null;
  }
}

/** fence-lens with fence wrapped in `strace -ff`; the truth comes from the same run. */
function tracedRun(ws: string, traceDir: string): Run {
  const wrapper = path.join(traceDir, 'fence-under-strace.sh');
  const strace = ['strace', '-ff', '-qq', '--pidns-translation', '-s', '4096', '-x', '-y', '-e', `trace=${straceTraceSet()}`, '-o', path.join(traceDir, 't')];
  writeFileSync(wrapper, `#!/bin/sh\ncase "$1" in --help|--version) exec ${shellQuote(FENCE)} "$@";; esac\nexec ${strace.map(shellQuote).join(' ')} ${shellQuote(FENCE)} "$@"\n`, { mode: 0o755 });
  const r = runLocked(fenceLensArgv(ws, wrapper), ws, 300_000);
  return { report: parseReport(r.stdout), stderr: r.stderr, status: r.status };
}

const keyOf = (op: string, target: string, errno: number | null): string => `${op} ${target} ${errno ?? ''}`;

function inScope(v: ReportViolation): boolean {
  if (v.source !== 'ebpf' || v.category !== 'filesystem' || v.errno === null) return false;
  if (v.errno === ENOENT) return LOOKUP_NAMES.has(v.operation);
  return PATH_SYSCALLS.has(v.operation) && ERRNOS.has(v.errno);
}

const errName = (n: number): string => (n === ENOENT ? 'ENOENT' : (Object.entries(DENIAL_ERRNOS).find(([, v]) => v === n)?.[0] ?? String(n)));

function missCause(t: TruthDenial, reported: readonly ReportViolation[], report: RunReport): string {
  if (t.errno === DENIAL_ERRNOS.EBUSY) return 'EBUSY not caught';
  const base = path.posix.basename(t.target);
  const near = reported.find((v) => v.operation === t.operation && v.errno === t.errno && path.posix.basename(v.target) === base);
  if (near) return `reported at the wrong path ${near.target}${near.givenPath ? ` (given ${near.givenPath})` : ''}`;
  if (report.monitor.lostEvents > 0) return `not reported (the kernel dropped ${report.monitor.lostEvents} event(s))`;
  return 'not reported';
}

function falsePositiveCause(v: ReportViolation, setup: ReadonlySet<string>, truthPaths: ReadonlySet<string>): string {
  if (setup.has(keyOf(v.operation, v.target, v.errno))) return "Fence's setup (fails outside the user's command's subtree)";
  if (v.process?.comm === 'bwrap' || v.target === '' || v.operation === 'mount') return `Fence's setup noise (${v.process?.comm})`;
  if (v.givenPath !== undefined) return v.target.startsWith('/') ? `relative path resolved against the wrong directory (given ${v.givenPath})` : `relative path whose directory was not resolved (given ${v.givenPath})`;
  if (truthPaths.has(v.target)) return 'a failing syscall at this path, but another operation or errno';
  return 'no such failing syscall in strace';
}

interface Figures {
  readonly truth: number;
  readonly reported: number;
  readonly hits: number;
  readonly recall: number;
  readonly precision: number;
}

function compare(w: Workload, report: RunReport, truth: readonly TruthDenial[]): Figures {
  const command = truth.filter((t) => t.inCommand);
  const truthKeys = new Map<string, TruthDenial>();
  for (const t of command) truthKeys.set(keyOf(t.operation, t.target, t.errno), t);
  const setup = new Set(truth.filter((t) => !t.inCommand).map((t) => keyOf(t.operation, t.target, t.errno)));
  const reported = report.violations.filter(inScope);
  const reportKeys = new Map(reported.map((v) => [keyOf(v.operation, v.target, v.errno), v]));
  const hits = [...truthKeys.keys()].filter((k) => reportKeys.has(k)).length;
  const recall = truthKeys.size === 0 ? 1 : hits / truthKeys.size;
  const precision = reportKeys.size === 0 ? 1 : hits / reportKeys.size;
  const truthPaths = new Set(command.map((t) => t.target));
  for (const [k, t] of truthKeys) {
    if (!reportKeys.has(k)) say(`      miss: ${t.operation} ${t.target}${t.relatedPath ? ` -> ${t.relatedPath}` : ''} ${errName(t.errno)}: ${missCause(t, reported, report)}`);
  }
  for (const [k, v] of reportKeys) {
    if (!truthKeys.has(k)) say(`      false positive: ${v.operation} ${v.target} ${v.errnoName ?? ''} (${v.process?.comm}): ${falsePositiveCause(v, setup, truthPaths)}`);
  }
  const other = report.violations.filter((v) => !inScope(v));
  if (other.length > 0) say(`      not compared (outside the covered syscalls/errnos): ${other.length}, e.g. ${other.slice(0, 3).map((v) => `${v.operation} ${v.target} ${v.errnoName ?? v.message}`).join('; ')}`);
  say(`    ${w.name}: strace ${truthKeys.size} distinct denial(s) in the command's subtree (${setup.size} in setup), report ${reportKeys.size}, right ${hits}: recall ${recall.toFixed(2)}, precision ${precision.toFixed(2)}`);
  return { truth: truthKeys.size, reported: reportKeys.size, hits, recall, precision };
}

/** The nearest existing ancestor (itself included): what an overlay can be mounted over. */
function existingDir(p: string): string {
  let d = p;
  while (!existsSync(d)) d = path.posix.dirname(d);
  return d;
}

/** Applies every suggestion and reruns in a mount namespace with overlays; each denial must be gone. */
function checkSuggestions(w: Workload, report: RunReport, firstWs: string): void {
  const suggested = report.violations.filter((v) => v.suggestion && v.cause !== 'host');
  if (suggested.length === 0) {
    say('    no suggestions to check');
    return;
  }
  const rules: Record<string, string[]> = {};
  for (const v of suggested) {
    const s = v.suggestion;
    if (!s) continue;
    const list = (rules[s.setting] ??= []);
    if (!list.includes(s.value)) list.push(s.value);
  }
  const ws = workspace(w, rules);
  const overlays = [...new Set((rules['filesystem.allowWrite'] ?? []).map(existingDir))].filter((d, _, all) => !all.some((o) => o !== d && d.startsWith(`${o}/`)));
  const scratch = mkdtempSync('/tmp/fl-rw-ovl-');
  const mounts = [`mount -t tmpfs fl-rw ${shellQuote(scratch)}`];
  overlays.forEach((d, i) => {
    mounts.push(`mkdir ${scratch}/u${i} ${scratch}/w${i}`, `mount -t overlay fl-rw -o ${shellQuote(`lowerdir=${d},upperdir=${scratch}/u${i},workdir=${scratch}/w${i}`)} ${shellQuote(d)}`);
  });
  const inner = `${mounts.join(' && ')} && exec ${fenceLensArgv(ws, FENCE).map(shellQuote).join(' ')}`;
  const r = runLocked(['unshare', '-m', '--propagation', 'private', '--', '/bin/sh', '-c', inner], ws, 300_000);
  const rerun = parseReport(r.stdout);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(ws, { recursive: true, force: true });
  if (!rerun) {
    result(false, `${w.name}: suggestions applied, rerun gave no report: ${r.stderr.slice(-400)}`);
    return;
  }
  // The rerun's workspace has another name: a path in the first one is compared at its place there.
  const moved = (p: string): string => (p === firstWs || p.startsWith(`${firstWs}/`) ? ws + p.slice(firstWs.length) : p);
  const still = new Set(rerun.violations.map((v) => keyOf(v.operation, v.target, v.errno)));
  const inWorkspace = (v: ReportViolation): boolean => moved(v.suggestion?.value ?? '') !== (v.suggestion?.value ?? '');
  const notFixed = suggested.filter((v) => inWorkspace(v) || still.has(keyOf(v.operation, moved(v.target), v.errno)));
  for (const v of notFixed) {
    const why = inWorkspace(v) ? ' (the rule names the workspace, which is writable already)' : '';
    say(`      rule did not fix: ${v.suggestion?.setting} += ${v.suggestion?.value} for ${v.operation} ${v.target} ${v.errnoName ?? ''}${why}`);
  }
  const fresh = rerun.violations.filter(inScope).length;
  say(`    rules applied: ${Object.entries(rules).map(([k, vs]) => `${k} ${vs.length}`).join(', ')} over ${overlays.length} overlay(s); rerun exit ${rerun.exitCode}, ${fresh} denial(s) left (later steps reached)`);
  result(notFixed.length === 0, `${w.name}: every suggested rule (${suggested.length}) makes its denial go away`);
}

/** `fence -m` on the same workload: how many of strace's denials it names by path. */
function fenceMonitorFigures(w: Workload, truth: readonly TruthDenial[]): string {
  const ws = workspace(w);
  const r = runLocked([FENCE, '-m', '--settings', path.join(ws, 'fence.json'), '--', '/bin/sh', path.join(ws, MARKER)], ws, 300_000);
  rmSync(ws, { recursive: true, force: true });
  const lines = r.stderr.split('\n').filter((l) => /\[fence:(ebpf|landlock|seccomp)/.test(l) || /✗|denied/i.test(l));
  const command = [...new Map(truth.filter((t) => t.inCommand).map((t) => [keyOf(t.operation, t.target, t.errno), t])).values()];
  const named = command.filter((t) => lines.some((l) => l.includes(t.target))).length;
  const syscalls = new Set(lines.map((l) => /✗\s+(\w+)/.exec(l)?.[1] ?? /\b(openat|open|mkdir|mkdirat|unlinkat|renameat2?|rename|creat|linkat|symlinkat|fchmodat|utimensat|execve)\b/.exec(l)?.[1]).filter(Boolean));
  return `fence -m: ${lines.length} line(s), names ${named} of ${command.length} denial(s) by path, syscalls ${[...syscalls].join(' ') || '-'}`;
}

function main(): void {
  const why = missing();
  const only = process.env.FENCE_LENS_REALWORLD_ONLY?.split(',').filter(Boolean);
  const chosen = WORKLOADS.filter((w) => !only || only.includes(w.name));
  if (why) {
    say(`realworld: skipped: ${why}`);
    skipped = chosen.length * 2;
  } else {
    const fetchFailed = fetchInputs();
    if (fetchFailed) {
      say(`realworld: ${fetchFailed}`);
      failed++;
    } else {
      const version = spawnSync(FENCE, ['--version'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ').trim();
      const doctor = spawnSync(process.execPath, [CLI, 'doctor'], { encoding: 'utf8' }).stdout;
      const bpftrace = doctor.split('\n').filter((l) => /\b(bpftrace|helper)\b/.test(l)).map((l) => l.replace(/^\w+\s+/, '').trim());
      say(`realworld: fence ${FENCE} (${version}); ${bpftrace.join('; ')}`);
      const table: string[] = [];
      for (const w of chosen) {
        say(`  ${w.name}`);
        const ws = workspace(w);
        const traceDir = mkdtempSync('/tmp/fl-rw-trace-');
        const startMs = Date.now();
        const run = tracedRun(ws, traceDir);
        if (!run.report) {
          rmSync(traceDir, { recursive: true, force: true });
          rmSync(ws, { recursive: true, force: true });
          result(false, `${w.name}: fence-lens wrote no report (status ${run.status}): ${run.stderr.slice(-600)}`);
          continue;
        }
        let truth: TruthDenial[];
        try {
          truth = readStraceTruth(traceDir, 't', path.join(ws, MARKER), ws, startMs);
        } catch (e) {
          rmSync(traceDir, { recursive: true, force: true });
          rmSync(ws, { recursive: true, force: true });
          result(false, `${w.name}: no ground truth: ${(e as Error).message}: ${run.stderr.slice(-600)}`);
          continue;
        }
        rmSync(traceDir, { recursive: true, force: true });
        rmSync(ws, { recursive: true, force: true });
        const f = compare(w, run.report, truth);
        if (process.env.FENCE_LENS_REALWORLD_VERBOSE) say(run.stderr);
        // A monitor that failed mid-run may still have caught what there was: not a pass.
        const active = run.report.monitor.state === 'active';
        if (!active) say(`      monitor ${run.report.monitor.state}: ${run.report.monitor.detail}`);
        result(active && f.recall >= TARGET && f.precision >= TARGET, `${w.name}: recall ${f.recall.toFixed(2)} and precision ${f.precision.toFixed(2)} >= ${TARGET} (exit ${run.report.exitCode}, monitor ${run.report.monitor.state})`);
        checkSuggestions(w, run.report, ws);
        const fm = fenceMonitorFigures(w, truth);
        say(`    ${fm}`);
        table.push(`| ${w.name} | ${f.truth} | ${f.hits}/${f.reported} | ${f.recall.toFixed(2)} | ${f.precision.toFixed(2)} | ${fm.replace(/^fence -m: /, '')} |`);
      }
      say('\n| workload | strace denials | right/reported | recall | precision | fence -m |\n|---|---|---|---|---|---|');
      for (const row of table) say(row);
    }
  }
  say(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();

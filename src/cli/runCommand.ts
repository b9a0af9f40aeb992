// `fence-lens run`: live lines on stderr as denials happen, a summary at the end, the command's exit code.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatViolationLine, printable } from '../core/report/format';
import type { RunReport } from '../core/model';
import { toSarif } from '../core/report/sarif';
import { EXIT_INTERNAL, startRun } from '../sandbox/run';
import type { CliCommand } from './args';
import { bold, dim, green, red, yellow } from './style';

type RunCli = Extract<CliCommand, { name: 'run' }>;

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function runCommand(cmd: RunCli, version: string): Promise<number> {
  const handle = startRun({
    command: cmd.command,
    cwd: process.cwd(),
    settings: cmd.settings,
    ...(cmd.template !== undefined ? { template: cmd.template } : {}),
    monitor: cmd.monitor,
    programs: cmd.fence ? { fence: path.resolve(cmd.fence) } : {},
    ports: cmd.ports,
    stdio: 'inherit',
  });
  handle.store.onChange((c) => {
    if (c.kind !== 'added') return;
    // A denial the host refuses too is not the sandbox's doing: shown, but apart.
    if (c.violation.cause === 'host') say(dim(`${formatViolationLine(c.violation)} [host: fails outside the sandbox too]`));
    else say(red(formatViolationLine(c.violation)));
  });
  handle.onEvent((e) => {
    if (e.kind === 'monitor') {
      const lost = e.status.lostEvents > 0 ? ` (the kernel dropped ${e.status.lostEvents} event(s))` : '';
      const line = `fence-lens: monitor ${e.status.state}: ${e.status.detail}${lost}`;
      say(e.status.state === 'active' ? dim(line) : yellow(line));
    } else if (e.kind === 'info' && e.line.startsWith('fence-lens: ')) {
      say(yellow(e.line));
    }
  });
  // A terminal's Ctrl-C reaches the whole foreground process group, fence included; forward only
  // when it did not (signals sent to us alone, e.g. by a CI runner).
  const forward = (sig: NodeJS.Signals): void => {
    if (sig === 'SIGINT' && process.stdin.isTTY) return;
    if (sig === 'SIGINT') handle.interrupt();
    else handle.stop();
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  const report = await handle.done;
  summarize(report);
  if (cmd.json) writeReport(cmd.json, JSON.stringify(report, null, 2) + '\n');
  if (cmd.sarif) writeReport(cmd.sarif, JSON.stringify(toSarif(report, version), null, 2) + '\n');
  return report.exitCode ?? EXIT_INTERNAL;
}

function writeReport(target: string, text: string): void {
  if (target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
}

function summarize(r: RunReport): void {
  // The host's own refusals are left out of the figures (no Fence rule changes them), with a count.
  const sandbox = r.violations.filter((v) => v.cause !== 'host');
  const host = r.violations.length - sandbox.length;
  const events = sandbox.reduce((n, v) => n + v.count, 0);
  const byCategory = new Map<string, number>();
  for (const v of sandbox) byCategory.set(v.category, (byCategory.get(v.category) ?? 0) + 1);
  const cats = [...byCategory].map(([c, n]) => `${c} ${n}`).join(', ');
  const head = sandbox.length === 0 ? green('no denials') : red(`${sandbox.length} distinct denial(s), ${events} event(s)`) + (cats ? ` (${cats})` : '');
  say(bold(`fence-lens: ${head}; exit code ${r.exitCode ?? 'unknown'}`));
  if (host > 0) say(dim(`fence-lens: ${host} more denial(s) the host's own permissions refuse too, not counted (in the JSON report with "cause": "host")`));
  if (r.monitor.state !== 'active') {
    say(yellow(bold(`fence-lens: WARNING: monitor ${r.monitor.state}: ${r.monitor.detail}`)));
    say(yellow('fence-lens: file, socket and syscall denials were NOT recorded; only Fence\'s own proxy and policy lines are in this report.'));
  } else if (r.monitor.lostEvents > 0) {
    say(yellow(`fence-lens: WARNING: the kernel dropped ${r.monitor.lostEvents} monitor event(s); counts may be low.`));
  }
  if (r.overflow.events > 0) say(yellow(`fence-lens: ${r.overflow.distinct} more distinct denial(s) (${r.overflow.events} events) were past the store's bound and not itemised.`));
  const seen = new Set<string>();
  for (const v of sandbox) {
    if (!v.suggestion) continue;
    const k = `${v.suggestion.setting}=${v.suggestion.value}`;
    if (seen.has(k)) continue;
    seen.add(k);
    say(dim(`  to allow: ${v.suggestion.setting} += "${printable(v.suggestion.value)}"   (${printable(v.suggestion.description)})`));
  }
  if (r.settingsFile) say(dim(`  settings in force: ${printable(r.settingsFile)}`));
  // A chain (extends) or a template: say everything the policy was made from.
  const policy = [...r.policy.files, ...(r.policy.template ? [`template ${r.policy.template}`] : [])];
  if (policy.length > 1 || r.policy.template) say(dim(`  policy from: ${policy.map(printable).join(', ')}`));
}

// The details of one denial row as a Markdown document (Enter on a row that is not a file to open):
// every violation behind it, the cause, and the rule that would allow it. It opens as source text,
// not rendered, so names are shown in their printable form (as the target already is) and not
// Markdown-escaped, which would make the source unreadable.

import type { RunReport } from '../../core/model';
import { formatViolationLine, printable } from '../../core/report/format';
import { suggestRule } from '../../core/report/policy';
import { targetDescription } from './explorerItems';
import { codeSpan, ruleText } from '../shownText';
import type { TargetNode } from './runTree';

const code = (s: string): string => codeSpan(printable(s));

export function detailText(node: TargetNode, report?: RunReport): string {
  const { run, group } = node;
  const lines = [`# ${group.target}`, '', targetDescription(group), '', `Run: ${code(run.commandLine)} in ${code(run.request.cwd)}`, ''];
  for (const v of group.violations) {
    lines.push(`- ${codeSpan(formatViolationLine(v))}`);
    if (v.givenPath !== undefined) lines.push(`  - given as ${code(v.givenPath)}${v.target.startsWith('/') ? '' : ' (its directory could not be resolved at the syscall)'}`);
  }
  lines.push('');
  const host = group.violations.some((v) => v.cause === 'host');
  lines.push(host ? "**Cause:** the host's own permissions refused it (it would fail outside Fence too); no Fence setting allows it." : "**Cause:** the sandbox's policy.");
  const s = group.violations.map((v) => suggestRule(v)).find((x) => x !== undefined);
  if (s) lines.push('', `**Rule that would allow it:** ${codeSpan(ruleText(s))} (${printable(s.description)}); use **Allow in Fence Settings…** on the row.`);
  if (report) lines.push('', `Monitor: ${report.monitor.state}`);
  return `${lines.join('\n')}\n`;
}

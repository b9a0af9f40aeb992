// The benchmark's results: the flat keys of issue 4 with their targets, the table printed to the
// terminal, and the same table written into README.md between its bench markers.

import { readFileSync, writeFileSync } from 'node:fs';

export type Value = number | null;

export interface Row {
  readonly key: string;
  readonly value: Value;
  /** 'max' / 'min': the value must stay at or under / over `target`; 'report': shown only. */
  readonly kind: 'max' | 'min' | 'report';
  readonly target?: number;
  readonly unit: string;
  readonly meaning: string;
  /** Why the value is null, or what qualifies it. */
  readonly note?: string;
}

export type Verdict = 'met' | 'MISSED' | '-' | 'n/a';

export function verdict(r: Row): Verdict {
  if (r.kind === 'report') return '-';
  if (r.value === null || r.target === undefined || !Number.isFinite(r.value)) return 'n/a';
  return (r.kind === 'max' ? r.value <= r.target : r.value >= r.target) ? 'met' : 'MISSED';
}

function show(v: Value): string {
  if (v === null) return 'null';
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function targetText(r: Row): string {
  if (r.kind === 'report' || r.target === undefined) return r.kind === 'report' ? 'report' : '';
  return `${r.kind === 'max' ? '<=' : '>='} ${show(r.target)}`;
}

export function terminalTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.key, `${show(r.value)} ${r.unit}`.trim(), targetText(r), verdict(r)]);
  const head = ['key', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]): string => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const out = ['| key | value | target | | what it measures |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const what = (r.note ? `${r.meaning} (${r.note})` : r.meaning).replace(/\|/g, '\\|');
    out.push(`| \`${r.key}\` | ${show(r.value)} ${r.unit} | ${targetText(r)} | ${verdict(r)} | ${what} |`);
  }
  return out.join('\n');
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** Replaces only the text between the markers (adding a Performance section at the end if absent). */
export function updateReadme(file: string, body: string): void {
  let text = readFileSync(file, 'utf8');
  if (!text.includes(README_START) || !text.includes(README_END)) {
    text = `${text.trimEnd()}\n\n## Performance\n\n${README_START}\n${README_END}\n`;
  }
  const a = text.indexOf(README_START) + README_START.length;
  const b = text.indexOf(README_END);
  writeFileSync(file, `${text.slice(0, a)}\n${body.trim()}\n${text.slice(b)}`);
}

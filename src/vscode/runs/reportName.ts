// The file name Export Report offers: which command, and when, so exports of several runs differ.

/** `fence-report-npm-run-build-20261201-165652`: the run's command and start time (local), safe as a file name. */
export function reportName(run: { readonly commandLine: string; readonly startedAt: Date }): string {
  const slug = run.commandLine.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  const d = run.startedAt;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `fence-report-${slug}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

// SARIF 2.1.0 for CI code-scanning uploads: one result per distinct violation, a rule per kind.

import type { ReportViolation, RunReport } from '../model';

interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning';
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string } } }[];
  properties: Record<string, unknown>;
}

export function ruleIdOf(v: Pick<ReportViolation, 'category' | 'operation'>): string {
  return `fence/${v.category}/${v.operation}`.replace(/[^\w/.-]/g, '_');
}

function fileUri(p: string): string {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/');
}

export function toSarif(report: RunReport, toolVersion: string): object {
  const rules = new Map<string, { id: string; shortDescription: { text: string } }>();
  const results: SarifResult[] = report.violations.map((v) => {
    const ruleId = ruleIdOf(v);
    if (!rules.has(ruleId)) rules.set(ruleId, { id: ruleId, shortDescription: { text: `Fence sandbox denied ${v.operation} (${v.category})` } });
    const why = v.errnoName ? `${v.message} (${v.errnoName})` : v.message;
    const fix = v.suggestion ? ` To allow it: add "${v.suggestion.value}" to ${v.suggestion.setting}.` : '';
    return {
      ruleId,
      level: 'warning',
      message: { text: `${v.operation} ${v.target}: ${why}${v.process ? `, by ${v.process.comm}` : ''}${v.count > 1 ? ` (${v.count} times)` : ''}.${fix}` },
      ...(v.category === 'filesystem' && v.target.startsWith('/') ? { locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(v.target) } } }] } : {}),
      properties: { ...v },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'fence-lens', version: toolVersion, informationUri: 'https://github.com/fencesandbox/fence', rules: [...rules.values()] } },
        invocations: [
          {
            commandLine: report.command,
            executionSuccessful: report.exitCode === 0,
            exitCode: report.exitCode ?? undefined,
            properties: { monitor: report.monitor },
          },
        ],
        results,
      },
    ],
  };
}

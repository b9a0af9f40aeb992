// Builds the stable JSON report from a finished run.

import type { MonitorStatus, PolicyInfo, ReportViolation, RunReport, Violation } from '../model';
import { suggestRule } from './policy';

export function toReportViolation(v: Violation): ReportViolation {
  const suggestion = suggestRule(v);
  return {
    category: v.category,
    operation: v.operation,
    target: v.target,
    ...(v.relatedPath !== undefined ? { relatedPath: v.relatedPath } : {}),
    ...(v.truncated ? { truncated: true } : {}),
    ...(v.givenPath !== undefined ? { givenPath: v.givenPath } : {}),
    ...(v.openFlags !== undefined ? { openFlags: v.openFlags } : {}),
    ...(v.hidden ? { hidden: true } : {}),
    ...(v.targetBytes !== undefined ? { targetBytes: v.targetBytes } : {}),
    ...(v.relatedPathBytes !== undefined ? { relatedPathBytes: v.relatedPathBytes } : {}),
    cause: v.cause ?? 'sandbox',
    errno: v.errno,
    errnoName: v.errnoName,
    message: v.message,
    source: v.source,
    process: v.process ? { comm: v.process.comm, pid: v.process.pid } : null,
    count: v.count,
    firstSeen: v.firstSeen.toISOString(),
    lastSeen: v.lastSeen.toISOString(),
    ...(suggestion ? { suggestion } : {}),
  };
}

export interface ReportInput {
  readonly command: string;
  readonly exitCode: number | null;
  readonly monitor: MonitorStatus;
  readonly violations: readonly Violation[];
  readonly cwd: string;
  readonly settingsFile: string | null;
  readonly policy: PolicyInfo;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly overflow: { distinct: number; events: number };
  readonly info: readonly string[];
}

export function buildReport(r: ReportInput): RunReport {
  const violations = [...r.violations].sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime());
  return {
    command: r.command,
    exitCode: r.exitCode,
    monitor: { state: r.monitor.state, detail: r.monitor.detail, lostEvents: r.monitor.lostEvents },
    violations: violations.map(toReportViolation),
    cwd: r.cwd,
    settingsFile: r.settingsFile,
    policy: { files: [...r.policy.files], template: r.policy.template, effective: r.policy.effective },
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt.toISOString(),
    overflow: { ...r.overflow },
    info: [...r.info],
  };
}

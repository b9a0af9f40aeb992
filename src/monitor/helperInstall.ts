// Installs the privileged entry point, its fixed program and the polkit action. Runs as root only;
// every file is written root-owned, then renamed into place so a half-written helper never exists.

import { chmodSync, chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BPFTRACE_CHOICE_PATH,
  DEFAULT_BPFTRACE_LOCATIONS,
  entryPointScript,
  HELPER_PATH,
  MODERN_PROGRAM_PATH,
  POLKIT_ACTION_ID,
  POLKIT_POLICY_PATH,
  PROGRAM_PATH,
  polkitPolicy,
} from '../core/protocol/helperFiles';
import { monitorProgram } from '../core/protocol/monitorProgram';
import { isExecutableFile, rootOwnedProblem } from './programs';

export interface InstalledFile {
  readonly path: string;
  readonly mode: string;
  readonly purpose: string;
}

interface FileToWrite extends InstalledFile {
  readonly content: () => string;
  readonly numericMode: number;
}

export interface HelperInstallOptions {
  /** The bpftrace the helper will run (absolute, root-owned); else the first system location. */
  readonly bpftrace?: string;
}

/** The bpftrace the helper will run, checked: a path root can trust, never one from a workspace. */
export function chooseBpftrace(opts: HelperInstallOptions = {}): string {
  if (opts.bpftrace === undefined) {
    const found = DEFAULT_BPFTRACE_LOCATIONS.find(isExecutableFile);
    if (!found) throw new Error(`bpftrace not found (looked in ${DEFAULT_BPFTRACE_LOCATIONS.join(', ')}): apt-get install bpftrace, or pass --bpftrace ABSPATH`);
    return found;
  }
  const p = opts.bpftrace;
  if (!path.isAbsolute(p)) throw new Error(`--bpftrace needs an absolute path (got ${JSON.stringify(p)})`);
  const problem = rootOwnedProblem(p);
  if (problem) throw new Error(`refusing --bpftrace ${p}: ${problem}`);
  if (!isExecutableFile(p)) throw new Error(`refusing --bpftrace ${p}: not an executable file`);
  return p;
}

function files(bpftrace: string): FileToWrite[] {
  return [
    { path: HELPER_PATH, mode: '0755 root:root', numericMode: 0o755, purpose: `entry point pkexec runs: takes two PIDs and a token, runs only the program below with ${bpftrace}`, content: () => entryPointScript({ bpftrace }) },
    { path: PROGRAM_PATH, mode: '0644 root:root', numericMode: 0o644, purpose: 'the fixed bpftrace program (no user input is ever added to it), for bpftrace 0.17', content: () => monitorProgram('legacy') },
    { path: MODERN_PROGRAM_PATH, mode: '0644 root:root', numericMode: 0o644, purpose: 'the same for bpftrace 0.23+ (chosen by the version of the bpftrace above)', content: () => monitorProgram('modern') },
    { path: BPFTRACE_CHOICE_PATH, mode: '0644 root:root', numericMode: 0o644, purpose: 'which bpftrace the helper runs (root\'s direct runs use it too)', content: () => `${bpftrace}\n` },
    { path: POLKIT_POLICY_PATH, mode: '0644 root:root', numericMode: 0o644, purpose: `polkit action ${POLKIT_ACTION_ID} for the entry point (auth_admin_keep: an administrator password, remembered for a few minutes)`, content: polkitPolicy },
  ];
}

/** The files install-helper writes (shown to the user before anything is written). */
export function helperInstallPlan(opts: HelperInstallOptions = {}): InstalledFile[] {
  let bpftrace: string;
  try {
    bpftrace = chooseBpftrace(opts);
  } catch {
    bpftrace = opts.bpftrace ?? DEFAULT_BPFTRACE_LOCATIONS[0];
  }
  return files(bpftrace).map(({ path: p, mode, purpose }) => ({ path: p, mode, purpose }));
}

/** Writes the files. Throws with an actionable message when not root. */
export function installHelper(opts: HelperInstallOptions = {}): InstalledFile[] {
  if (process.getuid?.() !== 0) throw new Error('install-helper must run as root: sudo fence-lens install-helper');
  const bpftrace = chooseBpftrace(opts);
  for (const f of files(bpftrace)) {
    mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o755 });
    const tmp = `${f.path}.fence-lens-new`;
    writeFileSync(tmp, f.content(), { mode: f.numericMode });
    chownSync(tmp, 0, 0);
    chmodSync(tmp, f.numericMode);
    renameSync(tmp, f.path);
  }
  return helperInstallPlan({ bpftrace });
}

/**
 * argv that installs the helper with administrator rights from an unprivileged process:
 * `[pkexec, --disable-internal-agent, <node>, <cli.js>, install-helper, --yes]`. This path asks for
 * an administrator password every time (plain org.freedesktop.policykit.exec), as it should.
 */
export function installHelperArgv(pkexec: string, nodePath: string, cliPath: string): string[] {
  return [pkexec, '--disable-internal-agent', nodePath, cliPath, 'install-helper', '--yes'];
}

// Where the programs we run live. Only absolute paths from the caller (machine-scoped settings, CLI
// flags) or these fixed system locations: never PATH, never the workspace. pkexec in particular
// must get an absolute path (a bare name is CVE-2021-4034's door).

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BPFTRACE_CHOICE_PATH, HELPER_PATH, SAFE_PROGRAM_PATH } from '../core/protocol/helperFiles';
import { type ProgramVariant, variantForVersion } from '../core/protocol/monitorProgram';

/** Absolute paths of the programs a run may start. Front ends fill these from machine-scoped settings only. */
export interface ProgramPaths {
  /** fence; when unset, fixed system locations are searched (never PATH, never the workspace). */
  readonly fence?: string;
  readonly pkexec?: string;
  readonly sudo?: string;
  /** The installed privileged entry point (install-helper). */
  readonly helper?: string;
  readonly bpftrace?: string;
}

export type ProgramName = 'fence' | 'pkexec' | 'sudo' | 'bpftrace' | 'setpriv' | 'unshare' | 'bwrap' | 'socat' | 'helper';

function fixedLocations(name: ProgramName): string[] {
  switch (name) {
    case 'fence':
      return ['/usr/local/bin/fence', '/usr/bin/fence', path.join(os.homedir(), 'go/bin/fence'), path.join(os.homedir(), '.local/bin/fence')];
    case 'helper':
      return [HELPER_PATH];
    default:
      return [`/usr/bin/${name}`, `/usr/sbin/${name}`, `/bin/${name}`, `/usr/local/bin/${name}`];
  }
}

export function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface Located {
  readonly path: string | null;
  /** Where we looked, for an error the user can act on. */
  readonly searched: readonly string[];
}

/**
 * Why root must not run `file` (null: it may): it and every directory above it must be root-owned
 * and writable by nobody else, or whoever could write them would own what root runs.
 */
export function rootOwnedProblem(file: string): string | null {
  if (!path.isAbsolute(file)) return `${file} is not an absolute path`;
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return `${file} does not exist`;
  }
  for (let p = real; ; p = path.dirname(p)) {
    const st = statSync(p);
    if (st.uid !== 0) return `${p} is not owned by root`;
    if ((st.mode & 0o022) !== 0) return `${p} is writable by group or others`;
    if (p === '/') break;
  }
  return null;
}

/** The bpftrace install-helper fixed for this machine, if one was recorded and is still trustworthy. */
export function installedBpftrace(): string | null {
  try {
    if (rootOwnedProblem(BPFTRACE_CHOICE_PATH) !== null) return null;
    const p = readFileSync(BPFTRACE_CHOICE_PATH, 'utf8').trim();
    return SAFE_PROGRAM_PATH.test(p) && rootOwnedProblem(p) === null && isExecutableFile(p) ? p : null;
  } catch {
    return null;
  }
}

const variants = new Map<string, ProgramVariant>();

/** Which program variant a bpftrace runs, from its own `--version` (asked once per path). */
export function bpftraceVariant(bpftrace: string): ProgramVariant {
  let v = variants.get(bpftrace);
  if (v === undefined) {
    const r = spawnSync(bpftrace, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    v = variantForVersion(r.stdout ?? '');
    variants.set(bpftrace, v);
  }
  return v;
}

/** Finds a program: the configured absolute path if given (and only it), else the fixed locations. */
export function locate(name: ProgramName, programs: ProgramPaths = {}): Located {
  const configured = name === 'fence' || name === 'pkexec' || name === 'sudo' || name === 'bpftrace' || name === 'helper' ? programs[name] : undefined;
  if (configured !== undefined && configured !== '') {
    if (!path.isAbsolute(configured)) return { path: null, searched: [`${configured} (not an absolute path: refused)`] };
    return { path: isExecutableFile(configured) ? configured : null, searched: [configured] };
  }
  const chosen = name === 'bpftrace' ? installedBpftrace() : null;
  if (chosen) return { path: chosen, searched: [`${chosen} (from ${BPFTRACE_CHOICE_PATH})`] };
  const candidates = fixedLocations(name);
  return { path: candidates.find(isExecutableFile) ?? null, searched: candidates };
}

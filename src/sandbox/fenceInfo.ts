// What a fence binary supports (the feature table in the README), and which policy a run gets.
// Each binary is probed once per process, from its help text, its version and its own report of the
// Linux features it found (`--linux-features`); nothing here starts a sandbox.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { checkSettingsText } from '../core/fence/settingsText';
import type { PolicyInfo } from '../core/model';

export interface FenceFeatures {
  /** As the binary prints it; builds from the old module path print `dev`. */
  readonly version: string;
  /**
   * The words after `--` reach the command as the same words (Fence >= v0.1.19). Older fence joins
   * them with spaces into one shell string, so fence-lens quotes the argv into `-c` itself.
   */
  readonly quotesArgv: boolean;
  /** --fence-log-file: Fence's lines go to a private file instead of sharing stderr with the command. */
  readonly logFile: boolean;
  /**
   * --expose-host-path-rw: a host file can be bound into the sandbox, which is how the stages Fence
   * re-executes inside it (where /tmp is private) reach the log file.
   */
  readonly exposeHostPath: boolean;
  /** Nearest fence.json(c) discovery and JSONC settings (newer fence); v0.1.5 reads only ~/.fence.json, plain JSON. */
  readonly discovery: boolean;
  /** -t/--template NAME: a built-in policy. */
  readonly template: boolean;
  /** `fence config show`: the config chain it resolved and the merged settings. */
  readonly configShow: boolean;
  /**
   * The sandbox gets a network namespace of its own, so its proxy is private to the run. Without one
   * (v0.1.5 here: its probe fails) Fence bridges the proxy to fixed loopback ports shared by every run.
   */
  readonly networkNamespace: boolean;
}

/** Fence's release that started quoting the argv after `--`. */
const QUOTES_ARGV_SINCE: readonly [number, number, number] = [0, 1, 19];

const cache = new Map<string, Promise<FenceFeatures>>();

function versionAtLeast(version: string, min: readonly [number, number, number]): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** The features a fence reports in its help text, version and `--linux-features` output. */
export function featuresFrom(help: string, versionText: string, linuxFeatures: string): FenceFeatures {
  const version = /(?:version|Version:?)\s*(\S+)/.exec(versionText)?.[1] ?? 'unknown';
  const logFile = help.includes('--fence-log-file');
  const configShow = /^\s+config\s/m.test(help) || help.includes('fence config show');
  return {
    version,
    // Each of the later flags arrived after v0.1.19: a fence that has one quotes, whatever its version string says.
    quotesArgv: versionAtLeast(version, QUOTES_ARGV_SINCE) || logFile || configShow,
    logFile,
    exposeHostPath: help.includes('--expose-host-path-rw'),
    discovery: logFile || /fence\.jsonc/.test(help),
    template: /-t, --template\b/.test(help),
    configShow,
    // v0.1.66: "Network namespace   direct network isolation   ok   bwrap --unshare-net works";
    // v0.1.5: "Network namespace (--unshare-net): false".
    networkNamespace: /^\s*Network namespace\b.*(?:\sok\s|: true\b)/m.test(linuxFeatures),
  };
}

export function fenceFeatures(fence: string): Promise<FenceFeatures> {
  let p = cache.get(fence);
  if (!p) {
    p = (async () => {
      const text = async (args: string[]): Promise<string> => String((await execa(fence, args, { reject: false, timeout: 10_000, stdin: 'ignore', all: true })).all ?? '');
      const [help, version, linux] = await Promise.all([text(['--help']), text(['--version']), text(['--linux-features'])]);
      return featuresFrom(help, version, linux);
    })();
    cache.set(fence, p);
  }
  return p;
}

/** The settings file Fence will read for a run in `cwd`, following its discovery rules; null if none. */
export function settingsInForce(cwd: string, explicit: string | undefined, features: FenceFeatures, env: NodeJS.ProcessEnv = process.env): string | null {
  if (explicit) return path.resolve(cwd, explicit);
  const home = env.HOME ?? os.homedir();
  if (features.discovery) {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      for (const name of ['fence.jsonc', 'fence.json']) {
        const p = path.join(dir, name);
        if (existsSync(p)) return p;
      }
      if (path.dirname(dir) === dir) break;
    }
    const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
    for (const name of ['fence.jsonc', 'fence.json']) {
      const p = path.join(xdg, 'fence', name);
      if (existsSync(p)) return p;
    }
    for (const name of ['.fence.jsonc', '.fence.json']) {
      const p = path.join(home, name);
      if (existsSync(p)) return p;
    }
    return null;
  }
  const legacy = path.join(home, '.fence.json');
  return existsSync(legacy) ? legacy : null;
}

/** The files named in `fence config show`'s chain (stderr): `project config: /x/fence.jsonc`, `└── builtin template: code`. */
export function chainFiles(chain: string): string[] {
  const files: string[] = [];
  for (const raw of chain.split('\n')) {
    const m = /^[\s│├└─]*[\w -]+: (\/.*)$/.exec(raw.trimEnd());
    if (m) files.push(m[1]);
  }
  return files;
}

export interface PolicyQuery {
  readonly fence: string;
  readonly features: FenceFeatures;
  readonly cwd: string;
  /** The settings file fence is given (after any JSONC conversion), if any. */
  readonly settingsArg?: string;
  /** The file the user named or Fence discovers: what the report names. */
  readonly settingsFile: string | null;
  readonly template?: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Where the run's policy comes from. With `fence config show`, its chain and merged settings; else
 * the one file this fence reads, which is then also the effective policy.
 */
export async function policyInForce(q: PolicyQuery): Promise<{ policy: PolicyInfo; problem?: string }> {
  const template = q.template ?? null;
  if (q.features.configShow) {
    const args = ['config', 'show', ...(q.settingsArg ? ['--settings', q.settingsArg] : []), ...(q.template ? ['--template', q.template] : [])];
    const r = await execa(q.fence, args, { cwd: q.cwd, env: q.env, extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
    let effective: unknown = null;
    try {
      effective = r.exitCode === 0 ? JSON.parse(String(r.stdout)) : null;
    } catch {
      effective = null;
    }
    const files = chainFiles(String(r.stderr)).map((f) => (q.settingsArg && f === q.settingsArg && q.settingsFile ? q.settingsFile : f));
    const problem = effective === null ? `fence config show failed (exit ${r.exitCode ?? 'none'}): ${String(r.stderr).trim().split('\n').pop() ?? ''}` : undefined;
    return { policy: { files, template, effective }, ...(problem ? { problem } : {}) };
  }
  if (!q.settingsFile) return { policy: { files: [], template, effective: null } };
  let effective: unknown = null;
  try {
    const check = checkSettingsText(readFileSync(q.settingsFile, 'utf8'));
    if (check.ok) effective = JSON.parse(check.strictJson) as unknown;
  } catch {
    effective = null; // unreadable: the run's own notice says so
  }
  return { policy: { files: [q.settingsFile], template, effective } };
}

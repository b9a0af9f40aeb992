// What this fence binary supports, and which settings file it will use. Probed once per path.

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface FenceFeatures {
  /** --fence-log-file: Fence's lines go to a private file instead of sharing stderr with the command. */
  readonly logFile: boolean;
  /** Nearest fence.json(c) discovery and JSONC settings (newer fence); v0.1.5 reads only ~/.fence.json, plain JSON. */
  readonly discovery: boolean;
  readonly version: string;
}

const cache = new Map<string, Promise<FenceFeatures>>();

export function fenceFeatures(fence: string): Promise<FenceFeatures> {
  let p = cache.get(fence);
  if (!p) {
    p = (async () => {
      const help = await execa(fence, ['--help'], { reject: false, timeout: 10_000, stdin: 'ignore', all: true });
      const text = String(help.all ?? '');
      const v = await execa(fence, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore', all: true });
      const version = /(?:version|Version:?)\s*(\S+)/.exec(String(v.all ?? ''))?.[1] ?? 'unknown';
      const logFile = text.includes('--fence-log-file');
      return { logFile, discovery: logFile || /fence\.jsonc/.test(text), version };
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

// STUB: implemented by the engine work in progress. Signatures are final.

export interface InstalledFile {
  readonly path: string;
  readonly mode: string;
  readonly purpose: string;
}

/** The files install-helper writes (shown to the user before anything is written). */
export function helperInstallPlan(): InstalledFile[] {
  return [];
}

/** Default absolute path of the installed privileged entry point. */
export const DEFAULT_HELPER_PATH = '/usr/local/libexec/fence-lens/fence-lens-monitor';

/**
 * argv that installs the helper with administrator rights from an unprivileged process:
 * `[pkexec, --disable-internal-agent, <node>, <cli.js>, install-helper, --yes]`.
 */
export function installHelperArgv(_pkexec: string, _nodePath: string, _cliPath: string): string[] {
  return [];
}

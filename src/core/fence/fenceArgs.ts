import { shellJoin } from './shellQuote';

// The argv for fence. An argv array, never a shell string built by concatenation: a string command
// goes to `fence -c` verbatim, an array after `--`.

export interface FenceArgsInput {
  readonly command: string | readonly string[];
  readonly settings?: string;
  readonly ports?: readonly number[];
  /** Private file for Fence's own lines, when this fence supports --fence-log-file. */
  readonly logFile?: string;
}

export function fenceArgs(input: FenceArgsInput): string[] {
  const args = ['-m'];
  if (input.logFile) args.push('--fence-log-file', input.logFile);
  if (input.settings) args.push('--settings', input.settings);
  for (const p of input.ports ?? []) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port ${p}: use 1-65535`);
    args.push('-p', String(p));
  }
  if (typeof input.command === 'string') {
    args.push('-c', input.command);
  } else {
    if (input.command.length === 0) throw new Error('no command given');
    args.push('--', ...input.command);
  }
  return args;
}

/** The command as one line, for reports and titles. */
export function commandLine(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : shellJoin(command);
}

import { shellJoin } from './shellQuote';

// The argv for fence. An argv array, never a shell string built by concatenation: a string command
// goes to `fence -c` verbatim, an array after `--` for a fence that keeps its words apart, else
// quoted into `-c` (older fence joins the words after `--` with spaces, unquoted).

export interface FenceArgsInput {
  readonly command: string | readonly string[];
  readonly settings?: string;
  readonly ports?: readonly number[];
  /** Private file for Fence's own lines, when this fence supports --fence-log-file. */
  readonly logFile?: string;
  /** Bind the log file into the sandbox (--expose-host-path-rw), for the stages fence runs inside it. */
  readonly exposeLogFile?: boolean;
  /** A built-in template (`-t`), for a fence that has them. */
  readonly template?: string;
  /** False for a fence that joins the words after `--` unquoted: the argv then goes to `-c`, quoted. */
  readonly quotesArgv: boolean;
}

export function fenceArgs(input: FenceArgsInput): string[] {
  const args = ['-m'];
  if (input.logFile) {
    args.push('--fence-log-file', input.logFile);
    if (input.exposeLogFile) args.push('--expose-host-path-rw', input.logFile);
  }
  if (input.settings) args.push('--settings', input.settings);
  if (input.template !== undefined) {
    if (!/^\w[\w.-]*$/.test(input.template)) throw new Error(`invalid template name "${input.template}": a letter or digit, then letters, digits, '.', '_' or '-'`);
    args.push('--template', input.template);
  }
  for (const p of input.ports ?? []) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port ${p}: use 1-65535`);
    args.push('-p', String(p));
  }
  if (typeof input.command === 'string') {
    args.push('-c', input.command);
  } else {
    if (input.command.length === 0) throw new Error('no command given');
    if (input.quotesArgv) args.push('--', ...input.command);
    else args.push('-c', shellJoin(input.command));
  }
  return args;
}

/** The command as one line, for reports and titles. */
export function commandLine(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : shellJoin(command);
}

// Parses the CLI contract (kept stable: other tools depend on it):
//   fence-lens run [--settings FILE] [--template NAME] [--monitor auto|pkexec|sudo|direct|off] [--json FILE|-]
//                  [--sarif FILE] [--fence PATH] [-p PORT]... -- CMD [ARGS...]
//   fence-lens run [...] -c "SHELL STRING"
//   fence-lens doctor
//   fence-lens install-helper [--yes] [--bpftrace ABSPATH]

import { isMonitorMode, MONITOR_MODES, type MonitorMode } from '../core/model';

export type CliCommand =
  | {
      readonly name: 'run';
      readonly command: string | string[];
      readonly settings?: string;
      readonly template?: string;
      readonly monitor: MonitorMode;
      readonly json?: string;
      readonly sarif?: string;
      readonly fence?: string;
      readonly ports: number[];
    }
  | { readonly name: 'doctor' }
  | { readonly name: 'install-helper'; readonly yes: boolean; readonly bpftrace?: string }
  | { readonly name: 'help' }
  | { readonly name: 'version' };

export class UsageError extends Error {}

const MODES = MONITOR_MODES.join('|');

export const USAGE = `usage:
  fence-lens run [--settings FILE] [--template NAME] [--monitor ${MODES}] [--json FILE|-]
                 [--sarif FILE] [--fence PATH] [-p PORT]... -- CMD [ARGS...]
  fence-lens run [options] -c "SHELL STRING"
  fence-lens doctor
  fence-lens install-helper [--yes] [--bpftrace ABSPATH]

exit codes: the command's own; 2 usage error; 125 fence-lens failed before the command ran;
127 fence not found. A command killed by a signal gives 128 + the signal number.`;

export function parseArgs(argv: readonly string[]): CliCommand {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' };
    case '--version':
    case '-v':
      return { name: 'version' };
    case 'doctor':
      if (rest.length) throw new UsageError(`doctor takes no arguments (got ${rest.join(' ')})`);
      return { name: 'doctor' };
    case 'install-helper':
      return parseInstallHelper(rest);
    case 'run':
      return parseRun(rest);
    default:
      throw new UsageError(`unknown command "${sub}"`);
  }
}

function parseInstallHelper(args: readonly string[]): CliCommand {
  let yes = false;
  let bpftrace: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--yes' || a === '-y') yes = true;
    else if (a === '--bpftrace') {
      bpftrace = args[++i];
      if (bpftrace === undefined) throw new UsageError('--bpftrace needs an absolute path');
    } else if (a.startsWith('--bpftrace=')) bpftrace = a.slice('--bpftrace='.length);
    else throw new UsageError(`unknown install-helper option ${a}`);
  }
  return bpftrace === undefined ? { name: 'install-helper', yes } : { name: 'install-helper', yes, bpftrace };
}

function parseRun(args: readonly string[]): CliCommand {
  let settings: string | undefined;
  let template: string | undefined;
  let monitor: MonitorMode = 'auto';
  let json: string | undefined;
  let sarif: string | undefined;
  let fence: string | undefined;
  let shell: string | undefined;
  const ports: number[] = [];
  let i = 0;
  const value = (flag: string): string => {
    const v = args[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      const argv = args.slice(i + 1);
      if (shell !== undefined) throw new UsageError('give either -c "STRING" or -- CMD, not both');
      if (argv.length === 0) throw new UsageError('no command after --');
      return { name: 'run', command: argv, settings, ...(template !== undefined ? { template } : {}), monitor, json, sarif, fence, ports };
    }
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = (): string => inline ?? value(flag);
    switch (flag) {
      case '--settings':
      case '-s':
        settings = take();
        break;
      case '--template':
      case '-t':
        template = take();
        break;
      case '--monitor':
      case '-m': {
        const m = take();
        if (!isMonitorMode(m)) throw new UsageError(`--monitor must be one of ${MONITOR_MODES.join(', ')} (got "${m}")`);
        monitor = m;
        break;
      }
      case '--json':
        json = take();
        break;
      case '--sarif':
        sarif = take();
        break;
      case '--fence':
        fence = take();
        break;
      case '-p':
      case '--port': {
        const p = take();
        const n = Number(p);
        if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new UsageError(`invalid port "${p}"`);
        ports.push(n);
        break;
      }
      case '-c':
        shell = take();
        break;
      default:
        throw new UsageError(`unknown run option "${a}" (put the command after --)`);
    }
  }
  if (shell === undefined) throw new UsageError('no command: use -- CMD [ARGS...] or -c "SHELL STRING"');
  return { name: 'run', command: shell, settings, ...(template !== undefined ? { template } : {}), monitor, json, sarif, fence, ports };
}

// fence-lens: the headless front end over the engine.

import { createInterface } from 'node:readline/promises';
import { chooseBpftrace, helperInstallPlan, installHelper } from '../monitor/helperInstall';
import { runDoctor } from '../sandbox/doctor';
import { EXIT_INTERNAL } from '../sandbox/run';
import { parseArgs, USAGE, UsageError } from './args';
import { runCommand } from './runCommand';
import { bold, green, red } from './style';

// esbuild inlines the one field: the version has one home, package.json.
import { version as VERSION } from '../../package.json';

async function doctor(): Promise<number> {
  const checks = await runDoctor();
  for (const c of checks) {
    process.stdout.write(`${c.unknown ? '??  ' : c.ok ? green('ok  ') : red('FAIL')} ${c.id.padEnd(9)} ${c.detail}\n`);
    if (!c.ok && c.fix) process.stdout.write(`           fix: ${c.fix}\n`);
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}

async function install(yes: boolean, bpftrace: string | undefined): Promise<number> {
  const opts = bpftrace === undefined ? {} : { bpftrace };
  try {
    chooseBpftrace(opts);
  } catch (e) {
    process.stderr.write(`fence-lens: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write('fence-lens install-helper will write:\n');
  for (const f of helperInstallPlan(opts)) process.stdout.write(`  ${f.path}  (${f.mode})\n      ${f.purpose}\n`);
  if (!yes) {
    if (!process.stdin.isTTY) {
      process.stderr.write('not a terminal: pass --yes to install without the question\n');
      return 1;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('Install these files? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('nothing written\n');
      return 1;
    }
  }
  installHelper(opts);
  process.stdout.write(green('installed.') + ' An ordinary user now authorises the monitor with an administrator password (kept a few minutes).\n');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let cmd;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`fence-lens: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  switch (cmd.name) {
    case 'help':
      process.stdout.write(`${bold('fence-lens')} ${VERSION}: run a command in the Fence sandbox and see every denial.\n${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'doctor':
      return doctor();
    case 'install-helper':
      return install(cmd.yes, cmd.bpftrace);
    case 'run':
      return runCommand(cmd, VERSION);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fence-lens: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);

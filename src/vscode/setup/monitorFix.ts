// What to tell a user whose run was not watched by the monitor: why, and the exact rule or command
// that fixes it on this machine (their user name, this extension's installer). Editor-free, so the
// texts are unit-tested; ./monitorSetup shows them.

import { POLKIT_ACTION_ID } from '../../core/protocol/helperFiles';
import type { MonitorStatus } from '../../core/model';

export interface FixContext {
  /** The user the editor's extension host runs as. */
  readonly user: string;
  /** The doctor found the helper installed (undefined: not checked). */
  readonly helperInstalled: boolean | undefined;
  /** `node /path/dist/cli.js`: how this extension runs its own CLI. */
  readonly cli: string;
}

/** The states in which file writes, execs and connects were not watched. */
export function unwatched(status: Pick<MonitorStatus, 'state'>): boolean {
  return status.state === 'denied' || status.state === 'unavailable' || status.state === 'failed';
}

export const RULE_FILE = '/etc/polkit-1/rules.d/49-fence-lens.rules';

/** A polkit rule that lets exactly `user` run exactly the monitor's entry point without a password. */
export function polkitRule(user: string): string {
  return [
    `// Lets ${user} run the Fence Lens monitor without a password prompt.`,
    'polkit.addRule(function(action, subject) {',
    `    if (action.id == "${POLKIT_ACTION_ID}" && subject.user == ${JSON.stringify(user)}) {`,
    '        return polkit.Result.YES;',
    '    }',
    '});',
  ].join('\n');
}

/** A Markdown page: what happened, why it matters, and the fix for this case, ready to copy. */
export function monitorFixText(status: Pick<MonitorStatus, 'state' | 'detail'>, ctx: FixContext): string {
  const lines = [
    '# Fence Lens: file denials were not watched',
    '',
    `The monitor was **${status.state}**: ${status.detail}`,
    '',
    'Without it, only what Fence itself logs is reported (blocked network requests); denied file writes, execs and connects are not. The command itself ran normally.',
    '',
  ];
  const install = ['## Install the privileged monitor', '', 'Run **Fence: Install Privileged Monitor…**, or in a terminal:', '', '```sh', `sudo ${ctx.cli} install-helper`, '```', ''];
  const rule = [
    '## Let this user start the monitor without a password prompt',
    '',
    `A remote or web editor has no polkit agent to ask for a password, so pkexec refuses. An administrator can allow exactly \`${ctx.user}\` to run exactly the monitor's entry point:`,
    '',
    '```sh',
    `sudo tee ${RULE_FILE} >/dev/null <<'EOF'`,
    polkitRule(ctx.user),
    'EOF',
    '```',
    '',
    'polkitd reads the rule at once; the next run is watched. Alternatively, start a polkit authentication agent in your desktop session, and each run asks for the password.',
    '',
  ];
  const helperMissing = ctx.helperInstalled === false || /helper missing|install-helper|not installed|is missing/i.test(status.detail);
  if (/turned off/.test(status.detail)) {
    lines.push('## Turn the monitor on', '', 'Set `fenceLens.monitor.mode` to `auto` in your user settings.', '');
  } else if (/polkit is not running|D-Bus/i.test(status.detail)) {
    lines.push('## Start polkit', '', 'pkexec needs the system D-Bus and polkitd:', '', '```sh', 'sudo systemctl start dbus polkit', '```', '');
  } else if (status.state === 'denied' && !helperMissing) {
    lines.push(...rule);
  } else if (status.state === 'unavailable' || helperMissing) {
    // No way to escalate was found: the helper, and the permission to start it, are what it takes.
    lines.push(...install, ...rule);
  } else {
    lines.push(`## Check this machine`, '', 'The monitor started but failed. Run **Fence: Show Monitor Status** or, in a terminal:', '', '```sh', `${ctx.cli} doctor`, '```', '', 'Each failing check prints its fix.', '');
  }
  return lines.join('\n');
}

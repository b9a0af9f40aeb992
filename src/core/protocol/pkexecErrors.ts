// pkexec exits 127 for every failure; only its message tells them apart, and the user must see which.

import type { MonitorState } from '../model';

export interface PkexecFailure {
  readonly state: Extract<MonitorState, 'denied' | 'unavailable' | 'failed'>;
  readonly detail: string;
}

export function describePkexecFailure(stderr: string): PkexecFailure {
  if (/Error getting authority/i.test(stderr)) {
    return { state: 'unavailable', detail: 'polkit is not running (no system D-Bus or polkitd), so pkexec cannot ask for permission' };
  }
  if (/Request dismissed/i.test(stderr)) {
    return { state: 'denied', detail: 'the administrator password prompt was dismissed' };
  }
  if (/No authentication agent found/i.test(stderr)) {
    return { state: 'denied', detail: 'no polkit authentication agent is running to ask for the password (start one, or add a polkit rule: see README)' };
  }
  if (/Not authorized/i.test(stderr)) {
    return { state: 'denied', detail: 'polkit refused: this user is not authorized to run the Fence Lens monitor' };
  }
  const last = stderr.trim().split('\n').pop() ?? '';
  return { state: 'failed', detail: `pkexec failed (exit 127)${last ? `: ${last}` : ''}` };
}

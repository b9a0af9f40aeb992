import assert from 'node:assert/strict';
import { describePkexecFailure } from '../../src/core/protocol/pkexecErrors';

describe('describePkexecFailure (pkexec exits 127 for all of these)', () => {
  const cases: [string, string, RegExp][] = [
    ['Error executing command as another user: Not authorized\n\nThis incident has been reported.', 'denied', /not authorized/],
    ['Error executing command as another user: Request dismissed', 'denied', /dismissed/],
    ['Error executing command as another user: No authentication agent found.', 'denied', /no polkit authentication agent/],
    ['Error getting authority: Error initializing authority: Could not connect: No such file or directory', 'unavailable', /polkit is not running/],
    ['something else entirely', 'failed', /something else entirely/],
  ];
  for (const [stderr, state, detail] of cases) {
    it(`${state}: ${stderr.split('\n')[0]}`, () => {
      const d = describePkexecFailure(stderr);
      assert.equal(d.state, state);
      assert.match(d.detail, detail);
    });
  }
});

// STUB: implemented by the engine work in progress. Signature is final.
import type { RunHandle, RunOptions } from './runTypes';
export function startRun(_options: RunOptions): RunHandle {
  throw new Error('not implemented yet');
}

// The parts of the engine that start processes or parse settings (startRun with execa and the
// monitor, the doctor, the helper installer, jsonc-parser) live in their own bundle, dist/engine.js
// (entry: ./engineEntry), required on first use instead of with the extension. Compiling and
// evaluating them was most of what loading the extension cost in the extension host, and
// activation needs none of them: it only registers
// commands, views and providers. `import type` keeps the calls exactly typed.

import * as path from 'node:path';
import type * as Engine from './engineEntry';

let engine: typeof Engine | undefined;

/** The engine bundle, loaded once, on the first run, doctor check, helper install or settings edit. */
export function loadEngine(): typeof Engine {
  if (engine) return engine;
  // Not a string literal on purpose: esbuild must leave this require to run time, not bundle it.
  const file = path.join(__dirname, 'engine.js');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    engine = require(file) as typeof Engine;
  } catch (e) {
    throw new Error(`Fence Lens could not load its engine (${file}): ${e instanceof Error ? e.message : String(e)}. Reinstall the extension.`);
  }
  return engine;
}

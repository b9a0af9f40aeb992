// An optional V8 CPU profile of the extension host around one piece of work (the cold activation),
// taken in-process with node:inspector, so it needs no debugger port and no change to code-server's
// command line. The profile is what answers "where did the activation time go" (compiling and
// evaluating the bundle vs the activate() body vs VS Code's own work); open it in Chrome DevTools
// (Performance > Load profile) or VS Code.

import * as fs from 'node:fs';
import { Session } from 'node:inspector';

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err: Error | null, result?: unknown) => (err ? reject(err) : resolve(result)));
  });
}

/** Runs `work`; when `file` is given, with the CPU profiler on (100 µs sampling), written to `file`. */
export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    try {
      return await work();
    } finally {
      const stopped = (await post(session, 'Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(file, JSON.stringify(stopped.profile));
    }
  } finally {
    session.disconnect();
  }
}

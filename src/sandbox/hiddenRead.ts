// Was an ENOENT lookup inside the sandbox a read the sandbox refused by hiding the path? Fence hides
// a denyRead directory under an empty tmpfs and, with defaultDenyRead, leaves unlisted paths out, so
// a read there fails with ENOENT, like the ordinary lookups (PATH search, config probing) every
// program makes. The privileged program cannot tell them apart without workspace strings, so it
// records ENOENT lookups within a budget of their own and this side decides, as the user, on the
// host: the path is hidden if the host has it and had it before the run began (a file the command
// created after its own lookup, in a directory it may write, was born during the run).

import { statSync } from 'node:fs';
import type { ViolationInput } from '../core/model';

/** Pseudo file systems whose view differs in the sandbox by design (its own PID namespace, devices). */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** The predicate for MonitorDecoder's hiddenLookup: `runStartMs` is when the run began. */
export function hiddenReadCheck(runStartMs: number): (v: ViolationInput) => boolean {
  return (v) => {
    const t = v.target;
    // A path not named exactly (relative with no walk, cut, not UTF-8) cannot be checked on the host.
    if (!t.startsWith('/') || v.truncated || v.targetBytes !== undefined) return false;
    if (PSEUDO_ROOTS.some((d) => t === d || t.startsWith(`${d}/`))) return false;
    try {
      const st = statSync(t);
      // Birth time where the file system keeps one; else the last status change, which is later.
      const born = st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
      return born < runStartMs;
    } catch {
      return false; // absent on the host too (an ordinary lookup), or not the user's to see
    }
  };
}

// Generates the fixed bpftrace program the privileged monitor runs. Its only inputs are the
// syscall table and errno lists of this package: no workspace or sandbox string ever reaches it.
// At run time the privileged entry point substitutes TOKEN_PLACEHOLDER with a validated hex token and
// passes two integers ($1 = root PID of the sandbox tree, $2 = owner PID) on argv.
//
// Record grammar (one record per printf; a user-controlled string may contain newlines, so the
// reader joins physical lines until the closing token):
//   T|BEGIN|<version>|<root>|<owner>|<nsecs>|T
//   T|READY|<child pid>|T                      every probe is attached (see the exec probe)
//   T|F|<nr>|<pid>|<tid>|<ret>|<nsecs>|<uid>|T|<comm>|T|<path>|T          file op, one path
//   T|F2|<nr>|<pid>|<tid>|<ret>|<nsecs>|0|T|<comm>|T|<path>|T            two-path op, first path
//   T|P2|<nr>|<pid>|<tid>|<ret>|<nsecs>|0|T|<comm>|T|<path>|T            ... its second path
//   T|N|<nr>|<pid>|<tid>|<ret>|<nsecs>|<uid>|<family>|<port>|T|<comm>|T|<addr>|T   connect/bind
//   T|S|<nr>|<pid>|<tid>|<ret>|<nsecs>|<uid>|T|<comm>|T||T               seccomp-blockable syscall, EPERM
//   T|COUNTS|T, then bpftrace's own "@cnt[<uid>]: <n>" lines, then T|COUNTS_END|T
//   T|EXIT|root|<pid>|<nsecs>|T   T|EXIT|owner|<pid>|<nsecs>|T   T|END|<nsecs>|T
// F, N and S records are emitted once per distinct (syscall, errno, comm, path/address); repeats
// are counted in the kernel under <uid> and reported in COUNTS blocks (every second and at the
// end). This is what keeps a storm of 200k identical denials cheap: printing every event was the
// measured cost of Fence's own monitor. When the dedup map is full, records are printed each time
// with uid 0, so nothing is ever under-counted.

import { FILE_DENIAL_ERRNOS, SOCKET_DENIAL_ERRNOS } from './errno';
import { SECCOMP_SYSCALLS, TRACED_SYSCALLS } from './syscalls';

export const TOKEN_PLACEHOLDER = '@@FENCE_LENS_TOKEN@@';
/** Bumped whenever the record grammar changes, so a stale installed helper is detected. */
export const PROGRAM_VERSION = 7;
/** How long the program keeps draining after the run's root or owner exits. */
const DRAIN_NS = 150_000_000;
/** bpftrace 0.17's maximum; a string of STRLEN - 1 bytes may have been cut. */
export const STRLEN = 200;
/** Distinct denials deduplicated in the kernel per run; past this each event is printed. */
export const KERNEL_DEDUP_KEYS = 16384;

function anyOf(variable: string, values: readonly number[]): string {
  return values.map((v) => `${variable} == ${v}`).join(' || ');
}

// bpftrace 0.17 re-reads /sys/kernel/tracing/available_events for every `args->` expression while
// compiling (measured by the benchmarks: 612 reads, most of the attach time), so each probe reads
// the fields it needs once, into variables, and branches on those.
function enterProbe(): string {
  const byArgs = new Map<string, { nrs: number[]; body: string }>();
  const add = (key: string, nr: number, body: string): void => {
    const e = byArgs.get(key) ?? { nrs: [], body };
    e.nrs.push(nr);
    byArgs.set(key, e);
  };
  for (const s of TRACED_SYSCALLS) {
    if (s.shape.kind === 'path') add(`p${s.shape.arg}`, s.nr, `@a1[tid] = $a${s.shape.arg};`);
    else if (s.shape.kind === 'twoPaths') add(`t${s.shape.first}${s.shape.second}`, s.nr, `@b1[tid] = $a${s.shape.first}; @b2[tid] = $a${s.shape.second};`);
    else add(`s${s.shape.arg}`, s.nr, `@sa[tid] = $a${s.shape.arg};`);
  }
  const lines: string[] = [];
  let first = true;
  for (const { nrs, body } of byArgs.values()) {
    lines.push(`  ${first ? 'if' : '} else if'} (${anyOf('$id', nrs)}) {`, `    ${body}`);
    first = false;
  }
  lines.push('  }');
  const reads = ['  $id = args->id;', '  $a0 = args->args[0];', '  $a1 = args->args[1];', '  $a2 = args->args[2];', '  $a3 = args->args[3];'];
  return ['tracepoint:raw_syscalls:sys_enter /@tracked[tid] == 2/ {', ...reads, ...lines, '}'].join('\n');
}

/** The program text with TOKEN_PLACEHOLDER in it. Deterministic: install-helper writes it once. */
export function monitorProgram(): string {
  const T = TOKEN_PLACEHOLDER;
  const fileErr = anyOf('$r', FILE_DENIAL_ERRNOS.map((e) => -e));
  const sockErr = anyOf('$r', SOCKET_DENIAL_ERRNOS.map((e) => -e));
  const seccomp = anyOf('$id', SECCOMP_SYSCALLS);
  const counts = `printf("${T}|COUNTS|${T}\\n"); print(@cnt); printf("${T}|COUNTS_END|${T}\\n");`;
  return `// Fence Lens privileged monitor, program version ${PROGRAM_VERSION}. Generated; do not edit.
BEGIN {
  @tracked[$1] = 1;
  printf("${T}|BEGIN|${PROGRAM_VERSION}|%d|%d|%llu|${T}\\n", $1, $2, nsecs);
}
// @tracked: 1 = in the run's tree (the gate, fence, its helpers), 2 = inside the sandbox (bwrap
// and everything it starts). Only 2 is reported: fence's own failures are not sandbox denials.
tracepoint:sched:sched_process_fork /@tracked[tid]/ {
  @tracked[args->child_pid] = @tracked[tid];
}
// A multithreaded process (fence's Go landlock wrapper inside the sandbox) may exec from a
// non-leader thread: the kernel kills the old leader first (its sched_process_exit deletes
// @tracked[pid]) and the exec'ing thread takes over the pid. Re-key from old_pid, or the command
// and everything it starts go untracked (seen as empty reports in ~1 of 13 runs).
tracepoint:sched:sched_process_exec {
  $o = args->old_pid;
  $v = @tracked[$o];
  if ($v != 0) {
    $n = args->pid;
    if ($v == 1 && comm == "bwrap") {
      $v = 2;
    }
    @tracked[$n] = $v;
    if ($o != $n) {
      delete(@tracked[$o]);
    }
  }
}
// The root's or the owner's exit ends the run, but not at once: records from other CPUs may still
// sit in their ring buffers, and exit() right away lost them under load (seen in CI: a rename and a
// chmod made just before the command ended never arrived). The interval probe exits 150 ms later.
tracepoint:sched:sched_process_exit {
  $p = args->pid;
  if (@tracked[$p]) {
    delete(@tracked[$p]);
  }
  if ($p == $2) {
    printf("${T}|EXIT|owner|%d|%llu|${T}\\n", $2, nsecs);
    @ending = nsecs;
  }
  if ($p == $1) {
    printf("${T}|EXIT|root|%d|%llu|${T}\\n", $1, nsecs);
    @ending = nsecs;
  }
}
interval:ms:50 {
  if (@ending != 0 && nsecs - @ending > ${DRAIN_NS}) {
    exit();
  }
}
${enterProbe()}
// Three exit probes instead of one: a single probe holding every branch overflows the 512-byte BPF
// stack (bpftrace 0.17 gives each str() its own slot), measured on these machines.
tracepoint:raw_syscalls:sys_exit /@a1[tid]/ {
  $r = args->ret;
  $id = args->id;
  $p = @a1[tid];
  delete(@a1[tid]);
  if (${fileErr}) {
    $u = @uid[$id, $r, comm, str(uptr($p))];
    if ($u == 0) {
      $t = nsecs;
      @uid[$id, $r, comm, str(uptr($p))] = $t;
      printf("${T}|F|%d|%d|%d|%d|%llu|%llu|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, $t, comm, str(uptr($p)));
    } else {
      @cnt[$u] = count();
    }
  }
}
tracepoint:raw_syscalls:sys_exit /@b1[tid]/ {
  $r = args->ret;
  $id = args->id;
  $p = @b1[tid];
  $q = @b2[tid];
  delete(@b1[tid]);
  delete(@b2[tid]);
  if (${fileErr}) {
    $t = nsecs;
    printf("${T}|F2|%d|%d|%d|%d|%llu|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($p)));
    printf("${T}|P2|%d|%d|%d|%d|%llu|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($q)));
  }
}
tracepoint:raw_syscalls:sys_exit /@tracked[tid] == 2/ {
  $r = args->ret;
  $id = args->id;
  $s = @sa[tid];
  if ($s != 0) {
    delete(@sa[tid]);
    if (${sockErr}) {
      $fam = *(uint16 *)uptr($s);
      $t = nsecs;
      if ($fam == 2) {
        $s4 = (struct sockaddr_in *)uptr($s);
        $port = $s4->sin_port;
        printf("${T}|N|%d|%d|%d|%d|%llu|0|2|%d|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t,
               (($port & 0xff) << 8) | (($port >> 8) & 0xff), comm, ntop(2, $s4->sin_addr.s_addr));
      } else if ($fam == 10) {
        $s6 = (struct sockaddr_in6 *)uptr($s);
        $port = $s6->sin6_port;
        printf("${T}|N|%d|%d|%d|%d|%llu|0|10|%d|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t,
               (($port & 0xff) << 8) | (($port >> 8) & 0xff), comm, ntop(10, $s6->sin6_addr.in6_u.u6_addr8));
      } else if ($fam == 1) {
        printf("${T}|N|%d|%d|%d|%d|%llu|0|1|0|${T}|%s|${T}|%s|${T}\\n", $id, pid, tid, $r, $t, comm, str(uptr($s + 2)));
      } else {
        printf("${T}|N|%d|%d|%d|%d|%llu|0|%d|0|${T}|%s|${T}||${T}\\n", $id, pid, tid, $r, $t, $fam, comm);
      }
    }
  } else if ($r == -1 && (${seccomp})) {
    $v = @suid[$id, comm];
    if ($v == 0) {
      $t = nsecs;
      @suid[$id, comm] = $t;
      printf("${T}|S|%d|%d|%d|%d|%llu|%llu|${T}|%s|${T}||${T}\\n", $id, pid, tid, $r, $t, $t, comm);
    } else {
      @cnt[$v] = count();
    }
  }
}
interval:s:1 {
  ${counts}
}
// BEGIN fires before the other probes are attached, so it proves nothing (and a command released on
// BEGIN sometimes ran before raw_syscalls was attached: seen as empty reports under load). bpftrace
// starts its -c child only after attaching every probe; the child's exec is the proof.
tracepoint:sched:sched_process_exec /pid == cpid/ {
  printf("${T}|READY|%d|${T}\\n", cpid);
}
END {
  ${counts}
  printf("${T}|END|%llu|${T}\\n", nsecs);
  clear(@tracked); clear(@ending); clear(@a1); clear(@b1); clear(@b2); clear(@sa); clear(@uid); clear(@suid); clear(@cnt);
}
`;
}

/** Environment the privileged side sets for bpftrace (kept here so both launch paths agree). */
export const BPFTRACE_ENV: Readonly<Record<string, string>> = {
  BPFTRACE_STRLEN: String(STRLEN),
  BPFTRACE_MAP_KEYS_MAX: String(KERNEL_DEDUP_KEYS),
  BPFTRACE_PERF_RB_PAGES: '256',
};

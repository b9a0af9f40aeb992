// The real-workload suite's ground truth must itself be right: which tasks are the user's command,
// and the directory a relative path is relative to (cwd after chdir, a dirfd, AT_FDCWD's path).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStraceTruth, unquote } from '../realworld/straceTruth';

describe('readStraceTruth (the real-workload suite\'s strace parser)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fl-strace-'));
    // fence (100) sets up bwrap (101), whose mount fails: setup. bwrap's child (102) runs the
    // workload script and forks 103 (mkdir -p after chdir), 104 (cp with a dirfd) and 105 (git's EBUSY).
    const files: Record<number, string[]> = {
      100: ['execve("/usr/local/bin/fence", ["fence", "-m"], 0x1 /* 3 vars */) = 0', 'clone(child_stack=NULL, flags=SIGCHLD) = 101'],
      101: [
        'execve("/usr/bin/bwrap", ["bwrap"], 0x1 /* 3 vars */) = 0',
        // Fence v0.1.66's bootstrap names the script in its own argv: still setup
        'execve("/usr/local/bin/fence", ["fence", "--bootstrap", "--", "/bin/sh", "/ws/.fl-workload.sh"], 0x1 /* 3 vars */) = 0',
        'mount("none", "/", NULL, MS_REC|MS_SLAVE, NULL) = -1 EPERM (Operation not permitted)',
        'clone3({flags=CLONE_NEWPID, exit_signal=SIGCHLD}, 88) = 2 /* 102 in strace\'s PID NS */',
      ],
      102: [
        'execve("/bin/sh", ["/bin/sh", "/ws/.fl-workload.sh"], 0x1 /* 3 vars */) = 0',
        'openat(AT_FDCWD</ws>, "/etc/x", O_WRONLY|O_CREAT, 0666) = -1 EROFS (Read-only file system)',
        'vfork()                                 = 3 /* 103 in strace\'s PID NS */',
        'vfork()                                 = 4 /* 104 in strace\'s PID NS */',
        'vfork()                                 = 5 /* 105 in strace\'s PID NS */',
        'openat(AT_FDCWD</ws>, "ok", O_RDONLY) = 3</ws/ok>',
      ],
      103: ['chdir("/usr/local/share")              = 0', 'mkdir("man3", 0755)            = -1 EROFS (Read-only file system)', 'mkdir("caf\\xc3\\xa9 \\"q\\"", 0755) = -1 EACCES (Permission denied)', 'stat("/etc/passwd", 0x7ffd) = -1 ENOENT (No such file or directory)', 'access("/fl-absent-on-host", R_OK) = -1 ENOENT (No such file or directory)'],
      104: ['openat(4</usr/local/lib>, "libz.a", O_WRONLY|O_CREAT|O_EXCL, 0644) = -1 EROFS (Read-only file system)', 'symlinkat("../f", 4</usr/local/bin>, "link") = -1 EROFS (Read-only file system)'],
      105: ['rename("config.lock", "/ws/.git/../../home/u/.gitconfig") = -1 EBUSY (Device or resource busy)', 'mkdir("/tmp/ok", 0755) = -1 EEXIST (File exists)'],
    };
    for (const [pid, lines] of Object.entries(files)) writeFileSync(path.join(dir, `t.${pid}`), lines.join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the command\'s subtree apart from setup and resolves every relative path where the kernel did', () => {
    // an ENOENT lookup counts as a hidden read only where the host had the path before the run
    const got = readStraceTruth(dir, 't', '/ws/.fl-workload.sh', '/ws', Date.now()).map((d) => [d.inCommand, d.operation, d.target, d.relatedPath ?? null, d.errno, d.pid]);
    assert.deepEqual(got, [
      [false, 'mount', '/', null, 1, 101],
      [true, 'openat', '/etc/x', null, 30, 102],
      [true, 'mkdir', '/usr/local/share/man3', null, 30, 103],
      [true, 'mkdir', '/usr/local/share/café "q"', null, 13, 103],
      [true, 'stat', '/etc/passwd', null, 2, 103],
      [true, 'openat', '/usr/local/lib/libz.a', null, 30, 104],
      [true, 'symlinkat', '/usr/local/bin/link', '../f', 30, 104],
      [true, 'rename', '/ws/config.lock', '/home/u/.gitconfig', 16, 105],
    ]);
  });
  it('unquotes strace strings: hex, octal, C escapes and a cut string', () => {
    assert.equal(unquote('"a\\x41\\101\\n\\t\\"\\\\"'), 'aAA\n\t"\\');
    assert.equal(unquote('"abc"...'), 'abc');
    assert.equal(unquote('NULL'), null);
  });
});

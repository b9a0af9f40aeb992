import assert from 'node:assert/strict';
import { errnoByMessage, errnoInfo, FILE_DENIAL_ERRNOS, MOUNT_DENIAL_ERRNOS, SOCKET_DENIAL_ERRNOS } from '../../src/core/protocol/errno';
import { monitorProgram } from '../../src/core/protocol/monitorProgram';

describe('errno table', () => {
  it('has the Linux values (the seed had -2 as EPERM, -24 as EACCES, -110 as ECONNREFUSED)', () => {
    const want: [number, string, string][] = [
      [1, 'EPERM', 'Operation not permitted'], [2, 'ENOENT', 'No such file or directory'], [13, 'EACCES', 'Permission denied'], [16, 'EBUSY', 'Device or resource busy'], [18, 'EXDEV', 'Invalid cross-device link'],
      [17, 'EEXIST', 'File exists'], [20, 'ENOTDIR', 'Not a directory'], [21, 'EISDIR', 'Is a directory'], [22, 'EINVAL', 'Invalid argument'],
      [30, 'EROFS', 'Read-only file system'], [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'], [101, 'ENETUNREACH', 'Network is unreachable'],
      [111, 'ECONNREFUSED', 'Connection refused'], [113, 'EHOSTUNREACH', 'No route to host'],
    ];
    for (const [n, name, msg] of want) assert.deepEqual(errnoInfo(n), { errno: n, name, message: msg });
  });
  it('finds an errno from strerror text', () => {
    assert.equal(errnoByMessage('Read-only file system')?.errno, 30);
  });
  it('filters exactly the denial errnos in the program (the seed filtered -23, -12, -0, -33, -24, -142)', () => {
    assert.deepEqual(FILE_DENIAL_ERRNOS, [1, 13, 30]);
    assert.deepEqual(SOCKET_DENIAL_ERRNOS, [1, 13, 99, 101, 111]);
    const program = monitorProgram();
    assert.ok(program.includes('$r == -1 || $r == -13 || $r == -30'));
    assert.ok(program.includes('$r == -1 || $r == -13 || $r == -99 || $r == -101 || $r == -111'));
    // `||` not `&&` between alternatives: the seed's `&&` could never match.
    assert.ok(!/\$r == -\d+ && \$r == -\d+/.test(program));
  });
  it('catches EBUSY and EXDEV on the rename/unlink/rmdir/link family only (git\'s rename onto a bind-mounted .git/config)', () => {
    assert.deepEqual(MOUNT_DENIAL_ERRNOS, [16, 18]);
    for (const variant of ['legacy', 'modern'] as const) {
      assert.ok(monitorProgram(variant).includes('|| (($r == -16 || $r == -18) && ($id == 82 || $id == 264 || $id == 316 || $id == 87 || $id == 263 || $id == 84 || $id == 86 || $id == 265))) {'), variant);
    }
  });
});

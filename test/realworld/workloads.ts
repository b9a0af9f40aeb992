// The real workloads: real tools, real inputs (fetched beforehand by scripts/realworld-inputs.sh),
// each run inside Fence with `allowWrite: ["."]` and no allowed domains, offline. Each is a shell
// script run from a fresh workspace; its stdout goes to stderr so the report alone is on stdout.

export interface Workload {
  readonly name: string;
  /** What a user would type, with the cache's inputs; runs in the workspace. */
  readonly script: (cache: string) => string;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'git',
    script: () => `git init -q repo && cd repo
git config --global user.name fence-lens-realworld
git config --global core.autocrlf input
git config user.email rw@example.invalid
echo hello > f && git add f
git -c user.name=rw commit -qm first
git config --global --unset core.autocrlf`,
  },
  {
    name: 'npm',
    script: (cache) => `npm init -y >/dev/null
npm install --offline --no-audit --no-fund ${cache}/npm/is-number-7.0.0.tgz`,
  },
  {
    name: 'pip',
    script: (cache) => `python3 -m pip install --user --no-index --no-deps --no-warn-script-location ${cache}/pip/six-1.16.0-py2.py3-none-any.whl`,
  },
  {
    name: 'make',
    script: (cache) => `cp -r ${cache}/zlib zlib && cd zlib
./configure --prefix=/usr/local >/dev/null
make -j2 >/dev/null
make install`,
  },
  {
    name: 'go',
    script: (cache) => `cp -r ${cache}/gomod/github.com/google/uuid@v1.6.0 uuid && chmod -R u+w uuid && cd uuid
GOFLAGS=-mod=mod GOPROXY=off GOMODCACHE=${cache}/gomod go test ./...`,
  },
  {
    name: 'coreutils',
    script: () => `echo data > f
install -d /usr/local/share/fence-lens-rw/man3
install -D -m 644 f /usr/local/share/fence-lens-rw/doc/f
mkdir -p /opt/fence-lens-rw/a/b
ln -s "$PWD/f" /usr/local/bin/fence-lens-rw-link
cp f /etc/fence-lens-rw.conf
mv f /var/tmp/fence-lens-rw-moved`,
  },
];

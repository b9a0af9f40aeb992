// The real workloads: real tools, real inputs (fetched beforehand by scripts/realworld-inputs.sh),
// each run inside Fence with `allowWrite: ["."]` and no allowed domains, offline. Each is a shell
// script run from a fresh workspace; its stdout goes to stderr so the report alone is on stdout.

export interface Workload {
  readonly name: string;
  /** What a user would type, with the cache's inputs; runs in the workspace. */
  readonly script: (cache: string) => string;
  /** Files the host has before the run, made in the fresh workspace `ws`. */
  readonly prepare?: (ws: string) => Readonly<Record<string, string>>;
  /** Fence settings beside `allowWrite: ["."]`, e.g. `filesystem.denyRead`. */
  readonly settings?: (ws: string) => Readonly<Record<string, string[]>>;
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
    // A user who hides their tools' configuration (denyRead): git, pip and cat then find nothing
    // where the host has files, and fail with ENOENT or quietly use defaults.
    name: 'denyread',
    prepare: () => ({
      'home/.config/git/config': '[user]\n\tname = fence-lens-realworld\n',
      'home/.config/pip/pip.conf': '[global]\ntimeout = 7\n',
      'home/.config/fl-rw/settings.ini': 'x = 1\n',
    }),
    settings: (ws) => ({ 'filesystem.denyRead': [`${ws}/home/.config`] }),
    script: () => `export HOME="$PWD/home"; unset XDG_CONFIG_HOME
git config --global --list
python3 -m pip config list
cat home/.config/fl-rw/settings.ini
test -e home/.config/git/config || echo "git's config is hidden"
exit 0`,
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

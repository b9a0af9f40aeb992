#!/bin/bash
# Fetches the real-workload suite's inputs once, with the network, outside any sandbox, into a
# root-owned cache outside the repository (default /var/cache/fence-lens/realworld). The suite then
# runs offline: the sandbox has no network. Idempotent: what is there is not fetched again.
#   npm: a package tarball (npm pack); pip: a wheel (pip download); make: zlib's Debian source
#   (apt-get source, with a private source list so the machine's apt setup is untouched);
#   go: github.com/google/uuid from the Go proxy into a module cache of its own.
set -euo pipefail
CACHE=${FENCE_LENS_REALWORLD_CACHE:-/var/cache/fence-lens/realworld}
[ "$(id -u)" = 0 ] || { echo "realworld-inputs: run as root (the cache is root-owned)" >&2; exit 1; }
install -d -m 0755 -o root -g root "$CACHE"
cd "$CACHE"

if [ ! -f npm/is-number-7.0.0.tgz ]; then
  mkdir -p npm && (cd npm && npm pack --silent is-number@7.0.0 >/dev/null)
fi
if ! ls pip/six-1.16.0-*.whl >/dev/null 2>&1; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d pip six==1.16.0
fi
if [ ! -f zlib/configure ]; then
  rm -rf apt zlib zlib-src && mkdir -p apt/lists/partial apt/archives/partial zlib-src
  echo 'deb-src http://deb.debian.org/debian bookworm main' > apt/sources.list
  APT=(-o Dir::Etc::SourceList="$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
       -o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt")
  apt-get "${APT[@]}" -qq update
  (cd zlib-src && apt-get "${APT[@]}" -qq source --download-only zlib >/dev/null)
  dsc=$(ls zlib-src/*.dsc | head -1)
  dpkg-source --no-check -x "$dsc" zlib >/dev/null
  rm -rf apt
fi
if [ ! -d gomod/cache/download/github.com/google/uuid ]; then
  mkdir -p gomod
  GOMODCACHE="$CACHE/gomod" GOFLAGS=-mod=mod GOPATH="$CACHE/gopath" go mod download github.com/google/uuid@v1.6.0
  rm -rf "$CACHE/gopath"
fi
chmod -R a+rX "$CACHE"
echo "realworld-inputs: ready in $CACHE"

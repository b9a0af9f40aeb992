#!/usr/bin/env bash
# bpftrace 0.23 for the test rig and the benchmarks: Debian 13's own bpftrace package in a
# `debootstrap --variant=minbase trixie` chroot, with the kernel interfaces it needs bound in, and a
# root-owned wrapper that runs it. Only Debian's packages; the host's apt configuration is not touched.
#   bash scripts/bpftrace-chroot.sh up       build once (about 40 s, ~120 MB downloaded), bind, write the wrapper
#   bash scripts/bpftrace-chroot.sh down     unmount the binds (the chroot stays)
#   bash scripts/bpftrace-chroot.sh remove   unmount, then delete the chroot and the wrapper
#   bash scripts/bpftrace-chroot.sh status   print the wrapper's path and bpftrace version; exit 1 if not ready
# Run as root; idempotent. FENCE_LENS_RIG_DIR moves the rig (default /var/lib/fence-lens).
#
# Why so careful: the helper runs this wrapper as root, so every directory from / to it must be
# root-owned and writable by root alone (a chroot under /tmp could be pre-created by an ordinary user
# who would then own what root runs). And a chroot is never deleted while anything is mounted inside
# it: `rm -rf` through a bind of /dev or /sys deletes the host's own device nodes and sysfs content.
set -euo pipefail

BASE=${FENCE_LENS_RIG_DIR:-/var/lib/fence-lens}
ROOT=$BASE/trixie
WRAPPER=$BASE/bin/bpftrace-0.23
MARKER=$ROOT/.fence-lens-rig
MIRROR=http://deb.debian.org/debian
# Bound into the chroot when they are mount points on the host (parents first); one that is not is
# part of its parent's mount (here /sys/kernel/btf and /sys/fs/bpf are plain sysfs directories).
BINDS=(/proc /sys /sys/kernel/tracing /sys/kernel/btf /sys/fs/bpf /dev)

die() { echo "bpftrace-chroot: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root"
case "$BASE" in /*) ;; *) die "FENCE_LENS_RIG_DIR must be absolute: $BASE" ;; esac

# Refuses a path (or any directory above it) that is not root-owned, is writable by group or others,
# or is reached through a symbolic link. Missing trailing components are fine (they will be created
# by root under a checked parent).
check_owned() {
  local p=$1 cur='' part owner mode parts
  [ "$(realpath -m -- "$p")" = "$p" ] || die "$p goes through a symbolic link or is not canonical: refused"
  IFS=/ read -ra parts <<<"$p"
  for part in '' "${parts[@]}"; do
    [ -n "$part" ] || [ -z "$cur" ] || continue
    cur="${cur%/}/$part"
    [ -e "$cur" ] || return 0
    read -r owner mode < <(stat -c '%u %a' -- "$cur")
    [ "$owner" = 0 ] || die "$cur is owned by uid $owner, not root: refused (remove it, then rerun)"
    (( (8#$mode & 8#022) == 0 )) || die "$cur is writable by group or others (mode $mode): refused"
  done
}

# Mount points at or below a directory, deepest first (stacked mounts appear once per layer).
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

unmount_all() {
  local dir=$1 m tries=0
  while [ -n "$(mounts_under "$dir")" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 10 ] || die "still mounted under $dir after 10 attempts: $(mounts_under "$dir" | tr '\n' ' ')"
    for m in $(mounts_under "$dir"); do umount -- "$m" 2>/dev/null || true; done
    [ -z "$(mounts_under "$dir")" ] || sleep 0.5
  done
}

# Deletes a tree only once nothing is mounted under it, and never crosses into another file system.
remove_tree() {
  local dir=$1
  [ -e "$dir" ] || return 0
  check_owned "$dir"
  unmount_all "$dir"
  [ -z "$(mounts_under "$dir")" ] || die "refusing to delete $dir: mounts remain under it"
  rm -rf --one-file-system -- "$dir"
}

bind_all() {
  local src dst
  for src in "${BINDS[@]}"; do
    mountpoint -q "$src" || continue
    dst=$ROOT$src
    mountpoint -q "$dst" && continue
    mkdir -p -- "$dst"
    mount --bind "$src" "$dst"
    # Private: nothing mounted or unmounted here propagates back to the host's tree, or the reverse.
    mount --make-private "$dst"
  done
}

write_wrapper() {
  local tmp
  install -d -o root -g root -m 0755 "$BASE/bin"
  tmp=$(mktemp "$BASE/bin/.bpftrace-0.23.XXXXXX")
  cat >"$tmp" <<EOF
#!/bin/sh
# bpftrace 0.23 from Debian 13's package, in the chroot $ROOT (made by scripts/bpftrace-chroot.sh).
# The chroot needs its binds of /proc, /sys and /dev: after a reboot, rerun scripts/bpftrace-chroot.sh up.
[ -e $ROOT/sys/kernel/btf/vmlinux ] && [ -e $ROOT/proc/self/stat ] && [ -c $ROOT/dev/null ] \\
  || { echo "bpftrace-0.23: $ROOT is not mounted: run scripts/bpftrace-chroot.sh up as root" >&2; exit 127; }
exec /usr/sbin/chroot $ROOT /usr/bin/bpftrace "\$@"
EOF
  chown root:root "$tmp"
  chmod 0755 "$tmp"
  mv -f -- "$tmp" "$WRAPPER"
}

build() {
  local new=$BASE/trixie.new old=$BASE/trixie.old t0=$SECONDS
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  remove_tree "$new"
  echo "bpftrace-chroot: debootstrap --variant=minbase trixie $new $MIRROR"
  debootstrap --variant=minbase trixie "$new" "$MIRROR" >"$BASE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$BASE/debootstrap.log" >&2; unmount_all "$new"; die "debootstrap failed (log: $BASE/debootstrap.log)"; }
  echo "bpftrace-chroot: apt-get install bpftrace (in the chroot, $((SECONDS - t0)) s so far)"
  chroot "$new" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >"$BASE/apt.log" 2>&1 \
    || { tail -n 20 "$BASE/apt.log" >&2; die "apt-get install bpftrace failed in the chroot (log: $BASE/apt.log)"; }
  chroot "$new" apt-get clean
  chroot "$new" /usr/bin/bpftrace --version >"$new/.fence-lens-rig"
  # Swap in place, so a rig that was there (even a hand-made one) is replaced in one rename.
  if [ -e "$ROOT" ]; then
    unmount_all "$ROOT"
    remove_tree "$old"
    mv -- "$ROOT" "$old"
  fi
  mv -- "$new" "$ROOT"
  remove_tree "$old"
  echo "bpftrace-chroot: built $ROOT ($(cat "$MARKER"), $((SECONDS - t0)) s)"
}

status() {
  [ -f "$MARKER" ] || { echo "bpftrace-chroot: not built ($ROOT)"; return 1; }
  [ -x "$WRAPPER" ] || { echo "bpftrace-chroot: no wrapper at $WRAPPER"; return 1; }
  local v
  v=$("$WRAPPER" --version 2>&1) || { echo "bpftrace-chroot: $v"; return 1; }
  echo "$WRAPPER: $v"
}

case "${1:-up}" in
  up)
    check_owned "$BASE"
    install -d -o root -g root -m 0755 "$BASE"
    check_owned "$ROOT"
    [ -f "$MARKER" ] || build
    check_owned "$ROOT"
    check_owned "$ROOT/usr/bin/bpftrace"
    bind_all
    check_owned "$WRAPPER"
    write_wrapper
    status
    ;;
  down)
    check_owned "$ROOT"
    unmount_all "$ROOT"
    ;;
  remove)
    check_owned "$BASE"
    rm -f -- "$WRAPPER"
    remove_tree "$ROOT"
    remove_tree "$BASE/trixie.new"
    remove_tree "$BASE/trixie.old"
    rm -f -- "$BASE/debootstrap.log" "$BASE/apt.log"
    rmdir --ignore-fail-on-non-empty -- "$BASE/bin" 2>/dev/null || true
    ;;
  status) status ;;
  *) die "usage: bpftrace-chroot.sh up|down|remove|status" ;;
esac

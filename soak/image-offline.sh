#!/usr/bin/env bash
# soak/image-offline.sh — makes the soak stack's image, leakbench/log-capturer:local,
# on a host WITHOUT registry access (soak/Dockerfile needs debian:12 from a
# registry): the binaries already built on this host, their shared libraries
# (ldd), bash (for the health check and the soak wrapper), the scenarios and
# the same users, directories, entrypoint and command as soak/Dockerfile are
# staged into a root file system and `docker import`ed.
#
#   soak/image-offline.sh [-b BUILD_DIR] [-t TAG] [-H DOCKER_HOST] [--no-strip]
#                         [--rootfs-only DIR]
#
#   -b BUILD_DIR      where the binaries are (default: build/release), as
#                     built by: cmake --preset release && cmake --build --preset release \
#                               --target log-capturer leakbench fake-dockerd
#   -t TAG            image tag (default: leakbench/log-capturer:local)
#   -H DOCKER_HOST    daemon to import into (default: $DOCKER_HOST or the docker CLI's default)
#   --no-strip        keep the debug info (the Dockerfile strips it)
#   --rootfs-only DIR stage the root file system into DIR (must not exist) and stop
#
# Then `docker-compose up -d` uses the image as it is (no --build).
# Needs root (the staged tree is chowned for the non-root user 10001), the
# docker CLI (unless --rootfs-only), ldd and GNU tar. Exit 0 on success, 1 on
# failure, 2 on bad usage.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$repo/build/release
tag=leakbench/log-capturer:local
docker_host=${DOCKER_HOST:-}
strip_debug=1
rootfs_only=

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "image-offline: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    -b) [ $# -ge 2 ] || { usage >&2; exit 2; }; build_dir=$2; shift 2 ;;
    -t) [ $# -ge 2 ] || { usage >&2; exit 2; }; tag=$2; shift 2 ;;
    -H) [ $# -ge 2 ] || { usage >&2; exit 2; }; docker_host=$2; shift 2 ;;
    --no-strip) strip_debug=0; shift ;;
    --rootfs-only) [ $# -ge 2 ] || { usage >&2; exit 2; }; rootfs_only=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "image-offline: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root: the staged tree is chowned for uid 10001"
command -v ldd >/dev/null || die "ldd not found (Debian: libc-bin)"
command -v tar >/dev/null || die "tar not found"
docker=()
if [ -z "$rootfs_only" ]; then
  command -v docker >/dev/null || die "docker CLI not found (Debian: docker.io)"
  docker=(docker)
  [ -n "$docker_host" ] && docker+=(-H "$docker_host")
fi

binaries=(
  "$build_dir/core/app/log-capturer"
  "$build_dir/harness/run/leakbench"
  "$build_dir/fakes/fake-dockerd"
)
for b in "${binaries[@]}"; do
  [ -x "$b" ] || die "$b is missing; build it first: cmake --preset release && cmake --build --preset release --target log-capturer leakbench fake-dockerd (or pass -b BUILD_DIR)"
done
bash_bin=$(readlink -f "$(command -v bash)")

if [ -n "$rootfs_only" ]; then
  [ ! -e "$rootfs_only" ] || die "$rootfs_only exists; give a new directory"
  mkdir -p "$rootfs_only"
  root=$(cd "$rootfs_only" && pwd)
  work=
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/leakbench-image.XXXXXX")
  root=$work/rootfs
  mkdir "$root"
fi
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$root"/{usr/local/bin,bin,etc,tmp,results,var/lib/log-capturer,opt/leakbench,lib64}
chmod 1777 "$root/tmp"

# The binaries, without debug info unless asked (as the Dockerfile does).
for b in "${binaries[@]}"; do
  dst=$root/usr/local/bin/$(basename "$b")
  if [ "$strip_debug" = 1 ] && command -v strip >/dev/null; then
    strip --strip-debug -o "$dst" "$b"
  else
    cp "$b" "$dst"
  fi
done
cp "$bash_bin" "$root/bin/bash"
ln -s bash "$root/bin/sh"
install -m 0755 "$repo/soak/healthcheck.sh" "$root/usr/local/bin/log-capturer-healthcheck"
install -m 0755 "$repo/soak/leakbench-soak.sh" "$root/usr/local/bin/leakbench-soak"
cp -r "$repo/scenarios" "$root/opt/leakbench/scenarios"

# Shared libraries, at the paths ldd resolves them to (the loader included).
libs=()
for exe in "$root"/usr/local/bin/log-capturer "$root"/usr/local/bin/leakbench \
           "$root"/usr/local/bin/fake-dockerd "$root/bin/bash"; do
  out=$(ldd "$exe") || die "ldd $exe failed: $out"
  if grep -q 'not found' <<<"$out"; then
    die "$(basename "$exe") needs libraries this host lacks: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
  fi
  while read -r lib; do libs+=("$lib"); done < <(awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }' <<<"$out")
done
mapfile -t libs < <(printf '%s\n' "${libs[@]}" | sort -u)
for lib in "${libs[@]}"; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# The loader's cache, so the libraries are found wherever ldd saw them.
printf '%s\n' $(printf '%s\n' "${libs[@]}" | xargs -n1 dirname | sort -u) >"$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || echo "image-offline: ldconfig -r failed; relying on the loader's default paths" >&2

# Users, name lookups, certificates, time zone.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
logcap:x:10001:10001::/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
logcap:x:10001:
EOF
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
chown 10001:10001 "$root/results" "$root/var/lib/log-capturer"

echo "image-offline: staged $(du -sh "$root" | cut -f1) in $root: 3 binaries, bash, ${#libs[@]} libraries, $(ls "$root/opt/leakbench/scenarios" | wc -l) scenario files"
if [ -n "$rootfs_only" ]; then
  exit 0
fi

# The same configuration as soak/Dockerfile's runtime stage (docker import
# --change takes no HEALTHCHECK; docker-compose.yml declares it).
id=$(tar --numeric-owner -C "$root" -c . | "${docker[@]}" import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV TZ=UTC' \
  --change 'USER 10001:10001' \
  --change 'WORKDIR /' \
  --change 'EXPOSE 9464' \
  --change 'ENTRYPOINT ["/usr/local/bin/log-capturer"]' \
  --change 'CMD ["--docker-host=unix:///var/run/docker.sock", "--metrics-listen=0.0.0.0:9464"]' \
  --message "soak/image-offline.sh from $build_dir" \
  - "$tag") || die "docker import failed"
echo "image-offline: imported $tag ($id)"

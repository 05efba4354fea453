#!/usr/bin/env bash
# Builds the Go follower in its two builds, offline, from Debian's Go packages:
#   OUT_DIR/go-follower-naive   OUT_DIR/go-follower-fixed
# Usage: harness/followers/go/build.sh OUT_DIR [--test]
# --test runs the package's unit tests (go test) instead of building.
# GO=/path/to/go picks the toolchain (default: go on PATH).
# Exit 0 with both binaries (or passing tests); 77 (one line saying why) when Go or the Debian Go
# packages are missing; 1 when the build fails. Incremental: the Go build
# cache is OUT_DIR/gocache.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ] || { [ $# -eq 2 ] && [ "$2" != --test ]; }; then
  echo "usage: $0 OUT_DIR [--test]" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

gocode=/usr/share/gocode
need="golang-go golang-github-docker-docker-dev golang-github-prometheus-client-golang-dev"
go=${GO:-go}
if ! command -v "$go" >/dev/null 2>&1; then
  echo "go-followers: skipped, no '$go' on PATH (apt-get install $need, or run ci/setup)"
  exit 77
fi
for pkg in github.com/docker/docker/client:golang-github-docker-docker-dev \
           github.com/prometheus/client_golang/prometheus/promhttp:golang-github-prometheus-client-golang-dev; do
  if [ ! -d "$gocode/src/${pkg%%:*}" ]; then
    echo "go-followers: skipped, $gocode/src/${pkg%%:*} missing (apt-get install ${pkg##*:}, or run ci/setup)"
    exit 77
  fi
done

# GOPATH mode against Debian's source tree; nothing is fetched. No
# -trimpath: it rebuilds the standard library instead of using Debian's
# precompiled one (a first build took 66 CPU-s with it, 31 without).
export GO111MODULE=off GOPATH="$gocode" GOCACHE="$out/gocache" GOPROXY=off GOFLAGS= \
       GOTOOLCHAIN=local CGO_ENABLED=0 GOENV=off
cd "$src"
if [ "${2:-}" = --test ]; then
  exec "$go" test -count=1 .
fi
for mode in naive fixed; do
  "$go" build -ldflags "-X main.defaultMode=$mode" -o "$out/go-follower-$mode.tmp" .
  mv -f "$out/go-follower-$mode.tmp" "$out/go-follower-$mode"
done

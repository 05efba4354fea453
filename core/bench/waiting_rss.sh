#!/usr/bin/env bash
# Memory of a waiting container: log-capturer's RSS following N_SMALL and then
# N_LARGE fake containers on the same 50 slots (most containers wait for a
# turn), and (RSS_LARGE - RSS_SMALL) / (N_LARGE - N_SMALL) in KiB. Each run is
# a fresh fake-dockerd (0.1 lines/s per container, 10 lines kept) and a fresh
# engine with a /dev/null file sink, sampled after SECONDS (every container is
# listed, tracked and has its first turn scheduled by then).
#
#   core/bench/waiting_rss.sh [-b BUILD_DIR] [-s SECONDS] [-m MAX_STREAMS] [N_SMALL N_LARGE]
#   core/bench/waiting_rss.sh 200 10000          (what core/README.md records)
#
# Prints one Markdown table row. Exit 2 when the binaries are not built.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/release seconds=25 max_streams=50
while getopts "b:s:m:" opt; do
  case $opt in
    b) build=$OPTARG ;; s) seconds=$OPTARG ;; m) max_streams=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-s SECONDS] [-m MAX_STREAMS] [N_SMALL N_LARGE]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
small=${1:-200} large=${2:-10000}
if ! [ "$small" -lt "$large" ] 2>/dev/null; then
  echo "waiting_rss.sh: need N_SMALL < N_LARGE (got '$small' and '$large')" >&2
  exit 2
fi
fake=$build/fakes/fake-dockerd capturer=$build/core/app/log-capturer
for b in "$fake" "$capturer"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done

work=$(mktemp -d /tmp/lbwaitrss.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# RSS in KiB of log-capturer following $1 containers after $seconds.
rss_with() {
  local n=$1 dir=$work/$1
  mkdir -p "$dir"
  "$fake" --socket "$dir/d.sock" --containers "$n" --rate 0.1 --retention 10 >"$dir/fake.out" 2>"$dir/fake.err" &
  local fake_pid=$!
  pids+=("$fake_pid")
  for _ in $(seq 300); do [ -s "$dir/fake.out" ] && break; sleep 0.1; done
  [ -s "$dir/fake.out" ] || { echo "fake-dockerd did not start: $(cat "$dir/fake.err")" >&2; exit 1; }
  "$capturer" --docker-host "unix://$dir/d.sock" --sink file:/dev/null --max-streams "$max_streams" \
    --rotation-interval 5s 2>"$dir/capturer.err" &
  local cap_pid=$!
  pids+=("$cap_pid")
  sleep "$seconds"
  kill -0 "$cap_pid" 2>/dev/null || { echo "log-capturer exited: $(tail -n 5 "$dir/capturer.err")" >&2; exit 1; }
  awk '/^VmRSS:/ {print $2}' "/proc/$cap_pid/status"
  kill "$cap_pid" "$fake_pid" 2>/dev/null || true
  wait "$cap_pid" "$fake_pid" 2>/dev/null || true
}

rss_small=$(rss_with "$small")
rss_large=$(rss_with "$large")
per=$(awk -v a="$rss_small" -v b="$rss_large" -v n="$small" -v m="$large" \
  'BEGIN { printf "%.2f", (b - a) / (m - n) }')
echo "| containers | slots | after | engine RSS | per waiting container |"
echo "|---|---|---|---|---|"
echo "| $small | $max_streams | ${seconds} s | $rss_small KiB | |"
echo "| $large | $max_streams | ${seconds} s | $rss_large KiB | $per KiB |"

#!/usr/bin/env bash
# Memory a /metrics scrape keeps: log-capturer following N fake containers on
# 50 slots (most wait for a turn; short turns, so every container has had one
# and has its series after SECONDS), its RSS twice before the first scrape
# (SECONDS - 10 and SECONDS: is it steady?), after 1 scrape and after
# SCRAPES scrapes (one after another), the size of a scrape and the series
# in it. RSS is VmRSS from /proc/PID/status. One fresh fake-dockerd (0.1
# lines/s per container, 10 lines kept) and one engine with a /dev/null file
# sink and /metrics on a free loopback port. Scrapes are plain curl (no gzip).
#
#   core/bench/metrics_rss.sh [-b BUILD_DIR] [-s SECONDS] [-m MAX_STREAMS] [-r ROTATION] [-n SCRAPES] [N]
#   core/bench/metrics_rss.sh 10000          (what core/README.md records)
#
# Prints one Markdown table. Exit 2 when the binaries (or curl) are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
  echo "usage: $0 [-b BUILD_DIR] [-s SECONDS] [-m MAX_STREAMS] [-r ROTATION] [-n SCRAPES] [N]" >&2
  exit 2
}
build=build/release seconds=90 max_streams=50 rotation=1s scrapes=10
while getopts "b:s:m:r:n:" opt; do
  case $opt in
    b) build=$OPTARG ;; s) seconds=$OPTARG ;; m) max_streams=$OPTARG ;;
    r) rotation=$OPTARG ;; n) scrapes=$OPTARG ;; *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
n=${1:-10000}
if ! [ "$n" -ge 1 ] 2>/dev/null || ! [ "$seconds" -ge 11 ] 2>/dev/null || ! [ "$scrapes" -ge 1 ] 2>/dev/null; then
  echo "metrics_rss.sh: need N >= 1, SECONDS >= 11 and SCRAPES >= 1 (got '$n', '$seconds', '$scrapes')" >&2
  exit 2
fi
fake=$build/fakes/fake-dockerd capturer=$build/core/app/log-capturer
for b in "$fake" "$capturer"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "metrics_rss.sh: needs curl" >&2; exit 2; }

work=$(mktemp -d /tmp/lbmetricsrss.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$fake" --socket "$work/d.sock" --containers "$n" --rate 0.1 --retention 10 >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
pids+=("$fake_pid")
for _ in $(seq 600); do [ -s "$work/fake.out" ] && break; sleep 0.1; done
[ -s "$work/fake.out" ] || { echo "fake-dockerd did not start: $(cat "$work/fake.err")" >&2; exit 1; }

"$capturer" --docker-host "unix://$work/d.sock" --sink file:/dev/null --max-streams "$max_streams" \
  --rotation-interval "$rotation" --max-opens-per-second 1000 --metrics-listen 127.0.0.1:0 \
  2>"$work/capturer.err" &
cap_pid=$!
pids+=("$cap_pid")
url=
for _ in $(seq 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/metrics' "$work/capturer.err" | head -n 1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "log-capturer did not announce /metrics: $(tail -n 5 "$work/capturer.err")" >&2; exit 1; }

rss() {
  kill -0 "$cap_pid" 2>/dev/null || { echo "log-capturer exited: $(tail -n 5 "$work/capturer.err")" >&2; exit 1; }
  awk '/^VmRSS:/ {print $2}' "/proc/$cap_pid/status"
}
scrape() { curl -sf -o "$work/metrics.txt" "$url" || { echo "scrape of $url failed" >&2; exit 1; }; }

sleep $((seconds - 10))
rss_early=$(rss)
sleep 10
rss_before=$(rss)
scrape
rss_one=$(rss)
bytes=$(stat -c %s "$work/metrics.txt")
for _ in $(seq 2 "$scrapes"); do scrape; done
rss_all=$(rss)
containers=$(grep -c '^log_capturer_lines_total{' "$work/metrics.txt" || true)
series=$(grep -c '{container_id=' "$work/metrics.txt" || true)

echo "| containers | with series | series per container | scrape | RSS at $((seconds - 10)) s | RSS at $seconds s (before) | after 1 scrape | after $scrapes | kept by $scrapes scrapes |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v n="$n" -v c="$containers" -v s="$series" -v b="$bytes" -v e="$rss_early" -v r0="$rss_before" \
  -v r1="$rss_one" -v rn="$rss_all" 'BEGIN {
    printf "| %d | %d | %.2f | %d bytes | %d KiB | %d KiB | %d KiB | %d KiB | %.1f MiB |\n",
      n, c, (c ? s / c : 0), b, e, r0, r1, rn, (rn - r0) / 1024 }'

#!/usr/bin/env bash
# CPU of log-capturer against the number of open follow streams at a fixed
# total line rate: for each N, a fresh fake-dockerd with N containers that
# write TOTAL/N lines per second each (100-byte lines), and a fresh engine
# with --max-streams N (every container streams at once, no rotation inside
# the run) and a /dev/null file sink. Once all N streams are open it samples
# for SECONDS: the engine's and the fake's CPU (utime + stime from /proc),
# the lines the engine delivered (log_capturer_lines_total), its RSS and
# threads. Prints one Markdown table row per N, plus the engine's CPU per
# 10,000 lines relative to the first N and the RSS per open stream
# relative to the first N.
#
#   core/bench/stream_cpu.sh [-b BUILD_DIR] [-s SECONDS] [-t TOTAL_LINES_PER_S] [N...]
#   core/bench/stream_cpu.sh 200 2000 10000          (what core/README.md records)
#
# Exit 2 when the binaries are not built or the open-file limit is too low
# for the largest N; 1 when a run does not reach N open streams.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/release seconds=30 total=10000
usage="usage: $0 [-b BUILD_DIR] [-s SECONDS] [-t TOTAL_LINES_PER_S] [N...]"
while getopts "b:s:t:" opt; do
  case $opt in
    b) build=$OPTARG ;; s) seconds=$OPTARG ;; t) total=$OPTARG ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 200 2000 10000
fake=$build/fakes/fake-dockerd capturer=$build/core/app/log-capturer
for b in "$fake" "$capturer"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
largest=$(printf '%s\n' "$@" | sort -n | tail -n 1)
need=$((largest + 200))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || {
    echo "stream_cpu.sh: $largest streams need $need open files, the limit is $(ulimit -n): raise it (ulimit -n $need)" >&2
    exit 2
  }
fi

work=$(mktemp -d /tmp/lbstreamcpu.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
lines_total() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^log_capturer_lines_total/ {s += $NF} END {printf "%.0f", s}'
}
streams_active() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^log_capturer_container_streams_active / {print $NF}'
}

echo "| open streams | lines/s per stream | lines/s delivered | engine CPU | CPU-s per 10,000 lines | vs first | engine RSS | RSS per open stream | engine threads | fake CPU |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "$@"; do
  dir=$work/$n; mkdir -p "$dir"
  rate=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%g", t / n }')
  "$fake" --socket "$dir/d.sock" --containers "$n" --rate "$rate" --line-bytes 100 --retention 100 \
    >"$dir/fake.out" 2>"$dir/fake.err" &
  fake_pid=$!; pids+=("$fake_pid")
  for _ in $(seq 300); do [ -s "$dir/fake.out" ] && break; sleep 0.1; done
  [ -s "$dir/fake.out" ] || { echo "fake-dockerd did not start: $(tail -n 3 "$dir/fake.err")" >&2; exit 1; }
  "$capturer" --docker-host "unix://$dir/d.sock" --sink file:/dev/null --max-streams "$n" \
    --max-opens-per-second 1000 --rotation-interval 1h --metrics-listen 127.0.0.1:0 2>"$dir/capturer.err" &
  cap_pid=$!; pids+=("$cap_pid")
  port=
  for _ in $(seq 100); do
    port=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$dir/capturer.err" | head -n 1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "log-capturer did not start: $(tail -n 3 "$dir/capturer.err")" >&2; exit 1; }
  # Every stream open (bounded wait), then a few seconds to settle.
  open=0
  for _ in $(seq 600); do
    open=$(streams_active "$port" || echo 0)
    [ "${open%.*}" -ge "$n" ] 2>/dev/null && break
    sleep 0.5
  done
  [ "${open%.*}" -ge "$n" ] 2>/dev/null || { echo "only $open of $n streams opened in 300 s" >&2; exit 1; }
  sleep 3
  c0=$(cpu_ticks "$cap_pid") f0=$(cpu_ticks "$fake_pid") l0=$(lines_total "$port") t0=$(date +%s%N)
  sleep "$seconds"
  c1=$(cpu_ticks "$cap_pid") f1=$(cpu_ticks "$fake_pid") l1=$(lines_total "$port") t1=$(date +%s%N)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$cap_pid/status")
  threads=$(ls "/proc/$cap_pid/task" | wc -l)
  kill "$cap_pid" "$fake_pid" 2>/dev/null || true
  wait "$cap_pid" "$fake_pid" 2>/dev/null || true
  # The first N is the reference for "vs first" and "RSS per open stream".
  awk -v n="$n" -v rate="$rate" -v c="$((c1 - c0))" -v f="$((f1 - f0))" -v l="$((l1 - l0))" \
    -v ns="$((t1 - t0))" -v hz="$ticks" -v rss="$rss" -v th="$threads" -v ref="$work/first" 'BEGIN {
      s = ns / 1e9; cpu = c / hz; per = l > 0 ? cpu / l * 10000 : 0
      if ((getline line < ref) > 0) { split(line, r, " "); fp = r[1]; fr = r[2]; fn = r[3] }
      else { fp = per; fr = rss; fn = n; print fp, fr, fn > ref }
      rel = fp > 0 ? sprintf("%.2fx", per / fp) : "-"
      rps = n > fn ? sprintf("%.1f KiB", (rss - fr) / (n - fn)) : "-"
      printf "| %d | %s | %.0f | %.1f%% | %.4f | %s | %.1f MiB | %s | %d | %.1f%% |\n", \
        n, rate, l / s, 100 * cpu / s, per, rel, rss / 1024, rps, th, 100 * f / hz / s
    }'
done

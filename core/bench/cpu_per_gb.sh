#!/usr/bin/env bash
# CPU per GB of logs: log-capturer (sink /dev/null, a file, Loki if a
# receiver is built) against `docker logs -f --timestamps` on the same
# stream. fake-dockerd holds one container whose history is LINES lines of
# BYTES bytes (20% stderr), written at RATE lines/s (so the timestamps are
# spaced as a busy container's are) before any reader connects; then the
# container goes quiet, and every consumer reads the same bytes as fast as it
# can and then waits in follow mode. A consumer is done when the fake has sent it the whole history
# (`/streams` bytes_sent for its pid) and, for log-capturer, its
# log_capturer_lines_total reached LINES; then once its CPU time stopped
# moving (two /proc samples 0.3 s apart) its utime+stime from
# /proc/PID/stat is read and it is killed. GB = the stream's body bytes as
# the fake sent them (frame headers and timestamps included: the bytes every
# consumer reads), 10^9 bytes. Each consumer runs RUNS times; the table gives
# the median CPU-s/GB, the spread (min-max) and the ratio of medians to the
# docker CLI's.
#
#   core/bench/cpu_per_gb.sh [-b BUILD_DIR] [-n LINES] [-l BYTES] [-R RATE] [-r RUNS]
#   core/bench/cpu_per_gb.sh -n 3500000 -R 100000 -r 3   (~0.5 GB a run, 35 s to write)
#
# The Loki row needs BUILD_DIR/core/bench/loki-null-receiver (built with the
# bench targets); without it the row says so.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/release lines=3500000 line_bytes=100 rate=100000 runs=3
while getopts "b:n:l:R:r:" opt; do
  case $opt in
    b) build=$OPTARG ;; n) lines=$OPTARG ;; l) line_bytes=$OPTARG ;; R) rate=$OPTARG ;; r) runs=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-n LINES] [-l BYTES] [-R RATE] [-r RUNS]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
fake=$build/fakes/fake-dockerd capturer=$build/core/app/log-capturer loki=$build/core/bench/loki-null-receiver
for b in "$fake" "$capturer"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
command -v docker >/dev/null || { echo "the docker CLI is not installed (bash ci/setup installs it)" >&2; exit 2; }
py=/usr/bin/python3
hz=$(getconf CLK_TCK)

work=$(mktemp -d /tmp/lbcpugb.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do { kill -9 "$p" && wait "$p"; } 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

sock=$work/d.sock
"$fake" --socket "$sock" --containers 1 --rate "$rate" --line-bytes "$line_bytes" --retention "$lines" \
  >"$work/fake.out" 2>"$work/fake.err" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/fake.out" ] && break; sleep 0.1; done
[ -s "$work/fake.out" ] || { echo "fake-dockerd did not start: $(cat "$work/fake.err")" >&2; exit 1; }
ctl() { curl -sf --unix-socket "$sock.control" "http://fake/$1" "${@:2}"; }
emitted() { ctl containers | $py -c 'import json,sys; print(json.load(sys.stdin)[0]["emitted"])'; }
echo "writing the history: $lines lines at $rate lines/s" >&2
until [ "$(emitted)" -ge "$lines" ]; do sleep 1; done
ctl actions -d '{"action":"set","target":"*","rate":0}' >/dev/null
cid=$(ctl containers | $py -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Bytes the fake sent to the /logs streams of client pid $1.
sent_to() {
  ctl "streams?state=all&pid=$1" | $py -c '
import json, sys
d = json.load(sys.stdin)
streams = d["streams"] if isinstance(d, dict) else d
print(sum(s["bytes_sent"] for s in streams if s["endpoint"] == "logs"))'
}
# Waits until pid $1 has been sent the whole history (and, given a metrics
# port $2, log-capturer counted every line) and its CPU time is still;
# prints its CPU ticks, nothing if it died or never got there.
settle() {
  local pid=$1 port=${2:-} last now ok=""
  for _ in $(seq 3000); do
    kill -0 "$pid" 2>/dev/null || return 0
    if [ "$(sent_to "$pid")" -ge "$history_bytes" ] &&
       { [ -z "$port" ] || [ "$(capturer_lines "$port")" -ge "$lines" ]; }; then
      ok=1; break
    fi
    sleep 0.2
  done
  [ -n "$ok" ] || return 0
  last=$(cpu_ticks "$pid")
  while sleep 0.3; now=$(cpu_ticks "$pid"); [ "$now" != "$last" ]; do last=$now; done
  echo "$now"
}
capturer_lines() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^log_capturer_lines_total/ {s += $NF} END {printf "%d", s}'
}

results=$work/results
: >"$results"
# run_docker: one `docker logs -f` read of the history.
run_docker() {
  docker -H "unix://$sock" logs -f --timestamps "$cid" >/dev/null 2>"$work/docker.err" &
  local pid=$!; pids+=($pid)
  local ticks; ticks=$(settle "$pid")
  [ -n "$ticks" ] || { echo "docker logs did not read the whole history: $(cat "$work/docker.err")" >&2; exit 1; }
  local bytes; bytes=$(sent_to "$pid")
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  echo "docker-cli $bytes $ticks" >>"$results"
}
# run_capturer NAME SINK [extra args]: one log-capturer run.
run_capturer() {
  local name=$1 sink=$2; shift 2
  "$capturer" --docker-host "unix://$sock" --sink "$sink" --metrics-listen 127.0.0.1:0 \
    --rotation-interval 1h "$@" 2>"$work/capturer.err" &
  local pid=$!; pids+=($pid)
  local port=""
  for _ in $(seq 100); do
    port=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$work/capturer.err" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { echo "log-capturer did not start: $(cat "$work/capturer.err")" >&2; exit 1; }
  local ticks; ticks=$(settle "$pid" "$port")
  [ -n "$ticks" ] || { echo "$name did not capture the whole history: $(tail -5 "$work/capturer.err")" >&2; exit 1; }
  local bytes; bytes=$(sent_to "$pid")
  local got; got=$(capturer_lines "$port")
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  [ "$got" -eq "$lines" ] || echo "warning: $name captured $got of $lines lines" >&2
  echo "$name $bytes $ticks" >>"$results"
}

# The history's size: what the fake sends for a plain (not follow) read.
docker -H "unix://$sock" logs --timestamps "$cid" >/dev/null 2>&1 &
probe=$!; pids+=($probe); wait "$probe"
history_bytes=$(sent_to "$probe")

loki_pid=""
if [ -x "$loki" ]; then
  "$loki" >"$work/loki.out" 2>"$work/loki.err" &
  loki_pid=$!; pids+=($loki_pid)
  for _ in $(seq 100); do [ -s "$work/loki.out" ] && break; sleep 0.1; done
  loki_url=$(head -1 "$work/loki.out")
fi

for i in $(seq "$runs"); do
  echo "run $i of $runs" >&2
  run_docker
  run_capturer "log-capturer,/dev/null" "file:/dev/null"
  run_capturer "log-capturer,file" "file:$work/out.jsonl"
  rm -f "$work/out.jsonl"*
  if [ -n "$loki_pid" ]; then run_capturer "log-capturer,loki" "loki:$loki_url"; fi
done

$py - "$results" "$hz" "$([ -n "$loki_pid" ] && echo yes || echo no)" <<'PY'
import collections, statistics, sys
path, hz, loki = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes"
runs = collections.defaultdict(list)
for line in open(path):
    name, b, ticks = line.split()
    runs[name].append((int(b) / 1e9, int(ticks) / hz))
def per_gb(name):
    return statistics.median(c / g for g, c in runs[name])
base = per_gb("docker-cli")
print("| consumer | GB per run | CPU-s per run (median) | CPU-s/GB median (min-max) | vs docker CLI |")
print("|---|---|---|---|---|")
order = ["docker-cli", "log-capturer,/dev/null", "log-capturer,file", "log-capturer,loki"]
labels = {"docker-cli": "`docker logs -f --timestamps` > /dev/null",
          "log-capturer,/dev/null": "log-capturer, sink file:/dev/null",
          "log-capturer,file": "log-capturer, sink file (fsync 1 s)",
          "log-capturer,loki": "log-capturer, sink loki (loki-null-receiver)"}
for name in order:
    if name not in runs:
        if name == "log-capturer,loki" and not loki:
            print(f"| {labels[name]} | - | - | not measured: no Loki receiver built | - |")
        continue
    r = runs[name]
    x = [c / g for g, c in r]
    print(f"| {labels[name]} | {statistics.median(g for g, _ in r):.3f} | "
          f"{statistics.median(c for _, c in r):.2f} | {per_gb(name):.2f} ({min(x):.2f}-{max(x):.2f}) | "
          f"{per_gb(name) / base:.2f}x |")
print(f"\n{len(runs['docker-cli'])} runs each; CPU = utime+stime of the consumer process (/proc/PID/stat);"
      " bytes = the fake's /streams bytes_sent to that pid.")
PY

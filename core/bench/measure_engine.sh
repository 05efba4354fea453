#!/usr/bin/env bash
# Measures log-capturer following N fake containers (fake-dockerd, real
# processes, a file sink): threads, open fds and RSS of the engine sampled
# every 2 s after a 3 s start-up, lines/s captured, the fake's peak of open follow streams, how
# many containers were captured, loss/duplicates by cid/seq, and the time
# from SIGTERM to exit. Prints one Markdown table row per N.
#
#   core/bench/measure_engine.sh [-b BUILD_DIR] [-d SECONDS] [-r ROTATION] [-m MAX_STREAMS] N...
#   core/bench/measure_engine.sh -d 90 200 2000       (what core/README.md records)
#
# Every container writes LINES_PER_S_TOTAL / N lines per second (default
# 2,000 lines/s in total), 60-200 bytes, 20% on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/release duration=90 rotation=4s max_streams=50 total_rate=${LINES_PER_S_TOTAL:-2000}
while getopts "b:d:r:m:" opt; do
  case $opt in
    b) build=$OPTARG ;; d) duration=$OPTARG ;; r) rotation=$OPTARG ;; m) max_streams=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-d SECONDS] [-r ROTATION] [-m MAX_STREAMS] N..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 200 2000
fake=$build/fakes/fake-dockerd capturer=$build/core/app/log-capturer
for b in "$fake" "$capturer"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
py=/usr/bin/python3

work=$(mktemp -d /tmp/lbmeasure.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

echo "| containers | slots | rotation | run | engine threads | engine fds (max) | engine RSS (max) | lines/s captured | peak follow streams | containers captured | lost | duplicated | SIGTERM to exit |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "$@"; do
  dir=$work/$n; mkdir -p "$dir"
  rate=$($py -c "print($total_rate / $n)")
  "$fake" --socket "$dir/d.sock" --containers "$n" --rate "$rate" --line-bytes 60-200 --retention 100000 \
    >"$dir/fake.out" 2>"$dir/fake.err" &
  pids+=($!); fake_pid=$!
  for _ in $(seq 100); do [ -s "$dir/fake.out" ] && break; sleep 0.1; done
  "$capturer" --docker-host "unix://$dir/d.sock" --sink "file:$dir/out.jsonl" --max-streams "$max_streams" \
    --rotation-interval "$rotation" --metrics-listen 127.0.0.1:0 2>"$dir/capturer.err" &
  cap_pid=$!; pids+=($cap_pid)
  : >"$dir/samples"
  end=$(( $(date +%s) + duration ))
  sleep 3  # start-up (threads are created before the first connect) is not sampled
  while [ "$(date +%s)" -lt "$end" ]; do
    threads=$(ls /proc/$cap_pid/task | wc -l)
    fds=$(ls /proc/$cap_pid/fd | wc -l)
    rss=$(awk '/^VmRSS:/ {print $2}' /proc/$cap_pid/status)
    echo "$threads $fds $rss" >>"$dir/samples"
    sleep 2
  done
  curl -s --unix-socket "$dir/d.sock.control" http://fake/actions -d '{"action":"set","target":"*","rate":0}' >/dev/null
  curl -s --unix-socket "$dir/d.sock.control" http://fake/containers >"$dir/containers.json"
  # Let it catch up with what was written (bounded), then stop it.
  for _ in $(seq 120); do
    done_yet=$($py - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
emitted = sum(c["emitted"] for c in json.load(open(d + "/containers.json")))
n = sum(1 for _ in open(d + "/out.jsonl", "rb"))
print(1 if n >= emitted else 0)
PY
)
    [ "$done_yet" = 1 ] && break
    sleep 1
  done
  curl -s --unix-socket "$dir/d.sock.control" http://fake/truth >"$dir/truth.json"
  t0=$(date +%s%N); kill -TERM "$cap_pid"; wait "$cap_pid" || true; t1=$(date +%s%N)
  kill -TERM "$fake_pid"; wait "$fake_pid" || true
  $py - "$dir" "$n" "$max_streams" "$rotation" "$duration" "$(( (t1 - t0) / 1000000 ))" <<'PY'
import json, re, sys, collections
d, n, slots, rotation, duration, stop_ms = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
samples = [tuple(map(int, l.split())) for l in open(d + "/samples") if l.strip()]
threads = sorted({s[0] for s in samples})
fds = max(s[1] for s in samples); rss = max(s[2] for s in samples)
containers = json.load(open(d + "/containers.json"))
truth = json.load(open(d + "/truth.json"))
seen = collections.Counter(); first_ts = last_ts = None; records = 0
stamp = re.compile(r"cid=([0-9a-f]{12}) seq=(\d+) ")
for line in open(d + "/out.jsonl", "rb"):
    o = json.loads(line); records += 1
    m = stamp.match(o["line"]); seen[(m.group(1), int(m.group(2)))] += 1
dups = sum(v - 1 for v in seen.values())
emitted = {c["cid"]: c["emitted"] for c in containers}
lost = sum(e - sum(1 for s in range(1, e + 1) if (cid, s) in seen) for cid, e in emitted.items())
captured = len({cid for cid, _ in seen})
thr = str(threads[0]) if len(threads) == 1 else f"{threads[0]}-{threads[-1]}"
print(f"| {n} | {slots} | {rotation} | {duration} s | {thr} | {fds} | {rss/1024:.1f} MiB | {records/duration:.0f} | "
      f"{truth['follow_streams_peak']} | {captured} of {n} | {lost} | {dups} | {stop_ms} ms |")
PY
done

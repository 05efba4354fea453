#!/usr/bin/env bash
# Scale check of fake-dockerd (see fakes/bench/RESULTS.md). Two measured
# scenarios, each against a fresh fake-dockerd (release build) in a temp dir:
#   (a) --containers 200 --rate 1:   10,000 follow streams (50 per container) held 30 s
#   (b) --containers 200 --rate 100: 200 follow streams (one per container) held 30 s,
#       ~20,000 lines/s expected
# For each it prints follow-load's summary and, at the end, one table: the fake's
# threads, CPU% of one core, RSS, fds, streams open, lines/s received, gaps/dups.
#
# Usage: fakes/bench/run_scale.sh [--build] [--duration 30s] [--streams 10000]
#   --build     (re)build the release preset first (default: only if a binary is missing)
#   FAKE_BIN / LOAD_BIN override the binaries.
# Exit status: 0 when both scenarios pass, 1 when one fails, 2 on a setup error.
# Every process it starts and its temp dir are removed on exit, also on Ctrl-C.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build=0
duration=30s
streams=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=1 ;;
    --duration) duration="$2"; shift ;;
    --streams) streams="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_scale.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

fake_bin="${FAKE_BIN:-$root/build/release/fakes/fake-dockerd}"
load_bin="${LOAD_BIN:-$root/build/release/fakes/bench/follow-load}"
if [[ $build == 1 || ! -x $fake_bin || ! -x $load_bin ]]; then
  echo "== building the release preset"
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target fake-dockerd follow-load)
fi

tmp=""
fake_pid=""
load_pid=""
# shellcheck disable=SC2317  # invoked by the traps
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in $load_pid $fake_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  [[ -n $tmp && -d $tmp ]] && rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp="$(mktemp -d /tmp/fake-scale.XXXXXX)"

# --- file descriptors ---------------------------------------------------------
# follow-load needs one fd per stream (+ ~32), and so does the fake (+ ~12 for its
# listeners, epoll and stdio). They are separate processes with separate limits;
# both raise their soft limit to the hard limit themselves, and so do we here.
hard="$(ulimit -Hn)"
need=$((streams + 64))
if [[ $hard != unlimited ]]; then
  ulimit -n "$hard"
  if (( need > hard )); then
    echo "run_scale.sh: WARNING: $streams streams need about $need fds in follow-load and in the fake, but the" >&2
    echo "  hard limit (ulimit -Hn) is $hard. A non-root user cannot raise it; as root run 'ulimit -Hn $need'" >&2
    echo "  before this script, or set 'nofile' in /etc/security/limits.conf. Running anyway: expect" >&2
    echo "  'too many open files' failures and fewer streams open." >&2
  fi
fi
echo "== fd limits: soft $(ulimit -n), hard $hard; each process needs about $need for $streams streams"

start_fake() {  # containers rate
  local sock="$tmp/d.sock" out="$tmp/fake.out"
  : >"$out"
  "$fake_bin" --socket "$sock" --containers "$1" --rate "$2" >"$out" 2>>"$tmp/fake.err" &
  fake_pid=$!
  for _ in $(seq 100); do
    grep -q '"ready":true' "$out" 2>/dev/null && break
    if ! kill -0 "$fake_pid" 2>/dev/null; then
      echo "run_scale.sh: fake-dockerd exited before it was ready:" >&2
      cat "$tmp/fake.err" >&2
      exit 2
    fi
    sleep 0.1
  done
  grep -q '"ready":true' "$out" || { echo "run_scale.sh: fake-dockerd not ready after 10 s" >&2; exit 2; }
  echo "== fake-dockerd pid $fake_pid: $(head -n1 "$out")"
}

stop_fake() {
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  if ! kill -TERM "$fake_pid" 2>/dev/null; then
    wait "$fake_pid" || rc=$?
    echo "== fake-dockerd had already exited ($rc) before SIGTERM"
    fake_pid=""
    failed=1
    return
  fi
  wait "$fake_pid" || rc=$?
  t1=$(date +%s.%N)
  echo "== fake-dockerd exited $rc on SIGTERM after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
  fake_pid=""
  [[ $rc == 0 ]] || failed=1
}

# After the client is gone: has the fake closed every stream on its side?
fake_truth_after() {
  sleep 1
  curl -s --max-time 10 --unix-socket "$tmp/d.sock.control" http://fake/truth |
    jq -c '{follow_streams_open, connections_open, streams_closed_total}' 2>/dev/null || echo "(truth unavailable)"
}

failed=0
run_scenario() {  # name containers rate streams
  local name="$1" containers="$2" rate="$3" n="$4"
  echo
  echo "== scenario $name: fake-dockerd --containers $containers --rate $rate; follow-load -n $n -d $duration"
  start_fake "$containers" "$rate"
  local rc=0
  "$load_bin" --socket "$tmp/d.sock" --streams "$n" --duration "$duration" >"$tmp/$name.out" &
  load_pid=$!
  wait "$load_pid" || rc=$?
  load_pid=""
  cat "$tmp/$name.out"
  tail -n1 "$tmp/$name.out" >"$tmp/$name.json"
  echo "== fake truth 1 s after follow-load exited: $(fake_truth_after)"
  stop_fake
  if [[ $rc != 0 ]]; then
    echo "== scenario $name FAILED (follow-load exit $rc)"
    failed=1
  fi
}

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(nproc) cores, $(uname -r)"
run_scenario a 200 1 "$streams"
run_scenario b 200 100 200

echo
echo "== summary (hold window of $duration; CPU is % of one core; lag = lines behind the container's last line at the end)"
printf '%-3s %8s %8s %7s %8s %8s %7s %11s %10s %8s %6s %5s %5s %8s\n' \
  "" streams open threads "cpu%" "rss_MiB" fds "lines/s" expected "recv/exp" lag gaps dups "client%"
for name in a b; do
  jq -r --arg n "$name" '[$n, .streams_requested, .streams_open_end, .fake.threads_max,
      (.fake.cpu_pct_hold*10|round/10), (.fake.rss_mib_end*10|round/10), .fake.fds_end,
      (.lines_per_s|round), (.expected_lines_per_s|round), (.received_over_expected*10000|round/10000),
      .lag_lines_max, .gaps, .dups, (.client_cpu_pct*10|round/10)] | @tsv' "$tmp/$name.json" |
    awk -F'\t' '{printf "%-3s %8s %8s %7s %8s %8s %7s %11s %10s %8s %6s %5s %5s %8s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14}'
done
echo
if [[ $failed == 0 ]]; then echo "== PASS"; else echo "== FAIL"; fi
exit "$failed"

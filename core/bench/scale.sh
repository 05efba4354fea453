#!/usr/bin/env bash
# Issue 12's figures in one run, side by side (release build, real
# processes, one run each; ~12 minutes on 2 cores):
#   1. CPU per GB: log-capturer vs `docker logs -f` on the same stream
#      (core/bench/cpu_per_gb.sh)
#   2. CPU at 200 / 2,000 / 10,000 open streams for a fixed 10,000 lines/s
#      in total, and RSS per open stream (core/bench/stream_cpu.sh)
#   3. RSS per waiting container, 200 vs 10,000 on 50 slots
#      (core/bench/waiting_rss.sh)
#   4. RSS kept by 10 /metrics scrapes at 10,000 containers
#      (core/bench/metrics_rss.sh)
#   5. fake-dockerd: time to open 10,000 follow streams
#      (fakes/bench/run_scale.sh, follow-load's "ramp:" line)
# then one table of each figure against its goal.
#
#   core/bench/scale.sh [-b BUILD_DIR]
#
# Exit 0 when every figure meets its goal, 1 when one does not, 2 when a
# part could not run (a missing binary, a failed step): never a pass then.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/release
while getopts "b:" opt; do
  case $opt in
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR]" >&2; exit 2 ;;
  esac
done
for b in "$build/fakes/fake-dockerd" "$build/core/app/log-capturer" "$build/fakes/bench/follow-load"; do
  [ -x "$b" ] || { echo "$b not built: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
done
ulimit -n 40000 2>/dev/null || true

out=$(mktemp -d /tmp/lbscale.XXXXXX)
trap 'rm -rf "$out"' EXIT

step() {  # step NAME COMMAND...: runs one part, shows its output, keeps it in $out/NAME
  local name=$1
  shift
  echo "## $name"
  echo
  echo "    $*"
  echo
  if ! "$@" >"$out/$name" 2>"$out/$name.err"; then
    cat "$out/$name"
    echo "scale.sh: '$*' failed: $(tail -n 5 "$out/$name.err")" >&2
    exit 2
  fi
  cat "$out/$name"
  echo
}

echo "# Scale figures, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
step cpu_per_gb core/bench/cpu_per_gb.sh -b "$build"
step stream_cpu core/bench/stream_cpu.sh -b "$build" 200 2000 10000
step waiting_rss core/bench/waiting_rss.sh -b "$build" 200 10000
step metrics_rss core/bench/metrics_rss.sh -b "$build" 10000
FAKE_BIN=$build/fakes/fake-dockerd LOAD_BIN=$build/fakes/bench/follow-load \
  step fake_ramp fakes/bench/run_scale.sh --duration 10s

# --- the figures against their goals ---------------------------------------
# Each figure is read from its part's table by column name; a figure that
# cannot be read is "could not judge" and fails the run (exit 2).
column() {  # column FILE ROW_MATCH HEADER: the cell under HEADER in the first row matching ROW_MATCH
  awk -F'|' -v row="$2" -v header="$3" '
    /^\|/ && !h { for (i = 2; i < NF; ++i) { gsub(/^ +| +$/, "", $i); if ($i == header) col = i } h = 1; next }
    /^\|---/ { next }
    /^\|/ && col && $0 ~ row { v = $col; gsub(/^ +| +$/, "", v); print v; exit }' "$1"
}
number() { sed 's/[^0-9.-]//g' <<<"$1"; }

verdicts=0 unjudged=0
goal() {  # goal FIGURE VALUE GOAL_TEXT AWK_CONDITION(on v)
  local figure=$1 value=$2 goal_text=$3 condition=$4 verdict
  if [ -z "$value" ]; then
    verdict="could not judge"; unjudged=1
  elif awk -v v="$(number "$value")" "BEGIN { exit !($condition) }"; then
    verdict=pass
  else
    verdict="**FAIL**"; verdicts=1
  fi
  echo "| $figure | $goal_text | $value | $verdict |"
}

ratio=$(column "$out/cpu_per_gb" "file:/dev/null" "vs docker CLI")
ratio_file=$(column "$out/cpu_per_gb" "fsync" "vs docker CLI")
cpu2k=$(column "$out/stream_cpu" "^\| 2000 " "vs first")
cpu10k=$(column "$out/stream_cpu" "^\| 10000 " "vs first")
per_stream=$(column "$out/stream_cpu" "^\| 10000 " "RSS per open stream")
waiting=$(column "$out/waiting_rss" "^\| 10000 " "per waiting container")
kept=$(column "$out/metrics_rss" "." "kept by 10 scrapes")
# follow-load: "ramp:   10000 streams open after 2.5 s (...)"; the first is the 10,000-stream scenario.
read -r ramp_streams ramp_seconds < <(sed -n 's/.*ramp: *\([0-9]*\) streams open after \([0-9.]*\) s.*/\1 \2/p' \
  "$out/fake_ramp" | head -n 1) || true
ramp= ramp_condition="v <= 10"
if [ -n "${ramp_seconds:-}" ]; then
  ramp="${ramp_seconds} s"
  [ "$ramp_streams" -ge 10000 ] || { ramp="only $ramp_streams streams after ${ramp_seconds} s"; ramp_condition=0; }
fi

echo "## Against the goals"
echo
echo "| figure | goal | now | verdict |"
echo "|---|---|---|---|"
goal "engine CPU per GB vs \`docker logs -f\` (sink /dev/null)" "$ratio" "≤ 0.3×" "v <= 0.3"
goal "the same with a file sink" "$ratio_file" "≤ 0.3×" "v <= 0.3"
goal "CPU per line, 2,000 vs 200 open streams" "$cpu2k" "within 1.5×" "v <= 1.5"
goal "CPU per line, 10,000 vs 200 open streams" "$cpu10k" "within 1.5×" "v <= 1.5"
goal "RSS per open stream" "$per_stream" "≤ 24 KiB" "v <= 24"
goal "RSS per waiting container" "$waiting" "≤ 2 KiB" "v <= 2"
goal "RSS kept by 10 /metrics scrapes at 10,000 containers" "$kept" "a few MiB" "v <= 4"
goal "fake-dockerd: 10,000 follow streams open" "$ramp" "in seconds (≤ 10 s)" "$ramp_condition"
if [ "$unjudged" = 1 ]; then exit 2; fi
exit "$verdicts"

#!/usr/bin/env bash
# The smallest leak each criterion catches in the gate profile: runs each
# negative-leak-KIND scenario with log-capturer leaking at one rotation in
# N, for several N, and prints whether the run failed on the scenario's
# expected criterion (caught) or not, with the measured value.
#
#   harness/bench/leak_sensitivity.sh [-b BUILD_DIR] [-j JOBS] [-n "1 10 50 ..."] [KIND...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release jobs=3 everies="1 10 50 100 200 400"
while getopts "b:j:n:" opt; do
  case $opt in
    b) build=$OPTARG ;; j) jobs=$OPTARG ;; n) everies=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-j JOBS] [-n \"N...\"] [KIND...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- thread fd memory series-rotation stream
leakbench=$build/harness/run/leakbench
[ -x "$leakbench" ] || { echo "$leakbench not built" >&2; exit 2; }
out=$(mktemp -d /tmp/leak-sensitivity.XXXXXX)
trap 'rm -rf "$out"' EXIT

run() {  # kind every
  "$leakbench" --scenario "scenarios/negative-leak-$1.yaml" --inject-leak-every "$2" --quiet \
    --out "$out/$1-$2" >/dev/null 2>&1 || true
}
pending=0
for kind in "$@"; do
  for n in $everies; do
    run "$kind" "$n" &
    pending=$((pending + 1))
    if [ "$pending" -ge "$jobs" ]; then wait -n; pending=$((pending - 1)); fi
  done
done
wait

echo "| leak | expected criterion | one leak per N rotations | rotations in the judged window | caught | measured |"
echo "|---|---|---|---|---|---|"
for kind in "$@"; do
  for n in $everies; do
    /usr/bin/python3 - "$out/$kind-$n/result.json" "$kind" "$n" <<'PY'
import json, sys
path, kind, n = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"| {kind} | ? | {n} | ? | error: {e} | |"); sys.exit()
exp = r.get("expectation", {})
crit = next((c for c in r["criteria"] if c["id"] == exp.get("expect_fail")), None)
s = r["samples"]; warm = r["scenario"]["warmup_s"]
closed = [c for t, c in zip(s["t"], s["streams_closed"]) if t >= warm]
window = (closed[-1] - closed[0]) if closed else 0
caught = "yes" if exp.get("met") else "no"
print(f"| {kind} | {exp.get('expect_fail')} | {n} | {window} | {caught} | {crit['detail'] if crit else r['run']['failure']} |")
PY
  done
done

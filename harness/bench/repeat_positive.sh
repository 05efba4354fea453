#!/usr/bin/env bash
# False-alarm check: runs every positive gate scenario (tagged gate, no
# expect_fail) R times on the correct engine and counts verdicts. Every run
# must pass; any failure is printed with the criterion that failed.
#
#   harness/bench/repeat_positive.sh [-b BUILD_DIR] [-j JOBS] [-r REPEATS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release jobs=3 repeats=4
while getopts "b:j:r:" opt; do
  case $opt in
    b) build=$OPTARG ;; j) jobs=$OPTARG ;; r) repeats=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-j JOBS] [-r REPEATS]" >&2; exit 2 ;;
  esac
done
leakbench=$build/harness/run/leakbench
out=$(mktemp -d /tmp/repeat-positive.XXXXXX)
trap 'rm -rf "$out"' EXIT
scenarios=$(grep -l "tags:.*gate" scenarios/*.yaml | xargs grep -L "^expect_fail:")
pending=0
for r in $(seq "$repeats"); do
  for f in $scenarios; do
    name=$(basename "$f" .yaml)
    "$leakbench" --scenario "$f" --quiet --out "$out/$name-$r" >/dev/null 2>&1 &
    pending=$((pending + 1))
    if [ "$pending" -ge "$jobs" ]; then wait -n || true; pending=$((pending - 1)); fi
  done
done
wait || true
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]; runs = sorted(os.listdir(d)); passed = 0
for run in runs:
    r = json.load(open(os.path.join(d, run, "result.json")))
    if r["verdict"] == "pass":
        passed += 1
    else:
        bad = [c["id"] + ": " + c["detail"] for c in r["criteria"] if c["judged"] and not c["pass"]]
        print(f"{run}: {r['verdict']} {bad or r['run']['failure']}")
print(f"{passed} of {len(runs)} runs passed")
sys.exit(0 if passed == len(runs) else 1)
PY

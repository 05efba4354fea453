#!/bin/bash
# leakbench-soak [SCENARIO] [LEAKBENCH FLAGS...] — the image's judged soak.
# Runs leakbench (with its own fake-dockerd and log-capturer, all inside this
# container: no Docker socket is needed) on SCENARIO, a shipped scenario name
# (default soak-1h; see `leakbench list`) or a path to a scenario file, and
# writes result.json, junit.xml and summary.md to
# $LEAKBENCH_RESULTS_DIR/<scenario>-<UTC time>/ (default /results).
# Exit code is leakbench's: 0 pass, 1 fail, 2 the run could not be done.
set -euo pipefail
scenario=${1:-soak-1h}
[ $# -gt 0 ] && shift
bin=/usr/local/bin
scenarios=/opt/leakbench/scenarios
if [[ $scenario == */* ]]; then
  name=${scenario##*/}   # bash only: the offline image has no coreutils
  name=${name%.yaml}
  name=${name%.yml}
  select=(--scenario "$scenario")
else
  name=$scenario
  if [ ! -f "$scenarios/$name.yaml" ]; then
    echo "leakbench-soak: no scenario '$name' in $scenarios; shipped ones:" >&2
    "$bin/leakbench" --scenarios-dir "$scenarios" --fake-dockerd "$bin/fake-dockerd" \
      --log-capturer "$bin/log-capturer" list >&2
    exit 2
  fi
  select=(--profile "$name")
fi
printf -v stamp '%(%Y%m%dT%H%M%SZ)T' -1
out=${LEAKBENCH_RESULTS_DIR:-/results}/$name-$stamp
echo "leakbench-soak: scenario $name, results in $out"
exec "$bin/leakbench" --scenarios-dir "$scenarios" --fake-dockerd "$bin/fake-dockerd" \
  --log-capturer "$bin/log-capturer" --no-report "${select[@]}" --out "$out" "$@"

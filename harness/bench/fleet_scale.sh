#!/usr/bin/env bash
# `leakbench judge` at fleet scale against a real Prometheus: a synthetic
# history of N instances x H hours at S s (leakbench_fleet_synth: known
# leaks, restarts, gaps, noise) is imported with promtool, served by
# prometheus on a free loopback port, and judged; prints the wall time, the
# peak RSS of leakbench, the requests and the verdict counts.
#
#   harness/bench/fleet_scale.sh [-b BUILD_DIR] [-n INSTANCES] [-H HOURS] [-s STEP_S] [-c CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release n=1000 hours=6 step=15 concurrency=4
while getopts "b:n:H:s:c:" opt; do
  case $opt in
    b) build=$OPTARG ;; n) n=$OPTARG ;; H) hours=$OPTARG ;; s) step=$OPTARG ;; c) concurrency=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-n INSTANCES] [-H HOURS] [-s STEP_S] [-c CONCURRENCY]" >&2; exit 2 ;;
  esac
done
leakbench=$build/harness/run/leakbench synth=$build/harness/fleet/leakbench_fleet_synth
for b in "$leakbench" "$synth"; do
  [ -x "$b" ] || { echo "$b not built (cmake --build --preset release --target leakbench leakbench_fleet_synth)" >&2; exit 2; }
done
for tool in prometheus promtool; do
  command -v $tool >/dev/null || { echo "$tool missing: Debian's prometheus package (ci/setup)" >&2; exit 2; }
done
work=$(mktemp -d /tmp/fleet-scale.XXXXXX)
prom_pid=
cleanup() {
  if [ -n "$prom_pid" ]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start=1764547200
end=$(( start + hours * 3600 ))
"$synth" --instances "$n" --hours "$hours" --scrape "$step" --start "$start" --out "$work/fleet.om"
echo "OpenMetrics: $(du -h "$work/fleet.om" | cut -f1)"
t0=$(date +%s.%N)
promtool tsdb create-blocks-from openmetrics "$work/fleet.om" "$work/tsdb" >"$work/promtool.log" 2>&1 ||
  { tail -20 "$work/promtool.log" >&2; exit 2; }
echo "promtool import: $(echo "$(date +%s.%N) - $t0" | bc) s"
rm -f "$work/fleet.om"
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$work/prometheus.yml"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" --log.level=warn \
  >"$work/prometheus.log" 2>&1 &
prom_pid=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
  kill -0 "$prom_pid" 2>/dev/null || { tail -20 "$work/prometheus.log" >&2; exit 2; }
  sleep 0.1
done
set +e
/usr/bin/time -v -o "$work/time.txt" "$leakbench" judge --prometheus "http://127.0.0.1:$port" \
  --start "$start" --end "$end" --step "${step}s" --concurrency "$concurrency" \
  --bounds harness/fleet/fleet-bounds.yaml --out "$work/out" --quiet --no-report
code=$?
set -e
echo "leakbench judge: exit $code, wall $(grep 'Elapsed (wall' "$work/time.txt" | awk '{print $NF}'), max RSS $(( $(grep 'Maximum resident' "$work/time.txt" | awk '{print $NF}') / 1024 )) MiB, CPU user $(grep 'User time' "$work/time.txt" | awk '{print $NF}') s"
/usr/bin/python3 - "$work/out/fleet.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
t = f["timing"]
print(f"{f['instances_judged']} instances: {f['counts']}; {f['restarts']} restarts; "
      f"query {t['query_seconds']:.1f} s ({t['requests']} requests, {t['bytes'] / 2**20:.0f} MiB), judge {t['judge_seconds']:.1f} s")
PY

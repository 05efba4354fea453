#!/usr/bin/env bash
# soak/tests/image_real_daemon_test.sh [-b BUILD_DIR] — the soak stack's image
# against a REAL Docker daemon (a private dockerd this test starts, on a socket
# under /tmp, and stops; nothing is left behind).
#
#  1. soak/image-offline.sh builds leakbench/log-capturer:local from BUILD_DIR's
#     binaries (default build/release, or $LEAKBENCH_BUILD_DIR) and imports it;
#     its entrypoint and user are checked.
#  2. Three busybox containers (stdout + stderr, one TTY; one started before the
#     capturer, two after) write known numbered lines. The capturer image runs
#     as its non-root user with the daemon's socket bind-mounted read-only,
#     --group-add the socket's group, --network none, sink stdout, rotation
#     2 s, the compose file's health check. Checked: every line of every
#     container captured exactly once and in order across the rotations
#     (docker logs of the capturer), rotations counted and every stream closed
#     young, health "healthy", uid 10001, threads bounded, a removed
#     container's metric series deleted, no error in the capturer's log,
#     SIGTERM (docker stop) exits 0.
#  3. The same image WITHOUT --group-add cannot reach the socket, and says
#     permission denied with the group to add (why docker-compose.yml needs
#     DOCKER_GID).
#  4. docker-compose.yml itself: `up --no-deps log-capturer` (with the socket
#     path overridden to the private daemon's) runs the service, its health
#     check turns healthy and it follows the 3 containers of
#     `--profile load up --scale log-load=3` (busybox:TAG made from the
#     imported busybox); `run --rm leakbench-soak gate-steady` runs a judged
#     leakbench scenario inside the image and writes a passing result.json to
#     the results volume; beside it, a 20 s scenario given by path runs as
#     uid 1234 into a bind-mounted folder (the README's way to get results
#     onto the host); an unknown scenario name and a missing file exit 2.
#     (Prometheus, Loki and Grafana are not run: their images cannot be
#     pulled here.)
#
# Exit 0: passed; 1: failed (the reason on stderr); 77: skipped (root, dockerd,
# containerd, runc, the docker CLI, docker-compose, a static busybox or the
# binaries missing; the reason on stdout). Every command has a timeout and the
# whole test a deadline (LEAKBENCH_TEST_DEADLINE, default 600 s).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${LEAKBENCH_BUILD_DIR:-$repo/build/release}
while [ $# -gt 0 ]; do
  case "$1" in
    -b) build_dir=$2; shift 2 ;;
    *) echo "usage: $0 [-b BUILD_DIR]" >&2; exit 2 ;;
  esac
done
case "$build_dir" in /*) ;; *) build_dir=$PWD/$build_dir ;; esac

started=$(date +%s)
log() { echo "[image_real_daemon $(( $(date +%s) - started ))s] $*"; }
skip() { echo "SKIP: $*"; exit 77; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
fatal() { echo "FAIL: $*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip "needs root to run a private dockerd (euid $(id -u))"
export PATH=$PATH:/usr/sbin:/sbin
for tool in dockerd containerd containerd-shim-runc-v2 runc docker; do
  command -v "$tool" >/dev/null || skip "$tool not found (Debian: docker.io)"
done
command -v docker-compose >/dev/null || skip "docker-compose not found (Debian: docker-compose)"
busybox=/bin/busybox
[ -x "$busybox" ] || skip "$busybox not found (Debian: busybox-static)"
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  # without `file`, trust ldd: a static binary is "not a dynamic executable"
  ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' || skip "$busybox is not static (Debian: busybox-static)"
fi
for b in core/app/log-capturer harness/run/leakbench fakes/fake-dockerd; do
  [ -x "$build_dir/$b" ] || skip "$build_dir/$b not built (cmake --build --preset release --target log-capturer leakbench fake-dockerd; or -b BUILD_DIR)"
done

# --- the private daemon, and cleaning up after it ---------------------------
dir=$(mktemp -d /tmp/lbsoak-XXXXXX) || fatal "mktemp failed"
suffix=${dir##*-}
suffix=$(tr 'A-Z' 'a-z' <<<"$suffix")
sock=$dir/docker.sock
export DOCKER_HOST=unix://$sock
export DOCKER_CONFIG=$dir/cli
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
project=lbsoak$suffix
dockerd_pid=
watchdog_pid=

d() { timeout "${T:-60}" docker "$@"; }

cleanup() {
  local rc=$?
  trap '' INT TERM   # nothing interrupts the clean-up
  trap - EXIT
  if [ -n "$watchdog_pid" ]; then
    local sleeper
    sleeper=$(pgrep -P "$watchdog_pid")
    kill "$watchdog_pid" 2>/dev/null
    [ -n "$sleeper" ] && kill $sleeper 2>/dev/null
  fi
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    DOCKER_GID=${DOCKER_GID:-0} timeout 60 docker-compose -p "$project" -f "$repo/docker-compose.yml" \
      down -v --remove-orphans >/dev/null 2>&1
    ids=$(timeout 20 docker ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout 60 docker rm -f -v $ids >/dev/null 2>&1
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      echo "cleanup: dockerd ignored SIGTERM for 15 s; killing it" >&2
      kill -KILL "$dockerd_pid" 2>/dev/null
    fi
  fi
  # containerd shims (and so containers) of this daemon that outlived it
  for p in $(pgrep -f -- "-namespace $project " 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  for p in $(pgrep -f -- "$dir/" 2>/dev/null); do
    [ "$p" != $$ ] && kill -KILL "$p" 2>/dev/null
  done
  # mounts under the daemon's directories, deepest first
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$dir"
  [ -d "$dir" ] && echo "cleanup: could not remove $dir" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted" >&2; exit 1' INT TERM

deadline=${LEAKBENCH_TEST_DEADLINE:-600}
( sleep "$deadline"; echo "FAIL: the whole test passed its ${deadline} s deadline" >&2; kill -TERM $$ ) &
watchdog_pid=$!

mkdir -p "$dir/data" "$dir/exec" "$dir/cli"
echo '{}' >"$dir/daemon.json"
log "starting dockerd on $sock"
setsid dockerd --config-file="$dir/daemon.json" --host="unix://$sock" \
  --data-root="$dir/data" --exec-root="$dir/exec" --pidfile="$dir/dockerd.pid" \
  --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
  --shutdown-timeout=2 --cgroup-parent="/$project" \
  --containerd-namespace="$project" --containerd-plugins-namespace="$project-plugins" \
  >"$dir/dockerd.log" 2>&1 </dev/null &
dockerd_pid=$!
for _ in $(seq 120); do
  T=5 d version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || fatal "dockerd exited during startup: $(tail -n 15 "$dir/dockerd.log")"
  sleep 0.5
done
T=5 d version >/dev/null 2>&1 || fatal "dockerd did not answer within 60 s: $(tail -n 15 "$dir/dockerd.log")"
gid=$(stat -c %g "$sock")
log "dockerd $(T=5 d version --format '{{.Server.Version}}') up; socket group $gid ($(stat -c %G "$sock"))"

# busybox image for the workload containers
mkdir -p "$dir/bb/bin" "$dir/bb/tmp"
cp "$busybox" "$dir/bb/bin/busybox"
for a in $("$busybox" --list); do
  [ "$a" = busybox ] || ln -s busybox "$dir/bb/bin/$a"
done
tar -C "$dir/bb" -c . | d import - bb:latest >/dev/null || fatal "docker import of busybox failed"
rm -rf "$dir/bb"

# --- 1. the offline image ---------------------------------------------------
log "soak/image-offline.sh -b $build_dir"
timeout 120 "$repo/soak/image-offline.sh" -b "$build_dir" -H "$DOCKER_HOST" >"$dir/image.log" 2>&1 ||
  fatal "soak/image-offline.sh failed: $(cat "$dir/image.log")"
image=leakbench/log-capturer:local
cfg=$(d image inspect "$image" --format '{{json .Config.Entrypoint}} {{.Config.User}}') || fatal "no image $image"
[ "$cfg" = '["/usr/local/bin/log-capturer"] 10001:10001' ] ||
  fail "image entrypoint/user: got '$cfg', want '[\"/usr/local/bin/log-capturer\"] 10001:10001'"
log "image: $(d images "$image" --format '{{.Size}}'), entrypoint and user $cfg"

# --- 2. capture from a real daemon ------------------------------------------
lines=60   # per container on stdout; every 5th is also written to stderr
writer='i=0; while [ $i -lt '$lines' ]; do i=$((i+1)); echo "$0 seq=$i"; [ $((i % 5)) = 0 ] && echo "$0 err=$i" >&2; sleep 0.1; done; exec sleep 3600'
d run -d --name soak-a --network none bb:latest sh -c "$writer" soak-a >/dev/null || fatal "docker run soak-a failed"

health_cmd="/usr/local/bin/log-capturer-healthcheck 127.0.0.1:9464"
d run -d --name capturer --network none --group-add "$gid" \
  -v "$sock:/var/run/docker.sock:ro" \
  --health-cmd "$health_cmd" --health-interval 1s --health-retries 3 \
  "$image" --docker-host=unix:///var/run/docker.sock --rotation-interval=2s \
  --metrics-listen=127.0.0.1:9464 --sink=stdout --exclude-name=capturer >/dev/null ||
  fatal "docker run of the capturer image failed"
sleep 1
d run -d --name soak-b --network none bb:latest sh -c "$writer" soak-b >/dev/null || fatal "docker run soak-b failed"
d run -d -t --name soak-tty --network none bb:latest sh -c "$writer" soak-tty >/dev/null || fatal "docker run soak-tty failed"

metrics() {
  # /metrics from inside the capturer (it has no network): bash's /dev/tcp
  d exec capturer bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464 || exit 1
    printf "GET /metrics HTTP/1.0\r\n\r\n" >&3
    while IFS= read -r -t 5 l <&3; do l=${l%$'"'"'\r'"'"'}; case $l in log_capturer_*) echo "$l";; esac; done'
}
metric() { awk -v n="$1" '$1 == n { print $2 }' <<<"$2"; }
records() { d logs capturer 2>/dev/null; }

# Wait until every line is captured (3 containers x (60 + 12) lines).
want=$((3 * (lines + lines / 5)))
for _ in $(seq 60); do
  got=$(records | wc -l)
  [ "$got" -ge "$want" ] && break
  sleep 0.5
done
log "captured $got records (want $want) after the writers finished"
sleep 2   # anything extra (a duplicate) would arrive by now
records >"$dir/records.jsonl"
d logs capturer >/dev/null 2>"$dir/capturer.err"

# Every record is one JSON object of the sink's shape; pick (name, stream, line).
sed -n 's/^{"ts":"[0-9T:.Z-]*","container_id":"[0-9a-f]\{64\}","container_name":"\([^"]*\)","stream":"\(stdout\|stderr\)","line":"\([^"]*\)"}$/\1 \2 \3/p' \
  "$dir/records.jsonl" >"$dir/parsed"
[ "$(wc -l <"$dir/parsed")" -eq "$(wc -l <"$dir/records.jsonl")" ] ||
  fail "records not in the sink's JSON shape: $(grep -v -c '^{"ts"' "$dir/records.jsonl") odd lines; first: $(head -n 1 "$dir/records.jsonl")"
for c in soak-a soak-b soak-tty; do
  expect_out=$(for i in $(seq "$lines"); do echo "$c stdout $c seq=$i"; done)
  if [ "$c" = soak-tty ]; then
    # a TTY has one stream; the daemon reports it as stdout
    expect_out=$(for i in $(seq "$lines"); do echo "$c stdout $c seq=$i"; [ $((i % 5)) = 0 ] && echo "$c stdout $c err=$i"; done)
    expect_err=
  else
    expect_err=$(for i in $(seq 5 5 "$lines"); do echo "$c stderr $c err=$i"; done)
  fi
  got_out=$(grep "^$c stdout " "$dir/parsed")
  got_err=$(grep "^$c stderr " "$dir/parsed")
  [ "$got_out" = "$expect_out" ] ||
    fail "$c stdout: $(grep -c . <<<"$got_out") lines captured, want $lines in order exactly once; diff: $(diff <(echo "$expect_out") <(echo "$got_out") | head -n 6 | tr '\n' '|')"
  [ "$got_err" = "$expect_err" ] ||
    fail "$c stderr: $(grep -c . <<<"$got_err") lines captured, want $(grep -c . <<<"$expect_err"); diff: $(diff <(echo "$expect_err") <(echo "$got_err") | head -n 6 | tr '\n' '|')"
done

m=$(metrics) || fatal "cannot read /metrics inside the capturer"
rotations=$(metric log_capturer_container_stream_rotations_total "$m")
age_count=$(metric log_capturer_container_stream_age_seconds_count "$m")
age_60=$(metric 'log_capturer_container_stream_age_seconds_bucket{le="60"}' "$m")
active=$(metric log_capturer_container_streams_active "$m")
threads=$(metric log_capturer_process_threads "$m")
fds=$(metric log_capturer_process_open_fds "$m")
rss=$(metric log_capturer_process_resident_memory_bytes "$m")
errors=$(awk '/^log_capturer_container_stream_errors_total\{/ { s += $2 } END { print s + 0 }' <<<"$m")
log "metrics: rotations $rotations, streams closed $age_count (all under 60 s: $age_60), active $active, threads $threads, fds $fds, RSS $((${rss%.*} / 1024)) KiB, stream errors $errors"
[ "${rotations%.*}" -ge 6 ] 2>/dev/null || fail "rotations_total $rotations after ~9 s of 3 streams with a 2 s rotation; want >= 6"
[ -n "$age_count" ] && [ "$age_count" = "$age_60" ] || fail "stream ages: $age_count closed, $age_60 under 60 s; a 2 s rotation closes every one young"
[ "$active" = 3 ] || fail "streams_active $active, want 3 (soak-a, soak-b, soak-tty)"
[ "${threads%.*}" -le 10 ] 2>/dev/null || fail "threads $threads; log-capturer runs a fixed handful"
[ "$errors" = 0 ] || fail "stream errors: $(grep -E '^log_capturer_container_stream_errors_total.* [1-9]' <<<"$m" | tr '\n' ' ')"

health=$(d inspect -f '{{.State.Health.Status}}' capturer)
[ "$health" = healthy ] || fail "capturer health '$health': $(d inspect -f '{{json .State.Health.Log}}' capturer | tail -c 400)"
uid=$(d exec capturer bash -c 'while read -r k v _; do [ "$k" = Uid: ] && echo "$v"; done </proc/1/status')
[ "$uid" = 10001 ] || fail "log-capturer runs as uid '$uid', want 10001"

# A removed container's series go with it.
d rm -f soak-b >/dev/null
for _ in $(seq 30); do
  m=$(metrics)
  ! grep -q 'container_name="soak-b"' <<<"$m" && [ "$(metric log_capturer_containers_monitored "$m")" = 2 ] && break
  sleep 0.5
done
grep -q 'container_name="soak-b"' <<<"$m" && fail "series of the removed soak-b still exported: $(grep 'soak-b' <<<"$m" | head -n 3 | tr '\n' ' ')"
[ "$(metric log_capturer_containers_monitored "$m")" = 2 ] || fail "containers_monitored $(metric log_capturer_containers_monitored "$m") after removing soak-b, want 2"

T=30 d stop -t 10 capturer >/dev/null
code=$(d inspect -f '{{.State.ExitCode}}' capturer)
[ "$code" = 0 ] || fail "capturer exit code $code after docker stop, want 0"
d logs capturer >/dev/null 2>"$dir/capturer.err"
if grep -Eiq ' (error|critical) ' "$dir/capturer.err"; then
  fail "errors in the capturer's log: $(grep -Ei ' (error|critical) ' "$dir/capturer.err" | head -n 3)"
fi
log "capturer: health $health, uid $uid, exit $code on SIGTERM; $(grep -c . "$dir/capturer.err") log lines, none error"

# --- 3. without the socket's group -------------------------------------------
d run -d --name nogroup --network none -v "$sock:/var/run/docker.sock:ro" "$image" \
  --metrics-listen=127.0.0.1:9464 --sink=stdout >/dev/null
for _ in $(seq 30); do
  d logs nogroup 2>&1 | grep -q 'docker daemon unreachable' && break
  sleep 0.5
done
if d logs nogroup 2>&1 | grep -q 'docker daemon unreachable'; then
  [ -z "$(d logs nogroup 2>/dev/null)" ] || fail "the capturer without --group-add captured lines"
  # The message says what to do: which group to add.
  d logs nogroup 2>&1 | grep -q "permission denied on /var/run/docker.sock.*--group-add $gid" ||
    fail "the unreachable message does not name the missing group $gid: $(d logs nogroup 2>&1 | grep unreachable | head -n 1)"
  log "without --group-add: 'docker daemon unreachable ... permission denied ... --group-add $gid', nothing captured (as expected)"
else
  fail "the capturer without --group-add $gid did not report the socket unreachable: $(d logs nogroup 2>&1 | tail -n 3)"
fi
d rm -f nogroup >/dev/null

# --- 4. docker-compose.yml against this daemon --------------------------------
cat >"$dir/override.yml" <<EOF
version: "3.8"
services:
  log-capturer:
    volumes:
      - $sock:/var/run/docker.sock:ro
EOF
compose=(timeout 240 docker-compose -p "$project" -f "$repo/docker-compose.yml" -f "$dir/override.yml")
export DOCKER_GID=$gid
"${compose[@]}" up -d --no-build --no-deps log-capturer >"$dir/compose-up.log" 2>&1 ||
  fatal "docker-compose up log-capturer failed: $(tail -n 5 "$dir/compose-up.log")"
svc=$("${compose[@]}" ps -q log-capturer)
# The load profile's busybox image, from the imported one (no registry here).
load_image=$(sed -n 's/^ *image: \(busybox:[^ ]*\)$/\1/p' "$repo/docker-compose.yml")
[ -n "$load_image" ] || fatal "no busybox image for log-load in docker-compose.yml"
d tag bb:latest "$load_image"
"${compose[@]}" --profile load up -d --no-build --no-deps --scale log-load=3 log-load >"$dir/compose-load.log" 2>&1 ||
  fatal "docker-compose --profile load up log-load failed: $(tail -n 5 "$dir/compose-load.log")"
log "docker-compose up log-capturer: $(d inspect -f '{{.Name}} {{.State.Status}}' "$svc"), 3 log-load containers; running leakbench-soak gate-steady beside them"
# Beside it, the documented way to get results onto the host: a scenario file
# by path, a bind-mounted results folder, the caller's uid.
mkdir -p "$dir/results"
cat >"$dir/results/tiny.yaml" <<'EOF2'
name: tiny
description: "image_real_daemon_test: 5 containers, 20 s"
tags: [test]
duration: 20s
warmup: 5s
fake:
  containers: 5
  rate: 5
target:
  kind: log-capturer
  rotation_interval: 2s
  max_streams: 5
EOF2
chown -R 1234:1234 "$dir/results"
# (not at /results: compose would have two mounts at one path, the volume's and this one)
"${compose[@]}" run --rm --user 1234:1234 -v "$dir/results:/host-results" -e LEAKBENCH_RESULTS_DIR=/host-results \
  leakbench-soak /host-results/tiny.yaml --quiet \
  </dev/null >"$dir/tiny.log" 2>&1 &
tiny_pid=$!
"${compose[@]}" run --rm leakbench-soak gate-steady --quiet </dev/null >"$dir/soak.log" 2>&1
soak_rc=$?
wait "$tiny_pid"
tiny_rc=$?
tiny_verdict=$(shopt -s nullglob; for f in "$dir"/results/tiny-*/result.json; do
  sed -n 's/.*"verdict": *"\([a-z]*\)".*/\1/p' "$f" | head -n 1; done)
tiny_owner=$(stat -c %u "$dir"/results/tiny-*/result.json 2>/dev/null)
[ "$tiny_rc" = 0 ] && [ "$tiny_verdict" = pass ] && [ "$tiny_owner" = 1234 ] ||
  fail "leakbench-soak /host-results/tiny.yaml as uid 1234 into a bind mount: exit $tiny_rc, verdict '$tiny_verdict', result.json owner '$tiny_owner': $(tail -n 5 "$dir/tiny.log")"
log "leakbench-soak /host-results/tiny.yaml (uid 1234, bind mount): exit $tiny_rc, verdict '$tiny_verdict', files owned by $tiny_owner"
verdict=$(d run --rm --network none -v "${project}_leakbench-results:/r:ro" --entrypoint bash "$image" -c \
  'shopt -s nullglob; for f in /r/gate-steady-*/result.json; do
     while IFS= read -r l; do [[ $l =~ \"verdict\":\ *\"([a-z]+)\" ]] && echo "${BASH_REMATCH[1]}"; done <"$f"; done')
[ "$soak_rc" = 0 ] || fail "docker-compose run leakbench-soak gate-steady exited $soak_rc: $(tail -n 8 "$dir/soak.log")"
[ "$verdict" = pass ] || fail "leakbench-soak result.json verdict '$verdict' in the results volume, want pass"
log "leakbench-soak gate-steady: exit $soak_rc, result.json verdict '$verdict' in volume ${project}_leakbench-results"
# A scenario name that is not shipped, and a path that does not exist: exit 2, saying why.
out=$(d run --rm --network none --entrypoint /usr/local/bin/leakbench-soak "$image" no-such-scenario 2>&1)
rc=$?
[ "$rc" = 2 ] && grep -q "no scenario 'no-such-scenario'" <<<"$out" && grep -q '^soak-1h ' <<<"$out" ||
  fail "leakbench-soak no-such-scenario: exit $rc, want 2 with the shipped list: $(head -n 3 <<<"$out")"
out=$(d run --rm --network none --entrypoint /usr/local/bin/leakbench-soak "$image" /results/missing.yaml 2>&1)
rc=$?
[ "$rc" = 2 ] && grep -q 'scenario missing, results in /results/missing-' <<<"$out" ||
  fail "leakbench-soak /results/missing.yaml: exit $rc, want 2: $(head -n 3 <<<"$out")"
for _ in $(seq 60); do
  health=$(d inspect -f '{{.State.Health.Status}}' "$svc")
  [ "$health" = starting ] || break
  sleep 1
done
[ "$health" = healthy ] || fail "compose log-capturer health '$health': $(d inspect -f '{{json .State.Health.Log}}' "$svc" | tail -c 300)"
args=$(d inspect -f '{{json .Args}} groups {{json .HostConfig.GroupAdd}}' "$svc")
log "compose log-capturer: health $health; $args"
# It follows the host's containers: the log-load ones (its sink, Loki, is not
# running here, so look at its counters).
m=$(d exec "$svc" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464 || exit 1
  printf "GET /metrics HTTP/1.0\r\n\r\n" >&3
  while IFS= read -r -t 5 l <&3; do case $l in log_capturer_lines_total*) echo "${l%$'"'"'\r'"'"'}";; esac; done')
loads=$(grep -c 'container_name="[^"]*log-load[^"]*"' <<<"$m")
[ "$loads" = 3 ] || fail "compose log-capturer captured $loads of the 3 log-load containers: $(tr '\n' ' ' <<<"$m")"
log "compose log-capturer captured the log-load containers: $(grep 'log-load' <<<"$m" | sed 's/.*container_name="\([^"]*\)"} /\1=/' | tr '\n' ' ')"

if [ "$failures" -gt 0 ]; then
  echo "image_real_daemon_test: $failures check(s) failed" >&2
  exit 1
fi
log "all checks passed"

#!/bin/sh
# A rotating Docker log follower made only of docker CLI calls: every running
# container is followed by `docker logs -f` for ROTATION seconds at a time
# (GNU timeout ends each stream), then again from the last timestamp seen,
# dropping the lines at or before it (--since is inclusive). Captured lines
# go to stdout without their timestamp; the CLI's own messages go to
# stderr. leakbench's positive control for a multi-process follower: it
# must pass every criterion.
#
#   rotating-docker-logs.sh [ROTATION_SECONDS]      (DOCKER_HOST selects the daemon)
#
# Known limit: two lines with the same timestamp on both sides of a reopen
# would lose the second one (the fake and dockerd give distinct timestamps
# unless a burst shares one).
set -u
rotation=${1:-3}
case $rotation in
  ''|*[!0-9]*) echo "rotating-docker-logs.sh: ROTATION_SECONDS must be a whole number, got '$rotation'" >&2; exit 2 ;;
esac
state=$(mktemp -d "${TMPDIR:-/tmp}/rotating-docker-logs.XXXXXX") || exit 2
# On exit or a signal: remove the state and stop every follower (the
# process group); the trap is reset first so the kill does not re-enter it.
cleanup() {
  trap - EXIT INT TERM
  rm -rf "$state"
  kill 0 2>/dev/null
  exit 0
}
trap cleanup EXIT INT TERM

# Prints the lines of one stream that are newer than $2 and writes the
# newest timestamp to $3. Lines without a log timestamp are the CLI's own
# messages: they go to stderr.
newer_than() {
  awk -v last="$1" -v out="$2" '
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[^ ]*Z / {
      ts = substr($0, 1, index($0, " ") - 1)
      if (ts <= last) next
      print substr($0, index($0, " ") + 1); fflush()
      last = ts
      next
    }
    { print > "/dev/stderr" }
    END { print last > out }'
}

follow() {
  id=$1
  last=""
  while :; do
    running=$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null) || break
    if [ -n "$last" ]; then since=$last; else since=0; fi
    timeout "$rotation" docker logs -f -t --since "$since" "$id" 2>&1 | newer_than "$last" "$state/$id.last"
    last=$(cat "$state/$id.last" 2>/dev/null || true)
    [ "$running" = true ] || break
  done
  rm -f "$state/$id.following" "$state/$id.last"
}

while :; do
  for id in $(docker ps -q --no-trunc 2>/dev/null); do
    if [ ! -e "$state/$id.following" ]; then
      : >"$state/$id.following"
      follow "$id" &
    fi
  done
  sleep 1
done

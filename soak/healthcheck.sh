#!/bin/bash
# log-capturer-healthcheck [HOST:PORT] — the image's health check, in bash
# alone (the runtime image has no curl or wget): exit 0 when GET /metrics on
# HOST:PORT (default 127.0.0.1:9464) answers 200 and carries log-capturer's
# own metrics; otherwise exit 1 with one line saying what was wrong.
set -u
addr=${1:-127.0.0.1:9464}
host=${addr%:*}
port=${addr##*:}
if ! exec 3<>"/dev/tcp/$host/$port"; then
  echo "unhealthy: cannot connect to $addr"
  exit 1
fi
printf 'GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n' "$addr" >&3
if ! IFS= read -r -t 5 status <&3; then
  echo "unhealthy: no answer from $addr within 5 s"
  exit 1
fi
status=${status%$'\r'}
case $status in
  "HTTP/1."?" 200"*) ;;
  *) echo "unhealthy: GET /metrics on $addr answered '$status'"; exit 1 ;;
esac
while IFS= read -r -t 5 line <&3; do
  if [[ $line == log_capturer_process_threads\ * ]]; then
    echo "healthy: $addr ${line%$'\r'}"
    exit 0
  fi
done
echo "unhealthy: /metrics on $addr has no log_capturer_process_threads"
exit 1

#!/bin/sh
# `cmake --install` lays leakbench out so that it runs from any directory:
# installs the build tree BUILD_DIR into a fresh prefix, runs the installed
# leakbench from / with `--containers 20`, and checks that it reached a
# verdict with the installed scenario, fake-dockerd and log-capturer (not
# the source or build tree's).
#
#   harness/tests/install_test.sh BUILD_DIR
set -u
build=${1:?usage: install_test.sh BUILD_DIR}
fail() { echo "install_test: $*" >&2; exit 1; }
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lbinstall.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$prefix"' EXIT INT TERM

cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log" >&2; rm -f "$prefix.log"; fail "cmake --install failed"; }
rm -f "$prefix.log"
for f in bin/leakbench bin/fake-dockerd bin/log-capturer share/leakbench/scenarios/quick.yaml \
         share/leakbench/reports/leakbench-report share/leakbench/followers/shell/rotating-docker-logs.sh; do
  [ -e "$prefix/$f" ] || fail "$f was not installed"
done

cd / || fail "cannot cd /"
"$prefix/bin/leakbench" list >"$prefix/list.txt" 2>&1 || fail "leakbench list failed: $(cat "$prefix/list.txt")"
grep -q "quick" "$prefix/list.txt" || fail "leakbench list shows no quick profile: $(cat "$prefix/list.txt")"

"$prefix/bin/leakbench" --containers 20 --duration 8s --warmup 3s --quiet --no-report --out "$prefix/r" \
  >"$prefix/run.txt" 2>&1
code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 1 ] || [ "$code" -eq 3 ] ||
  fail "the installed leakbench did not reach a verdict (exit $code): $(tail -n 20 "$prefix/run.txt")"
result="$prefix/r/result.json"
[ -s "$result" ] || fail "no result.json"
grep -q "\"file\": \"$prefix/share/leakbench/scenarios/quick.yaml\"" "$result" ||
  fail "the run did not use the installed quick.yaml: $(grep '"file"' "$result")"
grep -q '"lines_captured": [1-9]' "$result" || fail "log-capturer captured nothing: $(grep lines_ "$result")"
echo "install_test: installed into $prefix, ran from /, exit $code with the installed scenario"

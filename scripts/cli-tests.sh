#!/usr/bin/env bash
# End-to-end checks of ./nemesis as a user meets it: finding a JDK, running an example,
# repeatable results, and bad input refused with exit 2 before anything runs.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
expect_exit() { # expected-code description command...
  local want="$1" what="$2"; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" = "$want" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, wanted $want"; sed 's/^/        /' "$tmp/err" | head -5; fi
}

echo "launcher checks:"
expect_exit 0 "finds JDK 25 without JAVA_HOME" env -u JAVA_HOME ./nemesis --version
if [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  expect_exit 0 "ignores a JAVA_HOME older than 25" env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 ./nemesis --version
fi
expect_exit 1 "says what is missing when no JDK 25 exists" env -u JAVA_HOME NEMESIS_JDK_DIRS="$tmp/none/*" ./nemesis --version
grep -q "no JDK 25 or newer found" "$tmp/err" && pass "  ...and names it" || fail "no-JDK message: $(cat "$tmp/err")"

expect_exit 0 "runs the README example" env -u JAVA_HOME ./nemesis run examples/guaranteed-slices.yaml --json "$tmp/a.json" --out "$tmp/out1" --trace
grep -q 'video' "$tmp/out" && pass "  ...and prints the table" || fail "no table"
for f in guaranteed-slices.trace.csv guaranteed-slices.gantt.svg guaranteed-slices.gantt.png; do
  [ -s "$tmp/out1/$f" ] && pass "  ...and writes $f" || fail "missing $f"
done
./nemesis run examples/guaranteed-slices.yaml --json "$tmp/b.json" --out "$tmp/out2" --trace -q
cmp -s "$tmp/a.json" "$tmp/b.json" && pass "same scenario and seed: identical JSON" || fail "JSON differs between runs"
cmp -s "$tmp/out1/guaranteed-slices.trace.csv" "$tmp/out2/guaranteed-slices.trace.csv" \
  && pass "same scenario and seed: identical trace" || fail "trace differs between runs"

printf 'duration: 1s\ndomains:\n  - name: a\n    program: carnage\n    cpu: {period: 10ms, slice: 12ms}\n' >"$tmp/bad.yaml"
expect_exit 2 "slice > period is bad input" ./nemesis run "$tmp/bad.yaml" --json "$tmp/bad.json"
grep -q "bad.yaml:5: domains\[0\] (a).cpu.slice" "$tmp/err" && pass "  ...named by file, line and field" || fail "message: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.json" ] && pass "  ...and nothing ran" || fail "results were written for bad input"
printf 'duration: 1s\ndomains: [ {name: a\n' >"$tmp/syntax.yaml"
expect_exit 2 "YAML syntax error is bad input" ./nemesis run "$tmp/syntax.yaml"
expect_exit 2 "unknown command is bad input" ./nemesis frobnicate
expect_exit 2 "missing scenario file is bad input" ./nemesis run "$tmp/none.yaml"
expect_exit 2 "an experiment against the real Linux that has none is bad input" ./nemesis experiment fig4 --peer tap --out "$tmp/x"
grep -q "fig4 has no real-peer form" "$tmp/err" && [ ! -e "$tmp/x" ] && pass "  ...says so, nothing ran" || fail "message: $(cat "$tmp/err")"
expect_exit 2 "an unknown --peer is bad input" ./nemesis experiment table1 --peer nfs --out "$tmp/x"

echo "real peer (TAP) checks:"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  # As an unprivileged user, a TAP run stops before it starts and says why, without a stack trace.
  cp examples/tap-iperf.yaml "$tmp/tap.yaml"
  chmod -R a+rwx "$tmp"
  expect_exit 1 "a TAP run without root says what is missing" setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME="$tmp" NEMESIS_JAVA_OPTS=-XX:-AutoCreateSharedArchive ./nemesis run "$tmp/tap.yaml"
  grep -q "needs root" "$tmp/err" && ! grep -q "at nemesis" "$tmp/err" && pass "  ...in one message" \
    || fail "no-root message: $(cat "$tmp/err")"
  expect_exit 0 "tap cleanup runs as root" ./nemesis tap cleanup
  # A TAP run stopped in the middle: Ctrl-C and SIGTERM remove its namespace, TAP device and Linux-side
  # processes at once; after kill -9 they stay until 'tap cleanup'. (set -m: a background job that
  # ignored SIGINT would not show what Ctrl-C does.)
  leftovers() { ip netns list | grep -q "nemesis-$1-" || ip -o link | grep -q "nmt$1-"; }
  start_tap_run() {
    rm -f "$tmp/pid"
    ( set -m; ./nemesis run examples/tap-iperf.yaml -q >"$tmp/sig.out" 2>"$tmp/sig.err" & echo $! >"$tmp/pid"; wait ) 2>/dev/null &
    waiter=$!
    for _ in $(seq 1 150); do [ -s "$tmp/pid" ] && ip netns list | grep -q "nemesis-$(cat "$tmp/pid")-" && break; sleep 0.1; done
    pid=$(cat "$tmp/pid")
    sleep 1
  }
  for sig in INT TERM; do
    start_tap_run
    kill -"$sig" "$pid"; wait "$waiter"
    if leftovers "$pid" || pgrep -f "iperf -s -B 198.51.100.2" >/dev/null; then
      fail "SIG$sig left the TAP run's namespace, device or iperf behind"
    else
      grep -q "removed network namespace nemesis-$pid-" "$tmp/sig.err" && pass "SIG$sig in a TAP run removes its namespace, device and iperf, and says so" \
        || fail "SIG$sig: $(cat "$tmp/sig.err")"
    fi
  done
  start_tap_run
  kill -KILL "$pid"; wait "$waiter"
  leftovers "$pid" && pass "kill -9 leaves the namespace behind" || fail "kill -9: nothing was left to clean up?"
  expect_exit 0 "  ...and tap cleanup removes it" ./nemesis tap cleanup
  if leftovers "$pid" || pgrep -f "iperf -s -B 198.51.100.2" >/dev/null; then fail "  ...but something stays"; else pass "  ...with its device and iperf"; fi
else
  echo "  skip  not root (or no setpriv): the TAP checks need root"
fi

if [ "$failures" -gt 0 ]; then
  echo "cli-tests: $failures failed"
  exit 1
fi
echo "cli-tests: all passed"

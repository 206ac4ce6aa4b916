#!/usr/bin/env bash
# TCP emulation speed: a 60-second virtual-time run of one tcp_send on the paper's Pentium 200 +
# de4x5 to a simulated Linux peer over 100 Mb/s (bench/scenarios/tcp100.yaml). Reports emulated
# seconds per wall second and wall microseconds per data segment, and the same figures for a
# baseline measured in the same invocation: udp_send with the same payloads at the rate TCP
# reached (so the ratio is what TCP's machinery costs the emulator per segment).
#
#   bench/tcp-speed.sh [RUNS] [SCENARIO]     (best of RUNS, default 3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
SCEN="${2:-$ROOT/bench/scenarios/tcp100.yaml}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
./nemesis run "$SCEN" --duration 2s --quiet >/dev/null   # build if needed

json_field() { # FILE PYTHON-EXPR-ON-d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# One run: prints "WALL_S SEGMENTS GOODPUT_BPS" for domain s1.
run_once() { # SCENARIO KIND
  local out wall
  out=$(./nemesis run "$1" --json "$TMP/r.json")
  wall=$(printf '%s\n' "$out" | sed -n 's/.*ran in \([0-9.]*\) s wall.*/\1/p')
  if [ "$2" = tcp ]; then
    segs=$(json_field "$TMP/r.json" "d['domains']['s1']['stats']['segments_sent']")
  else
    segs=$(json_field "$TMP/r.json" "d['domains']['s1']['stats']['datagrams_sent']")
  fi
  good=$(json_field "$TMP/r.json" "d['domains']['s1']['goodput_bps']")
  verified=$(json_field "$TMP/r.json" "d['domains']['s1'].get('verified')")
  [ "$verified" = True ] || { echo "run of $1 not verified: $verified" >&2; exit 1; }
  echo "$wall $segs $good"
}

best() { # KIND SCENARIO -> best "WALL SEGS GOOD"
  local b="" w
  for i in $(seq "$RUNS"); do
    r=$(run_once "$2" "$1")
    printf '  %s run %d: %s s wall, %s segments, %.2f Mbit/s goodput\n' "$1" "$i" $(echo "$r" | awk '{print $1, $2, $3/1e6}') >&2
    w=$(echo "$r" | awk '{print $1}')
    if [ -z "$b" ] || awk -v x="$w" -v y="$(echo "$b" | awk '{print $1}')" 'BEGIN{exit !(x<y)}'; then b="$r"; fi
  done
  echo "$b"
}

emulated=$(sed -n 's/^duration: *\([0-9.]*\)s.*/\1/p' "$SCEN")
echo "tcp: $SCEN" >&2
TCP=$(best tcp "$SCEN")
rate=$(echo "$TCP" | awk '{printf "%d", $3}')
sed -e 's/^name: .*/name: udp-baseline/' \
    -e 's/program: tcp_sink/program: udp_sink/' \
    -e 's/program: tcp_send/program: udp_send/' \
    -e "s/args: { to: \"peer:5001\", size: 1460 }/args: { to: \"peer:5001\", size: 1460, rate: ${rate}bit\/s }/" \
    "$SCEN" > "$TMP/udp.yaml"
grep -q "rate: ${rate}bit/s" "$TMP/udp.yaml" || { echo "could not derive the UDP baseline from $SCEN" >&2; exit 1; }
echo "udp baseline at ${rate} bit/s of payload" >&2
UDP=$(best udp "$TMP/udp.yaml")

awk -v e="$emulated" -v t="$TCP" -v u="$UDP" 'BEGIN {
  split(t, a, " "); split(u, b, " ")
  tcp_speed = e / a[1]; udp_speed = e / b[1]
  tcp_us = a[1] * 1e6 / a[2]; udp_us = b[1] * 1e6 / b[2]
  printf "\n%s s emulated, best of runs (run loop only, no JVM start-up)\n", e
  printf "%-13s %10s %12s %14s %16s\n", "", "goodput", "segments", "emulated s/s", "wall us/segment"
  printf "%-13s %7.2f Mb/s %12d %14.1f %16.2f\n", "tcp_send", a[3] / 1048576, a[2], tcp_speed, tcp_us
  printf "%-13s %7.2f Mb/s %12d %14.1f %16.2f\n", "udp baseline", b[3] / 1048576, b[2], udp_speed, udp_us
  printf "tcp / udp wall time per segment: %.2f\n", tcp_us / udp_us
  printf "(Mb/s: 2^20 bits per second of payload, the paper unit)\n"
}'

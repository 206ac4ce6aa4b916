#!/usr/bin/env bash
# Emulation speed: emulated seconds per wall second for a virtual-time run of 10 carnage domains
# (periods 5-50 ms, 60 s emulated). Prints the speed of the run loop alone (as the run reports it)
# and of the whole command including JVM start-up and scenario parsing, best of N runs.
#
#   bench/cpu-speed.sh [RUNS] [SCENARIO]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
SCEN="${2:-$ROOT/bench/scenarios/carnage10.yaml}"
cd "$ROOT"
./nemesis run "$SCEN" --quiet >/dev/null   # build if needed, warm the file cache
emulated=$(sed -n 's/^duration: *\([0-9.]*\)s.*/\1/p' "$SCEN")
best_loop=0; best_cmd=999999
for i in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  line=$(./nemesis run "$SCEN" | grep 'ran in')
  t1=$(date +%s%N)
  loop=$(printf '%s' "$line" | sed -n 's/.*ran in \([0-9.]*\) s wall.*/\1/p')
  cmd=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  printf 'run %d: run loop %s s, whole command %s s\n' "$i" "$loop" "$cmd"
  best_loop=$(awk -v x="$loop" -v y="$best_loop" 'BEGIN { print (y == 0 || x < y) ? x : y }')
  best_cmd=$(awk -v x="$cmd" -v y="$best_cmd" 'BEGIN { print (x < y) ? x : y }')
done
awk -v e="$emulated" -v l="$best_loop" -v c="$best_cmd" 'BEGIN {
  printf "\n%s s emulated (best of runs)\n", e
  printf "  run loop:       %7.3f s wall  -> %6.0f emulated s per wall s\n", l, e / l
  printf "  whole command:  %7.3f s wall  -> %6.0f emulated s per wall s (JVM start-up and parsing included)\n", c, e / c
}'

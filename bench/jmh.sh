#!/usr/bin/env bash
# Runs the Atropos decision benchmark (JMH) and prints ns/decision beside the bare-heap baseline.
#
#   bench/jmh.sh                 full run (~1.5 min: 1 fork, 3 x 1 s warmup, 5 x 1 s measurement)
#   bench/jmh.sh --quick         shorter, for a smoke test (~30 s)
#   bench/jmh.sh -prof gc        anything else goes to JMH as is (here: adds allocated B/op)
#
# Raw results: bench/results/jmh-atropos.json
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java_major() { # prints the feature version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' \
        | grep -E '^[0-9]+$' || echo 0
}

# JDK 25: JAVA_HOME if it is recent enough, else a Temurin 25 under /usr/lib/jvm.
jdk=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && $(java_major "$JAVA_HOME/bin/java") -ge 25 ]]; then
    jdk="$JAVA_HOME"
else
    for d in /usr/lib/jvm/temurin-25*; do
        if [[ -x "$d/bin/java" ]]; then jdk="$d"; break; fi
    done
fi
if [[ -z "$jdk" ]]; then
    echo "jmh.sh: no JDK 25+ (set JAVA_HOME or install /usr/lib/jvm/temurin-25*)" >&2
    exit 1
fi
export JAVA_HOME="$jdk"
export PATH="$jdk/bin:$PATH"

quick=0
args=()
for a in "$@"; do
    if [[ "$a" == "--quick" ]]; then quick=1; else args+=("$a"); fi
done

# Rebuild when the jar is missing or any source it is made of is newer.
jar="bench/target/benchmarks.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml bench/pom.xml atropos/pom.xml atropos/src/main bench/src/main \
        -newer "$jar" -type f -print -quit)" ]]; then
    echo "jmh.sh: building $jar" >&2
    mvn -q -pl bench -am package -DskipTests
fi

opts=()
if (( quick )); then
    opts=(-wi 2 -w 500ms -i 3 -r 500ms)
fi

mkdir -p bench/results
json="bench/results/jmh-atropos.json"
rm -f "$json"  # so that a run that measures nothing (-l, -h) does not print an old table
java -jar "$jar" 'nemesis.bench.AtroposDecisionBench' "${opts[@]}" "${args[@]}" -rf json -rff "$json"
[[ -s "$json" ]] || exit 0

python3 - "$json" <<'PY'
import json, math, sys

rows = {}  # n -> {benchmark: (score, error, alloc B/op or None)}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    n = int(r["params"]["n"])
    m = r["primaryMetric"]
    alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
    rows.setdefault(n, {})[name] = (m["score"], m["scoreError"], alloc)

if not rows:
    sys.exit("no results")

def cell(d, key):
    if key not in d:
        return "-"
    s, e, _ = d[key]
    return f"{s:8.1f} ±{e:5.1f}" if not math.isnan(e) else f"{s:8.1f}"

with_alloc = any(v[2] is not None for d in rows.values() for v in d.values())
head = f"{'n':>6} | {'atropos ns/decision':>19} | {'blocking ns':>15} | {'baseline ns':>15} | {'ratio':>5}"
if with_alloc:
    head += " | alloc B/op (cpu/blk/base)"
print()
print("Atropos scheduling decision, ns/op (mean ± 99.9% CI)")
print(head)
print("-" * len(head))
for n in sorted(rows):
    d = rows[n]
    ratio = d["cpuBound"][0] / d["baselineHeap"][0] if "cpuBound" in d and "baselineHeap" in d else float("nan")
    line = f"{n:>6} | {cell(d, 'cpuBound'):>19} | {cell(d, 'blocking'):>15} | {cell(d, 'baselineHeap'):>15} | {ratio:5.2f}"
    if with_alloc:
        a = [d[k][2] if k in d and d[k][2] is not None else float("nan") for k in ("cpuBound", "blocking", "baselineHeap")]
        line += " | " + " / ".join(f"{x:.3g}" for x in a)
    print(line)

# Growth against n: an O(log n) pass grows like log2 n (x3 from 10 to 1000, x4 to 10000),
# an O(n) one like n (x100, x1000).
ns = sorted(rows)
lo = ns[0]
for key, label in (("cpuBound", "atropos"), ("blocking", "blocking"), ("baselineHeap", "baseline")):
    if key not in rows[lo]:
        continue
    parts = [f"x{rows[n][key][0] / rows[lo][key][0]:.2f} at n={n}" for n in ns[1:] if key in rows[n]]
    logs = [f"x{math.log2(n) / math.log2(lo):.2f}" for n in ns[1:] if key in rows[n]]
    if parts:
        print(f"growth from n={lo}: {label:8} {', '.join(parts)}   (log2 n: {', '.join(logs)}; "
              f"n: {', '.join('x%g' % (n / lo) for n in ns[1:])})")
PY

#!/usr/bin/env bash
# Runs the JMH benchmarks of the hot paths and prints each beside its baseline, measured in the same run.
#
#   bench/jmh.sh                 the Atropos decision benchmark, as before (~1.5 min): ns/decision at
#                                10, 1,000, 10,000 domains beside a bare binary heap
#   bench/jmh.sh atropos         the same
#   bench/jmh.sh channel         I/O channel iorecs/s: the FIFO alone and two domains through the kernel,
#                                beside a JCTools SpscArrayQueue (~1.5 min)
#   bench/jmh.sh tx              transmit scheduler ns/decision at 10, 100, 1,000 channels, beside the
#                                bare Atropos CPU decision and a round robin (~1.5 min)
#   bench/jmh.sh all             the three in turn (~4.5 min)
#   bench/jmh.sh tx --quick      shorter (2 x 0.5 s warmup, 3 x 0.5 s measurement), for a smoke test
#   bench/jmh.sh tx -prof gc     anything else goes to JMH as is (here: adds allocated B/op)
#
# Full runs: 1 fork, 3 x 1 s warmup, 5 x 1 s measurement per benchmark and parameter.
# Raw results: bench/results/jmh-<name>.json
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
names=()
args=()
for a in "$@"; do
    case "$a" in
        --quick) quick=1 ;;
        atropos|channel|tx) names+=("$a") ;;
        all) names+=(atropos channel tx) ;;
        *) args+=("$a") ;;
    esac
done
(( ${#names[@]} )) || names=(atropos)

# Rebuild when the jar is missing or any source the benchmarks are made of is newer.
jar="bench/target/benchmarks.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml bench/pom.xml bench/src/main \
        atropos/pom.xml atropos/src/main kernel/pom.xml kernel/src/main rbufs/pom.xml rbufs/src/main \
        drivers/pom.xml drivers/src/main -newer "$jar" -type f -print -quit)" ]]; then
    echo "jmh.sh: building $jar" >&2
    mvn -q -pl bench -am package -DskipTests
fi

opts=()
if (( quick )); then
    opts=(-wi 2 -w 500ms -i 3 -r 500ms)
fi

declare -A class=([atropos]=AtroposDecisionBench [channel]=IoChannelBench [tx]=TransmitSchedulerBench)

# Prints the table of benchmark $1 from its JMH JSON $2.
print_table() {
python3 - "$1" "$2" <<'PY'
import json, math, sys

name, path = sys.argv[1], sys.argv[2]
results = json.load(open(path))
if not results:
    sys.exit("no results")

def alloc_of(r):
    return r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")

def cell(d, key):
    if key not in d:
        return "-"
    s, e, _ = d[key]
    return f"{s:8.1f} ±{e:5.1f}" if not math.isnan(e) else f"{s:8.1f}"

def growth(rows, keys):
    """Growth against n: an O(log n) decision grows like log2 n, an O(n) one like n."""
    ns = sorted(rows)
    lo = ns[0]
    for key, label in keys:
        if key not in rows[lo]:
            continue
        parts = [f"x{rows[n][key][0] / rows[lo][key][0]:.2f} at n={n}" for n in ns[1:] if key in rows[n]]
        logs = [f"x{math.log2(n) / math.log2(lo):.2f}" for n in ns[1:] if key in rows[n]]
        if parts:
            print(f"growth from n={lo}: {label:8} {', '.join(parts)}   (log2 n: {', '.join(logs)}; "
                  f"n: {', '.join('x%g' % (n / lo) for n in ns[1:])})")

# Scores go through float(): JMH writes an error it could not compute (1 iteration) as the string "NaN".
def by_n(results):
    rows = {}  # n -> {benchmark: (score, error, alloc B/op or None)}
    for r in results:
        bench = r["benchmark"].rsplit(".", 1)[1]
        m = r["primaryMetric"]
        rows.setdefault(int(r["params"]["n"]), {})[bench] = (float(m["score"]), float(m["scoreError"]), alloc_of(r))
    return rows

if name == "atropos":
    rows = by_n(results)
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
    growth(rows, (("cpuBound", "atropos"), ("blocking", "blocking"), ("baselineHeap", "baseline")))

elif name == "tx":
    rows = by_n(results)
    with_alloc = any(v[2] is not None for d in rows.values() for v in d.values())
    head = (f"{'n':>5} | {'transmit ns/decision':>20} | {'atropos cpu ns':>15} | {'round robin ns':>15} "
            f"| {'tx/cpu':>6} | {'tx/rr':>6}")
    if with_alloc:
        head += " | alloc B/op (tx/cpu/rr)"
    print()
    print("Transmit scheduler decision, backlogged channels, 1514 B frames at 100 Mb/s (121,120 ns each),")
    print("~90% reserved, a third with extra time; ns/op (mean ± 99.9% CI). Refills per decision grow with n")
    print("(~0.03, 0.3, 3 at 10, 100, 1,000), so more than log n growth is expected.")
    print(head)
    print("-" * len(head))
    for n in sorted(rows):
        d = rows[n]
        def ratio(a, b):
            return d[a][0] / d[b][0] if a in d and b in d else float("nan")
        line = (f"{n:>5} | {cell(d, 'transmit'):>20} | {cell(d, 'atroposCpu'):>15} | {cell(d, 'roundRobin'):>15} "
                f"| {ratio('transmit', 'atroposCpu'):6.2f} | {ratio('transmit', 'roundRobin'):6.1f}")
        if with_alloc:
            a = [d[k][2] if k in d and d[k][2] is not None else float("nan") for k in ("transmit", "atroposCpu", "roundRobin")]
            line += " | " + " / ".join(f"{x:.3g}" for x in a)
        print(line)
    growth(rows, (("transmit", "transmit"), ("atroposCpu", "cpu"), ("roundRobin", "rr")))

elif name == "channel":
    rows = {}  # (benchmark, recs) -> (ns/iorec, error, alloc B/iorec, note)
    for r in results:
        bench = r["benchmark"].rsplit(".", 1)[1]
        m = r["primaryMetric"]
        sec = r.get("secondaryMetrics", {})
        recs = int(r.get("params", {}).get("recs", 1))
        note = ""
        if bench == "spscPair":
            # Throughput group: delivered packets (of one record) per second are the successful polls.
            p = sec.get("pollsMade")
            if not p or not p["score"]:
                continue
            ns = 1e9 / float(p["score"])
            err = ns * float(p["scoreError"]) / float(p["score"])  # NaN stays NaN
            rows[(bench, 1)] = (ns, err, None, "")
            continue
        if bench == "channelInKernel" and "passes" in sec and sec.get("packets", {}).get("score"):
            note = f"{sec['passes']['score'] / sec['packets']['score']:.3f} kernel passes per iorec"
        rows[(bench, recs)] = (float(m["score"]), float(m["scoreError"]), alloc_of(r), note)

    what = {
        "fifoRaw": "FIFO alone, 1 thread",
        "spscRaw": "JCTools SPSC, 1 thread (baseline)",
        "channelInKernel": "2 domains via kernel, incl. hand-overs",
        "spscPair": "JCTools SPSC, 2 threads",
        "kernelHarness": "kernel-run harness in both raw rows",
    }
    with_alloc = any(v[2] is not None for v in rows.values())
    w = max(len(v) for v in what.values())
    head = (f"{'benchmark':<15} | {'what':<{w}} | {'recs/pkt':>8} | {'ns/iorec':>14} | {'Miorecs/s':>9} "
            f"| {'vs JCTools':>10}")
    if with_alloc:
        head += " | B/iorec"
    print()
    print("I/O channel throughput, 32-slot FIFOs; ns/iorec (mean ± 99.9% CI), Miorecs/s = 1000 / ns,")
    print("vs JCTools = ns/iorec over spscRaw's at the same records per packet (channelInKernel, spscPair: 1).")
    print("channelInKernel is wall time of the whole emulated path, with the CPU baton handed between the")
    print("domains' virtual threads at every FIFO-full: that is what users of a channel pay.")
    print(head)
    print("-" * len(head))
    order = ("fifoRaw", "spscRaw", "channelInKernel", "spscPair", "kernelHarness")
    for bench, recs in sorted(rows, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1])):
        ns, err, alloc, note = rows[(bench, recs)]
        base = rows.get(("spscRaw", recs))
        ratio = f"x{ns / base[0]:.2f}" if base and bench not in ("spscRaw", "kernelHarness") else "-"
        e = f" ±{err:5.2f}" if not math.isnan(err) else ""
        harness = bench == "kernelHarness"  # overhead, not a rate: no recs, no iorecs/s
        shown_recs = "-" if harness else str(recs)
        rate = "-" if harness else f"{1000 / ns:.1f}"
        line = (f"{bench:<15} | {what.get(bench, ''):<{w}} | {shown_recs:>8} | {ns:7.2f}{e:>7} | {rate:>9} "
                f"| {ratio:>10}")
        if with_alloc:
            line += f" | {alloc:.3g}" if alloc is not None else " | -"
        if note:
            line += f"   ({note})"
        print(line)
PY
}

mkdir -p bench/results
for name in "${names[@]}"; do
    json="bench/results/jmh-$name.json"
    rm -f "$json"  # so that a run that measures nothing (-l, -h) does not print an old table
    # The trailing dot: a class name must not also match a longer one that starts with it.
    java -jar "$jar" "nemesis\.bench\.${class[$name]}\." "${opts[@]}" "${args[@]}" -rf json -rff "$json"
    if [[ -s "$json" ]]; then
        print_table "$name" "$json"
    fi
done

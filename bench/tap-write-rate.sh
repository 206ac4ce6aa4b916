#!/usr/bin/env bash
# The ceiling of the TAP path: MTU-sized (1514-byte) frames written to a Linux TAP device as fast as
# one thread can, for SECONDS (default 2) after a 0.3 s warmup; prints frames/s and the equivalent
# Mbit/s of UDP payload. Needs root and /dev/net/tun. Makes its own network namespace
# (nemesis-b<pid>) and TAP (nmtb<pid>) and removes both at the end, also on Ctrl-C; nothing leaves
# the namespace (198.51.100.0/24, TEST-NET-2).
#
#   sudo bench/tap-write-rate.sh [SECONDS]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java_major() { # prints the feature version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' \
        | grep -E '^[0-9]+$' || echo 0
}
jdk=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && $(java_major "$JAVA_HOME/bin/java") -ge 25 ]]; then
    jdk="$JAVA_HOME"
else
    for d in /usr/lib/jvm/temurin-25*; do
        if [[ -x "$d/bin/java" ]]; then jdk="$d"; break; fi
    done
fi
if [[ -z "$jdk" ]]; then
    echo "tap-write-rate.sh: no JDK 25+ (set JAVA_HOME or install /usr/lib/jvm/temurin-25*)" >&2
    exit 1
fi
export JAVA_HOME="$jdk"
export PATH="$jdk/bin:$PATH"

jar="bench/target/benchmarks.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml bench/pom.xml bench/src/main drivers/pom.xml drivers/src/main \
        -newer "$jar" -type f -print -quit)" ]]; then
    echo "tap-write-rate.sh: building $jar" >&2
    mvn -q -pl bench -am package -DskipTests
fi
exec java --enable-native-access=ALL-UNNAMED -cp "$jar" nemesis.bench.TapWriteRate "$@"

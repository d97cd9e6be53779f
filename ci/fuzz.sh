#!/usr/bin/env bash
# Fuzzes Jazzer targets of the fuzz module, one after the other (docs/robustness.md).
#
#   ci/fuzz.sh                                  list the targets
#   ci/fuzz.sh HelloFuzzTest#clientHello 10m    fuzz one target for a time (Jazzer duration syntax)
#   ci/fuzz.sh all 10m                          every target in turn, 10 minutes each
#
# Needs the reactor installed first (mvn install -DskipTests). A finding stops its target: the input
# lands in fuzz/src/test/resources/<package>/<Class>Inputs/<method>/ and from then on runs in every
# `mvn install` (regression mode). The growing corpus stays in fuzz/.cifuzz-corpus (not committed).
# Each run's libFuzzer log (executions, exec/s, coverage) goes to fuzz/target/fuzz-logs/<target>.log.
# Environment: JDK25 (JDK home), PQDTLS_MVN_ARGS (extra Maven arguments, e.g. -Dmaven.repo.local=...).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
export JAVA_HOME="${JDK25:-/usr/lib/jvm/temurin-25-jdk-$ARCH}"
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
read -r -a EXTRA <<< "${PQDTLS_MVN_ARGS:-}"

targets() {
  grep -rl '@FuzzTest' fuzz/src/test/java | sort | while read -r f; do
    cls="$(basename "$f" .java)"
    awk -v c="$cls" '/@FuzzTest/ {want=1; next} want && /void [a-zA-Z]+\(/ {
      match($0, /void [a-zA-Z]+\(/); print c "#" substr($0, RSTART + 5, RLENGTH - 6); want=0 }' "$f"
  done
}

if [[ $# -eq 0 ]]; then
  targets
  exit 0
fi
duration="${2:-10m}"
if [[ "$1" == all ]]; then
  mapfile -t list < <(targets)
else
  list=("$1")
fi
mkdir -p fuzz/target/fuzz-logs
status=0
for t in "${list[@]}"; do
  log="fuzz/target/fuzz-logs/${t/\#/.}.log"
  echo "== fuzzing $t for $duration (log: $log)"
  if JAZZER_FUZZ=1 mvn -B -ntp "${EXTRA[@]}" -pl fuzz test -Dtest="$t" -Djazzer.max_duration="$duration" \
      -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1; then
    result="no finding"
  else
    result="FINDING (or error): see $log"
    status=1
  fi
  # libFuzzer's closing lines: total executions and rate.
  summary="$(grep -E '^Done [0-9]+ runs|^#[0-9]+.*(DONE|exec/s)' "$log" | tail -n 2 | tr '\n' ' ')"
  echo "   $t: $result; $summary"
done
exit $status

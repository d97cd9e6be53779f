#!/usr/bin/env bash
# pqdtls test command: `ci/test.sh` from the repository root, no input needed.
#
# Stages (fail fast):
#   1. set-up       ci/setup.sh: missing Debian packages, OpenSSL 3.5 built/cached under ~/.cache/pqdtls
#   2. reactor      mvn -B install with JDK 25: every module built and tested (system libcrypto 3.0)
#   3. consumer     examples/consumer (a separate project on dev.pqdtls:pqdtls from the local repository,
#                   the README's library snippet) built and run on JDK 25 and 17, class path and module path
#   4. ffm-openssl35  ffm-bindings tests again against the cached OpenSSL 3.5 (native ML-KEM)
#   5. fallback-jdk17 fallback-pure-java tests again in a JDK 17 JVM
#   6. jna-jdk17    jna-bindings tests (conformance, engine matrix, loopback, interop, data plane) in a
#                   JDK 17 JVM, system libcrypto
#   7. jna-jdk17-openssl35  the same against the cached OpenSSL 3.5 (native ML-KEM)
#   8. probe        ./pqdtls probe and ./pqdtls probe --json: ffm, jna and fallback usable
#   9. probe-jdk17  ./pqdtls probe --json on JDK 17: jna (and fallback) usable, the launcher says that
#                   the native library runs through jna there
#  10. demo         ./pqdtls demo (JDK 25: ffm), then on JDK 17, which must run the jna backend
# Environment: PQDTLS_CACHE (default ~/.cache/pqdtls), JDK25 / JDK17 (JDK homes), PQDTLS_CLEAN=1
# (mvn clean first), PQDTLS_SKIP_SETUP=1, PQDTLS_MVN_ARGS (extra Maven arguments).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"

ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-$ARCH}"
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-$ARCH}"
# Maven: batch mode, no download progress, no per-plugin banners; surefire's "Tests run:" lines and
# all warnings/errors stay. The JVM flag silences Maven 3.8's own sun.misc.Unsafe warning on JDK 24+.
MVN=(mvn -B -ntp -Dorg.slf4j.simpleLogger.log.org.apache.maven.cli.event.ExecutionEventLogger=warn)
if "$JDK25/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
fi
# Extra arguments for every Maven stage, e.g. PQDTLS_MVN_ARGS="-Dmaven.test.failure.ignore=true"
read -r -a EXTRA_MVN_ARGS <<< "${PQDTLS_MVN_ARGS:-}"
MVN+=("${EXTRA_MVN_ARGS[@]}")

T0=$(date +%s)
STAGE="(start)"
STAGES_DONE=()
STAGES_SKIPPED=()
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
stage() {  # $1 = short name, $2 = description
  STAGE="$1"
  echo
  echo "=================================================================================="
  echo "== ci/test.sh [$(elapsed "$T0")] stage $1: $2"
  echo "=================================================================================="
}
done_stage() { STAGES_DONE+=("$STAGE"); }
on_exit() {
  local rc=$?
  if (( rc != 0 )); then
    echo
    echo "== ci/test.sh: FAILED in stage '$STAGE' (exit $rc) after $(elapsed "$T0");" \
         "passed before it: ${STAGES_DONE[*]:-none}"
  fi
}
trap on_exit EXIT
fail() { echo "ci/test.sh: $*" >&2; exit 1; }

# Counts the conformance test cases (one per Wycheproof vector or RFC 8448 check) that ran in the
# surefire reports of one module and run (report-name suffix); prints one line and fails when
# nothing ran or something was skipped under CI=true — zero vectors is never a pass.
conformance_count() {  # $1 = backend label, $2 = module, $3 = report suffix ("" for the reactor run)
  local label="$1" dir="$2/target/surefire-reports" suffix="${3:+-$3}" f total=0 skipped=0 n s
  for f in "$dir"/TEST-*ConformanceTest"$suffix".xml "$dir"/TEST-*Rfc8448Test"$suffix".xml; do
    [[ -f "$f" ]] || continue
    n="$(grep -c '<testcase ' "$f" || true)"
    s="$(grep -c '<skipped' "$f" || true)"
    total=$((total + n)); skipped=$((skipped + s))
  done
  echo "conformance [$label]: $((total - skipped)) test cases ran, $skipped skipped"
  CONFORMANCE_LINES+=("conformance [$label]: $((total - skipped)) ran, $skipped skipped")
  (( total - skipped > 0 )) || fail "conformance [$label]: no conformance test case ran"
  if [[ "${CI:-}" == true ]] && (( skipped > 0 )); then
    fail "conformance [$label]: $skipped test cases skipped under CI=true (missing vectors?)"
  fi
}
CONFORMANCE_LINES=()

# ------------------------------------------------------------------------------------------------
stage set-up "Debian packages; OpenSSL 3.5, wolfSSL 5.9, Wycheproof vectors (each cached)"
if [[ "${PQDTLS_SKIP_SETUP:-0}" == 1 ]]; then
  # No apt, no downloads, no builds: only what PQDTLS_OPENSSL35_DIR / PQDTLS_WOLFSSL_DIR /
  # PQDTLS_WYCHEPROOF_DIR name or the cache already holds.
  echo "PQDTLS_SKIP_SETUP=1: no packages installed, nothing downloaded or built"
  export PQDTLS_OFFLINE=1
else
  PQDTLS_SKIP_OPENSSL35=1 ci/setup.sh
fi
# Each piece: the script prints its result as the last stdout line and says on stderr which one it
# used (an existing install, the cache, or the newest listed version the archive serves).
LIBCRYPTO35=""
if LIBCRYPTO35="$(ci/build-openssl35.sh | tail -n1)" && [[ -e "$LIBCRYPTO35" ]]; then
  echo "libcrypto 3.5: $LIBCRYPTO35"
elif [[ "${PQDTLS_SKIP_SETUP:-0}" == 1 ]]; then
  echo "!!!!!! WARNING: no OpenSSL 3.5 (PQDTLS_SKIP_SETUP=1): stage ffm-openssl35 will be SKIPPED !!!!!!" >&2
  LIBCRYPTO35=""
else
  fail "OpenSSL 3.5 could not be provided (see the [openssl35] lines above)"
fi
# wolfSSL 5.9 build tree (DTLS 1.3 interop peer), passed to every Maven stage as -Dpqdtls.wolfssl.dir.
# Not fatal: if the build fails, the interop tests skip (they print why) and CI carries on.
WOLFSSL_LOG="$(mktemp)"
if WOLFSSL_DIR="$( { ci/build-wolfssl.sh 2>&1 1>&3 | tee "$WOLFSSL_LOG" >&2; } 3>&1 | tail -n1)" \
   && [[ -n "$WOLFSSL_DIR" && -x "$WOLFSSL_DIR/examples/server/server" ]]; then
  echo "wolfSSL build tree: $WOLFSSL_DIR"
else
  echo "!!!!!! WARNING: wolfSSL build FAILED — the wolfSSL interop tests will be SKIPPED. Reason:" \
       "$(grep -m1 'ERROR' "$WOLFSSL_LOG" || tail -n1 "$WOLFSSL_LOG") !!!!!!" >&2
  WOLFSSL_DIR=""
fi
rm -f "$WOLFSSL_LOG"
MVN+=(-Dpqdtls.wolfssl.dir="$WOLFSSL_DIR")
# Wycheproof vectors (Debian's wycheproof source package). Missing vectors make the conformance
# tests skip with the reason; under CI=true they fail instead.
if WYCHEPROOF_DIR="$(ci/fetch-wycheproof.sh | tail -n1)" && [[ -d "$WYCHEPROOF_DIR" ]]; then
  echo "Wycheproof vectors: $WYCHEPROOF_DIR"
  MVN+=(-Dpqdtls.wycheproof.dir="$WYCHEPROOF_DIR")
elif [[ "${CI:-}" == true ]]; then
  fail "Wycheproof vectors could not be provided (see the [wycheproof] lines above); CI needs them"
else
  echo "!!!!!! WARNING: no Wycheproof vectors — the conformance suites will report SKIPPED test cases !!!!!!" >&2
fi
[[ -x "$JDK25/bin/javac" ]] || fail "JDK 25 not found at $JDK25 (set JDK25=<home>)"
[[ -x "$JDK17/bin/java" ]] || fail "JDK 17 not found at $JDK17 (set JDK17=<home>)"
echo "JDK 25: $JDK25    JDK 17: $JDK17"
JAVA_HOME="$JDK25" mvn -B -v
done_stage

# ------------------------------------------------------------------------------------------------
stage reactor "mvn install: build + all tests on JDK 25 (system libcrypto)"
goals=(install)
[[ "${PQDTLS_CLEAN:-0}" == 1 ]] && goals=(clean install)
JAVA_HOME="$JDK25" "${MVN[@]}" "${goals[@]}"
conformance_count "ffm, system libcrypto, JDK 25" ffm-bindings ""
conformance_count "fallback, JDK 25" fallback-pure-java ""
done_stage

# ------------------------------------------------------------------------------------------------
# examples/consumer is a separate Maven project, as a user's would be: its one dependency,
# dev.pqdtls:pqdtls, comes from the local repository the reactor stage installed into (MVN carries
# PQDTLS_MVN_ARGS, so a -Dmaven.repo.local given there holds for both). Its sources are the README's
# "Using the library" blocks, byte for byte.
readme_java_block() {  # $1 = first line -> the README's ```java block that starts with it
  awk -v first="$1" '
    /^```java$/ { inblock = 1; lines = 0; next }
    inblock && /^```$/ { if (found) exit; inblock = 0; next }
    inblock { if (lines++ == 0 && $0 == first) found = 1; if (found) print }' README.md
}
stage consumer "examples/consumer on dev.pqdtls:pqdtls: class path and module path, JDK 25 (ffm) and JDK 17 (jna)"
CONSUMER=examples/consumer
diff <(readme_java_block 'package example;') "$CONSUMER/src/main/java/example/Echo.java" \
  || fail "README.md's Echo block differs from $CONSUMER/src/main/java/example/Echo.java (diff above)"
diff <(readme_java_block 'module example {') "$CONSUMER/src/main/java/module-info.java" \
  || fail "README.md's module-info block differs from $CONSUMER/src/main/java/module-info.java (diff above)"
echo "ok: README.md's library snippet and module-info are the example's sources"
PQDTLS_VERSION="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n1)"
for jdk in "$JDK25" "$JDK17"; do
  major="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  expect=ffm
  (( major >= 22 )) || expect=jna   # the native library through JNA on Java 17..21
  rm -rf "$CONSUMER/target"
  # Built by Maven running on this JDK, as its users would; Java 17 does not know MAVEN_OPTS' JDK 24+ flag.
  mvn_opts="${MAVEN_OPTS:-}"
  "$jdk/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 \
    || mvn_opts="${mvn_opts//--sun-misc-unsafe-memory-access=allow/}"
  JAVA_HOME="$jdk" MAVEN_OPTS="$mvn_opts" "${MVN[@]}" -f "$CONSUMER/pom.xml" -Dpqdtls.version="$PQDTLS_VERSION" package
  for path in class module; do
    if [[ "$path" == class ]]; then
      run=(-cp "$CONSUMER/target/consumer.jar:$CONSUMER/target/lib/*" --enable-native-access=ALL-UNNAMED example.Echo)
    else
      run=(-p "$CONSUMER/target/consumer.jar:$CONSUMER/target/lib" --enable-native-access=dev.pqdtls.ffm -m example/example.Echo)
    fi
    log="$CONSUMER/target/run-$path-path"
    timeout 120 "$jdk/bin/java" "${run[@]}" > "$log.out" 2> "$log.err" \
      || { rc=$?; cat "$log.out" "$log.err"; fail "consumer on Java $major, $path path: exit $rc"; }
    cat "$log.out" "$log.err"
    grep -qx 'echo: hello' "$log.out" || fail "consumer on Java $major, $path path: no echo came back"
    grep -Eq "^handshake: version=DTLSv1.3 .*group=X25519MLKEM768 backend=$expect " "$log.out" \
      || fail "consumer on Java $major, $path path: backend '$expect' did not run"
    # The README's --enable-native-access value for this path is the right one: no warning.
    if grep -q 'restricted method' "$log.err"; then fail "consumer on Java $major, $path path: native-access warning"; fi
    if [[ "$expect" != ffm ]]; then
      # Asking for ffm here fails, saying why.
      if timeout 120 "$jdk/bin/java" -Dpqdtls.backend=ffm "${run[@]}" > "$log-ffm.out" 2>&1; then
        fail "consumer on Java $major, $path path: -Dpqdtls.backend=ffm did not fail"
      fi
      grep -q "ffm needs Java 22+; this is Java $major" "$log-ffm.out" \
        || { cat "$log-ffm.out"; fail "consumer on Java $major, $path path: no reason why ffm cannot run"; }
      echo "ok: -Dpqdtls.backend=ffm refused: $(grep -o "'ffm' cannot run here: [^;]*; [^;]*" "$log-ffm.out" | head -n1)"
    fi
    echo "ok: Java $major, $path path: the echo came back over backend '$expect'"
  done
done
done_stage

# ------------------------------------------------------------------------------------------------
stage ffm-openssl35 "ffm-bindings tests against OpenSSL 3.5 (${LIBCRYPTO35:-none})"
if [[ -n "$LIBCRYPTO35" ]]; then
  JAVA_HOME="$JDK25" "${MVN[@]}" -pl ffm-bindings surefire:test \
    -Dpqdtls.libcrypto.path="$LIBCRYPTO35" -Dpqdtls.expect.libcrypto=3.5 \
    -Dsurefire.reportNameSuffix=openssl35
  conformance_count "ffm, OpenSSL 3.5, JDK 25" ffm-bindings openssl35
  done_stage
else
  echo "SKIPPED: no OpenSSL 3.5 (PQDTLS_SKIP_SETUP=1 and none given or cached)"
  STAGES_SKIPPED+=("$STAGE")
fi

# ------------------------------------------------------------------------------------------------
stage fallback-jdk17 "fallback-pure-java tests in a JDK 17 JVM"
JAVA_HOME="$JDK25" "${MVN[@]}" -pl fallback-pure-java surefire:test \
  -Djvm="$JDK17/bin/java" -Dsurefire.reportNameSuffix=jdk17
conformance_count "fallback, JDK 17" fallback-pure-java jdk17
done_stage

# ------------------------------------------------------------------------------------------------
stage jna-jdk17 "jna-bindings tests in a JDK 17 JVM (system libcrypto)"
JAVA_HOME="$JDK25" "${MVN[@]}" -pl jna-bindings surefire:test \
  -Djvm="$JDK17/bin/java" -Dsurefire.reportNameSuffix=jdk17
conformance_count "jna, system libcrypto, JDK 17" jna-bindings jdk17
done_stage

# ------------------------------------------------------------------------------------------------
stage jna-jdk17-openssl35 "jna-bindings tests in a JDK 17 JVM against OpenSSL 3.5 (${LIBCRYPTO35:-none})"
if [[ -n "$LIBCRYPTO35" ]]; then
  JAVA_HOME="$JDK25" "${MVN[@]}" -pl jna-bindings surefire:test -Djvm="$JDK17/bin/java" \
    -Dpqdtls.libcrypto.path="$LIBCRYPTO35" -Dpqdtls.expect.libcrypto=3.5 \
    -Dsurefire.reportNameSuffix=jdk17-openssl35
  conformance_count "jna, OpenSSL 3.5, JDK 17" jna-bindings jdk17-openssl35
  done_stage
else
  echo "SKIPPED: no OpenSSL 3.5 (PQDTLS_SKIP_SETUP=1 and none given or cached)"
  STAGES_SKIPPED+=("$STAGE")
fi

# ------------------------------------------------------------------------------------------------
# Assertions on the probe output. JSON: top-level "backends" array of objects with "name",
# "usable" (boolean) and "reason". Text: one line per backend that starts with its name and says
# "usable" (or "unusable: <reason>").
json_usable() {  # $1 = json file, $2 = backend name -> 0 if that backend is reported usable
  if command -v jq >/dev/null; then
    jq -e --arg n "$2" 'any(.backends[]; .name == $n and .usable == true)' "$1" >/dev/null
  else
    tr -d ' \t\r\n' < "$1" | grep -Eq "\{[^{}]*\"name\":\"$2\"[^{}]*\"usable\":true|\"usable\":true[^{}]*\"name\":\"$2\""
  fi
}
text_usable() {  # $1 = text file, $2 = backend name
  grep -E "^[[:space:]]*$2[[:space:]]" "$1" | grep -Ewi 'usable' | grep -Eqvi 'not usable|unusable'
}

stage probe "./pqdtls probe and ./pqdtls probe --json (JDK 25): ffm, jna and fallback usable"
OUT="$(mktemp -d)"
trap 'rc=$?; rm -rf "$OUT"; (exit $rc); on_exit' EXIT
JAVA_HOME="$JDK25" PQDTLS_NO_BUILD=1 ./pqdtls probe > "$OUT/probe.txt"
cat "$OUT/probe.txt"
JAVA_HOME="$JDK25" PQDTLS_NO_BUILD=1 ./pqdtls probe --json > "$OUT/probe.json"
cat "$OUT/probe.json"; echo
if command -v jq >/dev/null; then jq -e '.backends | type == "array"' "$OUT/probe.json" >/dev/null \
  || fail "probe --json: no top-level \"backends\" array"; fi
for b in ffm jna fallback; do
  json_usable "$OUT/probe.json" "$b" || fail "probe --json does not report backend '$b' as usable"
  text_usable "$OUT/probe.txt" "$b" || fail "probe (text) does not report backend '$b' as usable"
  echo "ok: backend '$b' usable (text and JSON)"
done
done_stage

# ------------------------------------------------------------------------------------------------
stage probe-jdk17 "./pqdtls probe --json on JDK 17: jna and fallback usable"
PQDTLS_JAVA_HOME="$JDK17" PQDTLS_NO_BUILD=1 ./pqdtls probe --json --no-speed \
  > "$OUT/probe17.json" 2> "$OUT/probe17.err"
cat "$OUT/probe17.err" "$OUT/probe17.json"; echo
for b in jna fallback; do
  json_usable "$OUT/probe17.json" "$b" || fail "on JDK 17, probe --json does not report '$b' usable"
done
grep -q 'runs through the jna backend' "$OUT/probe17.err" \
  || fail "launcher did not say that the native library runs through jna on Java 17"
echo "ok: backends 'jna' and 'fallback' usable on JDK 17"
done_stage

# ------------------------------------------------------------------------------------------------
stage demo "./pqdtls demo: the README's main command (JDK 25, then JDK 17 with jna)"
PQDTLS_NO_BUILD=1 ./pqdtls demo --megabytes 1 | tee "$OUT/demo.txt"
[[ $(grep -c '^\[.*\] handshake: version=DTLSv1.3 .*group=X25519MLKEM768' "$OUT/demo.txt") == 2 ]] \
  || fail "demo did not print a hybrid handshake line for both sides"
grep -q 'goodput' "$OUT/demo.txt" || fail "demo printed no goodput"
PQDTLS_JAVA_HOME="$JDK17" PQDTLS_NO_BUILD=1 ./pqdtls demo --megabytes 1 | tee "$OUT/demo17.txt"
[[ $(grep -c '^\[.*\] handshake: version=DTLSv1.3 .*group=X25519MLKEM768 backend=jna' "$OUT/demo17.txt") == 2 ]] \
  || fail "on JDK 17, demo did not run the jna backend on both sides"
done_stage

echo
printf '%s\n' "${CONFORMANCE_LINES[@]}"
echo "== ci/test.sh: ${#STAGES_DONE[@]} stages passed in $(elapsed "$T0"): ${STAGES_DONE[*]}" \
     "${STAGES_SKIPPED:+; SKIPPED: ${STAGES_SKIPPED[*]}}"

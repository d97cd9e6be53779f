#!/usr/bin/env bash
# Idempotent machine set-up for building and testing pqdtls on Debian (12 bookworm, x86-64/aarch64).
#
#  - installs the Debian packages the build needs (only those missing; apt is skipped entirely when
#    everything is present; `apt-get update` runs only when something has to be installed)
#  - checks for a JDK >= 22 to build with (JDK 25 expected at /usr/lib/jvm/temurin-25-jdk-amd64)
#  - builds/caches OpenSSL 3.5 from Debian's trixie source (ci/build-openssl35.sh)
#
# Runs non-interactively as root (or via sudo). Environment:
#   PQDTLS_CACHE           cache directory (default ~/.cache/pqdtls)
#   PQDTLS_SKIP_OPENSSL35  =1 to skip the OpenSSL 3.5 build
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

log() { echo "[setup] $*" >&2; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

# Debian packages: build toolchain and libcrypto headers for the native module, Maven, the tools
# ci/build-openssl35.sh uses, autotools for building wolfSSL (the DTLS 1.3 interop peer), jq for
# JSON assertions in ci/test.sh, and a JDK 17 for the fallback smoke run.
PACKAGES=(
  build-essential gcc make perl pkg-config
  libssl-dev
  maven
  ca-certificates ca-certificates-java
  autoconf automake libtool
  tar gzip xz-utils util-linux
  jq
  openjdk-17-jdk-headless
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do
  case "$p" in
    # a Maven or JDK 17 installed outside apt is fine too
    maven) command -v mvn >/dev/null 2>&1 && continue ;;
    openjdk-17-jdk-headless) [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/javac || -x /usr/lib/jvm/java-17-openjdk-arm64/bin/javac ]] && continue ;;
  esac
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root; install them or run as root"
    SUDO=(sudo -n)
  fi
  log "installing: ${missing[*]}"
  # The lists are refreshed when a package cannot be found with the current ones (or there are none).
  if ! "${SUDO[@]}" apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/tmp/pqdtls-apt.$$.log 2>&1; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -q >&2
    "${SUDO[@]}" apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/tmp/pqdtls-apt.$$.log 2>&1 \
      || { tail -n 30 /tmp/pqdtls-apt.$$.log >&2; rm -f /tmp/pqdtls-apt.$$.log; die "apt-get install failed"; }
  fi
  rm -f /tmp/pqdtls-apt.$$.log
else
  log "all Debian packages present; apt skipped"
fi

# A JDK >= 22 is needed to build the reactor (release-22 modules); 25 is what the project uses.
jdk_major() {  # $1 = JDK home
  local v=""
  [[ -r "$1/release" ]] && v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")"
  [[ -n "$v" ]] || v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ "$v" == 1 ]] && v=8
  echo "${v:-0}"
}
build_jdk=""
for h in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  [[ -n "$h" && -x "$h/bin/javac" ]] || continue
  if (( $(jdk_major "$h") >= 22 )); then build_jdk="$h"; break; fi
done
if [[ -n "$build_jdk" ]]; then
  log "build JDK: $build_jdk (Java $(jdk_major "$build_jdk"))"
else
  log "WARNING: no JDK >= 22 found (JDK 25 expected at /usr/lib/jvm/temurin-25-jdk-amd64); the reactor cannot be built"
fi

if [[ "${PQDTLS_SKIP_OPENSSL35:-0}" != 1 ]]; then
  "$HERE/build-openssl35.sh" >/dev/null
fi
log "done"

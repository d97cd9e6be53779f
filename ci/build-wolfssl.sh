#!/usr/bin/env bash
# Builds wolfSSL 5.9.x (DTLS 1.3, CID, hybrid ML-KEM, example client/server) from Debian sid's source
# package and caches it: the real DTLS 1.3 peer for the interop tests.
#
#   ci/build-wolfssl.sh              -> prints the wolfSSL BUILD TREE (last line of stdout); it holds
#                                       examples/server/server, examples/client/client and certs/
#                                       (pass it to Maven as -Dpqdtls.wolfssl.dir=<path>)
#
# Cache: ${PQDTLS_CACHE:-$HOME/.cache/pqdtls}/wolfssl-<version>/ is the install prefix (lib/,
#        include/, bin/) and wolfssl-<version>/build/ the kept build tree; a stable symlink
#        <cache>/wolfssl -> wolfssl-<version>. A build counts as done only when
#        <cache>/wolfssl-<version>/.pqdtls-complete exists (its first line is printed on reuse).
# A cached build is reused only if it was configured with the current CONFIGURE_FLAGS.
# Which wolfSSL is used, in this order (the script says which on stderr):
#   1. PQDTLS_WOLFSSL_DIR=<build tree>: an existing wolfSSL build tree with examples/server/server,
#      examples/client/client and certs/; nothing is downloaded or built.
#   2. a completed build in the cache.
#   3. the newest 5.9.x that sid's index lists AND the archive serves (every listed version tried
#      newest first, as for OpenSSL); PQDTLS_WOLFSSL_VERSION=5.9.2 pins one.
#   PQDTLS_OFFLINE=1 forbids step 3.
# When a completed 5.9.x build is cached, the script returns at once without touching the network;
# PQDTLS_WOLFSSL_REFRESH=1 asks the archive for the current sid version and builds it if new.
#
# The system's apt configuration is never modified: a private sources file (suite sid), lists and
# caches live under <cache>/apt-sid (see ci/lib-debsrc.sh); the archive URI is read at run time
# from the system's debian.sources. Needs autoconf automake libtool pkg-config (ci/setup.sh).
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
CACHE="${PQDTLS_CACHE:-$HOME/.cache/pqdtls}"
SYS_SOURCES="${PQDTLS_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
JOBS="$(nproc 2>/dev/null || echo 2)"
SUITE=sid

log() { echo "[wolfssl] $*" >&2; }
die() { echo "[wolfssl] ERROR: $*" >&2; exit 1; }

# shellcheck source=ci/lib-debsrc.sh
. "$HERE/lib-debsrc.sh"

# The configure line (docs: /work/shared/ENVIRONMENT.md "wolfSSL — the real DTLS 1.3 peer").
CONFIGURE_FLAGS=(
  --enable-dtls --enable-dtls13 --enable-dtlscid --enable-dtls-frag-ch --enable-dtls-mtu
  --enable-mlkem --enable-pqc-hybrids --enable-curve25519 --enable-ed25519 --enable-ecc
  --enable-chacha --enable-aesgcm --enable-session-ticket --enable-hrrcookie --enable-psk
  --enable-examples
  # Beyond that line: the AES-CCM suites, RFC 7250 raw public keys and 0-RTT early data, which the
  # interop tests of pqdtls's CCM suites, pinned raw keys and resumption use.
  --enable-aesccm --enable-rpk --enable-earlydata
  # Not in ENVIRONMENT.md's line, but what its "wolfSSL writes the DTLS 1.3 secrets to ./sslkeylog.log"
  # needs: NSS keylog export, so tcpdump captures of interop runs decode (test peer only).
  --enable-keylog-export
)
# The benchmark compares throughput with wolfSSL: give it its own x86-64 assembly (AES-NI, AVX
# AES-GCM, dispatched at run time by CPUID), or the comparison is against plain-C AES.
if [[ "$(uname -m)" == x86_64 ]]; then
  CONFIGURE_FLAGS+=(--enable-aesni --enable-intelasm)
fi
FLAGS_LINE="configure flags: ${CONFIGURE_FLAGS[*]}"

if [[ -n "${PQDTLS_WOLFSSL_DIR:-}" ]]; then
  for f in examples/server/server examples/client/client; do
    [[ -x "$PQDTLS_WOLFSSL_DIR/$f" ]] || die "PQDTLS_WOLFSSL_DIR=$PQDTLS_WOLFSSL_DIR has no $f (give a wolfSSL build tree built with --enable-dtls13 --enable-examples)"
  done
  [[ -d "$PQDTLS_WOLFSSL_DIR/certs" ]] || die "PQDTLS_WOLFSSL_DIR=$PQDTLS_WOLFSSL_DIR has no certs/"
  log "using the existing wolfSSL build tree from PQDTLS_WOLFSSL_DIR; nothing downloaded or built"
  echo "$PQDTLS_WOLFSSL_DIR"
  exit 0
fi

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"

complete() {  # $1 = prefix dir -> 0 if a usable completed build with the current configure flags
  [[ -d "$1" && ! -L "$1" && -f "$1/.pqdtls-complete" \
     && -x "$1/build/examples/server/server" && -x "$1/build/examples/client/client" \
     && -d "$1/build/certs" ]] && grep -qxF -- "$FLAGS_LINE" "$1/.pqdtls-complete"
}

# Newest completed wolfssl-5.9.* build in the cache (empty if none).
cached_build() {
  local d
  for d in "$CACHE"/wolfssl-5.9.*; do
    [[ -z "${PQDTLS_WOLFSSL_VERSION:-}" || "$d" == "$CACHE/wolfssl-$PQDTLS_WOLFSSL_VERSION" ]] || continue
    if complete "$d"; then echo "$d"; fi
  done | sort -V | tail -n1
}

link_and_print() {
  local dir="$1"
  ln -sfn "$(basename "$dir")" "$CACHE/wolfssl"
  log "wolfSSL $(basename "$dir" | sed 's/^wolfssl-//') ready: $(head -n1 "$dir/.pqdtls-complete")"
  echo "$CACHE/wolfssl/build"
}

if [[ "${PQDTLS_WOLFSSL_REFRESH:-0}" != 1 ]]; then
  existing="$(cached_build)"
  if [[ -n "$existing" ]]; then
    log "cached build found, skipping (PQDTLS_WOLFSSL_REFRESH=1 to check for a newer 5.9.x)"
    link_and_print "$existing"
    exit 0
  fi
fi

# One builder at a time (several scripts/engineers may call this concurrently).
exec 9>"$CACHE/.wolfssl.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
  if [[ "${PQDTLS_WOLFSSL_REFRESH:-0}" != 1 ]]; then
    existing="$(cached_build)"
    if [[ -n "$existing" ]]; then link_and_print "$existing"; exit 0; fi
  fi
fi

[[ "${PQDTLS_OFFLINE:-0}" != 1 ]] \
  || die "no wolfSSL 5.9 build in $CACHE and PQDTLS_OFFLINE=1: set PQDTLS_WOLFSSL_DIR=<build tree> or allow the download"

# ---------------------------------------------------------------------------------------------
# Private apt configuration (suite sid), version, download + SHA-256 verification
# ---------------------------------------------------------------------------------------------
for tool in apt-get apt-cache sha256sum tar make gcc autoconf automake libtoolize pkg-config; do
  command -v "$tool" >/dev/null \
    || die "'$tool' not found: wolfSSL needs autoconf automake libtool pkg-config gcc make (run ci/setup.sh first)"
done

debsrc_archive
debsrc_apt_init "$CACHE/apt-$SUITE" "$SUITE" "ci/build-wolfssl.sh"
debsrc_update "$SUITE"
debsrc_candidates wolfssl "$SUITE" "${PQDTLS_WOLFSSL_VERSION:-5.9.*}"
if complete "$CACHE/wolfssl-$(debsrc_upstream "${CANDIDATES[0]}")"; then
  log "wolfssl ${CANDIDATES[0]} already built"
  link_and_print "$CACHE/wolfssl-$(debsrc_upstream "${CANDIDATES[0]}")"
  exit 0
fi
debsrc_fetch_first wolfssl "$CACHE/src/wolfssl"
PREFIX="$CACHE/wolfssl-$UPSTREAM"
log "$SUITE wolfssl source: $DEB_VERSION (upstream $UPSTREAM)"

# ---------------------------------------------------------------------------------------------
# Build (in place: the build tree is kept inside the prefix, the examples run from it)
# ---------------------------------------------------------------------------------------------
rm -rf "$PREFIX"
BUILD="$PREFIX/build"
mkdir -p "$BUILD"
tar -xf "$SRC/$TARBALL" -C "$BUILD" --strip-components=1
LOGFILE="$PREFIX/build.log"
start=$(date +%s)
log "building wolfSSL $UPSTREAM with make -j$JOBS (log: $LOGFILE; ~2-3 minutes on 2 cores)"
if ! ( cd "$BUILD" \
       && { [[ -x ./configure ]] || ./autogen.sh; } \
       && ./configure --prefix="$PREFIX" "${CONFIGURE_FLAGS[@]}" \
       && make -j"$JOBS" \
       && make install ) >"$LOGFILE" 2>&1; then
  tail -n 40 "$LOGFILE" >&2
  mv "$LOGFILE" "$SRC/build.log" 2>/dev/null || true
  rm -rf "$PREFIX"
  die "wolfSSL build failed (full log: $SRC/build.log)"
fi
for f in examples/server/server examples/client/client; do
  [[ -x "$BUILD/$f" ]] || { rm -rf "$PREFIX"; die "build finished but $BUILD/$f is missing"; }
done
# Smoke check: the client runs and knows DTLS 1.3 + the hybrid group.
if ! ( cd "$BUILD" && ./examples/client/client -? 2>&1 || true ) | grep -q -- '--pqc'; then
  log "WARNING: examples/client/client -? does not mention --pqc (hybrid ML-KEM may be missing)"
fi
secs=$(( $(date +%s) - start ))
echo "wolfssl $DEB_VERSION built $(date -u +%FT%TZ) in ${secs}s" > "$PREFIX/.pqdtls-complete"
printf '%s\n' "$FLAGS_LINE" >> "$PREFIX/.pqdtls-complete"
log "build took ${secs}s"
rm -rf "$SRC"
link_and_print "$PREFIX"

#!/usr/bin/env bash
# Builds OpenSSL 3.5 (native ML-KEM) from Debian trixie's source package and caches it.
#
#   ci/build-openssl35.sh            -> prints the path of libcrypto.so.3 (last line of stdout)
#
# Which OpenSSL is used, in this order (the script says which on stderr):
#   1. PQDTLS_OPENSSL35_DIR=<prefix>: an existing install (<prefix>/lib/libcrypto.so.3, or lib64/),
#      checked to be OpenSSL >= 3.5; nothing is downloaded or built.
#   2. a completed build in the cache (below).
#   3. the newest 3.5.x that trixie's index lists AND the archive serves: every listed version is
#      tried newest first until one downloads and its SHA-256 matches the index (a version the
#      index lists but the archive lacks, 404, is skipped); PQDTLS_OPENSSL_VERSION=3.5.7 pins one.
#   PQDTLS_OFFLINE=1 forbids step 3 (fails with what to set instead).
#
# Cache: ${PQDTLS_CACHE:-$HOME/.cache/pqdtls}/openssl-<version>, plus a stable symlink
#        <cache>/openssl-3.5 -> openssl-<version>. A build counts as done only when
#        <cache>/openssl-<version>/.pqdtls-complete exists.
# When a completed 3.5.x build is cached, the script returns at once without touching the network;
# PQDTLS_OPENSSL_REFRESH=1 asks the archive for the current trixie version and builds it if new.
#
# The system's apt configuration is never modified: a private sources file, lists and caches live
# under <cache>/apt, and the archive URI is read at run time from the system's debian.sources.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
CACHE="${PQDTLS_CACHE:-$HOME/.cache/pqdtls}"
SYS_SOURCES="${PQDTLS_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
JOBS="$(nproc 2>/dev/null || echo 2)"

log() { echo "[openssl35] $*" >&2; }
die() { echo "[openssl35] ERROR: $*" >&2; exit 1; }

# An OpenSSL that is already installed: accept it if it is 3.5 or newer.
libcrypto_version() {  # $1 = prefix -> "3.5.7" (empty if unknown)
  local lib="$2"
  if [[ -x "$1/bin/openssl" ]]; then
    LD_LIBRARY_PATH="$(dirname "$lib")" "$1/bin/openssl" version 2>/dev/null | awk '{ print $2 }' && return
  fi
  strings -a "$lib" 2>/dev/null | sed -n 's/^OpenSSL \(3\.[0-9]*\.[0-9]*\).*/\1/p' | head -n1
}
if [[ -n "${PQDTLS_OPENSSL35_DIR:-}" ]]; then
  dir="$PQDTLS_OPENSSL35_DIR"
  lib=""
  for l in "$dir/lib/libcrypto.so.3" "$dir/lib64/libcrypto.so.3" "$dir/libcrypto.so.3"; do
    [[ -e "$l" ]] && { lib="$l"; break; }
  done
  [[ -n "$lib" ]] || die "PQDTLS_OPENSSL35_DIR=$dir has no lib/libcrypto.so.3 (nor lib64/)"
  ver="$(libcrypto_version "$dir" "$lib")"
  [[ -n "$ver" ]] || die "PQDTLS_OPENSSL35_DIR=$dir: cannot tell the OpenSSL version of $lib"
  [[ "$(printf '%s\n3.5.0\n' "$ver" | sort -V | head -n1)" == 3.5.0 ]] \
    || die "PQDTLS_OPENSSL35_DIR=$dir holds OpenSSL $ver; ML-KEM needs 3.5 or newer"
  log "using the existing OpenSSL $ver from PQDTLS_OPENSSL35_DIR ($lib); nothing downloaded or built"
  echo "$lib"
  exit 0
fi

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"

# Newest completed openssl-3.5.* build in the cache (empty if none).
cached_build() {
  local d
  for d in "$CACHE"/openssl-3.5.*; do
    [[ -d "$d" && ! -L "$d" && -f "$d/.pqdtls-complete" && -e "$d/lib/libcrypto.so.3" ]] || continue
    [[ -z "${PQDTLS_OPENSSL_VERSION:-}" || "$d" == "$CACHE/openssl-$PQDTLS_OPENSSL_VERSION" ]] || continue
    echo "$d"
  done | sort -V | tail -n1   # the highest version (3.5.10 > 3.5.9)
}

link_and_print() {
  local dir="$1"
  ln -sfn "$(basename "$dir")" "$CACHE/openssl-3.5"
  log "using OpenSSL $(basename "$dir" | sed 's/^openssl-//') built in $dir ($(head -n1 "$dir/.pqdtls-complete"))"
  echo "$CACHE/openssl-3.5/lib/libcrypto.so.3"
}

if [[ "${PQDTLS_OPENSSL_REFRESH:-0}" != 1 ]]; then
  existing="$(cached_build)"
  if [[ -n "$existing" ]]; then
    log "cached build found, skipping (PQDTLS_OPENSSL_REFRESH=1 to check for a newer 3.5.x)"
    link_and_print "$existing"
    exit 0
  fi
fi

# One builder at a time (several scripts/engineers may call this concurrently).
exec 9>"$CACHE/.openssl35.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
  if [[ "${PQDTLS_OPENSSL_REFRESH:-0}" != 1 ]]; then
    existing="$(cached_build)"
    if [[ -n "$existing" ]]; then link_and_print "$existing"; exit 0; fi
  fi
fi

[[ "${PQDTLS_OFFLINE:-0}" != 1 ]] \
  || die "no OpenSSL 3.5 in $CACHE and PQDTLS_OFFLINE=1: set PQDTLS_OPENSSL35_DIR=<prefix of an OpenSSL >= 3.5> or allow the download"

# ---------------------------------------------------------------------------------------------
# Private apt configuration (suite trixie), download and verify — helpers in ci/lib-debsrc.sh
# ---------------------------------------------------------------------------------------------
for tool in apt-get apt-cache sha256sum tar make perl gcc; do
  command -v "$tool" >/dev/null || die "'$tool' not found (run ci/setup.sh first)"
done
# shellcheck source=ci/lib-debsrc.sh
. "$HERE/lib-debsrc.sh"
debsrc_archive
debsrc_apt_init "$CACHE/apt" trixie ci/build-openssl35.sh
debsrc_update trixie
debsrc_candidates openssl trixie "${PQDTLS_OPENSSL_VERSION:-3.5.*}"
# Refreshing (or pinned) and the newest listed version is already built: reuse it.
p="$CACHE/openssl-$(debsrc_upstream "${CANDIDATES[0]}")"
if [[ -f "$p/.pqdtls-complete" && -e "$p/lib/libcrypto.so.3" ]]; then
  log "openssl ${CANDIDATES[0]} already built"
  link_and_print "$p"
  exit 0
fi
debsrc_fetch_first openssl "$CACHE/src/openssl"
PREFIX="$CACHE/openssl-$UPSTREAM"
log "trixie openssl source: $DEB_VERSION (upstream $UPSTREAM)"

# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------
BUILD="$SRC/build"
mkdir -p "$BUILD"
tar -xf "$SRC/$TARBALL" -C "$BUILD" --strip-components=1
LOGFILE="$SRC/build.log"
rm -rf "$PREFIX"
start=$(date +%s)
log "building OpenSSL $UPSTREAM with make -j$JOBS (log: $LOGFILE; ~8-10 minutes on 2 cores)"
if ! ( cd "$BUILD" \
       && ./Configure --prefix="$PREFIX" --libdir=lib no-docs no-tests shared \
       && make -j"$JOBS" \
       && make install_sw ) >"$LOGFILE" 2>&1; then
  tail -n 40 "$LOGFILE" >&2
  rm -rf "$PREFIX"
  die "OpenSSL build failed (full log: $LOGFILE)"
fi
[[ -e "$PREFIX/lib/libcrypto.so.3" ]] || die "build finished but $PREFIX/lib/libcrypto.so.3 is missing"
LD_LIBRARY_PATH="$PREFIX/lib" "$PREFIX/bin/openssl" version >&2 || die "built openssl does not run"
echo "openssl $DEB_VERSION built $(date -u +%FT%TZ) in $(( $(date +%s) - start ))s" > "$PREFIX/.pqdtls-complete"
log "build took $(( $(date +%s) - start ))s"
find "$SRC" -mindepth 1 -maxdepth 1 ! -name build.log -exec rm -rf {} +   # keep only the log
link_and_print "$PREFIX"

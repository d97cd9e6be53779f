#!/usr/bin/env bash
# Builds OpenSSL 3.5 (native ML-KEM) from Debian trixie's source package and caches it.
#
#   ci/build-openssl35.sh            -> prints the path of libcrypto.so.3 (last line of stdout)
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

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"

# Newest completed openssl-3.5.* build in the cache (empty if none).
cached_build() {
  local d best=""
  for d in "$CACHE"/openssl-3.5.*; do
    [[ -d "$d" && ! -L "$d" && -f "$d/.pqdtls-complete" && -e "$d/lib/libcrypto.so.3" ]] || continue
    best="$d"   # glob order is lexical; good enough inside one minor series, refined below
  done
  if [[ -n "$best" ]]; then
    # pick the highest version properly (3.5.10 > 3.5.9)
    best="$(for d in "$CACHE"/openssl-3.5.*; do
              [[ -d "$d" && ! -L "$d" && -f "$d/.pqdtls-complete" && -e "$d/lib/libcrypto.so.3" ]] && echo "$d" || true
            done | sort -V | tail -n1)"
  fi
  echo "$best"
}

link_and_print() {
  local dir="$1"
  ln -sfn "$(basename "$dir")" "$CACHE/openssl-3.5"
  log "OpenSSL $(basename "$dir" | sed 's/^openssl-//') ready in $dir"
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
debsrc_showsrc openssl trixie
[[ "$UPSTREAM" == 3.5.* ]] || die "trixie has openssl $UPSTREAM, expected 3.5.x"
PREFIX="$CACHE/openssl-$UPSTREAM"
log "trixie openssl source: $DEB_VERSION (upstream $UPSTREAM)"

if [[ -f "$PREFIX/.pqdtls-complete" && -e "$PREFIX/lib/libcrypto.so.3" ]]; then
  log "openssl $UPSTREAM already built"
  link_and_print "$PREFIX"
  exit 0
fi

SRC="$CACHE/src/openssl-$UPSTREAM"
rm -rf "$SRC"; mkdir -p "$SRC"
debsrc_fetch_orig openssl "$DEB_VERSION" "$UPSTREAM" "$SRC"

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

#!/usr/bin/env bash
# Fetches the Wycheproof test vectors (C2SP, Apache-2.0) from Debian's source package `wycheproof`
# (suite sid) and caches them: the conformance tests' source of vectors.
#
#   ci/fetch-wycheproof.sh           -> prints the vector directory (last line of stdout): the
#                                       release's testvectors_v1/, holding *_test.json and LICENSE
#
# Which vectors are used, in this order (the script says which on stderr):
#   1. PQDTLS_WYCHEPROOF_DIR=<dir>: an existing directory of *_test.json files; nothing downloaded.
#   2. a completed fetch in the cache: <cache>/wycheproof-<version>/ (marker .pqdtls-complete),
#      with a stable link <cache>/wycheproof -> wycheproof-<version>.
#   3. the newest version sid's index lists AND the archive serves (SHA-256 checked against the
#      index; every listed version tried newest first). PQDTLS_OFFLINE=1 forbids this step.
# The tests read <cache>/wycheproof/testvectors_v1 by default (-Dpqdtls.wycheproof.dir overrides).
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
CACHE="${PQDTLS_CACHE:-$HOME/.cache/pqdtls}"
SYS_SOURCES="${PQDTLS_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}"
SUITE=sid

log() { echo "[wycheproof] $*" >&2; }
die() { echo "[wycheproof] ERROR: $*" >&2; exit 1; }

usable() {  # $1 = vector dir -> 0 if it holds the vector files the tests read
  [[ -f "$1/aes_gcm_test.json" && -f "$1/mlkem_768_encaps_test.json" && -f "$1/x25519_test.json" ]]
}

if [[ -n "${PQDTLS_WYCHEPROOF_DIR:-}" ]]; then
  usable "$PQDTLS_WYCHEPROOF_DIR" \
    || die "PQDTLS_WYCHEPROOF_DIR=$PQDTLS_WYCHEPROOF_DIR does not hold the Wycheproof testvectors_v1 files (aes_gcm_test.json, ...)"
  log "using the vectors in PQDTLS_WYCHEPROOF_DIR; nothing downloaded"
  echo "$PQDTLS_WYCHEPROOF_DIR"
  exit 0
fi

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"

cached() {
  local d
  for d in "$CACHE"/wycheproof-*; do
    if [[ -d "$d" && ! -L "$d" && -f "$d/.pqdtls-complete" ]] && usable "$d/testvectors_v1"; then echo "$d"; fi
  done | sort -V | tail -n1
}

link_and_print() {
  ln -sfn "$(basename "$1")" "$CACHE/wycheproof"
  log "using Wycheproof $(basename "$1" | sed 's/^wycheproof-//') in $1 ($(ls "$1/testvectors_v1"/*_test.json | wc -l) vector files)"
  echo "$CACHE/wycheproof/testvectors_v1"
}

existing="$(cached)"
if [[ -n "$existing" && "${PQDTLS_WYCHEPROOF_REFRESH:-0}" != 1 ]]; then
  link_and_print "$existing"; exit 0
fi

exec 9>"$CACHE/.wycheproof.lock"
flock 9
existing="$(cached)"
if [[ -n "$existing" && "${PQDTLS_WYCHEPROOF_REFRESH:-0}" != 1 ]]; then
  link_and_print "$existing"; exit 0
fi
[[ "${PQDTLS_OFFLINE:-0}" != 1 ]] \
  || die "no Wycheproof vectors in $CACHE and PQDTLS_OFFLINE=1: set PQDTLS_WYCHEPROOF_DIR=<testvectors_v1 dir> or allow the download"

for tool in apt-get apt-cache sha256sum tar; do
  command -v "$tool" >/dev/null || die "'$tool' not found"
done
# shellcheck source=ci/lib-debsrc.sh
. "$HERE/lib-debsrc.sh"
debsrc_archive
debsrc_apt_init "$CACHE/apt-$SUITE" "$SUITE" ci/fetch-wycheproof.sh
debsrc_update "$SUITE"
debsrc_candidates wycheproof "$SUITE" '*'
debsrc_fetch_first wycheproof "$CACHE/src/wycheproof"

DEST="$CACHE/wycheproof-$UPSTREAM"
rm -rf "$DEST"; mkdir -p "$DEST"
# Only the vectors and the licence: the schemas and docs are not needed at test time.
tar -xf "$SRC/$TARBALL" -C "$DEST" --strip-components=1 --wildcards '*/testvectors_v1/*' '*/LICENSE'
cp "$DEST/LICENSE" "$DEST/testvectors_v1/LICENSE"
usable "$DEST/testvectors_v1" || die "the $DEB_VERSION tarball has no testvectors_v1 with the expected files"
echo "wycheproof $DEB_VERSION fetched $(date -u +%FT%TZ)" > "$DEST/.pqdtls-complete"
rm -rf "$SRC"
link_and_print "$DEST"

#!/usr/bin/env bash
# Installs the Debian 12 packages Giao Ban needs, and only the missing ones.
#
# Why: a fresh machine (or an air-gapped one with only a Debian mirror) must get from
# `git clone` to a running hub and a green `npm test` with no manual step. The list covers:
#   - building mediasoup 3.12.16's C++ worker against Debian's own libraries (infra/mediasoup/);
#   - the worker's runtime libraries (needed even with a cached or prebuilt binary);
#   - what the hub and the tests run: redis-server, chromium (browser tests), ffmpeg (RTP
#     sender in the media test), iproute2 (loopback-only network namespace), openssl,
#     poppler-utils + LibreOffice (document pages), fonts that cover Vietnamese (Carlito stands in
#     for Calibri, the default font of Office decks, with the same metrics and Vietnamese glyphs);
#     util-linux (essential: unshare, setpriv, prlimit) confines each conversion; unzip (tests
#     read the DOCX exports); coturn (TURN relay for closed networks, started by the hub when
#     TURN=embedded).
# Idempotent: with everything present it only runs dpkg-query (well under a second) and never
# touches the network. `apt-get update` runs only when something must be installed.
# Not root and something missing: it stops and prints the exact apt-get command to run.
# GIAOBAN_SKIP_SYSTEM=1 skips this step entirely (e.g. on a compatible non-Debian host).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Worker build dependencies. (3.12.16 has no flatbuffers and uses Catch2 2, which Debian ships.)
BUILD_PACKAGES=(g++ meson ninja-build pkg-config patch libssl-dev libuv1-dev libsrtp2-dev
  libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2)
# Libraries the built worker links dynamically.
RUNTIME_PACKAGES=(libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623)
# Services and tools the hub and the tests use.
TOOL_PACKAGES=(redis-server coturn chromium ffmpeg iproute2 openssl poppler-utils unzip
  baresip-core baresip-ffmpeg
  libreoffice-writer-nogui libreoffice-impress-nogui
  fonts-dejavu-core fonts-liberation2 fonts-noto-core fonts-crosextra-carlito)

if [ "${GIAOBAN_SKIP_SYSTEM:-0}" = 1 ]; then
  log setup-system "skipped [GIAOBAN_SKIP_SYSTEM:1]"
  exit 0
fi
command -v dpkg-query >/dev/null || die setup-system "not a Debian system: install the packages listed in infra/setup-system.sh by hand, then run with GIAOBAN_SKIP_SYSTEM=1"

start=$(now_ms)
all=("${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" "${TOOL_PACKAGES[@]}")
# One dpkg-query for all packages; unknown packages print nothing, so compare by name.
# dpkg-query exits 1 when any package is unknown, hence the `|| true`.
installed=$({ dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${all[@]}" 2>/dev/null || true; } |
  awk '$2 == "ii" { print $1 }')
missing=()
for p in "${all[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  log setup-system "all present [packages:${#all[@]} seconds:$(elapsed_s "$start")]"
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  log setup-system "missing Debian packages [count:${#missing[@]}]: ${missing[*]}"
  die setup-system "run as root, or ask an administrator to run: sudo apt-get update && sudo $cmd"
fi

log setup-system "installing [count:${#missing[@]}]: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log setup-system "installed [count:${#missing[@]} seconds:$(elapsed_s "$start")]"

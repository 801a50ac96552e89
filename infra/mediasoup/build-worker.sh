#!/usr/bin/env bash
# Provides mediasoup's C++ worker binary, built offline from the npm package's own sources.
#
# Why: `npm install mediasoup` downloads a prebuilt worker from GitHub, and failing that builds
# it with meson subprojects and a meson from PyPI, all downloaded. None of that is reachable on
# the air-gapped networks Giao Ban serves (only a Debian mirror and an npm mirror). So we build
# node_modules/mediasoup/worker against Debian 12's libraries:
#   1. copy the worker sources to a temporary directory (node_modules stays pristine);
#   2. replace every meson .wrap by a shim from infra/mediasoup/subprojects/ (system libraries);
#   3. apply infra/mediasoup/patches/*-<version>.patch and lower mediasoup's meson floor to
#      Debian's meson 1.0.1;
#   4. build the mediasoup-worker target (about 2.5 min on 2 cores), store it in a cache outside
#      node_modules, keyed by mediasoup version and arch, so `npm ci` does not cost a rebuild:
#        ${GIAOBAN_CACHE_DIR:-$HOME/.cache/giaoban}/mediasoup-worker-<version>-<arch>/mediasoup-worker
#   5. link it where mediasoup looks by default: node_modules/mediasoup/worker/out/Release/.
# Idempotent: when the cached binary runs, step 5 alone takes well under a second.
# A change to the shims or patches changes the recipe hash stored beside the cached binary and
# triggers a rebuild.
# GIAOBAN_MEDIASOUP_PREBUILT=1 (machines with internet): first let mediasoup's own postinstall
# fetch its prebuilt worker; the offline build is only the fallback.
# MEDIASOUP_WORKER_BIN set to a runnable binary: nothing to do, mediasoup will use that one.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
STEP=build-worker

cd "$GIAOBAN_ROOT"
MS_DIR=$(node -p "require('node:path').dirname(require.resolve('mediasoup/package.json'))" 2>/dev/null) ||
  die $STEP "mediasoup is not installed under $GIAOBAN_ROOT/node_modules: run infra/setup.sh (npm ci) first"
VERSION=$(node -p "require('$MS_DIR/package.json').version")
ARCH=$(node -p 'process.arch')
CACHE_ROOT=${GIAOBAN_CACHE_DIR:-$HOME/.cache/giaoban}
CACHE_DIR=$CACHE_ROOT/mediasoup-worker-$VERSION-$ARCH
CACHED_BIN=$CACHE_DIR/mediasoup-worker
TARGET=$MS_DIR/worker/out/Release/mediasoup-worker
start=$(now_ms)

# worker_runs BIN — the binary loads all its shared libraries and reaches main(): without
# MEDIASOUP_VERSION in its environment the worker exits with its own code 41 at once.
worker_runs() {
  [ -x "$1" ] || return 1
  local rc=0
  env -u MEDIASOUP_VERSION "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" = 41 ]
}

# recipe_hash — identifies what goes into a build besides mediasoup's own sources.
recipe_hash() {
  (cd "$HERE" && find subprojects patches -type f -print0 | sort -z | xargs -0 sha256sum) |
    sha256sum | cut -c1-16
}

# install_cached — put the cached binary where mediasoup looks by default.
install_cached() {
  mkdir -p "$(dirname "$TARGET")"
  if [ -e "$TARGET" ] && cmp -s "$CACHED_BIN" "$TARGET"; then
    log $STEP "worker already installed [version:$VERSION seconds:$(elapsed_s "$start")]"
    return
  fi
  rm -f "$TARGET"
  # A hard link costs nothing; a copy is the fallback across filesystems.
  ln "$CACHED_BIN" "$TARGET" 2>/dev/null || cp "$CACHED_BIN" "$TARGET"
  log $STEP "installed cached worker [version:$VERSION path:$TARGET seconds:$(elapsed_s "$start")]"
}

if [ -n "${MEDIASOUP_WORKER_BIN:-}" ] && worker_runs "$MEDIASOUP_WORKER_BIN"; then
  log $STEP "using MEDIASOUP_WORKER_BIN, nothing to build [path:$MEDIASOUP_WORKER_BIN]"
  exit 0
fi

RECIPE=$(recipe_hash)
cached_ok() {
  worker_runs "$CACHED_BIN" && [ "$(cat "$CACHE_DIR/recipe" 2>/dev/null)" = "$RECIPE" ]
}

if cached_ok; then
  install_cached
  exit 0
fi

if [ "${GIAOBAN_MEDIASOUP_PREBUILT:-0}" = 1 ]; then
  if ! worker_runs "$TARGET"; then
    log $STEP "fetching mediasoup's prebuilt worker [GIAOBAN_MEDIASOUP_PREBUILT:1]"
    (cd "$MS_DIR" && env -u MEDIASOUP_WORKER_BIN node npm-scripts.mjs postinstall) ||
      log $STEP "prebuilt worker not available, building offline"
  fi
  if worker_runs "$TARGET"; then
    log $STEP "prebuilt worker present [version:$VERSION path:$TARGET]"
    exit 0
  fi
fi

# Build dependencies: name the Debian packages rather than fail deep inside meson.
missing=()
for tool in meson ninja pkg-config c++ patch; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
for pc in openssl libuv libsrtp2 usrsctp absl_flat_hash_map nlohmann_json catch2; do
  pkg-config --exists "$pc" 2>/dev/null || missing+=("$pc")
done
if [ ${#missing[@]} -gt 0 ]; then
  die $STEP "missing build dependencies [${missing[*]}]: run infra/setup-system.sh as root, or" \
    "apt-get install -y --no-install-recommends g++ meson ninja-build pkg-config patch libssl-dev" \
    "libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2"
fi

# One build at a time per cache (two `npm test` runs may start together).
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if cached_ok; then # another process built it while we waited
  install_cached
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/giaoban-mediasoup-worker.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log $STEP "building worker from sources [version:$VERSION arch:$ARCH jobs:$(nproc) dir:$WORK]"

cp -a "$MS_DIR/worker" "$WORK/worker"
rm -rf "$WORK/worker/out"
cd "$WORK/worker"

# 2. Wraps -> shims.
shopt -s nullglob
for wrap in subprojects/*.wrap; do
  name=$(basename "$wrap" .wrap)
  rm -f "$wrap"
  if [ "$name" = wingetopt ]; then continue; fi # Windows only
  [ -d "$HERE/subprojects/$name" ] ||
    die $STEP "no shim for subproject '$name' (mediasoup $VERSION needs one in infra/mediasoup/subprojects/)"
  cp -r "$HERE/subprojects/$name" "subprojects/$name"
done
shopt -u nullglob

# 3. Patches for this version, and Debian 12's meson 1.0.1 (mediasoup asks for >= 1.1.0,
#    but uses nothing newer than 1.0).
for p in "$HERE"/patches/*-"$VERSION".patch; do
  [ -e "$p" ] || continue
  patch -p1 --forward --quiet <"$p"
  log $STEP "applied patch [file:$(basename "$p")]"
done
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" meson.build

# 4. Same options as mediasoup's own Release build; never download anything.
build_start=$(now_ms)
meson setup --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
  --wrap-mode=nodownload "$WORK/build" >"$WORK/meson-setup.log" 2>&1 ||
  { cat "$WORK/meson-setup.log" >&2; die $STEP "meson setup failed"; }
meson compile -C "$WORK/build" -j "$(nproc)" mediasoup-worker >"$WORK/meson-compile.log" 2>&1 ||
  { tail -50 "$WORK/meson-compile.log" >&2; die $STEP "meson compile failed"; }
worker_runs "$WORK/build/mediasoup-worker" || die $STEP "the built worker does not run"

mkdir -p "$CACHE_DIR"
cp "$WORK/build/mediasoup-worker" "$CACHE_DIR/mediasoup-worker.tmp"
mv -f "$CACHE_DIR/mediasoup-worker.tmp" "$CACHED_BIN"
echo "$RECIPE" >"$CACHE_DIR/recipe"
log $STEP "built worker [version:$VERSION build_seconds:$(elapsed_s "$build_start") cache:$CACHED_BIN]"
install_cached

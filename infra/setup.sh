#!/usr/bin/env bash
# Brings a checkout to a runnable state; used by both `npm start` and `npm test`.
#
#   1. setup-system.sh   — Debian packages, only the missing ones;
#      tune-network.sh   — the media host's UDP receive buffers (root only, only raised);
#   2. npm ci            — only when node_modules is missing or the lockfile / a package.json
#                          changed since the last install (hash kept in node_modules/);
#                          `npm install` when npm ci refuses the lockfile (see below);
#   3. build-worker.sh   — mediasoup's worker, built offline once and then taken from the cache.
# Idempotent; on a set-up checkout it takes about a second.
#
# mediasoup's own postinstall would download a prebuilt worker from GitHub and fail offline;
# MEDIASOUP_WORKER_BIN=/bin/false (for the npm command only) makes it skip itself — see
# `postinstall` in node_modules/mediasoup/npm-scripts.mjs. With GIAOBAN_MEDIASOUP_PREBUILT=1
# (a machine with internet) that download is allowed, and the offline build is the fallback.
# npm installs in one tree are serialised with flock on GIAOBAN_NPM_LOCK.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$GIAOBAN_ROOT"
start=$(now_ms)

bash infra/setup-system.sh
bash infra/tune-network.sh

# node_modules/ holds the stamp, so removing it (or `npm ci`) also resets the stamp.
STAMP=node_modules/.giaoban-install-stamp
install_hash() {
  cat package-lock.json package.json */package.json 2>/dev/null | sha256sum | cut -c1-64
}
want=$(install_hash)
if [ -d node_modules ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  log setup "npm dependencies up to date [stamp:${want:0:12}]"
else
  npm_start=$(now_ms)
  npm_env=(MEDIASOUP_WORKER_BIN=/bin/false)
  if [ "${GIAOBAN_MEDIASOUP_PREBUILT:-0}" = 1 ]; then npm_env=(); fi
  lock=${GIAOBAN_NPM_LOCK:-/tmp/giaoban-npm.lock}
  npm_log=$(mktemp)
  log setup "installing npm dependencies [command:npm ci]"
  if ! flock "$lock" env "${npm_env[@]}" npm ci --no-audit --no-fund --loglevel=error >"$npm_log" 2>&1; then
    # npm ci refuses a lockfile that lacks other platforms' optional packages (biome, turbo),
    # which is what npm writes when the registry mirror does not carry them. npm install
    # honours the same locked versions and skips the missing optional ones.
    grep -m1 -E 'npm error (code|Missing)' "$npm_log" >&2 || tail -5 "$npm_log" >&2
    log setup "npm ci refused, falling back [command:npm install]"
    flock "$lock" env "${npm_env[@]}" npm install --no-audit --no-fund --loglevel=error
  fi
  rm -f "$npm_log"
  install_hash >"$STAMP"
  log setup "npm dependencies installed [seconds:$(elapsed_s "$npm_start")]"
fi

bash infra/mediasoup/build-worker.sh
log setup "ready [seconds:$(elapsed_s "$start")]"

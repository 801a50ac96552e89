#!/usr/bin/env bash
# `npm start`: sets the checkout up (infra/setup.sh: Debian packages, npm dependencies, mediasoup
# worker), builds every package, then replaces this shell with the hub process, so SIGINT and
# SIGTERM reach node directly and its exit code is npm's. The hub listens on PORT (default 8080)
# and prints a ready line with its URL; see the README's configuration table for the rest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$GIAOBAN_ROOT"

bash infra/setup.sh
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
t0=$(now_ms)
npx --no-install turbo run build --output-logs=errors-only
log start "built [seconds:$(elapsed_s "$t0")]"
exec node server/dist/main.js

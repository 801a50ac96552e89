#!/usr/bin/env bash
# `npm run bench`: sets the checkout up (infra/setup.sh), builds every package, then runs the
# benchmark (bench/src/cli.ts) with the arguments given after `--`, e.g.
#   npm run bench -- --quick
#   npm run bench -- --sites 16,32,64 --duration 20
#   npm run bench -- --sites 64 --scenario capacity,floor
# Results go to bench-results/<timestamp>/ (git-ignored); see docs/BENCHMARKS.md.
#
# As root the run happens inside a network namespace that has only loopback, so no WebRTC
# candidate or packet can leave 127.0.0.0/8 (shared/reference/browser-webrtc-tests.md); otherwise
# it runs as is (every socket of the benchmark is bound to 127.0.0.1 anyway).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$GIAOBAN_ROOT"

bash infra/setup.sh
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
t0=$(now_ms)
npx --no-install turbo run build --filter=@giaoban/bench... --output-logs=errors-only
log bench "built [seconds:$(elapsed_s "$t0")]"

bench_cmd=(node bench/dist/cli.js "$@")
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  # $0 is "bench", "$@" the command: no quoting games inside sh -c.
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' bench "${bench_cmd[@]}"
fi
log bench "WARNING: not root (or no unshare): running without a loopback-only network namespace"
exec "${bench_cmd[@]}"

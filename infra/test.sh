#!/usr/bin/env bash
# `npm test`: sets the checkout up (infra/setup.sh), builds, then runs every suite and ends with
# one line `N passed, N failed` summing them all (infra/summarize.mjs); exits non-zero on any failure.
#
# Suites, each recorded in test-results/ and run even when an earlier one failed:
#   build               turbo run build                      (1 check)
#   typecheck           turbo run typecheck                  (1 check)
#   lint                biome check .                        (1 check)
#   unit                vitest projects shared, server, client, integration (JSON report)
#   mediasoup-upstream  mediasoup's own Node suite against our offline-built worker (jest JSON)
#   browser             vitest project browser, headless Chromium; as root inside a network
#                       namespace with only loopback, so WebRTC never leaves 127.0.0.0/8
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$GIAOBAN_ROOT"
start=$(now_ms)

bash infra/setup.sh

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NO_COLOR=1 FORCE_COLOR=0
RESULTS=test-results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: >"$RESULTS/suites.tsv"

# run_suite NAME KIND COMMAND... — runs one suite, records "name kind exit seconds".
# KIND: check (pass/fail by exit code), vitest or jest (counts from $RESULTS/NAME.json).
run_suite() {
  local name=$1 kind=$2 rc=0 t0
  shift 2
  t0=$(now_ms)
  log test "suite started [name:$name]"
  "$@" || rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$kind" "$rc" "$(elapsed_s "$t0")" >>"$RESULTS/suites.tsv"
  log test "suite finished [name:$name exit:$rc seconds:$(elapsed_s "$t0")]"
}

run_suite build check npx --no-install turbo run build --output-logs=errors-only
run_suite typecheck check npx --no-install turbo run typecheck --output-logs=errors-only
run_suite lint check npx --no-install biome check .
run_suite unit vitest npx --no-install vitest run \
  --project shared --project server --project client --project integration \
  --reporter=default --reporter=json --outputFile.json="$RESULTS/unit.json"
bash tests/mediasoup-upstream/prepare.sh || log test "WARNING: could not generate the mediasoup test certificate"
run_suite mediasoup-upstream jest npx --no-install jest --config tests/mediasoup-upstream/jest.config.cjs \
  --json --outputFile="$RESULTS/mediasoup-upstream.json"

browser_cmd=(npx --no-install vitest run --project browser
  --reporter=default --reporter=json --outputFile.json="$RESULTS/browser.json")
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  # $0 is "browser-tests", "$@" the command: no quoting games inside sh -c.
  run_suite browser vitest unshare -n sh -c 'ip link set lo up && exec "$@"' browser-tests "${browser_cmd[@]}"
else
  log test "WARNING: not root (or no unshare): browser tests run without a loopback-only network namespace"
  run_suite browser vitest "${browser_cmd[@]}"
fi

log test "all suites done [seconds:$(elapsed_s "$start")]"
exec node infra/summarize.mjs "$RESULTS"

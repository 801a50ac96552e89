#!/usr/bin/env bash
# Restarts several hub instances on one Redis one at a time without dropping a meeting
# (docs/ROLLING-RESTART.md). Each argument is one instance: `URL=COMMAND`, the instance's own
# address (not the load balancer's) and the command that restarts it, e.g.
#
#   infra/rolling-restart.sh \
#     'http://10.0.0.11:8080=ssh hub1 systemctl restart giaoban' \
#     'http://10.0.0.12:8080=ssh hub2 systemctl restart giaoban'
#
# For each instance in turn:
#   1. every OTHER instance must answer GET /api/ready with 200 — never restart the last one standing;
#   2. COMMAND (systemd sends SIGTERM: the hub stops answering ready so the load balancer drains it,
#      leaves the roster with the failover grace, releases its meetings' media to the others — whose
#      clients are told media:moving — and exits; systemd starts it again);
#   3. wait until the instance answers ready again (GIAOBAN_READY_TIMEOUT, default 120 s);
#   4. wait GIAOBAN_SETTLE_SECONDS (default 35: the 30 s failover grace and a margin) so the pages
#      that moved have rejoined before the next instance goes.
# Stops at the first instance that does not come back (exit 1); the rest are left untouched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

READY_TIMEOUT=${GIAOBAN_READY_TIMEOUT:-120}
SETTLE=${GIAOBAN_SETTLE_SECONDS:-35}
[ $# -ge 2 ] || die rolling-restart "give at least two instances as URL=COMMAND (one instance has nobody to hand its meetings to)"

urls=()
cmds=()
for arg in "$@"; do
  url=${arg%%=*}
  cmd=${arg#*=}
  [[ $url =~ ^https?://[^/]+$ ]] || die rolling-restart "not URL=COMMAND: $arg"
  [ -n "$cmd" ] && [ "$cmd" != "$arg" ] || die rolling-restart "no restart command for $url"
  urls+=("$url")
  cmds+=("$cmd")
done

# ready URL — 0 when the instance answers /api/ready with 200.
ready() {
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1/api/ready" || true)" = 200 ]
}

start=$(now_ms)
for i in "${!urls[@]}"; do
  url=${urls[$i]}
  for j in "${!urls[@]}"; do
    [ "$i" = "$j" ] && continue
    ready "${urls[$j]}" || die rolling-restart "not restarting $url: ${urls[$j]} is not ready to take its meetings"
  done
  log rolling-restart "restarting [instance:$url]"
  t0=$(now_ms)
  bash -c "${cmds[$i]}"
  deadline=$(($(date +%s) + READY_TIMEOUT))
  # The command may return before the old process has stopped answering: wait for ready after it.
  until ready "$url"; do
    [ "$(date +%s)" -lt "$deadline" ] || die rolling-restart "$url not ready after ${READY_TIMEOUT} s; stopping here"
    sleep 1
  done
  log rolling-restart "ready again [instance:$url seconds:$(elapsed_s "$t0")]"
  if [ "$i" -lt $((${#urls[@]} - 1)) ]; then
    log rolling-restart "settling [seconds:$SETTLE]"
    sleep "$SETTLE"
  fi
done
log rolling-restart "done [instances:${#urls[@]} seconds:$(elapsed_s "$start")]"

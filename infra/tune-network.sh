#!/usr/bin/env bash
# Raises the kernel's UDP receive buffers for the media host (infra/sysctl/60-giaoban-media.conf
# says why), persistently in /etc/sysctl.d/ and for the running kernel. Only raises, never
# lowers; idempotent (reads /proc and compares, well under a second). Not root, or a kernel that
# refuses the write (some containers): prints what to do and carries on — the hub then warns
# at start that its WebRtcServer socket may drop packets under load.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

conf="$GIAOBAN_ROOT/infra/sysctl/60-giaoban-media.conf"
target=/etc/sysctl.d/60-giaoban-media.conf
if [ "${GIAOBAN_SKIP_SYSTEM:-0}" = 1 ]; then
  log tune-network "skipped [GIAOBAN_SKIP_SYSTEM:1]"
  exit 0
fi

short=()
while read -r key _ value; do
  proc=/proc/sys/${key//./\/}
  current=$(cat "$proc" 2>/dev/null || echo 0)
  if [ "$current" -lt "$value" ]; then short+=("$key=$value"); fi
done < <(grep -E '^[a-z]' "$conf")

if [ ${#short[@]} -eq 0 ]; then
  log tune-network "UDP receive buffers large enough [rmem_default:$(cat /proc/sys/net/core/rmem_default)]"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log tune-network "WARNING: UDP receive buffers below the media host's need (${short[*]}); as root run: cp $conf /etc/sysctl.d/ && sysctl --system"
  exit 0
fi
cp "$conf" "$target"
for kv in "${short[@]}"; do
  if ! sysctl -q -w "$kv" >/dev/null 2>&1; then
    log tune-network "WARNING: the kernel refused $kv (a container?); set it on the host"
  fi
done
log tune-network "UDP receive buffers raised [${short[*]} file:$target]"

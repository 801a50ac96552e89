# shellcheck shell=bash
# Shared helpers for the infra/ scripts (sourced, never run): one log format for every step,
# `<step> | what happened [key:value]`, and the repository root.

GIAOBAN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GIAOBAN_ROOT

# log STEP MESSAGE... — one progress line on stderr, so stdout stays free for data.
log() {
  local step=$1
  shift
  printf '%s | %s\n' "$step" "$*" >&2
}

# die STEP MESSAGE... — log and stop.
die() {
  log "$@"
  exit 1
}

# now_ms — wall clock in milliseconds, for the timings each step prints.
now_ms() {
  date +%s%3N
}

# elapsed_s START_MS — seconds since START_MS with one decimal.
elapsed_s() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%d' $((ms / 1000)) $(((ms % 1000) / 100))
}

# Under `set -e` a failing command would end the script silently: say which one it was.
trap 'log "${0##*/}" "command failed [line:$LINENO exit:$? command:$BASH_COMMAND]"' ERR

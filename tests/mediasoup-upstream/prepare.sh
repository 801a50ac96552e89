#!/usr/bin/env bash
# Supplies the data mediasoup's Node test suite expects but its npm tarball omits:
# node/lib/tests/data/dtls-cert.pem and dtls-key.pem (test-Worker.js loads them). A throwaway
# self-signed pair made with openssl, created once per node_modules install.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../infra/lib.sh"
cd "$GIAOBAN_ROOT"
ms_dir=$(node -p "require('node:path').dirname(require.resolve('mediasoup/package.json'))")
data=$ms_dir/node/lib/tests/data
if [ -s "$data/dtls-cert.pem" ] && [ -s "$data/dtls-key.pem" ]; then
  log mediasoup-upstream "test certificate present [dir:$data]"
  exit 0
fi
mkdir -p "$data"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=mediasoup-test' \
  -keyout "$data/dtls-key.pem" -out "$data/dtls-cert.pem" 2>/dev/null
log mediasoup-upstream "test certificate generated [dir:$data]"

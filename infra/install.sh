#!/usr/bin/env bash
# Installs the hub as a systemd service on this machine, from this checkout, with the same setup as
# `npm start` (infra/setup.sh: Debian packages, npm dependencies, the offline-built mediasoup worker)
# and a build. Run as root: `bash infra/install.sh`. Idempotent; re-run it after `git pull`.
#   - a system user `giaoban` owns the state in /var/lib/giaoban (private Redis AOF, documents, secrets)
#   - settings go in /etc/giaoban/giaoban.env (created once, never overwritten)
#   - then: systemctl status giaoban; journalctl -u giaoban -f
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$GIAOBAN_ROOT"

if [ "$(id -u)" -ne 0 ]; then
  echo "install | run as root (it installs packages, a user and a systemd unit)" >&2
  exit 1
fi
SERVICE_USER=${GIAOBAN_SERVICE_USER:-giaoban}

bash infra/setup.sh
npx --no-install turbo run build --output-logs=errors-only

if ! id "$SERVICE_USER" >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/giaoban --shell /usr/sbin/nologin "$SERVICE_USER"
fi
install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 /var/lib/giaoban
install -d -m 0755 /etc/giaoban
if [ ! -f /etc/giaoban/giaoban.env ]; then
  cat > /etc/giaoban/giaoban.env <<'ENV'
# Giao Ban settings (README › Configuration). Restart after editing: systemctl restart giaoban
PORT=8080
# PUBLIC_URL=https://giaoban.example.gov.vn
# TLS_CERT_FILE=/etc/giaoban/tls.crt
# TLS_KEY_FILE=/etc/giaoban/tls.key
# MEDIA_ANNOUNCED_IP=192.0.2.10
# REDIS_URL=redis://:password@10.0.0.5:6379
# METRICS_TOKEN=
# LOG_FORMAT=json
# Closed networks (docs/TURN.md): coturn run by the hub, TURN over TLS on 443
# TURN=embedded
# TURN_TLS_CERT_FILE=/etc/giaoban/turn.crt
# TURN_TLS_KEY_FILE=/etc/giaoban/turn.key
# TURN_EXTERNAL_IP=192.0.2.10
ENV
  chmod 0640 /etc/giaoban/giaoban.env
  chgrp "$SERVICE_USER" /etc/giaoban/giaoban.env
fi
if ! runuser -u "$SERVICE_USER" -- test -r "$GIAOBAN_ROOT/server/dist/main.js"; then
  echo "install | $SERVICE_USER cannot read $GIAOBAN_ROOT: put the checkout where it can (e.g. /opt/giaoban)" >&2
  exit 1
fi
sed -e "s|@ROOT@|$GIAOBAN_ROOT|g" -e "s|@USER@|$SERVICE_USER|g" infra/systemd/giaoban.service \
  > /etc/systemd/system/giaoban.service
systemctl daemon-reload
systemctl enable --now giaoban.service
echo "install | giaoban.service enabled; the first organizer password is in /var/lib/giaoban/secrets.json"

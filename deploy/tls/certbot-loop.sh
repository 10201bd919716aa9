#!/bin/sh
# certbot service of docker-compose.yml: issue the certificate once (HTTP-01 through nginx's
# /.well-known/acme-challenge/ webroot), then try renewal every RENEW_INTERVAL. certbot renews
# only certificates within 30 days of expiry; nginx notices the new files and reloads
# (deploy/nginx/docker-entrypoint.d/40-tls-watch.sh).
set -eu
: "${DOMAIN:?set DOMAIN in .env}"
: "${ACME_EMAIL:?set ACME_EMAIL in .env}"
server=${ACME_SERVER:-https://acme-v02.api.letsencrypt.org/directory}
webroot=${ACME_WEBROOT:-/var/www/acme}
interval=${RENEW_INTERVAL:-12h}

until [ -s "/etc/letsencrypt/live/$DOMAIN/fullchain.pem" ]; do
  certbot certonly --non-interactive --agree-tos --email "$ACME_EMAIL" --server "$server" \
    --webroot -w "$webroot" -d "$DOMAIN" --cert-name "$DOMAIN" --key-type ecdsa \
    && break
  echo "certbot-loop: issuance failed; retrying in 5 minutes" >&2
  sleep 300
done
touch /tmp/certbot-ok

while :; do
  certbot renew --non-interactive --webroot -w "$webroot" --server "$server" && touch /tmp/certbot-ok
  sleep "$interval"
done

#!/bin/sh
# Writes Pebble's configuration from the environment, then runs it in the foreground.
#   PEBBLE_TLS_DIR      cert.pem + key.pem of the ACME listener (default /etc/pebble/tls)
#   PEBBLE_HTTP_PORT    port Pebble validates HTTP-01 challenges on (default 80: nginx)
set -eu
tls=${PEBBLE_TLS_DIR:-/etc/pebble/tls}
conf=/tmp/pebble.json
cat > "$conf" <<JSON
{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "$tls/cert.pem",
    "privateKey": "$tls/key.pem",
    "httpPort": ${PEBBLE_HTTP_PORT:-80},
    "tlsPort": ${PEBBLE_TLS_PORT:-443},
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
exec pebble -config "$conf" "$@"

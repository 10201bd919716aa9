#!/bin/sh
# Runs inside the nginx image after its template rendering (20-envsubst-on-templates.sh).
# The HTTPS server needs a certificate that certbot can only issue once nginx serves the
# HTTP-01 webroot, so: start without HTTPS until the certificate exists, then enable it; after
# that, reload nginx whenever certbot replaces the certificate (renewal). `nginx -s reload`
# starts new workers and lets the old ones finish their connections: nothing is dropped.
set -eu

conf=/etc/nginx/conf.d/10-https.conf
cert=${NGINX_TLS_CERT:?NGINX_TLS_CERT is required}
interval=${NGINX_TLS_WATCH_SECS:-60}

fingerprint() { [ -s "$cert" ] && cat "$cert" | md5sum | cut -d' ' -f1 || echo none; }

if [ "$(fingerprint)" = none ]; then
  echo "tls-watch: no certificate at $cert yet; HTTPS disabled until certbot issues one" >&2
  mv "$conf" "$conf.waiting"
fi

(
  last=$(fingerprint)
  while sleep "$interval"; do
    now=$(fingerprint)
    [ "$now" = "$last" ] && continue
    [ -e "$conf.waiting" ] && mv "$conf.waiting" "$conf"
    if nginx -t -q; then
      nginx -s reload && echo "tls-watch: certificate changed; nginx reloaded" >&2
      last=$now
    else
      echo "tls-watch: new certificate rejected by nginx -t; keeping the running config" >&2
    fi
  done
) &

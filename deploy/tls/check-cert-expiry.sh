#!/usr/bin/env bash
# Reports how long the certificate an endpoint serves (or a PEM file) is still valid.
#   check-cert-expiry.sh [--warn-days N] [--textfile FILE] (HOST:PORT [SNI] | --file CERT.pem)
# Prints one line, e.g. "ok: localhost:443 serial=0A1B… expires 2026-02-01T00:00:00Z (in 64 days)".
# Exit: 0 ok, 1 expires within --warn-days (default 14), 2 expired or unreadable.
# --textfile writes Prometheus metrics for node_exporter's textfile collector:
#   tls_certificate_not_after_timestamp_seconds{target="…",serial="…"}  and
#   tls_certificate_check_success{target="…"}; alert on
#   tls_certificate_not_after_timestamp_seconds - time() < 14 * 86400  (see deploy/README.md).
set -euo pipefail

warn_days=14
textfile=
file=
while [ $# -gt 0 ]; do
  case $1 in
    --warn-days) warn_days=$2; shift 2 ;;
    --textfile) textfile=$2; shift 2 ;;
    --file) file=$2; shift 2 ;;
    *) break ;;
  esac
done

if [ -n "$file" ]; then
  target=$file
  pem=$(cat "$file" 2>/dev/null || true)
else
  target=${1:?usage: check-cert-expiry.sh HOST:PORT [SNI] | --file CERT.pem}
  sni=${2:-${target%:*}}
  pem=$(openssl s_client -connect "$target" -servername "$sni" </dev/null 2>/dev/null \
    | openssl x509 2>/dev/null || true)
fi

write_metrics() {
  [ -n "$textfile" ] || return 0
  {
    echo '# HELP tls_certificate_check_success 1 if the certificate could be read.'
    echo '# TYPE tls_certificate_check_success gauge'
    echo "tls_certificate_check_success{target=\"$target\"} $1"
    if [ "$1" = 1 ]; then
      echo '# HELP tls_certificate_not_after_timestamp_seconds Certificate expiry (notAfter), Unix time.'
      echo '# TYPE tls_certificate_not_after_timestamp_seconds gauge'
      echo "tls_certificate_not_after_timestamp_seconds{target=\"$target\",serial=\"$2\"} $3"
    fi
  } >"$textfile.tmp" && mv "$textfile.tmp" "$textfile"
}

if [ -z "$pem" ]; then
  echo "error: $target: no certificate could be read"
  write_metrics 0
  exit 2
fi

serial=$(openssl x509 -noout -serial <<<"$pem" | cut -d= -f2)
not_after=$(openssl x509 -noout -enddate <<<"$pem" | cut -d= -f2)
expires=$(date -u -d "$not_after" +%s)
now=$(date -u +%s)
days=$(( (expires - now) / 86400 ))
when=$(date -u -d "@$expires" +%Y-%m-%dT%H:%M:%SZ)
write_metrics 1 "$serial" "$expires"

if [ "$expires" -le "$now" ]; then
  echo "expired: $target serial=$serial expired $when"
  exit 2
elif [ "$days" -lt "$warn_days" ]; then
  echo "expiring: $target serial=$serial expires $when (in $days days, under $warn_days)"
  exit 1
fi
echo "ok: $target serial=$serial expires $when (in $days days)"

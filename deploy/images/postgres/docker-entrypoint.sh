#!/usr/bin/env bash
# First start: initdb with the superuser POSTGRES_USER and its password (from POSTGRES_PASSWORD or
# the file POSTGRES_PASSWORD_FILE names), TCP clients by scram-sha-256, POSTGRES_DB created,
# /docker-entrypoint-initdb.d/*.sql|*.sh run. Then `exec postgres "$@"` in the foreground, as the
# official image does (same variables, same data folder, same defaults).
set -Eeuo pipefail

if [[ ${1:-} == -* ]]; then set -- postgres "$@"; fi
[[ ${1:-} == postgres ]] || exec "$@"

# POSTGRES_PASSWORD_FILE wins over POSTGRES_PASSWORD, as file_env does in the official image.
if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
  POSTGRES_PASSWORD=$(< "$POSTGRES_PASSWORD_FILE")
fi
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  [[ -n ${POSTGRES_PASSWORD:-} ]] || {
    echo 'postgres: POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required (no default password)' >&2
    exit 1
  }
  echo "postgres: initdb $PGDATA (superuser $POSTGRES_USER)"
  # A failed set-up leaves no half-made cluster behind: the next start begins again.
  trap 'pg_ctl -D "$PGDATA" -m immediate stop > /dev/null 2>&1 || true; rm -rf "${PGDATA:?}"/*' ERR
  initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --encoding=UTF8 --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-} > /dev/null
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  # A private server on the unix socket only, for the set-up statements.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start > /dev/null
  if [[ $POSTGRES_DB != postgres ]]; then
    # From stdin, not -c: psql substitutes :"db" (quoted identifier) only in scripts.
    echo 'CREATE DATABASE :"db";' |
      psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q --set db="$POSTGRES_DB" > /dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
  trap - ERR
  echo 'postgres: init done'
fi
unset POSTGRES_PASSWORD
exec "$@"

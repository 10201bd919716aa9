#!/bin/sh
# MONGO_INITDB_ROOT_* (as the official image reads them) → FerretDB's setup user in `admin`, with
# SCRAM authentication enforced (its "new auth"); the password reaches FerretDB through its
# environment only, never a command line. Then FerretDB in the foreground.
set -eu
if [ "${1:-}" = ferretdb ]; then
  if [ -n "${MONGO_INITDB_ROOT_PASSWORD_FILE:-}" ]; then
    MONGO_INITDB_ROOT_PASSWORD=$(cat "$MONGO_INITDB_ROOT_PASSWORD_FILE")
  fi
  if [ -z "${MONGO_INITDB_ROOT_USERNAME:-}" ] || [ -z "${MONGO_INITDB_ROOT_PASSWORD:-}" ]; then
    echo 'ferretdb: MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD(_FILE) are required' >&2
    exit 1
  fi
  export FERRETDB_TEST_ENABLE_NEW_AUTH=true FERRETDB_SETUP_DATABASE=admin \
    FERRETDB_SETUP_USERNAME="$MONGO_INITDB_ROOT_USERNAME" FERRETDB_SETUP_PASSWORD="$MONGO_INITDB_ROOT_PASSWORD"
  unset MONGO_INITDB_ROOT_PASSWORD
fi
exec "$@"

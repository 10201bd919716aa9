#!/usr/bin/env bash
# Writes the API's and the backup's secrets from .env as files, one per variable, for compose's
# file-sourced secrets (docker-compose.yml `secrets:`). Files, not environment values: compose
# copies environment-sourced secrets into a container before it starts, which the engine refuses
# for a read-only root fs, and environment values show in `docker inspect`. The API reads each
# through NAME_FILE (datasource-server/src/config/secret-files.ts).
#   bash deploy/scripts/secret-files.sh [--env FILE] [--out DIR]
#   defaults: --env .env and --out deploy/secrets at the repository root (SECRETS_DIR in compose)
# Run it again after every change to .env (remote-deploy.sh and deploy/stack/stack.sh do).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
env_file="$repo/.env"
out="$repo/deploy/secrets"
while [ $# -gt 0 ]; do
  case $1 in
    --env) env_file=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "secret-files: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -r "$env_file" ] || { echo "secret-files: cannot read $env_file (deploy/scripts/generate-secrets.sh writes it)" >&2; exit 1; }

# The variables of SECRET_VARIABLES in secret-files.ts; the file is the lower-case name.
variables="API_TOKEN NEON_DATABASE_URL NEON_READ_REPLICA_URL MONGODB_URI NEO4J_PASSWORD REDIS_URL TELNYX_API_KEY"

# The last assignment wins, as in compose's .env parsing; an absent variable is an empty file.
value_of() { sed -n "s/^$1=//p" "$env_file" | tail -n 1; }

umask 077
mkdir -p "$out"
chmod 700 "$out"
for name in $variables; do
  file="$out/$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')"
  printf '%s' "$(value_of "$name")" > "$file.next"
  # The API and the backup run as uid 1000 and read the file through a bind mount; the folder
  # (0700) keeps other users of the host out.
  if [ "$(id -u)" = 0 ]; then chown 1000:1000 "$file.next"; else chmod 444 "$file.next"; fi
  chmod go-w "$file.next"
  mv "$file.next" "$file"
done
echo "secret-files: wrote $(echo "$variables" | wc -w) files to $out" >&2

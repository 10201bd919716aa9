#!/usr/bin/env bash
# Deploys one environment over SSH (called by .github/workflows/deploy.yml):
#   remote-deploy.sh [--replicas N] [--dir /opt/magnificent-voice-agent]
# Env: SSH_PRIVATE_KEY, SSH_KNOWN_HOSTS, DEPLOY_HOST, DEPLOY_USER (the deploy user, in the docker
# group), ENV_FILE (the environment's whole .env, a GitHub environment secret), IMAGE_TAG,
# GRAFANA_IMAGE_TAG (the environment's Grafana image: plugin signed for its URL), REF.
# On the host: check out REF, write .env (mode 600), pull the API and Grafana images, and
# `docker compose up -d --wait --scale voice-agent-api=N` with the monitoring overlay.
set -euo pipefail

replicas=3
dir=/opt/magnificent-voice-agent
while [ $# -gt 0 ]; do
  case $1 in
    --replicas) replicas=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "remote-deploy: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in SSH_PRIVATE_KEY SSH_KNOWN_HOSTS DEPLOY_HOST DEPLOY_USER ENV_FILE IMAGE_TAG GRAFANA_IMAGE_TAG REF; do
  [ -n "${!v:-}" ] || { echo "remote-deploy: $v is not set" >&2; exit 2; }
done

ssh_dir=$(mktemp -d)
trap 'rm -rf "$ssh_dir"' EXIT
(umask 077 && printf '%s\n' "$SSH_PRIVATE_KEY" >"$ssh_dir/key" && printf '%s\n' "$SSH_KNOWN_HOSTS" >"$ssh_dir/known_hosts")
ssh_opts=(-i "$ssh_dir/key" -o UserKnownHostsFile="$ssh_dir/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes)
target="$DEPLOY_USER@$DEPLOY_HOST"

# The .env goes over stdin, never on a command line.
{ printf '%s\n' "$ENV_FILE"; printf 'IMAGE_TAG=%s\nGRAFANA_IMAGE_TAG=%s\n' "$IMAGE_TAG" "$GRAFANA_IMAGE_TAG"; } |
  ssh "${ssh_opts[@]}" "$target" "umask 077 && mkdir -p '$dir' && cat > '$dir/.env.next'"

ssh "${ssh_opts[@]}" "$target" bash -s -- "$dir" "$REF" "$replicas" <<'REMOTE'
set -euo pipefail
dir=$1 ref=$2 replicas=$3
cd "$dir"
[ -d .git ] || { echo "remote-deploy: $dir is not a clone of the repository" >&2; exit 1; }
git fetch --quiet origin "$ref"
git checkout --quiet --detach "$ref"
mv .env.next .env
# The API's and the backup's secrets as files (docker-compose.yml `secrets:`), from this .env.
bash deploy/scripts/secret-files.sh
compose=(docker compose -f docker-compose.yml -f deploy/compose/monitoring.yml)
# Both are pulled, never built here: the host's checkout has no plugin/dist (git-ignored).
"${compose[@]}" pull --quiet voice-agent-api grafana
"${compose[@]}" up -d --wait --wait-timeout 300 --remove-orphans --scale "voice-agent-api=$replicas"
"${compose[@]}" ps
REMOTE
echo "remote-deploy: $DEPLOY_HOST is at $REF with $replicas API replicas"

#!/usr/bin/env bash
# deploy/stack/stack.sh — the whole stack on a real Docker Engine, on a machine that cannot pull
# images (docker-compose.yml + deploy/compose/monitoring.yml + deploy/compose/offline.yml).
#
#   stack.sh up            install the engine and Compose if missing, start dockerd, build the
#                          images (cached), generate .stack/.env when absent, `up -d --wait`
#   stack.sh build         the same without `up` (CI builds the images while the suites run)
#   stack.sh down [--engine]  remove the stack's containers, volumes and networks (and what the
#                          compose tests left), delete .stack/; --engine also stops dockerd
#   stack.sh engine-stop   stop the dockerd this script started
#   stack.sh status        dockerd and `compose ps`
#   stack.sh env           export lines for DOCKER_HOST (to use docker / docker compose by hand)
#   stack.sh compose ARGS  docker compose with the stack's files and .env, e.g. `compose logs nginx`
#
# Progress and timings go to stderr. Env: STACK_WAIT_SECS (default 600) bounds `up --wait`;
# MWVA_DOCKER_ROOT / MWVA_DOCKER_RUN move dockerd's data root (the image cache) and run folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/engine.sh
. "$HERE/lib/engine.sh"
# shellcheck source=lib/images.sh
. "$HERE/lib/images.sh"
# shellcheck source=lib/config.sh
. "$HERE/lib/config.sh"

WAIT_SECS="${STACK_WAIT_SECS:-600}"
# Label of containers and networks the compose tests create, removed by `down`.
TEST_LABEL=mwva.compose-test

# Everything `up` needs before `compose up`: CI runs this in the background beside the suites.
cmd_build() {
  timed "engine install (docker.io, mmdebstrap)" install_engine
  timed "compose plugin" install_compose
  timed "dockerd" start_engine
  gen_state
  build_images
}

# The data network is `internal` (Docker drops what its containers forward out), but Docker
# does not filter what they send to the host's own addresses (INPUT): a host service listening
# on 0.0.0.0 would be reachable from every store container. This host rule closes that; a
# production host needs the same one (deploy/README.md, "Network isolation").
DATA_TO_HOST_RULE=mwva-data-to-host
close_data_to_host() {
  local id bridge
  id=$(docker network inspect -f '{{.Id}}' "$(awk '/^name:/ { print $2; exit }' "$STACK_REPO/docker-compose.yml")_data")
  bridge="br-${id:0:12}"
  iptables -C INPUT -i "$bridge" -m conntrack --ctstate NEW -m comment --comment "$DATA_TO_HOST_RULE" -j DROP 2> /dev/null ||
    iptables -I INPUT -i "$bridge" -m conntrack --ctstate NEW -m comment --comment "$DATA_TO_HOST_RULE" -j DROP
  log "host firewall: new connections from the data network ($bridge) to the host are dropped"
}

open_data_to_host() {
  local rule
  # No rule left is not an error: under pipefail a grep without a match failed `down`, which then
  # never reached stop_engine (CI left dockerd running).
  { iptables -S INPUT 2> /dev/null || true; } | { grep -- "--comment $DATA_TO_HOST_RULE" || true; } | sed 's/^-A //' | while read -r rule; do
    # shellcheck disable=SC2086 # the rule's words, as iptables -S printed them
    iptables -D $rule || true
  done
}

cmd_up() {
  local t0
  t0=$(now)
  cmd_build
  log "docker compose up -d --wait (bounded by ${WAIT_SECS}s)"
  local t1 rc=0 events
  t1=$(now)
  # Container starts and health changes, kept for the health test (time from start to healthy).
  docker events --filter type=container --filter event=start --filter event=health_status \
    --format '{{json .}}' >> "$STACK_STATE/up-events.jsonl" 2> /dev/null &
  events=$!
  compose up -d --wait --wait-timeout "$WAIT_SECS" --remove-orphans >&2 || rc=$?
  kill "$events" 2> /dev/null || true
  if ((rc != 0)); then
    compose ps -a >&2 || true
    log "services that are not healthy, with their last health output:"
    local c
    for c in $(compose ps -a --format '{{.Name}} {{.Health}}' | awk '$2 != "healthy" {print $1}'); do
      docker inspect -f '{{.Name}}: {{.State.Status}} {{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}' "$c" >&2 || true
      docker logs --tail 20 "$c" >&2 2>&1 || true
    done
    die "the stack did not become healthy within ${WAIT_SECS}s"
  fi
  log "timing: compose up --wait (every service healthy) $(elapsed "$t1")s"
  close_data_to_host
  compose ps --format 'table {{.Name}}\t{{.Status}}' >&2
  log "timing: stack up total $(elapsed "$t0")s; https://$STACK_DOMAIN:$STACK_HTTPS_PORT (127.0.0.1)"
}

cmd_down() {
  local engine=0 a
  for a in "$@"; do [[ $a == --engine ]] && engine=1; done
  if ! engine_answers; then
    if [[ -d $MWVA_DOCKER_ROOT/containers ]] && [[ -n $(ls -A "$MWVA_DOCKER_ROOT/containers" 2> /dev/null) ]]; then
      # Containers outlive dockerd in its data root: start it to remove them properly.
      start_engine
    else
      log "dockerd is not running and holds no containers: nothing to remove"
      rm -rf "$STACK_STATE"
      return 0
    fi
  fi
  local t0
  t0=$(now)
  # What the compose tests created beside the stack: probe containers, the restore project.
  local ids
  ids=$(docker ps -aq --filter "label=$TEST_LABEL")
  [[ -z $ids ]] || docker rm -f -v $ids > /dev/null
  for p in $(docker ps -a --filter "label=$TEST_LABEL.project" --format '{{.Label "com.docker.compose.project"}}' | sort -u); do
    docker compose -p "$p" down -v --remove-orphans -t 5 >&2 || true
  done
  if [[ -s $STACK_STATE/.env ]]; then
    compose down -v --remove-orphans -t 20 >&2
  else
    docker compose -p magnificent-voice-agent down -v --remove-orphans -t 20 >&2 || true
  fi
  open_data_to_host
  docker network prune -f --filter "label=$TEST_LABEL" > /dev/null || true
  docker volume prune -f --filter "label=$TEST_LABEL" > /dev/null || true
  rm -rf "$STACK_STATE"
  log "timing: stack down $(elapsed "$t0")s (images kept as the build cache)"
  ((engine)) && stop_engine
  return 0
}

cmd_status() {
  if ! engine_answers; then
    echo "dockerd: not running ($DOCKER_HOST)"
    return 3
  fi
  echo "dockerd: running (pid $(engine_pid), $DOCKER_HOST, data root $MWVA_DOCKER_ROOT)"
  [[ -s $STACK_STATE/.env ]] && compose ps --format 'table {{.Name}}\t{{.Status}}\t{{.Ports}}'
}

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  cd "$STACK_REPO"
  case "$cmd" in
    up) cmd_up ;;
    build) cmd_build ;;
    down) cmd_down "$@" ;;
    engine-stop) stop_engine ;;
    status) cmd_status ;;
    env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
    compose) compose "$@" ;;
    -h | --help | help) usage 0 ;;
    *) usage ;;
  esac
}

main "$@"

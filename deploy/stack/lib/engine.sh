# shellcheck shell=bash
# The Docker engine of the offline stack: Debian's docker.io (20.10), Compose v2 built from its Go
# module, and one dockerd of our own on a private socket and data root.

COMPOSE_VERSION=v2.29.7
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose

install_engine() {
  # mmdebstrap builds the base image (images.sh); docker.io brings containerd, runc, iptables.
  apt_install docker.io mmdebstrap openssl
  command -v dockerd > /dev/null || die "dockerd is missing after installing docker.io"
}

install_compose() {
  if [[ -x $COMPOSE_PLUGIN ]] && "$COMPOSE_PLUGIN" version 2> /dev/null | grep -q "${COMPOSE_VERSION#v}"; then
    return 0
  fi
  if ! command -v go > /dev/null; then
    [[ -x /usr/local/go/bin/go ]] && export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go > /dev/null || die "Compose is built from its Go module: a Go toolchain (>= 1.21) is needed"
  local gobin="$STACK_CACHE/gobin"
  log "building Docker Compose $COMPOSE_VERSION from its Go module (about 90 s on an idle machine)"
  mkdir -p "$gobin" "$(dirname "$COMPOSE_PLUGIN")"
  # The version is stamped as the release build does, so `docker compose version` tells it.
  GOBIN="$gobin" CGO_ENABLED=0 go install \
    -ldflags "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
    "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >&2 || die "go install docker/compose $COMPOSE_VERSION failed"
  install -m 755 "$gobin/cmd" "$COMPOSE_PLUGIN"
}

engine_pid() {
  local pid
  pid=$(cat "$MWVA_DOCKER_RUN/dockerd.pid" 2> /dev/null) || return 0
  [[ -n $pid && -d /proc/$pid ]] && grep -q dockerd "/proc/$pid/comm" 2> /dev/null && echo "$pid"
  return 0
}

engine_answers() { docker version --format '{{.Server.Version}}' > /dev/null 2>&1; }

start_engine() {
  if engine_answers; then
    log "dockerd already running on $DOCKER_HOST (pid $(engine_pid))"
    return 0
  fi
  mkdir -p "$MWVA_DOCKER_RUN" "$MWVA_DOCKER_ROOT"
  log "starting dockerd (data root $MWVA_DOCKER_ROOT, socket $DOCKER_HOST)"
  # Own session and no inherited descriptors: it outlives this script and ignores its signals.
  setsid dockerd --data-root "$MWVA_DOCKER_ROOT" --host "$DOCKER_HOST" \
    --exec-root "$MWVA_DOCKER_RUN/exec" --pidfile "$MWVA_DOCKER_RUN/dockerd.pid" \
    >> "$MWVA_DOCKER_RUN/dockerd.log" 2>&1 < /dev/null 9>&- &
  local i
  for ((i = 0; i < 600; i++)); do
    engine_answers && return 0
    sleep 0.1
  done
  tail -n 30 "$MWVA_DOCKER_RUN/dockerd.log" >&2 || true
  die "dockerd did not answer within 60 s (log: $MWVA_DOCKER_RUN/dockerd.log)"
}

# Stops our dockerd (it stops the containers first), then its pid file's process if it lingers.
stop_engine() {
  local pid i
  pid=$(engine_pid)
  if [[ -z $pid ]]; then
    log "dockerd is not running"
    return 0
  fi
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid" 2> /dev/null || true
  for ((i = 0; i < 600; i++)); do
    [[ -d /proc/$pid ]] || break
    sleep 0.1
  done
  if [[ -d /proc/$pid ]]; then
    log "dockerd still running after 60 s: SIGKILL"
    kill -KILL "$pid" 2> /dev/null || true
  fi
}

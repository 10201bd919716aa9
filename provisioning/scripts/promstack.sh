#!/usr/bin/env bash
# provisioning/scripts/promstack.sh — a local Prometheus + Alertmanager (Debian packages) on loopback.
#
#   promstack.sh start PROMETHEUS_YML ALERTMANAGER_YML   start both, wait until ready
#   promstack.sh stop                                     stop both (SIGTERM, then SIGKILL), delete data
#   promstack.sh install                                  apt-get install the packages if missing
#
# Ports: Prometheus 59090, Alertmanager 59093 (PROMSTACK_PROM_PORT / PROMSTACK_AM_PORT override).
# Data, logs and pid files live in $PROMSTACK_DIR (default /tmp/mwva-promstack). Alertmanager's
# cluster gossip is off (no port 9094), so it never joins anything.
set -euo pipefail

DIR="${PROMSTACK_DIR:-/tmp/mwva-promstack}"
PROM_PORT="${PROMSTACK_PROM_PORT:-59090}"
AM_PORT="${PROMSTACK_AM_PORT:-59093}"
WAIT_SECS="${PROMSTACK_WAIT_SECS:-30}"

die() { echo "promstack: $*" >&2; exit 1; }

install() {
  local missing=()
  for p in prometheus prometheus-alertmanager; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "promstack: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2 ||
    { apt-get update -o DPkg::Lock::Timeout=300 >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2; }
}

wait_ready() {
  local name=$1 url=$2 pidfile=$3 i
  for ((i = 0; i < WAIT_SECS * 5; i++)); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -20 "$DIR/$name.log" >&2; die "$name exited"; }
    sleep 0.2
  done
  tail -20 "$DIR/$name.log" >&2
  die "$name not ready after ${WAIT_SECS}s"
}

start() {
  local prom_cfg=${1:?prometheus.yml path} am_cfg=${2:?alertmanager.yml path}
  for b in /usr/bin/prometheus /usr/bin/prometheus-alertmanager; do
    [ -x "$b" ] || die "$b missing: run $0 install"
  done
  stop_all
  mkdir -p "$DIR/prometheus-data" "$DIR/alertmanager-data"
  /usr/bin/prometheus-alertmanager --config.file="$am_cfg" --storage.path="$DIR/alertmanager-data" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
    >"$DIR/alertmanager.log" 2>&1 &
  echo $! >"$DIR/alertmanager.pid"
  /usr/bin/prometheus --config.file="$prom_cfg" --storage.tsdb.path="$DIR/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
    >"$DIR/prometheus.log" 2>&1 &
  echo $! >"$DIR/prometheus.pid"
  wait_ready alertmanager "http://127.0.0.1:$AM_PORT/-/ready" "$DIR/alertmanager.pid"
  wait_ready prometheus "http://127.0.0.1:$PROM_PORT/-/ready" "$DIR/prometheus.pid"
  echo "PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT"
  echo "ALERTMANAGER_URL=http://127.0.0.1:$AM_PORT"
}

stop_one() {
  local pidfile="$DIR/$1.pid" pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop_all() {
  stop_one prometheus
  stop_one alertmanager
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop_all; rm -rf "$DIR/prometheus-data" "$DIR/alertmanager-data" ;;
  install) install ;;
  *) die "usage: $0 start PROMETHEUS_YML ALERTMANAGER_YML | stop | install" ;;
esac

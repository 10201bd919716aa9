# shellcheck shell=bash
# Shared helpers of deploy/stack/stack.sh: logging with timings, paths, the compose command line.
# Progress and timings go to stderr; stdout is kept for values a caller evaluates (`stack.sh env`).

STACK_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# Per-checkout state: the generated .env, the test carrier's signing key, Pebble's listener
# certificate, stack.json for the tests. Git-ignored; `stack.sh down` removes it.
STACK_STATE="$STACK_REPO/.stack"
# Per-machine cache, kept between runs and checkouts: the base rootfs, the Node tarballs.
STACK_CACHE="${MWVA_STACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mwva/stack}"
# Our own Docker engine: private socket and data root, so nothing else on the machine is touched
# and `stack.sh engine-stop` stops exactly what we started. The data root is the image cache.
MWVA_DOCKER_RUN="${MWVA_DOCKER_RUN:-/run/mwva-docker}"
MWVA_DOCKER_ROOT="${MWVA_DOCKER_ROOT:-/var/lib/mwva-docker}"
export DOCKER_HOST="unix://$MWVA_DOCKER_RUN/docker.sock"
# The stand-in Dockerfiles use no BuildKit feature; the classic builder also ignores the
# `# syntax=` line of api.Dockerfile, which BuildKit would try to pull from a registry.
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

COMPOSE_FILES=(docker-compose.yml deploy/compose/monitoring.yml deploy/compose/offline.yml)
# Ports the offline overlay publishes, on 127.0.0.1 only.
STACK_HTTP_PORT="${STACK_HTTP_PORT:-58280}"
STACK_HTTPS_PORT="${STACK_HTTPS_PORT:-58643}"
# Where the tests' simulated carrier listens on the host (reached from the API containers).
STACK_CARRIER_PORT="${STACK_CARRIER_PORT:-5620}"
STACK_DOMAIN="${STACK_DOMAIN:-voice.mwva.test}"

log() { printf '[stack] %s\n' "$*" >&2; }
die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# timed LABEL CMD...: runs CMD, then logs "timing: LABEL Ns".
timed() {
  local label=$1 t0
  shift
  t0=$(now)
  "$@"
  log "timing: $label $(elapsed "$t0")s"
}

# The compose command line of the offline stack (run from the repository root).
compose() {
  local files=() f unset=() name
  for f in "${COMPOSE_FILES[@]}"; do files+=(-f "$STACK_REPO/$f"); done
  # .env is the stack's configuration, but compose prefers the caller's environment: a shell that
  # ran `eval "$(deploy/local/services.sh up)"` (CI does) holds other stores' URLs and an empty
  # NEO4J_PASSWORD. Every variable .env defines is therefore taken from .env only.
  if [[ -s $STACK_STATE/.env ]]; then
    while IFS='=' read -r name _; do
      [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && unset+=(-u "$name")
    done < "$STACK_STATE/.env"
  fi
  env "${unset[@]}" docker compose --project-directory "$STACK_REPO" --env-file "$STACK_STATE/.env" "${files[@]}" "$@"
}

# apt_install PKG...: installs the Debian packages that are missing (as services.sh does).
apt_install() {
  local p missing=()
  for p in "$@"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages (${missing[*]}) and not root"
  log "apt-get install ${missing[*]}"
  local policy_added=0 rc=0
  # Keep package scripts from starting system daemons (docker.service would take /var/run/docker.sock).
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
    "${missing[@]}" >&2 || rc=$?
  if ((rc != 0)); then
    log "apt-get install failed; apt-get update and one retry"
    DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || true
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
      "${missing[@]}" >&2 || rc=$?
  fi
  ((policy_added)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get install ${missing[*]} failed"
}

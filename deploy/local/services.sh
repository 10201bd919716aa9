#!/usr/bin/env bash
# deploy/local/services.sh — real backing services for local runs and tests, no Docker.
#
#   services.sh up [NAME...]            install what is missing, start, wait, print env lines
#   services.sh env [NAME...]           print env lines of the services that are running
#   services.sh status [NAME...]        one line per service: up/down, pid, port
#   services.sh down [--purge] [NAME...] stop (SIGTERM, wait, SIGKILL); --purge also deletes data
#   services.sh start NAME / stop NAME  start or stop exactly one server (same port, same data)
#   services.sh promote-replica         pg_ctl promote on the read replica (failover tests)
#   services.sh rebuild-replica         throw the replica away and pg_basebackup it again
#   services.sh install [NAME...]       install/build only, start nothing
#   services.sh install-extras          apt-install prometheus, alertmanager, nginx (not started)
#
# Services: postgres (primary, 55432), postgres-replica (55433), redis (56379),
#           chroma (58000), ferretdb (57017, alias: mongo), neo4j (57687).
# In `up`/`down`/`install`, "postgres" means primary + replica; `start`/`stop` act on exactly the
# one server named. Env lines go to stdout, progress and timings to stderr, so
#   eval "$(deploy/local/services.sh up)"
# works. All data, logs and pid files live under $SERVICES_DIR (default /tmp/mwva-services).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SD="${SERVICES_DIR:-/tmp/mwva-services}"
WAIT_SECS="${SERVICES_WAIT_SECS:-90}"
NEO4J_WAIT_SECS="${SERVICES_NEO4J_WAIT_SECS:-180}"

PG_BIN=/usr/lib/postgresql/15/bin
FERRETDB_VERSION=v1.24.2
FERRETDB_BIN="$HERE/.bin/ferretdb"
HOST=127.0.0.1

ALL=(postgres postgres-replica redis chroma ferretdb neo4j)

port_of() {
  case "$1" in
    postgres) echo 55432 ;;
    postgres-replica) echo 55433 ;;
    redis) echo 56379 ;;
    chroma) echo 58000 ;;
    ferretdb) echo 57017 ;;
    neo4j) echo 57687 ;;
    *) die "unknown service '$1'" ;;
  esac
}

env_lines() {
  case "$1" in
    postgres) echo "export NEON_DATABASE_URL=postgres://voice:voice@$HOST:55432/voice" ;;
    postgres-replica) echo "export NEON_READ_REPLICA_URL=postgres://voice:voice@$HOST:55433/voice" ;;
    redis) echo "export REDIS_URL=redis://$HOST:56379" ;;
    chroma) echo "export CHROMA_HOST=http://$HOST:58000" ;;
    # maxPoolSize: FerretDB's SQLite backend has one writer; a driver pool of 100 per process
    # only turns into SQLITE_BUSY errors (and, under load, stuck locks). See BENCHMARKS.md.
    ferretdb) echo "export MONGODB_URI='mongodb://$HOST:57017/voice?maxPoolSize=8'" ;;
    neo4j)
      echo "export NEO4J_URI=bolt://$HOST:57687"
      echo "export NEO4J_USER=neo4j"
      echo "export NEO4J_PASSWORD="
      ;;
  esac
}

# ------------------------------------------------------------------ helpers

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

sdir() { echo "$SD/$1"; }
pidfile() { echo "$SD/$1/pid"; }
logfile() { echo "$SD/$1/log"; }

# Runs a command as the postgres OS user when we are root (initdb refuses root).
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True if PID exists and is not a zombie. (On these machines PID 1 reaps orphans late, so a killed
# server can linger as a zombie for many seconds; kill -0 would still succeed on it.)
pid_running() {
  local st
  st=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

tcp_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Prints the pid of a service's server if it is alive and really ours, else nothing.
# postgres servers: the postmaster.pid of their data dir (copied to $SD/NAME/pid);
# others: $SD/NAME/pid, and the process command line must mention the service's port.
live_pid() {
  local name=$1 pf pid
  pf=$(pidfile "$name")
  if [[ $name == postgres || $name == postgres-replica ]]; then
    local data
    data="$(sdir "$name")/data"
    [[ -f $data/postmaster.pid ]] || return 0
    pid=$(head -n1 "$data/postmaster.pid" 2>/dev/null || true)
    [[ -n $pid ]] && pid_running "$pid" || return 0
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$data" || return 0
    if [[ -d $(dirname "$pf") ]]; then echo "$pid" > "$pf" 2>/dev/null || true; fi
    echo "$pid"
    return 0
  fi
  [[ -f $pf ]] || return 0
  pid=$(cat "$pf" 2>/dev/null || true)
  [[ -n $pid ]] && pid_running "$pid" || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(port_of "$name")"; then
    echo "$pid"
  fi
  return 0
}

tail_log() {
  local lf
  lf=$(logfile "$1")
  printf '[services] ---- last 30 lines of %s ----\n' "$lf" >&2
  tail -n 30 "$lf" >&2 2>/dev/null || true
  if [[ $1 == neo4j && -f $(sdir neo4j)/home/logs/debug.log ]]; then
    printf '[services] ---- last 30 lines of %s ----\n' "$(sdir neo4j)/home/logs/debug.log" >&2
    tail -n 30 "$(sdir neo4j)/home/logs/debug.log" >&2 || true
  fi
  printf '[services] ----\n' >&2
}

# wait_ready NAME DEADLINE_SECS CHECK_FN: polls CHECK_FN until it succeeds; on timeout or when
# the server process dies, prints the log tail and exits non-zero naming the server.
wait_ready() {
  local name=$1 secs=$2 check=$3 t0=$SECONDS
  while ! "$check" >/dev/null 2>&1; do
    if [[ -z $(live_pid "$name") ]]; then
      tail_log "$name"
      die "$name: server process exited before it became ready (log: $(logfile "$name"))"
    fi
    if ((SECONDS - t0 >= secs)); then
      tail_log "$name"
      die "$name: not ready after ${secs}s (log: $(logfile "$name"))"
    fi
    sleep 0.3
  done
}

# Starts CMD... detached (own session), stdout+stderr appended to the service log, pid recorded.
spawn() {
  local name=$1
  shift
  local port
  port=$(port_of "$name")
  if tcp_open "$port"; then
    die "$name: port $port is already in use by another process (not ours: no live pid in $(pidfile "$name"))"
  fi
  mkdir -p "$(sdir "$name")"
  printf '\n==== %s starting %s ====\n' "$(date -Is)" "$name" >> "$(logfile "$name")"
  # 9>&-: do not hand the services.sh lock to the long-running server.
  setsid "$@" >> "$(logfile "$name")" 2>&1 < /dev/null 9>&- &
  echo $! > "$(pidfile "$name")"
}

# ------------------------------------------------------------------ installs

apt_missing() {
  local p missing=()
  for p in "$@"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

apt_install() {
  local missing
  missing=$(apt_missing "$@")
  [[ -z ${missing// /} ]] && return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages ($missing) and not root: apt-get install them first"
  local t0 policy_added=0
  t0=$(now)
  log "apt-get install $missing"
  # Keep package postinst scripts from starting system-wide daemons (nginx on :80, redis on :6379).
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local rc=0
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 $missing >&2 || rc=$?
  if ((rc != 0)); then
    log "apt-get install failed; running apt-get update and retrying once"
    DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=300 >&2 || true
    rc=0
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 $missing >&2 || rc=$?
  fi
  ((policy_added)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get install $missing failed"
  log "timing: apt install ($missing) $(elapsed "$t0")s"
}

need_go() {
  if ! command -v go > /dev/null 2>&1; then
    [[ -x /usr/local/go/bin/go ]] && export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go > /dev/null 2>&1 || die "ferretdb: a Go toolchain (>= 1.21, FerretDB asks for 1.24) is needed to build it"
}

build_ferretdb() {
  if [[ -x $FERRETDB_BIN ]] && "$FERRETDB_BIN" --version 2>/dev/null | grep -q "version: $FERRETDB_VERSION"; then
    return 0
  fi
  need_go
  log "building FerretDB $FERRETDB_VERSION (pure-Go SQLite backend) into $FERRETDB_BIN"
  local dir src
  # The module zip carries no build/version/version.txt and FerretDB's main refuses to start
  # without it, so build from a writable copy of the module with that file filled in.
  dir=$(cd /tmp && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $dir && -d $dir ]] || die "ferretdb: go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION failed"
  src="$HERE/.cache/ferretdb-src-$FERRETDB_VERSION"
  rm -rf "$src"
  mkdir -p "$HERE/.cache" "$HERE/.bin"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >&2 ||
    die "ferretdb: go build failed"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}

build_neo4j() {
  local d="$HERE/neo4j"
  # The cached class path is only good while the jars it names are still in the Maven repository.
  if [[ -f $d/target/classpath.txt && -f $d/target/classes/local/neo4j/Launcher.class &&
    -f "$(cut -d: -f1 "$d/target/classpath.txt")" &&
    ! $d/pom.xml -nt $d/target/classpath.txt &&
    ! $d/src/main/java/local/neo4j/Launcher.java -nt $d/target/classes/local/neo4j/Launcher.class ]]; then
    return 0
  fi
  command -v javac > /dev/null 2>&1 || apt_install openjdk-17-jdk-headless
  command -v mvn > /dev/null 2>&1 || apt_install maven
  log "building the Neo4j launcher (mvn package; first run downloads Neo4j from Maven Central)"
  mvn -q -B -Dstyle.color=never -f "$d/pom.xml" package -DskipTests >&2 || die "neo4j: mvn package failed"
}

install_chroma() {
  local d="$HERE/chroma"
  if [[ -f $d/node_modules/chromadb/dist/cli.mjs ]] &&
    grep -q '"version": "1.0.5"' "$d/node_modules/chromadb-js-bindings-linux-x64-gnu/package.json" 2>/dev/null; then
    return 0
  fi
  command -v node > /dev/null 2>&1 || die "chroma: node (>= 20) is needed"
  log "npm ci --prefix $d"
  npm ci --prefix "$d" --no-audit --no-fund >&2 || die "chroma: npm ci failed"
}

# Debian packages each service needs.
apt_pkgs_for() {
  case "$1" in
    postgres | postgres-replica) echo postgresql-15 postgresql-client-15 ;;
    redis) echo redis-server redis-tools ;;
    chroma | ferretdb | neo4j) echo curl ;;
  esac
}

install_services() {
  local s pkgs=() t0 lock
  # One installer at a time: CI builds the compose stack's images (which stage FerretDB and
  # Chroma from here) while the suites start these services.
  exec {lock}> "$HERE/.install.lock"
  flock "$lock"
  for s in "$@"; do
    # shellcheck disable=SC2207
    pkgs+=($(apt_pkgs_for "$s"))
  done
  ((${#pkgs[@]})) && apt_install "${pkgs[@]}"
  for s in "$@"; do
    t0=$(now)
    case "$s" in
      ferretdb) build_ferretdb ;;
      neo4j) build_neo4j ;;
      chroma) install_chroma ;;
      *) continue ;;
    esac
    INSTALL_T[$s]=$(elapsed "$t0")
  done
  exec {lock}>&-
}

# ------------------------------------------------------------------ postgres

pg_admin() { # pg_admin NAME SQL  (superuser over the unix socket, as the postgres OS user)
  local dir
  dir=$(sdir "$1")
  as_pg "$PG_BIN/psql" -X -q -t -A -h "$dir" -p "$(port_of "$1")" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$2"
}

pg_write_local_conf() { # NAME: per-server settings, kept out of postgresql.conf so a base backup can override them
  local name=$1 dir
  dir=$(sdir "$name")
  cat > "$dir/data/mwva.conf" << EOF
# written by deploy/local/services.sh for $name
port = $(port_of "$name")
listen_addresses = '$HOST'
unix_socket_directories = '$dir'
EOF
  chown postgres:postgres "$dir/data/mwva.conf" 2>/dev/null || true
}

pg_prepare_dir() {
  local dir
  dir=$(sdir "$1")
  mkdir -p "$dir"
  chmod 755 "$SD"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$dir"
  as_pg test -w "$dir" || die "$1: the postgres OS user cannot write to $dir (pick a SERVICES_DIR it can reach)"
  touch "$(logfile "$1")"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$(logfile "$1")"
  return 0
}

pg_init_primary() {
  local dir
  dir=$(sdir postgres)
  [[ -f $dir/data/PG_VERSION ]] && return 0
  pg_prepare_dir postgres
  log "postgres: initdb $dir/data"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >> "$(logfile postgres)" 2>&1 ||
    {
      tail_log postgres
      die "postgres: initdb failed"
    }
  cat >> "$dir/data/postgresql.conf" << 'EOF'

# ---- deploy/local/services.sh (test-only settings) ----
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
hot_standby = on
hot_standby_feedback = on
shared_buffers = '64MB'
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %q%u@%d '
include_if_exists = 'mwva.conf'
EOF
  cat > "$dir/data/pg_hba.conf" << 'EOF'
# deploy/local/services.sh: test-only, loopback only
local   all           all                     trust
local   replication   all                     trust
host    replication   postgres  127.0.0.1/32  trust
host    all           all       127.0.0.1/32  scram-sha-256
host    replication   all       127.0.0.1/32  scram-sha-256
EOF
  chown postgres:postgres "$dir/data/pg_hba.conf" 2>/dev/null || true
  pg_write_local_conf postgres
}

pg_init_replica() {
  local dir
  dir=$(sdir postgres-replica)
  [[ -f $dir/data/PG_VERSION ]] && return 0
  [[ -n $(live_pid postgres) ]] || die "postgres-replica: the primary (postgres) must be running to create the replica"
  pg_prepare_dir postgres-replica
  rm -rf "$dir/data"
  log "postgres-replica: pg_basebackup -R from $HOST:55432"
  as_pg "$PG_BIN/pg_basebackup" -h "$HOST" -p 55432 -U postgres -D "$dir/data" -R -X stream -c fast \
    >> "$(logfile postgres-replica)" 2>&1 || {
    tail_log postgres-replica
    die "postgres-replica: pg_basebackup failed"
  }
  pg_write_local_conf postgres-replica
}

check_pg_primary() {
  PGPASSWORD=voice PGCONNECT_TIMEOUT=2 psql -X -q -t -A "postgres://voice:voice@$HOST:55432/voice" -c 'select 1' | grep -qx 1
}
check_pg_up_primary() { "$PG_BIN/pg_isready" -q -h "$HOST" -p 55432; }
check_pg_replica() {
  local want=t
  [[ -f $(sdir postgres-replica)/data/standby.signal ]] || want=f # promoted
  PGCONNECT_TIMEOUT=2 psql -X -q -t -A "postgres://voice:voice@$HOST:55433/voice" -c 'select pg_is_in_recovery()' | grep -qx "$want"
}

pg_start() { # NAME
  local name=$1 dir
  dir=$(sdir "$name")
  [[ -n $(live_pid "$name") ]] && return 0
  if tcp_open "$(port_of "$name")"; then
    die "$name: port $(port_of "$name") is already in use by another process"
  fi
  rm -f "$(pidfile "$name")"
  # A postmaster killed with SIGKILL leaves postmaster.pid and the socket lock file behind; if its
  # pid is still a zombie, postgres would take it for a running server and refuse to start.
  local f old
  for f in "$dir/data/postmaster.pid" "$dir/.s.PGSQL.$(port_of "$name").lock"; do
    [[ -f $f ]] || continue
    old=$(head -n1 "$f" 2>/dev/null || true)
    old=${old//[^0-9]/}
    if [[ -z $old ]] || ! pid_running "$old"; then
      log "$name: removing stale $(basename "$f") (pid ${old:-?} is gone)"
      rm -f "$f"
      [[ $f == *.lock ]] && rm -f "${f%.lock}"
    fi
  done
  # pg_ctl -w returns as soon as the server accepts connections, or fails fast if it exits.
  if ! as_pg "$PG_BIN/pg_ctl" start -w -t "$WAIT_SECS" -D "$dir/data" -l "$(logfile "$name")" > /dev/null 9>&-; then
    tail_log "$name"
    die "$name: pg_ctl start failed (log: $(logfile "$name"))"
  fi
}

start_postgres() {
  pg_init_primary
  pg_start postgres
  wait_ready postgres "$WAIT_SECS" check_pg_up_primary
  # idempotent: role + database for the app
  pg_admin postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'voice') THEN CREATE ROLE voice LOGIN PASSWORD 'voice'; END IF; END \$\$;" > /dev/null
  if [[ $(pg_admin postgres "SELECT 1 FROM pg_database WHERE datname = 'voice'") != 1 ]]; then
    pg_admin postgres "CREATE DATABASE voice OWNER voice" > /dev/null
  fi
  wait_ready postgres "$WAIT_SECS" check_pg_primary
}

start_postgres_replica() {
  pg_init_replica
  pg_start postgres-replica
  wait_ready postgres-replica "$WAIT_SECS" check_pg_replica
  if [[ ! -f $(sdir postgres-replica)/data/standby.signal ]]; then
    log "postgres-replica: NOTE this server was promoted and is read-write now (pg_is_in_recovery = f);" \
      "'services.sh rebuild-replica' makes it a streaming replica again"
  fi
}

# ------------------------------------------------------------------ other servers

check_redis() { [[ $(redis-cli -h "$HOST" -p 56379 ping 2>/dev/null) == PONG ]]; }
check_chroma() { curl -fsS --max-time 2 "http://$HOST:58000/api/v2/heartbeat" | grep -q heartbeat; }
check_ferretdb() { node "$HERE/probe.mjs" mongo "$HOST" 57017; }
# only the log lines written since the last "==== ... starting neo4j ====" marker count
check_neo4j() {
  tac "$(logfile neo4j)" | sed '/^==== .* starting neo4j ====$/q' | grep -q 'Bolt enabled' &&
    node "$HERE/probe.mjs" bolt "$HOST" 57687
}

launch_redis() {
  local dir
  dir=$(sdir redis)
  mkdir -p "$dir/data"
  spawn redis redis-server --bind "$HOST" --port 56379 --dir "$dir/data" \
    --appendonly yes --appenddirname appendonly --save '' --daemonize no --logfile '' \
    --protected-mode yes
}

launch_chroma() {
  local dir
  dir=$(sdir chroma)
  mkdir -p "$dir/data"
  spawn chroma node "$HERE/chroma/node_modules/chromadb/dist/cli.mjs" run \
    --path "$dir/data" --port 58000 --host "$HOST"
}

launch_ferretdb() {
  local dir
  dir=$(sdir ferretdb)
  mkdir -p "$dir/data" "$dir/state"
  spawn ferretdb "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$dir/data/" \
    --state-dir="$dir/state" --telemetry=disable --listen-addr="$HOST:57017" --debug-addr=- \
    --log-level=INFO
}

launch_neo4j() {
  local dir cp
  dir=$(sdir neo4j)
  mkdir -p "$dir/home"
  cp="$HERE/neo4j/target/classes:$(cat "$HERE/neo4j/target/classpath.txt")"
  spawn neo4j java -Xms256m -Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    -cp "$cp" local.neo4j.Launcher "$dir/home" "$HOST" 57687
}

# launch (no wait) for non-postgres services; postgres ones start synchronously.
launch() {
  [[ -n $(live_pid "$1") ]] && return 0
  case "$1" in
    redis) launch_redis ;;
    chroma) launch_chroma ;;
    ferretdb) launch_ferretdb ;;
    neo4j) launch_neo4j ;;
  esac
}

wait_service() {
  case "$1" in
    redis) wait_ready redis "$WAIT_SECS" check_redis ;;
    chroma) wait_ready chroma "$WAIT_SECS" check_chroma ;;
    ferretdb) wait_ready ferretdb "$WAIT_SECS" check_ferretdb ;;
    neo4j) wait_ready neo4j "$NEO4J_WAIT_SECS" check_neo4j ;;
  esac
}

# ------------------------------------------------------------------ stop

stop_service() {
  local name=$1 pid i limit=20
  [[ $name == neo4j ]] && limit=40
  pid=$(live_pid "$name")
  if [[ -z $pid ]]; then
    rm -f "$(pidfile "$name")"
    return 0
  fi
  if [[ $name == postgres || $name == postgres-replica ]]; then
    as_pg "$PG_BIN/pg_ctl" stop -D "$(sdir "$name")/data" -m fast -w -t "$limit" > /dev/null 2>&1 || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for ((i = 0; i < limit * 5; i++)); do
    pid_running "$pid" || break
    sleep 0.2
  done
  if pid_running "$pid"; then
    log "$name: still running after ${limit}s, sending SIGKILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pidfile "$name")"
  log "$name: stopped (pid $pid)"
}

# ------------------------------------------------------------------ commands

declare -A INSTALL_T=()

# Expands group names for up/down/install/env/status; no names = everything.
expand() {
  local out=() n
  (($#)) || {
    echo "${ALL[@]}"
    return
  }
  for n in "$@"; do
    case "$n" in
      postgres | pg) out+=(postgres postgres-replica) ;;
      postgres-replica | replica) out+=(postgres-replica) ;;
      mongo | mongodb | ferretdb) out+=(ferretdb) ;;
      redis | chroma | neo4j) out+=("$n") ;;
      *) die "unknown service '$n' (known: ${ALL[*]})" ;;
    esac
  done
  # de-duplicate, keep the canonical order
  local s res=()
  for s in "${ALL[@]}"; do
    [[ " ${out[*]} " == *" $s "* ]] && res+=("$s")
  done
  echo "${res[@]}"
}

exact() {
  case "$1" in
    postgres | pg) echo postgres ;;
    postgres-replica | replica) echo postgres-replica ;;
    mongo | mongodb | ferretdb) echo ferretdb ;;
    redis | chroma | neo4j) echo "$1" ;;
    *) die "unknown service '$1' (known: ${ALL[*]})" ;;
  esac
}

lock() {
  mkdir -p "$SD"
  exec 9> "$SD/.lock"
  flock -w 300 9 || die "another services.sh is holding $SD/.lock"
}

cmd_up() {
  local names s t0
  # shellcheck disable=SC2207
  names=($(expand "$@"))
  lock
  local T0
  T0=$(now)
  install_services "${names[@]}"
  declare -A START_T=() WAS_UP=()
  for s in "${names[@]}"; do
    [[ -n $(live_pid "$s") ]] && WAS_UP[$s]=1
  done
  # Launch the slow, independent servers first, then do postgres synchronously while they boot.
  for s in "${names[@]}"; do
    case "$s" in postgres | postgres-replica) continue ;; esac
    START_T[$s]=$(now)
    launch "$s"
  done
  for s in "${names[@]}"; do
    case "$s" in
      postgres)
        t0=$(now)
        start_postgres
        START_T[$s]=$(elapsed "$t0")
        ;;
      postgres-replica)
        t0=$(now)
        start_postgres_replica
        START_T[$s]=$(elapsed "$t0")
        ;;
    esac
  done
  for s in "${names[@]}"; do
    case "$s" in postgres | postgres-replica) continue ;; esac
    wait_service "$s"
    START_T[$s]=$(elapsed "${START_T[$s]}")
  done
  for s in "${names[@]}"; do
    log "timing: $(printf '%-16s' "$s") install ${INSTALL_T[$s]:-0.0}s  start ${START_T[$s]}s$([[ -n ${WAS_UP[$s]:-} ]] && echo '  (was already running)')  port $(port_of "$s")  pid $(live_pid "$s")"
  done
  log "timing: total $(elapsed "$T0")s; state in $SD"
  for s in "${names[@]}"; do env_lines "$s"; done
}

cmd_start() {
  (($# == 1)) || die "usage: services.sh start NAME"
  local s
  s=$(exact "$1")
  lock
  install_services "$s"
  local t0
  t0=$(now)
  case "$s" in
    postgres) start_postgres ;;
    postgres-replica) start_postgres_replica ;;
    *)
      launch "$s"
      wait_service "$s"
      ;;
  esac
  log "timing: $s start $(elapsed "$t0")s  port $(port_of "$s")  pid $(live_pid "$s")"
  env_lines "$s"
}

cmd_stop() {
  (($# == 1)) || die "usage: services.sh stop NAME"
  local s
  s=$(exact "$1")
  lock
  stop_service "$s"
}

cmd_down() {
  local purge=0 args=() names s
  for s in "$@"; do
    if [[ $s == --purge ]]; then purge=1; else args+=("$s"); fi
  done
  # shellcheck disable=SC2207
  names=($(expand "${args[@]}"))
  [[ -d $SD ]] || {
    log "nothing to stop ($SD does not exist)"
    return 0
  }
  lock
  # reverse order: replica before primary
  local i
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    stop_service "${names[i]}"
  done
  if ((purge)); then
    if ((${#args[@]})); then
      for s in "${names[@]}"; do rm -rf "$(sdir "$s")"; done
      log "purged data of: ${names[*]}"
    else
      rm -rf "$SD"
      log "purged $SD"
    fi
  fi
}

cmd_status() {
  local names s pid rc=0
  # shellcheck disable=SC2207
  names=($(expand "$@"))
  for s in "${names[@]}"; do
    pid=$(live_pid "$s")
    if [[ -n $pid ]] && tcp_open "$(port_of "$s")"; then
      local extra=''
      if [[ $s == postgres-replica ]]; then
        extra="  in_recovery=$(PGCONNECT_TIMEOUT=2 psql -X -q -t -A "postgres://voice:voice@$HOST:55433/voice" -c 'select pg_is_in_recovery()' 2>/dev/null || echo '?')"
      fi
      printf '%-17s up    pid %-8s %s:%s%s\n' "$s" "$pid" "$HOST" "$(port_of "$s")" "$extra"
    elif [[ -n $pid ]]; then
      printf '%-17s starting  pid %-8s %s:%s (not answering yet)\n' "$s" "$pid" "$HOST" "$(port_of "$s")"
      rc=3
    else
      printf '%-17s down\n' "$s"
      rc=3
    fi
  done
  return $rc
}

cmd_env() {
  local names s
  # shellcheck disable=SC2207
  names=($(expand "$@"))
  for s in "${names[@]}"; do
    if [[ -n $(live_pid "$s") ]]; then env_lines "$s"; else log "$s is not running (no env lines)"; fi
  done
}

cmd_promote() {
  lock
  [[ -n $(live_pid postgres-replica) ]] || die "postgres-replica is not running"
  as_pg "$PG_BIN/pg_ctl" promote -D "$(sdir postgres-replica)/data" -w -t 60 >&2
  log "postgres-replica promoted: pg_is_in_recovery = $(psql -X -q -t -A "postgres://voice:voice@$HOST:55433/voice" -c 'select pg_is_in_recovery()')"
}

cmd_rebuild_replica() {
  lock
  stop_service postgres-replica
  rm -rf "$(sdir postgres-replica)/data"
  [[ -n $(live_pid postgres) ]] || die "postgres (primary) must be running: services.sh start postgres"
  start_postgres_replica
  env_lines postgres-replica
}

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    restart)
      cmd_stop "$@"
      cmd_start "$@"
      ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    promote-replica) cmd_promote ;;
    rebuild-replica) cmd_rebuild_replica ;;
    install)
      local names
      # shellcheck disable=SC2207
      names=($(expand "$@"))
      lock
      install_services "${names[@]}"
      ;;
    install-extras) apt_install prometheus prometheus-alertmanager nginx ;;
    -h | --help | help) usage 0 ;;
    *) usage ;;
  esac
}

main "$@"

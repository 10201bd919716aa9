# shellcheck shell=bash
# The offline stack's configuration, generated once per checkout into .stack/ (git-ignored):
#   .env              deploy/scripts/generate-secrets.sh's secrets + the offline settings (mode 600)
#   telnyx-sim.pem    Ed25519 key the tests' carrier simulator signs webhooks with (the API gets
#                     its public half as TELNYX_PUBLIC_KEY)
#   pebble/           Pebble's listener certificate and the throwaway CA that signed it
#   stack.json        what the compose tests need to find the stack

# set_env FILE KEY VALUE: replaces KEY's line, or appends it.
set_env() {
  local file=$1 key=$2 value=$3 tmp
  tmp=$(mktemp)
  grep -v "^$key=" "$file" > "$tmp" || true
  printf '%s=%s\n' "$key" "$value" >> "$tmp"
  cat "$tmp" > "$file"
  rm -f "$tmp"
}

get_env() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

gen_sim_key() {
  local key="$STACK_STATE/telnyx-sim.pem"
  [[ -s $key ]] && return 0
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$key" 2> /dev/null) || die "openssl genpkey ed25519 failed"
}

sim_public_key() {
  # The raw 32-byte Ed25519 key, base64, as Telnyx shows it in its portal.
  openssl pkey -in "$STACK_STATE/telnyx-sim.pem" -pubout -outform DER 2> /dev/null | tail -c 32 | base64
}

gen_pebble_tls() {
  local d="$STACK_STATE/pebble"
  [[ -s $d/cert.pem ]] && return 0
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj '/CN=mwva offline stack test CA' -keyout "$d/ca.key" -out "$d/ca.pem" 2> /dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=pebble' \
    -keyout "$d/key.pem" -out "$d/req.csr" 2> /dev/null
  openssl x509 -req -in "$d/req.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
    -extfile <(printf 'subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1\n') -out "$d/cert.pem" 2> /dev/null
  rm -f "$d/req.csr" "$d/ca.key" "$d/ca.srl"
  # Pebble runs as its own user in the container; this key guards a test listener only.
  chmod 644 "$d/key.pem"
}

gen_env() {
  local env="$STACK_STATE/.env"
  if [[ ! -s $env ]]; then
    log "generating $env (fresh secrets: deploy/scripts/generate-secrets.sh)"
    bash "$STACK_REPO/deploy/scripts/generate-secrets.sh" --domain "$STACK_DOMAIN" \
      --email "ops@$STACK_DOMAIN" --out "$env" 2> /dev/null || die "generate-secrets.sh failed"
    local mongo
    mongo=$(get_env "$env" MONGODB_URI)
    # FerretDB's SQLite backend has one writer: a small pool per replica (deploy/local does the same).
    set_env "$env" MONGODB_URI "$mongo&maxPoolSize=8"
    set_env "$env" TELNYX_API_KEY "KEYoffline_$(openssl rand -hex 12)"
    set_env "$env" TELNYX_PUBLIC_KEY "$(sim_public_key)"
    set_env "$env" TELNYX_CONNECTION_ID offline-stack
    set_env "$env" TELNYX_FROM_NUMBER +15550100000
    set_env "$env" TELNYX_BASE_URL "http://carrier.mwva.test:$STACK_CARRIER_PORT/v2"
  fi
  # Values that follow the checkout (re-written on every up).
  set_env "$env" NODE_VERSION "$(node_version)"
  set_env "$env" HTTP_PORT "$STACK_HTTP_PORT"
  set_env "$env" HTTPS_PORT "$STACK_HTTPS_PORT"
  # The API's and the backup's secrets as files (compose's file-sourced secrets), from this .env.
  set_env "$env" SECRETS_DIR "$STACK_STATE/secrets"
  chmod 600 "$env"
  bash "$STACK_REPO/deploy/scripts/secret-files.sh" --env "$env" --out "$STACK_STATE/secrets" 2> /dev/null ||
    die "secret-files.sh failed"
}

write_stack_json() {
  local files=() f
  for f in "${COMPOSE_FILES[@]}"; do files+=("\"$STACK_REPO/$f\""); done
  cat > "$STACK_STATE/stack.json" << JSON
{
  "repo": "$STACK_REPO",
  "project": "magnificent-voice-agent",
  "dockerHost": "$DOCKER_HOST",
  "composeFiles": [$(
    IFS=,
    echo "${files[*]}"
  )],
  "envFile": "$STACK_STATE/.env",
  "domain": "$STACK_DOMAIN",
  "httpPort": $STACK_HTTP_PORT,
  "httpsPort": $STACK_HTTPS_PORT,
  "carrierPort": $STACK_CARRIER_PORT,
  "simKeyFile": "$STACK_STATE/telnyx-sim.pem",
  "pebbleCaFile": "$STACK_STATE/pebble/ca.pem",
  "baseImage": "$BASE_IMAGE"
}
JSON
}

gen_state() {
  mkdir -p "$STACK_STATE"
  chmod 755 "$STACK_STATE"
  gen_sim_key
  gen_pebble_tls
  gen_env
  write_stack_json
}

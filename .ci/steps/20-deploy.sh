# Deployment area (sourced by .ci/run; helpers: step, run_suite, run_check, cleanups).
# The jest suites of e2e/test/deploy already ran: validation in `npm test` (compose-spec,
# workflow and Kubernetes schemas, our rules) and the live ones in `npm run test:stack`
# (3 replicas behind nginx with a SIGKILL, certbot + Pebble, kustomize overlays); those install
# nginx, pebble, certbot and kustomize themselves when missing. Here: the shell scripts.

deploy_scripts_check() {
  local f tmp
  for f in deploy/scripts/*.sh deploy/tls/*.sh; do bash -n "$f" || return 1; done
  for f in deploy/tls/certbot-loop.sh deploy/nginx/docker-entrypoint.d/*.sh; do sh -n "$f" || return 1; done
  # generate-secrets.sh: a complete .env, no empty secret, mode 600, fresh values every run.
  tmp=$(mktemp -d)
  bash deploy/scripts/generate-secrets.sh --out "$tmp/a.env" 2>/dev/null &&
    bash deploy/scripts/generate-secrets.sh --out "$tmp/b.env" 2>/dev/null &&
    [ "$(stat -c %a "$tmp/a.env")" = 600 ] &&
    ! grep -qE '^(API_TOKEN|POSTGRES_PASSWORD|MONGO_ROOT_PASSWORD|NEO4J_PASSWORD|REDIS_PASSWORD|GRAFANA_ADMIN_PASSWORD)=$' "$tmp/a.env" &&
    [ "$(grep '^API_TOKEN=' "$tmp/a.env")" != "$(grep '^API_TOKEN=' "$tmp/b.env")" ] &&
    ! bash deploy/scripts/generate-secrets.sh --out "$tmp/a.env" 2>/dev/null
  local status=$?
  rm -rf "$tmp"
  return $status
}

step "deploy: shell scripts (syntax, generate-secrets.sh)"
run_check deploy-scripts deploy_scripts_check

# The GitHub workflows cannot run here; actionlint (Go module, installed by the script) and
# shellcheck keep them correct.
step "deploy: GitHub workflows (actionlint)"
run_check workflows-actionlint bash .github/scripts/lint-workflows.sh

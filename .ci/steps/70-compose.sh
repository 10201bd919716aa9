# shellcheck shell=bash
# The whole stack on a real Docker Engine (sourced by .ci/run; helpers: step, run_check,
# run_suite, cleanups). deploy/stack/stack.sh installs Debian's docker.io and Compose (Go module)
# when missing, runs its own dockerd (data root /var/lib/mwva-docker: the image cache kept
# between runs on one machine), builds the offline images and brings the stack up; the compose
# suite (e2e/test/compose) runs against it; `down --engine` removes containers, volumes and
# networks and stops dockerd — also when anything above failed.
# COMPOSE_LOAD_CALLS sets the load test's size (default 1000 concurrent calls at real time).

compose_t0=$SECONDS

# .ci/run started `stack.sh build` in the background after npm ci (stack_build_pid); its
# cleanup (down --engine) is registered there.
step "compose: waiting for the background image build (log below)"
images_built=0
wait "$stack_build_pid" && images_built=1
grep '^\[stack\]' "$stack_build_log" || tail -40 "$stack_build_log"
run_check compose-images test "$images_built" = 1

step "compose: stack up (images cached: docker compose up --wait)"
run_check compose-stack-up npm run stack:up

step "compose: the seed's infrastructure tests against the running stack (npm run test:compose)"
run_suite compose npm run test:compose --

step "compose: stack down"
run_check compose-stack-down npm run stack:down
echo "compose: step took $((SECONDS - compose_t0)) s"

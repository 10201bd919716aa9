# shellcheck shell=bash
# Benchmarks (sourced by .ci/run; helpers: step, run_check, cleanups). Each `npm run bench`
# scenario runs at a tiny size (seconds each) on the real stores .ci/run started, so the commands
# are proven to work end to end; the full-size numbers are recorded in docs/BENCHMARKS.md. A
# scenario fails here only on a correctness check (lost events, a dial that never reached the
# carrier, an acknowledged webhook missing after failover), never on a timing bar.
# Needs: the build (npm test ran tsc -b), nginx + openssl (Debian), the services.sh binaries.

step "bench: nginx, openssl (Debian)"
bash deploy/scripts/install-test-tools.sh nginx openssl

bench_results=$(mktemp -d)
cleanups+=("rm -rf '$bench_results'")
# Quiet when it passes; the last lines of its output when it fails.
bench() {
  LOG_LEVEL=error node tools/bench/dist/main.js "$@" --out "$bench_results" --json \
    > /dev/null 2> "$bench_results/stderr.log" || { tail -20 "$bench_results/stderr.log"; return 1; }
}

step "bench: smoke runs (tiny sizes)"
run_check bench-webhooks bench webhooks --calls 10 --concurrency 10 --time-scale 0.05 --ramp-step 2 --ramp-max 80
run_check bench-dial bench dial --rate 5 --seconds 2 --burst 20
run_check bench-queries bench queries --sizes 2000 --iterations 2
run_check bench-soak bench soak --calls 20 --minutes 0.5 --time-scale 0.05 --sample 1
run_check bench-failover bench failover --rate 20 --outage 2 --settle 2
run_check bench-report node tools/bench/dist/main.js report --results "$bench_results" --charts "$bench_results/charts"

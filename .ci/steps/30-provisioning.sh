# shellcheck shell=bash
# Provisioning (sourced by .ci/run): the generated Prometheus and Alertmanager files checked with
# the real Debian tools. Generation freshness and schema checks run in `npm test`; the live
# Prometheus → Alertmanager test (provisioning/test/live) runs in `npm run test:stack`. The k8s
# scrape snippet is not checked here: Debian builds Prometheus without Kubernetes discovery.

step "provisioning: install prometheus, alertmanager (Debian)"
bash provisioning/scripts/promstack.sh install

prov_routes_test() {
  # Each severity must reach its receiver; --verify.receivers makes a wrong route fail.
  local cfg=provisioning/alertmanager/alertmanager.yml severity receiver
  for pair in critical:oncall-pager warning:ops-webhook info:ops-email none:ops-email; do
    severity=${pair%%:*}
    receiver=${pair#*:}
    amtool config routes test --config.file="$cfg" --verify.receivers="$receiver" "severity=$severity" || return 1
  done
}

step "provisioning: promtool + amtool"
run_check provisioning-generated-up-to-date npm run check -w provisioning
run_check promtool-check-config promtool check config provisioning/prometheus/prometheus.yml
run_check promtool-check-rules promtool check rules provisioning/prometheus/rules/recording.yml provisioning/prometheus/rules/alerts.yml
run_check promtool-test-rules promtool test rules provisioning/prometheus/tests/alerts.test.yml
run_check amtool-check-config amtool check-config provisioning/alertmanager/alertmanager.yml
run_check amtool-routes-by-severity prov_routes_test

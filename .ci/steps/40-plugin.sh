# Grafana app plugin (plugin/) and its browser suite (e2e/test/browser/).
# Sourced by .ci/run: uses step / run_check / run_suite / cleanups; no `exit`.

# Debian's Chromium for Playwright (playwright-core never downloads a browser here).
if ! dpkg -s chromium >/dev/null 2>&1; then
  step "plugin: install chromium (Debian package)"
  apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 chromium fonts-liberation >/dev/null
fi

step "plugin: production build (npm run build -w plugin)"
run_check plugin-build npm run build -w plugin

step "plugin: typecheck + lint"
run_check plugin-typecheck npm run typecheck -w plugin
run_check plugin-lint npm run lint -w plugin

step "plugin: unit tests and dist checks (jest, jsdom)"
run_suite plugin-unit npm run test:ci -w plugin --

step "plugin: browser suite (host page + live datasource-server + Chromium)"
npx tsc -b
run_check plugin-host-build npm run build:host -w e2e
# The suite starts the datasource-server (port 5101) and the host page (5102) itself and stops them.
run_suite plugin-browser npx jest -c e2e/jest.browser.config.cjs --runInBand

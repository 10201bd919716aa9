#!/usr/bin/env bash
# Lints .github/workflows with actionlint (expression and context types, job needs and outputs,
# action inputs, shellcheck on every `run:` script). The GitHub-only jobs cannot run on our machines
# (Docker, registries); this is how they are kept correct here. Installs what it needs when missing:
#   bash .github/scripts/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck: actionlint runs it on the scripts when it is on PATH (Debian package).
bash deploy/scripts/install-test-tools.sh shellcheck >/dev/null
actionlint=$(bash deploy/scripts/install-test-tools.sh actionlint)
"$actionlint" -version >&2
exec "$actionlint" -color .github/workflows/*.yml

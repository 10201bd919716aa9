#!/usr/bin/env bash
# Installs what the deployment stack tests need, only when missing (Debian 12, as root):
#   install-test-tools.sh [nginx] [pebble] [certbot] [openssl] [shellcheck] [kustomize] [actionlint]
# With no argument: the deployment stack's (nginx pebble certbot openssl kustomize). kustomize and
# actionlint are built from their Go modules (the Go module proxy) into
# ${MWVA_TOOLS_DIR:-$HOME/.cache/mwva/bin}; their paths are printed on stdout.
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(nginx pebble certbot openssl kustomize)
tools_dir=${MWVA_TOOLS_DIR:-$HOME/.cache/mwva/bin}
kustomize_version=v5.8.2
actionlint_version=v1.7.12

apt_missing=()
for tool in "${want[@]}"; do
  case $tool in
    nginx | pebble | certbot | openssl | shellcheck)
      dpkg -s "$tool" >/dev/null 2>&1 || apt_missing+=("$tool") ;;
    kustomize | actionlint) ;;
    *) echo "install-test-tools: unknown tool $tool" >&2; exit 2 ;;
  esac
done

if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "install-test-tools: apt-get install ${apt_missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${apt_missing[@]}" >&2
fi

for tool in "${want[@]}"; do
  [ "$tool" = kustomize ] || continue
  if ! "$tools_dir/kustomize" version 2>/dev/null | grep -q "$kustomize_version"; then
    echo "install-test-tools: go install sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version" >&2
    mkdir -p "$tools_dir"
    GOBIN=$tools_dir GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version" >&2
  fi
  echo "$tools_dir/kustomize"
done

for tool in "${want[@]}"; do
  [ "$tool" = actionlint ] || continue
  if ! "$tools_dir/actionlint" -version 2>/dev/null | grep -q "^${actionlint_version#v}$"; then
    echo "install-test-tools: go install github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version" >&2
    mkdir -p "$tools_dir"
    GOBIN=$tools_dir GOFLAGS=-mod=mod go install -ldflags "-X github.com/rhysd/actionlint.version=${actionlint_version#v}" \
      "github.com/rhysd/actionlint/cmd/actionlint@$actionlint_version" >&2
  fi
  echo "$tools_dir/actionlint"
done

#!/usr/bin/env bash
# Installs what the deployment stack tests need, only when missing (Debian 12, as root):
#   install-test-tools.sh [nginx] [pebble] [certbot] [openssl] [kustomize]
# With no argument: all of them. kustomize is built from its Go module (the Go module proxy)
# into ${MWVA_TOOLS_DIR:-$HOME/.cache/mwva/bin}; its path is printed on stdout.
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(nginx pebble certbot openssl kustomize)
tools_dir=${MWVA_TOOLS_DIR:-$HOME/.cache/mwva/bin}
kustomize_version=v5.8.2

apt_missing=()
for tool in "${want[@]}"; do
  case $tool in
    nginx | pebble | certbot | openssl)
      dpkg -s "$tool" >/dev/null 2>&1 || apt_missing+=("$tool") ;;
    kustomize) ;;
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

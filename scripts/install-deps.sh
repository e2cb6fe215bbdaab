#!/usr/bin/env bash
# Installs the Debian packages NodeAgent needs (with --test also those its tests need, with --aot those the Native AOT
# publish links with), but only when some are missing, so repeated runs cost nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

lists=("$here/deps.txt")
for arg in "$@"; do
  case "$arg" in
    --test) lists+=("$here/test-deps.txt") ;;
    --aot) lists+=("$here/aot-deps.txt") ;;
    *) echo "install-deps: unknown option $arg (expected --test or --aot)" >&2; exit 2 ;;
  esac
done

mapfile -t wanted < <(grep -hv '^\s*#' "${lists[@]}" | sed 's/\s.*//' | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} Debian packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (sudo $0 $*) or install them with apt-get" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

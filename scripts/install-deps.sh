#!/usr/bin/env bash
# install-deps.sh: install the Debian packages ocirun needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [bench]
set -euo pipefail

pkgs=(gcc make pkg-config libyajl-dev libseccomp-dev libcap-dev libselinux1-dev go-md2man
      busybox-static bats bats-assert bats-support libcmocka-dev jq iproute2 util-linux)
[ "${1:-}" = bench ] && pkgs+=(runc crun hyperfine)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# install-deps.sh: install the Debian packages ocirun needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [bench]    (bench adds runc, crun and hyperfine)
set -euo pipefail

build=(gcc make pkg-config libyajl-dev libseccomp-dev libprotobuf-c-dev protobuf-c-compiler go-md2man libsystemd-dev)
# iptables: CRIU runs iptables-save to dump a container's network namespace (without it every
# checkpoint of a container with its own netns fails; criu only recommends it).
test=(busybox-static bats bats-assert bats-support libcmocka-dev jq iproute2 util-linux procps criu iptables)
# libFuzzer targets (make fuzz, make check-fuzz), the fault tier (tests/fault/)
test+=(clang libclang-rt-14-dev strace)
# uidmap: newuidmap/newgidmap for tests/bats/rootless.bats
test+=(uidmap)
bench=(runc crun hyperfine)

case "${1:-}" in
    "") pkgs=("${build[@]}" "${test[@]}") ;;
    bench) pkgs=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
    *) echo "usage: $0 [bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#pkgs[@]} packages present"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: run as root (or install sudo) to install them: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
# env(1) inside sudo: sudo's env_reset would drop a DEBIAN_FRONTEND set outside it.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0)
"${apt[@]}" update -qq
"${apt[@]}" install -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"

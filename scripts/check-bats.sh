#!/usr/bin/env bash
# check-bats.sh: run the bats integration suite as root inside a private mount namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
OCIRUN=$(realpath "${1:-build/ocirun}")
export OCIRUN
if [ "$(id -u)" -ne 0 ]; then
    echo "check-bats: the integration tests need root" >&2
    exit 1
fi
shopt -s nullglob
files=(tests/bats/*.bats)
if [ ${#files[@]} -eq 0 ]; then
    echo "check-bats: no .bats files"
    exit 0
fi
# A private mount namespace: no runtime bug can change the host's mount table.
exec unshare -m --propagation private bats --timing "${files[@]}"

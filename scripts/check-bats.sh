#!/usr/bin/env bash
# check-bats.sh: run the bats integration suite (tests/bats/*.bats) as root in a private mount namespace.
# Usage: scripts/check-bats.sh [RUNTIME] [FILE.bats...]   (default: $OCIRUN, else build/ocirun;
#        OCIRUN=runc works too; default files: all of tests/bats/)
# Writes "PASSED FAILED" to build/tests/bats/summary for `make check`'s total line.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "check-bats: the integration tests need root (no sudo found)" >&2; exit 1; }
    exec sudo OCIRUN="${OCIRUN:-}" "$PWD/scripts/check-bats.sh" "$@"
fi

OCIRUN=${OCIRUN:-$PWD/build/ocirun}
if [ $# -gt 0 ] && [[ "$1" != *.bats ]]; then
    OCIRUN=$1
    shift
fi
# A path is made absolute (tests cd around); a bare name (runc) is looked up in $PATH by the suite.
[[ "$OCIRUN" == */* ]] && OCIRUN=$(realpath "$OCIRUN")
export OCIRUN

out=${BATS_OUT:-build/tests/bats}   # another tier (tests/fault/) keeps its own summary
mkdir -p "$out"
rm -f "$out/summary"

shopt -s nullglob
files=(tests/bats/*.bats)
[ $# -eq 0 ] || files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    echo "check-bats: no tests/bats/*.bats files: no tests ran"
    echo "0 0" > "$out/summary"
    exit 0
fi

# The private mount namespace keeps any runtime bug away from the host's mount table.
rc=0
# Own pid namespace: bats is PID 1 there and reaps exited container inits at once (a late
# reaper would keep their cgroups busy).
unshare -m --propagation private --pid --fork --mount-proc bats --timing --formatter tap \
    --setup-suite-file tests/bats/setup_suite.bash "${files[@]}" 2>&1 | tee "$out/bats.log" || rc=$?

ok=$(grep -c '^ok ' "$out/bats.log" || true)
skipped=$(grep -c '^ok .* # skip' "$out/bats.log" || true)
failed=$(grep -c '^not ok ' "$out/bats.log" || true)
# bats failing with no "not ok" line (setup_suite error, bad file) still counts as a failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "$((ok - skipped)) $failed" > "$out/summary"
exit "$rc"

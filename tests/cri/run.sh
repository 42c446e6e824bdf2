#!/usr/bin/env bash
# run.sh: `make check-cri`: tests/cri/cri.sh (containerd's CRI plugin driving RUNTIME, default
# build/ocirun; RUNTIME=runc checks the checks) with a time limit. TAP in build/tests/cri/cri.tap,
# logs (containerd's, every runtime call) in build/tests/cri/cri/, "PASSED FAILED" in
# build/tests/cri/summary. Usage: [RUNTIME=PATH] tests/cri/run.sh
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "CRI tests: need root (no sudo found)" >&2; exit 1; }
    exec sudo RUNTIME="${RUNTIME:-}" "$PWD/tests/cri/run.sh" "$@"
fi
[ -n "${RUNTIME:-}" ] || RUNTIME=$PWD/build/ocirun
export RUNTIME ENG_OUT=$PWD/build/tests/cri
CRI_SUITE_TIMEOUT=${CRI_SUITE_TIMEOUT:-420}

out=$ENG_OUT
mkdir -p "$out"
rm -f "$out/summary"
t0=$SECONDS
timeout "$CRI_SUITE_TIMEOUT" tests/cri/cri.sh 2>&1 | tee "$out/cri.tap"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 124 ] && echo "=== cri: stopped after $CRI_SUITE_TIMEOUT s"
# killed before its own clean-up: its namespaces are gone (with every process and mount in
# them); its temp dir and (empty) cgroups are removed here
id=$(sed -n 's|^# .* temp dir /tmp/\(ocirun-eng-cri-[A-Za-z0-9]*\)$|\1|p' "$out/cri.tap" | head -n 1)
if [ -n "$id" ]; then
    for d in /sys/fs/cgroup/"$id" /sys/fs/cgroup/*/"$id"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$d" ] && echo "run.sh: could not remove cgroup $d"
    done
    [ -d "/tmp/$id" ] && rm -rf --one-file-system "/tmp/$id"
fi
p=$(grep -c '^ok ' "$out/cri.tap")
f=$(grep -c '^not ok ' "$out/cri.tap")
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
echo "$p $f" >"$out/summary"
echo "cri: $p passed, $f failed ($((SECONDS - t0)) s)"
exit "$rc"

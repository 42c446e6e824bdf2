#!/usr/bin/env bash
# run.sh: runs the engine tests (podman, containerd + ctr, docker) with RUNTIME (default
# build/ocirun; RUNTIME=runc checks the harness itself), each in its own mount and pid
# namespaces; installs a missing engine from apt first. TAP per engine in
# build/tests/engines/NAME.tap, logs in build/tests/engines/NAME/, and "PASSED FAILED" in
# build/tests/engines/summary.
# Usage: [RUNTIME=PATH] tests/engines/run.sh [podman] [containerd] [docker] [podman-rootless]
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "engine tests: need root (no sudo found)" >&2; exit 1; }
    exec sudo RUNTIME="${RUNTIME:-}" "$PWD/tests/engines/run.sh" "$@"
fi
[ -n "${RUNTIME:-}" ] || RUNTIME=$PWD/build/ocirun
export RUNTIME
# one engine's time limit (its checks have their own, ENG_TIMEOUT, 60 s each)
ENG_SUITE_TIMEOUT=${ENG_SUITE_TIMEOUT:-900}

out=build/tests/engines
mkdir -p "$out"
rm -f "$out/summary"
engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(podman containerd docker podman-rootless)

pass=0 fail=0 todo=0 rc=0
for e in "${engines[@]}"; do
    [ -x "tests/engines/$e.sh" ] || { echo "run.sh: no engine $e" >&2; exit 2; }
    echo "=== $e"
    t0=$SECONDS
    timeout "$ENG_SUITE_TIMEOUT" "tests/engines/$e.sh" 2>&1 | tee "$out/$e.tap"
    erc=${PIPESTATUS[0]}
    [ "$erc" -eq 124 ] && echo "=== $e: stopped after $ENG_SUITE_TIMEOUT s"
    # a script killed before its own clean-up: its namespaces are gone (and every process and
    # mount in them), its temp dir and (empty) cgroups are removed here
    id=$(sed -n 's|^# .* temp dir /tmp/\(ocirun-eng-[a-z-]*-[A-Za-z0-9]*\)$|\1|p' "$out/$e.tap" | head -n 1)
    if [ -n "$id" ]; then
        for d in /sys/fs/cgroup/"$id" /sys/fs/cgroup/*/"$id"; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
            [ -d "$d" ] && echo "run.sh: could not remove cgroup $d"
        done
        [ -d "/tmp/$id" ] && rm -rf --one-file-system "/tmp/$id"
    fi
    [ "$erc" -eq 0 ] || rc=1
    # TODO lines (a feature the runtime lacks yet) count neither way
    p=$(grep '^ok ' "$out/$e.tap" | grep -vc '# TODO')
    f=$(grep '^not ok ' "$out/$e.tap" | grep -vc '# TODO')
    t=$(grep -c '^\(not \)\?ok .*# TODO' "$out/$e.tap")
    todo=$((todo + t))
    # a script that dies without a "not ok" line still counts as a failure
    [ "$erc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    pass=$((pass + p))
    fail=$((fail + f))
    echo "=== $e: $p passed, $f failed, $t to do ($((SECONDS - t0)) s)"
done
echo "$pass $fail" >"$out/summary"
[ "$todo" -gt 0 ] && echo "engines: $todo checks marked TODO (the runtime lacks a feature yet)"
echo "engines: $pass passed, $fail failed"
exit $rc

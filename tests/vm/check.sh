#!/usr/bin/env bash
# check.sh: run the bats files that need real cgroup v2 limits in one throwaway pure-v2 VM (run-in-vm).
# Usage: tests/vm/check.sh [--systemd] [BATS_FILE...]   (default: the VM list below; root;
#        `make check-vm` builds build/ocirun and the helpers first). The VM uses the freshly built
#        build/ocirun. --systemd: the VM boots systemd as PID 1 (run-in-vm --systemd) and runs
#        tests/bats-systemd/*.bats by default; its results go to build/tests/vm-systemd/.
# Writes the TAP output to build/tests/vm/bats.log and "PASSED FAILED" to build/tests/vm/summary,
# as scripts/check-bats.sh does. A VM that fails to boot or times out counts as one failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Only what needs a pure cgroup v2 kernel: every process in the emulated VM is slow.
VM_BATS=(tests/bats/cgroups.bats tests/bats-vm/*.bats)
# The systemd cgroup driver, with systemd as PID 1.
VM_SYSTEMD_BATS=(tests/bats-systemd/*.bats)

if [ "${1:-}" = --inside-systemd ]; then
    # With systemd as PID 1: no pid namespace of our own, as systemd must see the pids ocirun
    # puts into a scope as ocirun sees them (PID 1 reaps the orphaned inits).
    shift
    export OCIRUN=$PWD/build/ocirun OCIRUN_VM=1 TMPDIR=/tmp BATS_TMPDIR=/tmp
    exec unshare -m --propagation private \
        bats --timing --formatter tap --setup-suite-file tests/bats/setup_suite.bash "$@"
fi
if [ "${1:-}" = --inside ]; then
    # In the VM: bats' temporary files (bundles, state dirs, sockets) in the guest's /tmp, not
    # on the 9p share where unix sockets cannot be bound. Own pid namespace, as check-bats.sh:
    # bats is PID 1 there and reaps the containers' inits at once.
    shift
    export OCIRUN=$PWD/build/ocirun OCIRUN_VM=1 TMPDIR=/tmp BATS_TMPDIR=/tmp
    exec unshare -m --propagation private --pid --fork --mount-proc \
        bats --timing --formatter tap --setup-suite-file tests/bats/setup_suite.bash "$@"
fi

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "check-vm: needs root (no sudo found)" >&2; exit 1; }
    exec sudo "$PWD/tests/vm/check.sh" "$@"
fi

vm_opts=() out=build/tests/vm inside=--inside engines=()
if [ "${1:-}" = --systemd ]; then
    shift
    vm_opts=(--systemd) out=build/tests/vm-systemd VM_BATS=("${VM_SYSTEMD_BATS[@]}") inside=--inside-systemd
    engines=(podman docker.io containerd python3-grpcio python3-grpc-tools)
fi
mkdir -p "$out"
rm -f "$out/summary" "$out/bats.log"
# The engines that tests/bats-systemd/engines.bats runs in the VM are the host's files: installed
# here when missing (as tests/engines/ installs them: no service started), or on a fresh
# machine those tests would only skip.
if [ ${#engines[@]} -gt 0 ]; then
    (. tests/engines/lib.sh && ENG_LOGS=$out && eng_install "${engines[@]}") ||
        echo "check-vm: could not install ${engines[*]} (apt-get: $out/apt.log); their tests skip"
fi
[ -x build/ocirun ] && [ -x build/tests/helpers/alloc ] ||
    { echo "check-vm: build/ocirun or build/tests/helpers/alloc missing: run make check-vm" >&2; exit 1; }
files=("${VM_BATS[@]}")
[ $# -eq 0 ] || files=("$@")

start=$SECONDS
rc=0
tests/vm/run-in-vm "${vm_opts[@]}" --timeout "${VM_TIMEOUT:-900}" -- tests/vm/check.sh "$inside" "${files[@]}" |
    tee "$out/bats.log" || rc=$?

ok=$(grep -c '^ok ' "$out/bats.log" || true)
skipped=$(grep -c '^ok .* # skip' "$out/bats.log" || true)
failed=$(grep -c '^not ok ' "$out/bats.log" || true)
case $rc in
    0) ;;
    124) echo "check-vm: FAILED: the VM timed out after ${VM_TIMEOUT:-900} s (VM_TIMEOUT)" >&2 ;;
    125) echo "check-vm: FAILED: the VM did not boot or run the tests (reason above)" >&2 ;;
    *) [ "$failed" -gt 0 ] || echo "check-vm: FAILED: bats exited with status $rc" >&2 ;;
esac
# no "not ok" line but a failure (VM, setup_suite, bad file) still counts as one failure
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "$((ok - skipped)) $failed" >"$out/summary"
echo "check-vm${vm_opts:+ ${vm_opts[0]}}: $((ok - skipped)) passed, $failed failed, $skipped skipped in $((SECONDS - start)) s (VM boot included)"
exit "$rc"

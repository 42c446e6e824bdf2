#!/usr/bin/env bash
# demo.sh: build a busybox bundle under build/demo and run it with ocirun, showing it is a container.
# Usage: scripts/demo.sh [RUNTIME]   (default build/ocirun). Exits with the container's status.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "demo: creating containers needs root (no sudo found)" >&2; exit 1; }
    echo "demo: not root, re-running with sudo"
    exec sudo "$PWD/scripts/demo.sh" "$@"
fi

runtime=$(realpath "${1:-build/ocirun}")
[ -x "$runtime" ] || { echo "demo: $runtime not found (run make first)" >&2; exit 1; }
busybox=/bin/busybox    # busybox-static: one static binary, so the rootfs needs no libraries
[ -x "$busybox" ] || { echo "demo: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

# shellcheck source=busybox-bundle.sh
. scripts/busybox-bundle.sh
bundle=$PWD/build/demo
rm -rf "$bundle"
busybox_rootfs "$bundle/rootfs"

# What the container shows: its own hostname, that it is PID 1, its own mount table, a read-only /.
# shellcheck disable=SC2016  # expanded by the container's shell, not here
script='echo "hostname: $(hostname)"; echo "--- ps (PID 1 is us):"; ps; echo "--- mounts:"; cat /proc/self/mounts; echo "--- network (fresh namespace):"; ip -o link | cut -d" " -f2; echo "--- the root is read-only:"; touch /x 2>&1 || true'

# Absolute cgroupsPath with a unique name: never a cgroup we did not create.
cgroup="/ocirun-demo-$$"
id="ocirun-demo-$$"
busybox_config ocirun-demo "$cgroup" "$(jq -n --arg s "$script" '["sh", "-c", $s]')" > "$bundle/config.json"

# ocirun removes the container's cgroup on delete; this only catches a failed run.
v2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
trap 'rmdir "$v2$cgroup" 2>/dev/null || true' EXIT

echo "+ ocirun run --bundle $bundle $id   (in a private mount namespace)"
rc=0
unshare -m --propagation private "$runtime" --root "$PWD/build/demo-state" run --bundle "$bundle" "$id" || rc=$?
echo "+ container exited with status $rc"
exit "$rc"

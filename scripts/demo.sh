#!/usr/bin/env bash
# demo.sh: build a busybox bundle under build/demo and run it with ocirun, showing it is a container.
set -euo pipefail
cd "$(dirname "$0")/.."
OCIRUN=$(realpath "${1:-build/ocirun}")
if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi
bundle=$PWD/build/demo
rm -rf "$bundle"
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/etc" "$bundle/rootfs/tmp"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$bundle/rootfs/etc/passwd"
echo 'root:x:0:' > "$bundle/rootfs/etc/group"

script='echo "hostname: $(hostname)"; echo "--- ps (our shell is PID 1):"; ps; echo "--- mounts:"; cat /proc/self/mounts; echo "--- root is read-only:"; touch /x 2>&1 || true'
cgroup="/ocirun-demo-$$"
cat > "$bundle/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh", "-c", $(jq -Rn --arg s "$script" '$s')],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    "cwd": "/"
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "ocirun-demo",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "$cgroup/demo",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]
  }
}
JSON
# Remove the demo's cgroup parent afterwards (ocirun removes the container's own cgroup).
v2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || v2=/sys/fs/cgroup/unified
trap 'rmdir "$v2$cgroup" 2>/dev/null || true' EXIT
echo "+ ocirun run --bundle $bundle demo-$$"
unshare -m --propagation private "$OCIRUN" --root "$PWD/build/demo-state" run --bundle "$bundle" "demo-$$"

# busybox-bundle.sh: sourced by the demo, the bench and the bats suite to build the same busybox
# bundle: `busybox_rootfs DIR` and `busybox_config HOSTNAME CGROUPS_PATH ARGS_JSON` (prints config.json).

# A minimal rootfs from busybox-static (one static binary: no libraries needed), one symlink per
# applet, root and nobody users.
busybox_rootfs() {
    local dir=$1
    mkdir -p "$dir"/{bin,etc,proc,sys,dev,tmp,root,mnt}
    chmod 1777 "$dir/tmp"
    cp /bin/busybox "$dir/bin/busybox"
    # one process for ~400 links, not one ln each (forks are slow in the emulated test VM)
    # shellcheck disable=SC2046
    perl -e 'chdir shift or die; for (@ARGV) { next if $_ eq "busybox"; unlink; symlink "busybox", $_ or die "$_: $!" }' \
        "$dir/bin" $(/bin/busybox --list)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
        >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

# runc's default mounts and namespaces, read-only root, an absolute cgroupsPath.
busybox_config() {
    jq -n --arg host "$1" --arg cg "$2" --argjson args "$3" '{
        ociVersion: "1.2.0",
        process: {
            terminal: false,
            user: {uid: 0, gid: 0},
            args: $args,
            env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
            cwd: "/"
        },
        root: {path: "rootfs", readonly: true},
        hostname: $host,
        mounts: [
            {destination: "/proc", type: "proc", source: "proc"},
            {destination: "/dev", type: "tmpfs", source: "tmpfs",
             options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {destination: "/dev/pts", type: "devpts", source: "devpts",
             options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {destination: "/dev/shm", type: "tmpfs", source: "shm",
             options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
             options: ["nosuid", "noexec", "nodev"]},
            {destination: "/sys", type: "sysfs", source: "sysfs",
             options: ["nosuid", "noexec", "nodev", "ro"]}
        ],
        linux: {
            namespaces: [
                {type: "pid"}, {type: "network"}, {type: "ipc"},
                {type: "uts"}, {type: "mount"}, {type: "cgroup"}
            ],
            cgroupsPath: $cg,
            maskedPaths: [],
            readonlyPaths: []
        }
    }'
}

#!/usr/bin/env bats
# Root filesystem and mounts: pivot_root, readonly root, /proc /dev /sys, bind and tmpfs mounts.

load helpers

teardown() {
    common_teardown
    # runc leaves the mounts of a container without a mount namespace in ours (ocirun's delete
    # takes them away, and the tests check it)
    if is_runc && grep -qF " $ROOTFS" /proc/self/mountinfo; then
        umount -R --lazy "$ROOTFS"
    fi
}

@test "the container sees only its rootfs" {
    run_in_container 'ls /'
    assert_success
    assert_output "$(ls "$ROOTFS")"
    refute_line usr
}

@test "--no-pivot: the container sees only its rootfs" {
    update_config '.process.args = ["sh", "-c", "ls /"]'
    run ocirun run --no-pivot --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "$(ls "$ROOTFS")"
}

@test "mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys with their types" {
    run_in_container 'cat /proc/self/mountinfo'
    assert_success
    # mountinfo fields: 5 = mount point, after the "-" separator: fstype
    for m in /proc:proc /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue /sys:sysfs; do
        echo "$output" | awk -v mp="${m%%:*}" -v fs="${m#*:}" '
            { for (i = 7; i <= NF; i++) if ($i == "-") break }
            $5 == mp && $(i + 1) == fs { found = 1 }
            END { exit !found }' || fail "no ${m#*:} mount at ${m%%:*}"
    done
}

@test "mounts: /sys is read-only, /dev has mode 755 and nosuid" {
    run_in_container 'awk "\$5 == \"/sys\" || \$5 == \"/dev\" {print \$5, \$6}" /proc/self/mountinfo; stat -c %a /dev'
    assert_success
    assert_line --regexp '^/sys (ro,|.*,ro,|ro$|.*,ro$)'
    assert_line --regexp '^/dev .*nosuid'
    assert_line 755
}

@test "/dev: null zero full random urandom tty are char devices with the right numbers" {
    run_in_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
    assert_success
    assert_output "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0"
}

@test "/dev: devices work (null, zero, full, urandom)" {
    run_in_container 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " " &&
                      head -c 16 /dev/urandom | wc -c && ! echo x 2>/dev/null >/dev/full'
    assert_success
    assert_output "00000000
16"
}

@test "/dev/ptmx refers to the container's devpts instance" {
    run_in_container 'test -c /dev/ptmx && echo char; readlink /dev/ptmx || stat -c "%t:%T" /dev/ptmx'
    assert_success
    assert_line --index 0 char
    # either a symlink to pts/ptmx or a bind mount of /dev/pts/ptmx (5:2)
    assert_line --index 1 --regexp '^(pts/ptmx|/dev/pts/ptmx|5:2)$'
}

@test "/dev/fd, /dev/stdin, /dev/stdout, /dev/stderr symlinks" {
    run_in_container 'for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
    assert_success
    assert_output "fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2"
}

@test "no host devices leak into /dev" {
    run_in_container 'ls /dev | sort | tr "\n" " "'
    assert_success
    refute_output --partial vda
    refute_output --partial sda
    refute_output --partial mem
}

@test "readonly root: writing / fails, /dev/shm stays writable" {
    run_in_container 'touch /newfile 2>/dev/null && echo root-writable;
                      touch /dev/shm/ok && echo shm-writable'
    assert_success
    assert_output shm-writable
    [ ! -e "$ROOTFS/newfile" ]
}

@test "readonly root shows as ro in mountinfo" {
    run_in_container 'awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo'
    assert_success
    assert_output --regexp '^ro(,|$)'
}

@test "root.readonly false: the root is writable" {
    update_config '.root.readonly = false'
    run_in_container 'touch /newfile && echo ok'
    assert_success
    assert_output ok
    [ -e "$ROOTFS/newfile" ]
}

@test "bind mount of a bundle directory with rbind,ro" {
    mkdir "$BUNDLE/data"
    echo hello >"$BUNDLE/data/file"
    update_config ".mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$BUNDLE/data\",
                                options: [\"rbind\", \"ro\"]}]"
    run_in_container 'cat /mnt/file; touch /mnt/new 2>/dev/null && echo writable;
                      awk "\$5 == \"/mnt\" {print \$6}" /proc/self/mountinfo'
    assert_success
    assert_line --index 0 hello
    refute_line writable
    assert_line --index 1 --regexp '^ro(,|$)'
    [ ! -e "$BUNDLE/data/new" ]
}

@test "a bind mount's source path is looked up once: open_tree, its type then read from the tree's fd" {
    runc_differs "runc stats the source path, then mounts it by path"
    mkdir "$BUNDLE/data"
    echo hello >"$BUNDLE/data/file"
    update_config ".mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$BUNDLE/data\",
                                options: [\"rbind\", \"ro\"]},
                               {destination: \"/etc/bound\", type: \"bind\", source: \"$BUNDLE/data/file\",
                                options: [\"bind\"]}]
                  | .process.args = [\"cat\", \"/mnt/file\", \"/etc/bound\"]"
    run strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=%file,%desc -e signal=none \
        "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output $'hello\nhello'
    # each source's path appears in exactly one syscall, its open_tree
    for src in "$BUNDLE/data\"" "$BUNDLE/data/file\""; do
        run grep -F "\"$src" "$BATS_TEST_TMPDIR/trace"
        assert_success
        assert_equal "${#lines[@]}" 1
        assert_output --partial "open_tree(AT_FDCWD, \"$src"
    done
}

@test "bind mount read-write: changes are visible on the host" {
    mkdir "$BUNDLE/data"
    update_config ".mounts += [{destination: \"/mnt\", type: \"bind\", source: \"$BUNDLE/data\",
                                options: [\"rbind\", \"rw\"]}]"
    run_in_container 'echo from-container >/mnt/out'
    assert_success
    assert_equal "$(cat "$BUNDLE/data/out")" from-container
}

@test "bind mount onto a destination missing from a readonly rootfs is created" {
    mkdir "$BUNDLE/data"
    echo hi >"$BUNDLE/data/file"
    update_config ".mounts += [{destination: \"/data/sub\", type: \"bind\", source: \"$BUNDLE/data\",
                                options: [\"rbind\", \"ro\"]}]"
    run_in_container 'cat /data/sub/file'
    assert_success
    assert_output hi
}

@test "bind mount of a single file" {
    echo file-content >"$BUNDLE/hostfile"
    update_config ".mounts += [{destination: \"/etc/hostfile\", type: \"bind\",
                                source: \"$BUNDLE/hostfile\", options: [\"bind\", \"ro\"]}]"
    run_in_container 'cat /etc/hostfile'
    assert_success
    assert_output file-content
}

@test "tmpfs mount with options" {
    update_config '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs",
                                options: ["nosuid", "nodev", "mode=1777", "size=1m"]}]'
    run_in_container 'echo x >/tmp/f && cat /tmp/f; stat -c %a /tmp;
                      awk "\$5 == \"/tmp\" {print \$6, \$(NF-2), \$NF}" /proc/self/mountinfo'
    assert_success
    assert_line --index 0 x
    assert_line --index 1 1777
    assert_line --index 2 --regexp '^[^ ]*nosuid[^ ]* tmpfs .*size=1024k'
}

@test "a successful run leaves no mounts behind in the caller's namespace" {
    before=$(wc -l </proc/self/mountinfo)
    run_in_container 'true'
    assert_success
    assert_equal "$(wc -l </proc/self/mountinfo)" "$before"
    assert_no_leftovers "$ID"
}

@test "linux.devices: character device and fifo created with mode and owner" {
    # root writes a node of uid 1000 mode 660 only with CAP_DAC_OVERRIDE
    with_caps CAP_DAC_OVERRIDE
    update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 1000, "gid": 1000}, {"path": "/dev/sub/fifo", "type": "p", "fileMode": 384}]'
    run_in_container 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; stat -c "%F %a" /dev/sub/fifo; echo x > /dev/mynull && echo writable'
    assert_success
    assert_line --index 0 "character special file 1:3 660 1000:1000"
    assert_line --index 1 "fifo 600"
    assert_line --index 2 "writable"
}

@test "a rootfs under a shared mount: the container starts, none of its mounts propagate back" {
    mount --bind "$BUNDLE" "$BUNDLE"
    mount --make-shared "$BUNDLE"
    update_config '.process.args = ["sh", "-c", "grep -c . /proc/self/mountinfo >/dev/null && echo started"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    local mounts
    mounts=$(grep -c " $ROOTFS" /proc/self/mountinfo || true)
    umount "$BUNDLE"
    assert_success
    assert_output started
    [ "$mounts" -eq 0 ] || fail "$mounts container mounts propagated into our namespace"
}

@test "mounts: a read-only /dev and a read-only tmpfs get their devices and mode first, then are read-only" {
    update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]
                   | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["ro", "mode=1777"]}]'
    run_in_container 'stat -c "%F %t:%T" /dev/null; test -d /dev/pts && test -L /dev/ptmx && echo dev-set-up;
                      stat -c %a /tmp; touch /dev/x /tmp/x;
                      awk "\$5 == \"/dev\" || \$5 == \"/tmp\" {print \$5, \$6}" /proc/self/mountinfo'
    assert_success
    assert_line --index 0 "character special file 1:3"
    assert_line --index 1 dev-set-up
    assert_line --index 2 1777
    assert_output --partial "touch: /dev/x: Read-only file system"
    assert_output --partial "touch: /tmp/x: Read-only file system"
    assert_line --regexp '^/dev ro(,|$)'
    assert_line --regexp '^/tmp ro(,|$)'
}

@test "mounts: a rootfs whose /proc or /sys is a symlink is refused, nothing left behind" {
    rmdir "$ROOTFS/proc"
    mkdir "$ROOTFS/elsewhere"
    ln -s /elsewhere "$ROOTFS/proc"
    expect_run_failure
    [[ "$stderr" == *filesystem*proc*" must be mounted on ordinary directory"* ]] || fail "stderr: $stderr"
    [ -z "$(ls -A "$ROOTFS/elsewhere")" ]

    rm "$ROOTFS/proc"
    mkdir "$ROOTFS/proc"
    rmdir "$ROOTFS/sys"
    ln -s /elsewhere "$ROOTFS/sys"
    expect_run_failure
    [[ "$stderr" == *filesystem*sysfs*" must be mounted on ordinary directory"* ]] || fail "stderr: $stderr"
}

# A nested user namespace may mount a fresh procfs only while a fully visible one (nothing
# mounted over parts of it) is in its mount namespace: the container's own /proc has masks.
nested_proc_mount() {
    local caps='["CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETFCAP"]'
    update_config ".linux.maskedPaths = [\"/proc/timer_list\"] | .linux.readonlyPaths = [\"/proc/sys\"]
                   | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
                   | .process.args = [\"unshare\", \"-mrpf\", \"sh\", \"-c\", \"mount -t proc proc /proc && echo mounted\"]"
    run ocirun run "$@" --bundle "$BUNDLE" "$ID"
}

@test "--no-pivot does not leave the host's /proc in the container's mount namespace" {
    nested_proc_mount
    assert_failure
    assert_output --partial "permission denied"
    # the host's procfs stays behind the chroot of --no-pivot unless it is taken away
    nested_proc_mount --no-pivot
    assert_failure
    assert_output --partial "permission denied"
    refute_output --partial mounted
}

@test "--no-pivot with a user namespace: the host's /proc is hidden even where it cannot be unmounted" {
    runc_differs "runc 1.1 covers the top one of two stacked host procfs mounts and then unmounts its own cover by the same path, leaving the host's /proc visible"
    use_user_namespace
    nested_proc_mount --no-pivot
    assert_failure
    assert_output --partial "permission denied"
    refute_output --partial mounted
}

# ---------------------------------------------------------------------------------------------
# No mount namespace of the container's own: runc runs it in the caller's, chrooted

no_mount_namespace() {
    update_config 'del(.linux.namespaces[] | select(.type == "mount")) | .linux.maskedPaths = []
                   | .linux.readonlyPaths = [] | .root.readonly = false'
}

@test "no mount namespace: the container shares ours, chrooted into its rootfs with its mounts" {
    no_mount_namespace
    run_in_container 'readlink /proc/self/ns/mnt; ls /; test -c /dev/null && echo dev;
                      awk "\$5 == \"/proc\" {print \$5}" /proc/self/mountinfo'
    assert_success
    assert_line --index 0 "$(host_ns mnt)"
    assert_line dev
    assert_line /proc
    for f in $(ls "$ROOTFS"); do assert_line "$f"; done
}

@test "no mount namespace: a createRuntime hook runs once, in the bundle" {
    runc_differs "runc 1.1.5 runs the createRuntime hooks twice without a mount namespace (later runc fixed it: its host-mntns.bats, this test, checks for one)"
    no_mount_namespace
    update_config '.process.args = ["true"]
                   | .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "touch createRuntimeHook.$$"]}]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    [ "$(ls "$BUNDLE"/createRuntimeHook.* | wc -l)" -eq 1 ]
}

@test "no mount namespace: maskedPaths and readonlyPaths are refused, nothing left behind" {
    no_mount_namespace
    update_config '.linux.maskedPaths = ["/proc/timer_list"]'
    expect_run_failure
    [[ "${stderr,,}" == *"without a private m"*"namespace"* ]] || fail "stderr: $stderr"
    update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = ["/proc/sys"]'
    expect_run_failure
    [[ "${stderr,,}" == *"without a private m"*"namespace"* ]] || fail "stderr: $stderr"
}

@test "no mount namespace: our mount table is the same after delete, propagation included" {
    runc_differs "runc 1.1 makes every mount of the caller's namespace a slave (shared ones lose their peers) and leaves the container's mounts behind after delete"
    no_mount_namespace
    mount --bind "$BUNDLE" "$BUNDLE"
    mount --make-shared "$BUNDLE"
    before=$(cat /proc/self/mountinfo)
    run_sleeper
    # the container's mounts are in our namespace while it runs, below its rootfs
    grep -q " $ROOTFS/proc " /proc/self/mountinfo || fail "no /proc of the container in our mount table"
    run ocirun delete --force "$ID"
    after=$(cat /proc/self/mountinfo)
    umount "$BUNDLE"
    assert_success
    assert_equal "$after" "$before"
    assert_no_leftovers "$ID"
}

@test "no mount namespace: a failed setup leaves no mount behind" {
    runc_differs "runc 1.1 leaves the mounts made before the failure in the caller's namespace"
    no_mount_namespace
    update_config '.mounts += [{destination: "/bad", type: "tmpfs", source: "tmpfs", options: ["size=nonsense"]}]'
    before=$(cat /proc/self/mountinfo)
    expect_run_error "Bad value for 'size'"
    assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

@test "no mount namespace: root.readonly holds; --no-pivot leaves our /proc and / alone" {
    runc_differs "runc 1.1 ignores root.readonly without a mount namespace, and with --no-pivot unmounts the caller's /proc and /sys and moves the rootfs onto the caller's /"
    no_mount_namespace
    update_config '.root.readonly = true'
    before=$(cat /proc/self/mountinfo)
    update_config '.process.args = ["sh", "-c", "ls /; touch /x"]'
    run ocirun run --no-pivot --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "touch: /x: Read-only file system"
    assert_line etc
    refute_line usr
    assert_equal "$(cat /proc/self/mountinfo)" "$before"
    [ -r /proc/self/status ]
}

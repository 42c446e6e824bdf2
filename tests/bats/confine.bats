#!/usr/bin/env bats
# linux.sysctl, linux.readonlyPaths and linux.maskedPaths, checked from inside the container.

load helpers

@test "linux.sysctl: namespaced keys are written in the container only" {
    host=$(cat /proc/sys/kernel/shmmni)
    update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
    run_in_container 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
    assert_success
    assert_line --index 0 "1"
    assert_line --index 1 "1234"
    [ "$(cat /proc/sys/kernel/shmmni)" = "$host" ]
}

@test "linux.sysctl: a system-wide key is refused, nothing left" {
    update_config '.linux.sysctl = {"kernel.panic": "5"}'
    expect_run_error 'linux.sysctl "kernel.panic": not namespaced'
}

@test "linux.sysctl: a net key without a network namespace is refused" {
    update_config 'del(.linux.namespaces[] | select(.type == "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    expect_run_error 'needs a network namespace'
}

@test "linux.readonlyPaths: the path and what is below it are read-only" {
    update_config '.linux.readonlyPaths = ["/proc/sys", "/does/not/exist"] | .root.readonly = false'
    mkdir -p "$ROOTFS/data"
    run_in_container 'echo 1 > /proc/sys/kernel/ns_last_pid; touch /data/x && echo data-writable'
    assert_success
    assert_output --partial "Read-only file system"
    assert_output --partial "data-writable"
}

@test "linux.maskedPaths: files read empty, directories are empty" {
    update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/timer_list", "/sys/firmware", "/nope"]'
    run_in_container 'wc -c < /proc/timer_list; ls -A /sys/firmware | wc -l; stat -c %t:%T /proc/timer_list'
    assert_success
    assert_line --index 0 "0"
    assert_line --index 1 "0"
    assert_line --index 2 "1:3"
}

@test "an image /dev/null that is not the null device is refused" {
    update_config '.linux.maskedPaths = ["/proc/timer_list"] | .mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))'
    mkdir -p "$ROOTFS/dev"
    rm -f "$ROOTFS/dev/null"
    echo secret > "$ROOTFS/dev/null"
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    # refused either by the default-device check or by the masking check (1:3), never followed
    [[ "$stderr" == *"/dev/null"* ]]
    grep -qx secret "$ROOTFS/dev/null"
    assert_no_leftovers "$ID"
}

@test "linux.sysctl: an image /proc that is not a procfs is refused, not written" {
    update_config '.mounts |= map(select(.destination != "/proc")) | .linux.sysctl = {"kernel.shmmni": "1234"}'
    mkdir -p "$ROOTFS/proc/sys/kernel"
    echo 0 >"$ROOTFS/proc/sys/kernel/shmmni"
    expect_run_error 'linux.sysctl (mount a procfs at /proc in mounts[]): /proc is not on a procfs'
    [ "$(cat "$ROOTFS/proc/sys/kernel/shmmni")" = 0 ]
}

@test "linux.maskedPaths naming a file: reads empty, writes vanish, it cannot be removed or unmounted, also for exec" {
    # runc's mask.bats [file], with runc's default capabilities (no CAP_SYS_ADMIN: without
    # process.capabilities ocirun keeps the runtime's, and root could unmount the mask)
    local caps='["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_SETUID", "CAP_SETGID"]'
    echo "Forbidden information!" >"$ROOTFS/testfile"
    update_config ".linux.maskedPaths = [\"/testfile\", \"/proc/timer_list\"]
                   | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}"
    run_sleeper
    for f in /testfile /proc/timer_list; do
        run ocirun exec "$ID" sh -c "cat $f; echo x >$f && echo written; stat -c %t:%T $f"
        assert_success
        assert_output "written
1:3"
        run ocirun exec "$ID" rm -f "$f"
        assert_failure
        run ocirun exec "$ID" umount "$f"
        assert_failure
        assert_output --partial "Operation not permitted"
    done
    run ocirun exec "$ID" rm -f /testfile
    assert_output --partial "Read-only file system"
    grep -qx "Forbidden information!" "$ROOTFS/testfile"
}

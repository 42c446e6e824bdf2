#!/usr/bin/env bats
# Namespaces: new ones differ from the host's, joining by path, hostname, pid 1, network, userns.

load helpers

@test "uts: hostname from config.json" {
    run_in_container 'hostname; cat /proc/sys/kernel/hostname'
    assert_success
    assert_output "ocirun-test
ocirun-test"
    # the host keeps its name
    refute [ "$(hostname)" = ocirun-test ]
}

@test "pid: the container process is PID 1" {
    run_in_container 'echo $$'
    assert_success
    assert_output 1
}

@test "pid: only the container's processes are visible" {
    run_in_container 'ls -d /proc/[0-9]* | wc -l'
    assert_success
    # sh and ls (wc may also be listed, depending on timing)
    [ "$output" -le 3 ]
}

@test "all configured namespaces differ from the host's" {
    run_in_container 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done'
    assert_success
    assert_equal "${#lines[@]}" 6
    i=0
    for n in pid net ipc uts mnt cgroup; do
        [[ "${lines[$i]}" == "$n:["*"]" ]]
        assert_not_equal "${lines[$i]}" "$(host_ns "$n")"
        i=$((i + 1))
    done
}

@test "namespaces not in config.json are shared with the host" {
    update_config '.linux.namespaces |= map(select(.type == "mount" or .type == "pid"))
                   | del(.hostname)'
    run_in_container 'for n in net ipc uts cgroup; do readlink /proc/self/ns/$n; done'
    assert_success
    i=0
    for n in net ipc uts cgroup; do
        assert_equal "${lines[$i]}" "$(host_ns "$n")"
        i=$((i + 1))
    done
}

@test "network: a new network namespace has only lo" {
    run_in_container 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ls /sys/class/net'
    assert_success
    assert_output "lo
lo"
}

@test "cgroup namespace: the container sees its cgroup as /" {
    run_in_container 'grep "^0::" /proc/self/cgroup'
    assert_success
    assert_output "0::/"
}

@test "join a namespace by path: network of a running container" {
    setup_bundle "$BATS_TEST_TMPDIR/bundle-a" "$ID-a"
    run_sleeper "$ID-a" "$BATS_TEST_TMPDIR/bundle-a"
    pid=$(container_pid "$ID-a")
    want=$(readlink "/proc/$pid/ns/net")
    update_config "(.linux.namespaces[] | select(.type == \"network\")) .path = \"/proc/$pid/ns/net\""
    run_in_container 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts'
    assert_success
    assert_line --index 0 "$want"
    # only the network namespace is shared
    assert_not_equal "${lines[1]}" "$(readlink "/proc/$pid/ns/uts")"
}

@test "join a namespace by path: ipc and uts of a running container" {
    setup_bundle "$BATS_TEST_TMPDIR/bundle-a" "$ID-a"
    update_config '.hostname = "first"' "$BATS_TEST_TMPDIR/bundle-a"
    run_sleeper "$ID-a" "$BATS_TEST_TMPDIR/bundle-a"
    pid=$(container_pid "$ID-a")
    update_config "(.linux.namespaces[] | select(.type == \"ipc\")) .path = \"/proc/$pid/ns/ipc\"
                   | (.linux.namespaces[] | select(.type == \"uts\")) .path = \"/proc/$pid/ns/uts\"
                   | del(.hostname)"
    run_in_container 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts; hostname'
    assert_success
    assert_line --index 0 "$(readlink "/proc/$pid/ns/ipc")"
    assert_line --index 1 "$(readlink "/proc/$pid/ns/uts")"
    assert_line --index 2 first
}

@test "join a namespace by path: a bind-mounted network namespace file" {
    # The suite runs in a private mount namespace, so this bind mount stays ours.
    nsfile="$BATS_TEST_TMPDIR/netns"
    touch "$nsfile"
    unshare --net="$nsfile" true
    want=$(stat -L -c %i "$nsfile")
    update_config "(.linux.namespaces[] | select(.type == \"network\")) .path = \"$nsfile\""
    run_in_container 'readlink /proc/self/ns/net'
    umount "$nsfile"
    assert_success
    assert_output "net:[$want]"
}

@test "user namespace with uidMappings/gidMappings" {
    use_user_namespace
    run_in_container 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user'
    assert_success
    assert_line --index 0 --regexp '^\s*0\s+100000\s+65536$'
    assert_line --index 1 --regexp '^\s*0\s+100000\s+65536$'
    assert_line --index 2 0
    assert_not_equal "${lines[3]}" "$(host_ns user)"
}

@test "user namespace: the init runs as the mapped host uid" {
    use_user_namespace
    run_sleeper
    pid=$(container_pid "$ID")
    run grep -E '^(Uid|Gid):' "/proc/$pid/status"
    assert_line --regexp '^Uid:\s+100000\s+100000\s+100000\s+100000$'
    assert_line --regexp '^Gid:\s+100000\s+100000\s+100000\s+100000$'
}

@test "join a pid namespace by path: the process shares the running container's pids" {
    # A joined pid namespace takes an extra fork inside ocirun (only children enter it).
    setup_bundle "$BATS_TEST_TMPDIR/bundle-a" "$ID-a"
    run_sleeper "$ID-a" "$BATS_TEST_TMPDIR/bundle-a"
    pid=$(container_pid "$ID-a")
    update_config "(.linux.namespaces[] | select(.type == \"pid\")) .path = \"/proc/$pid/ns/pid\""
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    init=$(container_pid "$ID")
    [ "$(readlink "/proc/$init/ns/pid")" = "$(readlink "/proc/$pid/ns/pid")" ]
    ocirun start "$ID"
    wait_for_status "$ID" running
    # the second container's process is visible from inside the first one's namespace
    run bash -c "grep NSpid /proc/$init/status"
    assert_success
    [[ "$output" =~ NSpid:[[:space:]]+$init[[:space:]]+[0-9]+ ]]
    run ocirun delete --force "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "join a pid namespace by path: run waits for the process and reports its status" {
    setup_bundle "$BATS_TEST_TMPDIR/bundle-a" "$ID-a"
    run_sleeper "$ID-a" "$BATS_TEST_TMPDIR/bundle-a"
    pid=$(container_pid "$ID-a")
    update_config "(.linux.namespaces[] | select(.type == \"pid\")) .path = \"/proc/$pid/ns/pid\""
    update_config '.process.args = ["sh", "-c", "exit 7"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 7
    assert_no_leftovers "$ID"
}

@test "time namespace: linux.timeOffsets shift CLOCK_BOOTTIME (seen in /proc/uptime)" {
    [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
    update_config '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}, "monotonic": {"secs": 3600, "nanosecs": 0}}'
    run_in_container 'cut -d. -f1 /proc/uptime'
    assert_success
    [ "$output" -ge 86400000 ]
}

@test "exec joins the container's time namespace (its offsets apply to the exec'd process)" {
    [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
    update_config '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}}'
    exec_detached_sleep
    for ns in time pid mnt; do
        assert_equal "$(readlink /proc/$pid/ns/$ns)" "$(readlink /proc/$init/ns/$ns)"
    done
    run ocirun exec "$ID" sh -c 'cut -d. -f1 /proc/uptime'
    assert_success
    [ "$output" -ge 86400000 ]
}

@test "domainname from config.json" {
    update_config '.domainname = "example.test"'
    run_in_container 'cat /proc/sys/kernel/domainname'
    assert_success
    assert_output "example.test"
}

@test "hostname without a uts namespace is an error, nothing left" {
    update_config 'del(.linux.namespaces[] | select(.type == "uts"))'
    expect_run_error "hostname: cannot be set without a uts namespace"
}

@test "the setup process is not dumpable until exec (CVE-2016-9962)" {
    # In a user namespace the /proc/PID files of a dumpable process belong to the mapped root
    # (100000); a non-dumpable one's belong to the host's root. Before start the init is still
    # ocirun's setup process; after start it is the container's program.
    use_user_namespace
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    [ "$(stat -c %u "/proc/$pid/environ")" = 0 ]
    ocirun start "$ID"
    wait_for_status "$ID" running
    for _ in $(seq 50); do
        [ "$(stat -c %u "/proc/$pid/environ")" = 100000 ] && break
        sleep 0.05
    done
    [ "$(stat -c %u "/proc/$pid/environ")" = 100000 ]
}

@test "exec joins the user namespace of the container with the others" {
    use_user_namespace
    exec_detached_sleep
    for ns in user pid mnt net; do
        assert_equal "$(readlink /proc/$pid/ns/$ns)" "$(readlink /proc/$init/ns/$ns)"
    done
    grep -qE '^Uid:\s+100000\s' /proc/$pid/status
    run ocirun exec --user 1000 "$ID" sh -c 'id -u; cat /proc/self/uid_map'
    assert_success
    assert_line --index 0 1000
    assert_line --regexp '^\s+0\s+100000\s+65536$'
}

@test "a fifo as linux.namespaces[].path fails at once with a clear error (no wait for a writer), nothing left" {
    runc_differs "runc 1.1 opens the path and waits for a writer for good"
    mkfifo "$BATS_TEST_TMPDIR/netns"
    update_config "(.linux.namespaces[] | select(.type == \"network\")) .path = \"$BATS_TEST_TMPDIR/netns\""
    expect_run_error "linux.namespaces[1].path \"$BATS_TEST_TMPDIR/netns\": not a namespace file"
}

@test "user namespace: bind sources in 0700 directories of the host's root still bind, for run and for exec" {
    use_user_namespace
    # runc's userns.bats case: the container's root (host uid 100000) cannot get through these
    mkdir -p "$BUNDLE"/inaccessible-{1,2}/dir
    touch "$BUNDLE"/inaccessible-{1,2}/dir/foo.txt
    chmod 700 "$BUNDLE"/inaccessible-{1,2}
    update_config ".mounts += [{source: \"inaccessible-1/dir\", destination: \"/tmp/mount-1\", options: [\"bind\"]},
                               {source: \"$BUNDLE/inaccessible-2/dir\", destination: \"/tmp/mount-2\", type: \"bind\",
                                options: [\"rbind\", \"ro\"]}]"
    run_in_container 'stat -c %n /tmp/mount-1/foo.txt /tmp/mount-2/foo.txt; touch /tmp/mount-2/new'
    assert_failure
    assert_line --index 0 /tmp/mount-1/foo.txt
    assert_line --index 1 /tmp/mount-2/foo.txt
    assert_output --partial "Read-only file system"

    run_sleeper
    run ocirun exec "$ID" stat -c %n /tmp/mount-1/foo.txt /tmp/mount-2/foo.txt
    assert_success
    assert_output "/tmp/mount-1/foo.txt
/tmp/mount-2/foo.txt"
    run ocirun delete --force "$ID"
    assert_success

    # what the container binds keeps the flags its user namespace may not change (nosuid...)
    mkdir "$BUNDLE/locked"
    mount -t tmpfs -o nosuid,nodev,noexec tmpfs "$BUNDLE/locked"
    update_config ".mounts += [{source: \"$BUNDLE/locked\", destination: \"/tmp/mount-3\", options: [\"bind\"]}]"
    run_in_container 'mount -o remount,bind,suid,dev,exec /tmp/mount-3 && echo remounted;
                      awk "\$5 == \"/tmp/mount-3\" {print \$6}" /proc/self/mountinfo'
    umount "$BUNDLE/locked"
    refute_output --partial remounted
    assert_output --regexp 'nosuid,nodev,noexec'

    # the sources are opened before the init goes on: a missing one fails with nothing left
    update_config '.mounts += [{source: "/nonexistent/dir", destination: "/mnt", options: ["bind"]}]'
    expect_run_failure
    [[ "$stderr" == *"/nonexistent/dir"* ]] || fail "stderr: $stderr"
}

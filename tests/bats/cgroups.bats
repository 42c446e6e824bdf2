#!/usr/bin/env bats
# cgroup v2 placement: the init runs in linux.cgroupsPath, which delete removes.

load helpers

# cgroup2_path PID: the "0::" entry of /proc/PID/cgroup, read from the host.
cgroup2_path() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

@test "the init runs in cgroupsPath; the cgroup exists while it runs and is gone after delete" {
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(cgroup2_path "$pid")" "$CG_PARENT/$ID"
    [ -d "$CG_MOUNT$CG_PARENT/$ID" ]
    grep -qx "$pid" "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs"
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    [ ! -e "$CG_MOUNT$CG_PARENT/$ID" ]
    # the parent is not ours to remove
    [ -d "$CG_MOUNT$CG_PARENT" ]
}

@test "a created container's init is already in its cgroup" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    assert_equal "$(cgroup2_path "$pid")" "$CG_PARENT/$ID"
}

@test "run: the init is in the container's cgroup in every hierarchy, each its cgroup namespace's root" {
    # run clones an init that enters the v1 hierarchies itself (it shares the runtime's memory
    # until exec): from the host every hierarchy shows cgroupsPath, inside each shows "/".
    run_sleeper
    pid=$(container_pid "$ID")
    while IFS=: read -r _ controllers path; do
        assert_equal "$controllers:$path" "$controllers:$CG_PARENT/$ID"
    done < "/proc/$pid/cgroup"
    run ocirun exec "$ID" cat /proc/1/cgroup
    assert_success
    refute_line --regexp ':/.+'
    assert_line '0::/'
}

@test "children of the init stay in the container's cgroup" {
    update_config '.process.args = ["sh", "-c", "sleep 1000 & wait"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    for i in $(seq 100); do
        [ "$(wc -l <"$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" -ge 2 ] && break
        sleep 0.05
    done
    assert_equal "$(wc -l <"$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 2
}

@test "missing intermediate cgroups are created" {
    update_config ".linux.cgroupsPath = \"$CG_PARENT/$ID-deep/a/b\""
    CG_USED+=("$ID-deep")
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(cgroup2_path "$pid")" "$CG_PARENT/$ID-deep/a/b"
    run ocirun delete --force "$ID"
    assert_success
    [ ! -e "$CG_MOUNT$CG_PARENT/$ID-deep/a/b" ]
}

@test "run removes the cgroup when the container exits" {
    run_in_container 'true'
    assert_success
    [ ! -e "$CG_MOUNT$CG_PARENT/$ID" ]
}

@test "cgroupsPath unset: defaults to /ID" {
    # A top-level cgroup named after the id: use a name unique to this run and remove it.
    ID="$CG_NAME-default"
    update_config 'del(.linux.cgroupsPath)'
    CG_DEFAULT="$ID"
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(cgroup2_path "$pid")" "/$ID"
    run ocirun delete --force "$ID"
    assert_success
    [ ! -e "$CG_MOUNT/$ID" ]
}

teardown() {
    common_teardown
    # the top-level cgroup of the "cgroupsPath unset" test
    if [ -n "${CG_DEFAULT:-}" ]; then
        local h
        for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
            [ -d "$h/$CG_DEFAULT" ] && remove_cgroup_tree "$h/$CG_DEFAULT"
        done
    fi
    return 0
}

@test "a failed create removes the intermediate cgroups it made, not existing ones" {
    update_config ".linux.cgroupsPath = \"$CG_PARENT/made-$ID/deeper/$ID\" | .process.args = [\"no-such-program\"]"
    run ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure
    [ ! -e "$CG_MOUNT$CG_PARENT/made-$ID" ]
    [ -d "$CG_MOUNT$CG_PARENT" ]
}

@test "delete removes cgroups the container made below its own; kill --all reaches their processes" {
    update_config '.process.args = ["sh", "-c", "sleep 1000 & wait"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    local cg="$CG_MOUNT$CG_PARENT/$ID" child pid
    for _ in $(seq 50); do
        [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ] && break
        sleep 0.05
    done
    mkdir "$cg/sub" "$cg/sub/deeper"
    # the leaf rule of cgroup2: processes only in leaves once a child has controllers; plain move is fine here
    child=$(grep -vx "$(container_pid "$ID")" "$cg/cgroup.procs" | head -1)
    echo "$child" > "$cg/sub/deeper/cgroup.procs"
    for h in /sys/fs/cgroup/*; do
        [ -d "$h$CG_PARENT/$ID" ] && [ "$h" != "$CG_MOUNT" ] && mkdir "$h$CG_PARENT/$ID/sub"
    done
    run ocirun kill --all "$ID" TERM
    assert_success
    wait_pid_gone "$child"
    run ocirun delete --force "$ID"
    assert_success
    for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
        [ ! -e "$h$CG_PARENT/$ID" ] || fail "$h$CG_PARENT/$ID still exists"
    done
}

@test "a cgroup that already holds processes is used with runc's warning; its processes are left alone" {
    precreate_cgroup
    start_stranger
    update_config '.process.args = ["echo", "ran"]'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output ran
    [[ "$stderr" == *"container's cgroup is not empty: 1 process(es) found"* ]] || fail "no warning: $stderr"
    pid_alive "$STRANGER" || fail "the process that was in the cgroup before was killed"
    kill "$STRANGER"
}

@test "a frozen cgroup (cgroup.freeze) is refused at once with runc's error, not entered and hung in" {
    if [ "$CG_MOUNT" != /sys/fs/cgroup ]; then
        runc_differs "on a hybrid host runc 1.1 looks only at the v1 freezer and hangs in a frozen unified cgroup"
    fi
    precreate_cgroup
    echo 1 >"$CG_MOUNT$CG_PARENT/$ID/cgroup.freeze"
    update_config '.process.args = ["true"]'
    OCIRUN_TIMEOUT=20 run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    echo 0 >"$CG_MOUNT$CG_PARENT/$ID/cgroup.freeze"
    assert_failure 1
    [[ "$stderr" == *"container's cgroup unexpectedly frozen"* ]] || fail "stderr: $stderr"
    [ ! -e "$ROOT/$ID" ] || fail "state directory left"
    [ -z "$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" ] || fail "a process was left in the cgroup"
}

@test "a cgroup killed earlier (cgroup.kill) is named as the cause, not 'setup process exited unexpectedly'" {
    runc_differs "runc 1.1 moves its init in through cgroup.procs, which a killed cgroup takes; ocirun clones it in, which this kernel answers with SIGKILL"
    precreate_cgroup
    local u="$CG_MOUNT$CG_PARENT/$ID"
    [ -e "$u/cgroup.kill" ] || skip "this kernel has no cgroup.kill"
    echo 1 >"$u/cgroup.kill"
    update_config '.process.args = ["echo", "started"]'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    [[ "$stderr" != *"exited unexpectedly"* ]] || fail "the cause was not found: $stderr"
    if [ "$status" -eq 0 ]; then
        assert_output started      # a kernel that lets clones into a killed cgroup live (6.1)
    else
        [[ "$stderr" == *"cgroup $u was killed before (cgroup.kill)"* ]] || fail "stderr: $stderr"
        [ ! -e "$ROOT/$ID" ] || fail "state directory left"
        [ -d "$u" ] || fail "the cgroup that was there before was removed"
    fi
}

@test "delete --force in a cgroup the container did not make: no cgroup.kill there, a later container starts in it" {
    precreate_cgroup
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    # ocirun keeps a cgroup it did not make (runc 1.1 removes it): either way the next one starts
    is_runc || [ -d "$CG_MOUNT$CG_PARENT/$ID" ] || fail "the cgroup that was there before was removed"
    precreate_cgroup
    update_config '.process.args = ["echo", "second"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output second
}

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

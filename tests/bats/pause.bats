#!/usr/bin/env bats
# pause / resume: the freezer stops every process of the container and thaws it again; the
# status shows "paused"; wrong states are errors; a frozen cgroup is refused, never a hang.

load helpers

# counter: a container appending a line to /tmp/n every 20 ms (the rootfs is written from here).
start_counter() {
    update_config '.root.readonly = false | .process.args = ["sh", "-c", "while :; do echo x >> /tmp/n; usleep 20000; done"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
}

lines() {
    wc -l < "$ROOTFS/tmp/n"
}

@test "pause freezes every process, state says paused, resume thaws" {
    start_counter
    sleep 0.2
    run ocirun pause "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" paused
    n1=$(lines)
    sleep 0.4
    n2=$(lines)
    assert_equal "$n2" "$n1"
    run ocirun list
    assert_output --regexp "$ID +[0-9]+ +paused"

    run ocirun resume "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" running
    sleep 0.3
    [ "$(lines)" -gt "$n2" ]
}

@test "pause and resume refuse containers in the wrong state" {
    start_counter
    run ocirun resume "$ID"
    assert_failure
    assert_output --partial "cannot resume container \"$ID\": container not paused (status running)"
    run ocirun pause "$ID"
    assert_success
    run ocirun pause "$ID"
    assert_failure
    assert_output --partial "container not running (status paused)"
    run ocirun delete "$ID"
    assert_failure
    assert_output --partial "not stopped (status paused"
    run ocirun pause nosuchcontainer
    assert_failure
    assert_output --partial 'container "nosuchcontainer" does not exist'
}

@test "delete --force of a paused container kills it and removes everything" {
    start_counter
    pid=$(container_pid "$ID")
    run ocirun pause "$ID"
    assert_success
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    assert_no_leftovers "$ID"
}

@test "a created container cannot be paused" {
    update_config '.process.args = ["true"]'
    create_container
    run ocirun pause "$ID"
    assert_failure
    assert_output --partial "container not running (status created)"
}

@test "a cgroup that is already frozen is refused at create, not a hang" {
    local fdir
    if [ "$(stat -fc %T /sys/fs/cgroup/freezer 2>/dev/null)" = cgroupfs ]; then
        fdir="/sys/fs/cgroup/freezer$CG_PARENT/$ID-frozen"
        mkdir -p "$fdir"
        echo FROZEN > "$fdir/freezer.state"
    else
        fdir="$CG_MOUNT$CG_PARENT/$ID-frozen"
        mkdir -p "$fdir"
        echo 1 > "$fdir/cgroup.freeze"
    fi
    CG_USED+=("$ID-frozen")
    update_config ".linux.cgroupsPath = \"$CG_PARENT/$ID-frozen\" | .process.args = [\"true\"]"
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure
    # runc's words: "container's cgroup unexpectedly frozen"
    [[ "$stderr" == *"container's cgroup unexpectedly frozen"* ]] || fail "stderr: $stderr"
    [ ! -e "$ROOT/$ID" ]
    echo THAWED > "$fdir/freezer.state" 2>/dev/null || echo 0 > "$fdir/cgroup.freeze"
}

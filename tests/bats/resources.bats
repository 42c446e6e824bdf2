#!/usr/bin/env bats
# linux.resources on this host's cgroups: limits written where the controller lives (v1
# hierarchies on hybrid hosts, the unified one otherwise), enforced, and removed on delete.
# Pure cgroup v2 is covered inside the VM (make check-vm).

load helpers

# cg_dir CONTROLLER: the container's directory for a controller (v1 if mounted, else unified).
cg_dir() {
    if [ -d "/sys/fs/cgroup/$1" ] && [ "$(stat -fc %T "/sys/fs/cgroup/$1")" = cgroupfs ]; then
        echo "/sys/fs/cgroup/$1$CG_PARENT/$ID"
    else
        echo "$CG_MOUNT$CG_PARENT/$ID"
    fi
}

on_v1() {
    [ "$(stat -fc %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] || skip "no cgroup v1 memory hierarchy on this host"
}

@test "resources: limits are written, and the init is in every hierarchy" {
    on_v1
    update_config '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432},
                   "pids": {"limit": 64}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" 67108864
    assert_equal "$(cat "$(cg_dir memory)/memory.soft_limit_in_bytes")" 33554432
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 64
    assert_equal "$(cat "$(cg_dir cpu)/cpu.shares")" 512
    assert_equal "$(cat "$(cg_dir cpu)/cpu.cfs_quota_us")" 50000
    # every hierarchy lists the container's path for its init
    run awk -F: -v want="$CG_PARENT/$ID" '$3 != want { print "wrong: " $0 }' "/proc/$pid/cgroup"
    assert_output ""
}

@test "resources: a memory limit OOM-kills an allocating process" {
    on_v1
    # memory+swap = memory: no way out through swap
    update_config '.linux.resources = {"memory": {"limit": 33554432, "swap": 33554432}}'
    run_in_container 'dd if=/dev/zero of=/dev/null bs=128M count=1; echo "dd exit $?"'
    assert_output --partial "dd exit 137"
}

@test "resources: pids.limit stops a fork bomb" {
    update_config '.linux.resources = {"pids": {"limit": 8}}'
    # sh gives up at the first fork the limit refuses
    run_in_container 'for i in $(seq 20); do sleep 2 & echo "forked $i"; done; echo all-forked'
    assert_output --partial "can't fork"
    refute_line all-forked
    refute_line "forked 8"
}

@test "resources: devices: only allowed device nodes can be opened, rules apply in order" {
    on_v1
    assert_device_rules_enforced
}

@test "resources: delete removes the container's directory from every hierarchy" {
    update_config '.linux.resources = {"pids": {"limit": 100}}'
    run_sleeper
    local dirs=()
    for h in /sys/fs/cgroup/*; do
        [ -d "$h$CG_PARENT/$ID" ] && dirs+=("$h$CG_PARENT/$ID")
    done
    [ "${#dirs[@]}" -ge 1 ]
    run ocirun delete --force "$ID"
    assert_success
    for d in "${dirs[@]}"; do
        [ ! -e "$d" ] || fail "$d still exists"
    done
}

@test "resources: a limit the kernel refuses names the field, nothing left" {
    update_config '.linux.resources = {"cpu": {"cpus": "4096"}}'
    expect_run_error 'linux.resources.cpu.cpus: write'
    assert_no_leftovers "$ID"
}

@test "resources: controllers this host lacks are clear errors" {
    on_v1
    if [ ! -d /sys/fs/cgroup/net_cls ]; then
        update_config '.linux.resources = {"network": {"classID": 1048577}}'
        expect_run_error 'linux.resources.network.classID: no net_cls cgroup controller on this host'
    fi
    update_config '.linux.resources = {"unified": {"memory.high": "1000000"}}'
    expect_run_error 'linux.resources.unified: the memory controller is not available in /sys/fs/cgroup/unified'
}

@test "resources: memory.swap below memory.limit is refused, nothing left" {
    update_config '.linux.resources = {"memory": {"limit": 67108864, "swap": 1048576}}'
    on_v1
    expect_run_error 'linux.resources.memory.swap: write'
}

@test "update: flags (before or after the id) and --resources change the live values" {
    update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}, "cpu": {"shares": 512}}'
    run_sleeper
    run ocirun update --pids-limit 99 "$ID" --cpu-share 300
    assert_success
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 99
    [ ! -d /sys/fs/cgroup/cpu ] || assert_equal "$(cat "$(cg_dir cpu)/cpu.shares")" 300
    run bash -c "echo '{\"pids\": {\"limit\": 7}}' | \"$OCIRUN\" --root \"$ROOT\" update --resources - \"$ID\""
    assert_success
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 7
    echo '{"pids": {"limit": 8}}' > "$BATS_TEST_TMPDIR/r.json"
    run ocirun update --resources="$BATS_TEST_TMPDIR/r.json" --pids-limit 9 "$ID"
    assert_success
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 9       # a flag overrides the file
}

@test "update: memory and memory+swap in the order the kernel accepts (v1)" {
    on_v1
    update_config '.linux.resources = {"memory": {"limit": 67108864, "swap": 67108864}}'
    run_sleeper
    # raising both: memsw must go first
    run ocirun update --memory 256m --memory-swap 512m "$ID"
    assert_success
    assert_equal "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" 268435456
    assert_equal "$(cat "$(cg_dir memory)/memory.memsw.limit_in_bytes")" 536870912
    # lowering both: memory must go first
    run ocirun update --memory 32m --memory-swap 32m "$ID"
    assert_success
    assert_equal "$(cat "$(cg_dir memory)/memory.memsw.limit_in_bytes")" 33554432
}

@test "update: errors name the field; stopped and unknown containers are refused" {
    run_sleeper
    run ocirun update --memory 12x "$ID"
    assert_failure
    assert_output --partial '--memory: invalid size "12x"'
    run bash -c "echo '{\"memory\": {\"limit\": \"x\"}}' | \"$OCIRUN\" --root \"$ROOT\" update -r - \"$ID\""
    assert_failure
    assert_output --partial 'memory.limit: expected a 64-bit integer, got "x"'
    run ocirun update --pids-limit 5 nosuch
    assert_failure
    assert_output --partial 'container "nosuch" does not exist'
    run ocirun kill "$ID" KILL
    wait_for_status "$ID" stopped
    run ocirun update --pids-limit 5 "$ID"
    assert_failure
    assert_output --partial "container not running (status stopped)"
}

@test "update: memory.checkBeforeUpdate refuses a limit below the current usage" {
    update_config '.linux.resources = {"memory": {"limit": 268435456}}'
    run_sleeper
    echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' > "$BATS_TEST_TMPDIR/r.json"
    run ocirun update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
    assert_failure
    assert_output --partial "linux.resources.memory.limit 4096: below the current usage"
}

@test "a cgroup mount on a v1/hybrid host shows each hierarchy (the container's own cgroup), read-only as asked" {
    on_v1
    update_config '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 20}} |
                   .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                                "options": ["ro", "nosuid", "noexec", "nodev"]}]'
    run_in_container 'ls /sys/fs/cgroup; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max;
                      touch /sys/fs/cgroup/x; mkdir /sys/fs/cgroup/memory/sub'
    assert_line memory
    assert_line pids
    if [ "$CG_MOUNT" = /sys/fs/cgroup/unified ]; then assert_line unified; fi
    assert_line 33554432
    assert_line 20
    assert_output --partial "touch: /sys/fs/cgroup/x: Read-only file system"
    assert_output --partial "can't create directory '/sys/fs/cgroup/memory/sub': Read-only file system"
}

@test "a cgroup mount without a cgroup namespace binds the container's own directories" {
    on_v1
    update_config 'del(.linux.namespaces[] | select(.type == "cgroup")) |
                   .linux.resources = {"pids": {"limit": 21}} |
                   .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]}]'
    run_in_container 'cat /sys/fs/cgroup/pids/pids.max; grep " /sys/fs/cgroup/pids " /proc/self/mountinfo'
    assert_line 21
    assert_output --partial "$CG_PARENT/$ID /sys/fs/cgroup/pids ro"
}

@test "update never waits for another ocirun that holds the container's lock" {
    # start holds the lock while the init runs its startContainer hook (3 s)
    update_config '.process.args = ["sleep", "1000"] |
                   .hooks = {"startContainer": [{"path": "/bin/sleep", "args": ["sleep", "3"], "timeout": 20}]}'
    create_container
    ocirun start "$ID" >/dev/null 2>&1 &
    starter=$!
    sleep 0.5
    t0=$SECONDS
    run ocirun update --pids-limit 42 "$ID"
    took=$((SECONDS - t0))
    assert_success
    [ "$took" -le 1 ] || fail "update took ${took}s"
    kill -0 "$starter" || fail "start was over before update ran: the test proves nothing"
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 42
    wait "$starter"
    wait_for_status "$ID" running
    run ocirun update --pids-limit 43 "$ID"
    assert_success
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" 43
}

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

teardown() {
    common_teardown
    loop_detach
}

@test "resources: linux.resources.unified on a v1/hybrid host is refused naming the field, at run and update" {
    on_v1
    # a key even this hybrid host's unified hierarchy has (hugetlb) is refused too, as runc does
    update_config '.linux.resources = {"unified": {"hugetlb.2MB.max": "0"}}'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    # runc: "cannot use unified on cgroup v1"; ocirun: "linux.resources.unified: needs a pure cgroup v2 host ..."
    [[ "$stderr" == *unified* && "$stderr" == *"v1"* ]] || fail "stderr: $stderr"
    is_runc || [[ "$stderr" == *"linux.resources.unified: needs a pure cgroup v2 host"* ]] || fail "stderr: $stderr"
    assert_no_leftovers "$ID"
    update_config 'del(.linux.resources)'
    run_sleeper
    echo '{"unified": {"pids.max": "5"}, "pids": {"limit": 6}}' >"$BATS_TEST_TMPDIR/r.json"
    run --separate-stderr ocirun update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
    assert_failure 1
    [[ "$stderr" == *unified* && "$stderr" == *"v1"* ]] || fail "stderr: $stderr"
    is_runc || [[ "$stderr" == *"linux.resources.unified: needs a pure cgroup v2 host"* ]] || fail "stderr: $stderr"
    # nothing was written
    assert_equal "$(cat "$(cg_dir pids)/pids.max")" max
}

@test "resources: blockIO weights go to bfq's blkio.bfq.weight(_device) where there is no blkio.weight (run, update)" {
    on_v1
    [ ! -e /sys/fs/cgroup/blkio/blkio.weight ] || skip "this kernel has CFQ's blkio.weight"
    loop_bfq_device
    update_config ".linux.resources = {blockIO: {weight: 300,
                   weightDevice: [{major: ${LOOP_MAJMIN%:*}, minor: ${LOOP_MAJMIN#*:}, weight: 200}]}}"
    run_sleeper
    local d
    d=$(cg_dir blkio)
    assert_equal "$(cat "$d/blkio.bfq.weight")" 300
    grep -qx "$LOOP_MAJMIN 200" "$d/blkio.bfq.weight_device" || fail "blkio.bfq.weight_device: $(cat "$d/blkio.bfq.weight_device")"
    run ocirun update --blkio-weight 500 "$ID"
    assert_success
    assert_equal "$(cat "$d/blkio.bfq.weight")" 500
}

@test "resources: a v1 cpuset parent with empty cpus/mems (as a create in flight leaves it) is filled before the init enters" {
    on_v1
    local cs=/sys/fs/cgroup/cpuset
    [ "$(stat -fc %T "$cs")" = cgroupfs ] || skip "no v1 cpuset hierarchy"
    mkdir -p "$cs$CG_PARENT/$ID-pod"
    CG_USED+=("$ID-pod")
    [ -z "$(cat "$cs$CG_PARENT/$ID-pod/cpuset.cpus")" ]
    update_config ".linux.cgroupsPath = \"$CG_PARENT/$ID-pod/$ID\""
    run_in_container 'echo entered'
    assert_success
    assert_output entered
    assert_equal "$(cat "$cs$CG_PARENT/$ID-pod/cpuset.cpus")" "$(cat "$cs/cpuset.cpus")"
    assert_equal "$(cat "$cs$CG_PARENT/$ID-pod/cpuset.mems")" "$(cat "$cs/cpuset.mems")"
}

@test "resources: a linux.devices node is made, but a deny in linux.resources.devices holds for it" {
    on_v1
    update_config '.linux.devices = [{"path": "/dev/kmsg2", "type": "c", "major": 1, "minor": 11, "fileMode": 420}] |
                   .linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
    run_in_container 'ls -l /dev/kmsg2; head -c1 /dev/kmsg2 >/dev/null; echo "open $?"'
    assert_output --regexp 'crw-r--r-- .* 1, +11 .*/dev/kmsg2'
    assert_output --partial "Operation not permitted"
    assert_line "open 1"
}

@test "update: cpu period and quota below a parent with a quota of its own (a pod), in the order the kernel takes" {
    on_v1
    local pod="/sys/fs/cgroup/cpu$CG_PARENT/$ID-pod" d
    mkdir -p "$pod"
    CG_USED+=("$ID-pod")
    echo 100000 >"$pod/cpu.cfs_period_us"
    echo 50000 >"$pod/cpu.cfs_quota_us"
    update_config ".linux.cgroupsPath = \"$CG_PARENT/$ID-pod/$ID\" |
                   .linux.resources = {cpu: {quota: 50000, period: 100000}}"
    run_sleeper
    d="$pod/$ID"
    # a shorter period first would put the old quota above the pod's ratio: the quota goes first
    run ocirun update --cpu-period 50000 --cpu-quota 25000 "$ID"
    assert_success
    assert_equal "$(cat "$d/cpu.cfs_period_us") $(cat "$d/cpu.cfs_quota_us")" "50000 25000"
    # a longer one: the period first
    run ocirun update --cpu-period 200000 --cpu-quota 100000 "$ID"
    assert_success
    assert_equal "$(cat "$d/cpu.cfs_period_us") $(cat "$d/cpu.cfs_quota_us")" "200000 100000"
}

@test "update: linux.resources.devices replaces the v1 rules, never granting what neither set allows" {
    runc_differs "runc 1.1 update leaves the device rules as they were (it skips devices)"
    on_v1
    with_caps CAP_MKNOD CAP_SYSLOG
    # before: tun; after: kmsg (read). fuse: in neither; zero (a standard device): in both.
    cat >"$ROOTFS/probe" <<'SH'
mknod /dev/tun2 c 10 200; mknod /dev/kmsg2 c 1 11; mknod /dev/fuse2 c 10 229; touch /tmp/log
while [ ! -e /tmp/stop ]; do
    # (true, not ":": a failed redirection of a special builtin ends the shell)
    if true 2>/dev/null </dev/fuse2; then echo FUSE-OPENED >>/tmp/log; fi
    true 2>/dev/null </dev/zero || echo ZERO-DENIED >>/tmp/log
done
echo done >>/tmp/log
sleep 1000
SH
    update_config '.root.readonly = false | .process.args = ["sh", "/probe"] |
        .linux.resources = {"devices": [{"allow": false, "access": "rwm"},
                                        {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]}'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    local d i
    d=$(cg_dir devices)
    for i in $(seq 50); do [ -e "$ROOTFS/tmp/log" ] && break; sleep 0.05; done
    echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]}' >"$BATS_TEST_TMPDIR/new.json"
    echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]}' >"$BATS_TEST_TMPDIR/old.json"
    for i in $(seq 10); do
        run ocirun update -r "$BATS_TEST_TMPDIR/new.json" "$ID"
        assert_success
        run ocirun update -r "$BATS_TEST_TMPDIR/old.json" "$ID"
        assert_success
    done
    run ocirun update -r "$BATS_TEST_TMPDIR/new.json" "$ID"
    assert_success
    touch "$ROOTFS/tmp/stop"
    for i in $(seq 100); do grep -q done "$ROOTFS/tmp/log" && break; sleep 0.05; done
    run cat "$ROOTFS/tmp/log"
    assert_output done
    grep -qx 'c 1:11 r' "$d/devices.list" || fail "devices.list: $(cat "$d/devices.list")"
    ! grep -q '^c 10:200' "$d/devices.list" || fail "devices.list: $(cat "$d/devices.list")"
    grep -qx 'c 1:5 rwm' "$d/devices.list" || fail "the standard devices went: $(cat "$d/devices.list")"
    run ocirun exec "$ID" sh -c 'head -c1 /dev/kmsg2 >/dev/null && echo kmsg-ok; true </dev/tun2 || echo tun-denied'
    assert_line kmsg-ok
    assert_line tun-denied
    # allow by default (a privileged set) goes through "allow all": frozen meanwhile, thawed after
    echo '{"devices": [{"allow": true, "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]}' >"$BATS_TEST_TMPDIR/priv.json"
    run ocirun update -r "$BATS_TEST_TMPDIR/priv.json" "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" running
    run ocirun exec "$ID" sh -c 'true </dev/fuse2 && echo fuse-ok; head -c1 /dev/kmsg2 >/dev/null || echo kmsg-denied'
    assert_line fuse-ok
    assert_line kmsg-denied
}

@test "delete --force removes the sub-cgroups the container made in its v1 hierarchies, with their processes" {
    on_v1
    cat >"$ROOTFS/nest" <<'SH'
for c in memory pids devices freezer blkio cpu; do mkdir -p /sys/fs/cgroup/$c/sub/deeper; done
sh -c 'for c in memory pids devices freezer blkio cpu; do echo $$ >/sys/fs/cgroup/$c/sub/deeper/cgroup.procs; done; touch /tmp/moved; exec sleep 1000' &
sleep 1000
SH
    update_config '.root.readonly = false | .process.args = ["sh", "/nest"] |
        .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rw"]}]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    local i d
    for i in $(seq 100); do [ -e "$ROOTFS/tmp/moved" ] && break; sleep 0.05; done
    [ -n "$(cat "/sys/fs/cgroup/memory$CG_PARENT/$ID/sub/deeper/cgroup.procs")" ] || fail "nothing moved into the sub-cgroup"
    run ocirun delete --force "$ID"
    assert_success
    while read -r d; do
        [ ! -e "$d" ] || fail "$d still exists: $(find "$d")"
    done < <(cg_all_dirs)
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

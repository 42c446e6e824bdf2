#!/usr/bin/env bats
# Real cgroup v2 placement and limits: runs only in the throwaway pure cgroup v2 VM of `make check-vm`.
# Limits, device rules (eBPF), pause/resume (cgroup.freeze), update and events on pure v2.

load ../bats/helpers

ALLOC="$BATS_TEST_DIRNAME/../../build/tests/helpers/alloc"

# tests/vm/check.sh sets OCIRUN_VM=1 in the VM; the OOM and fork tests are not for a shared host.
in_pure_v2_vm() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] &&
        ! grep -q ' cgroup ' /proc/mounts
}

setup() {
    in_pure_v2_vm || skip "needs the throwaway pure cgroup v2 VM: run make check-vm"
    common_setup
    CG="$CG_MOUNT$CG_PARENT/$ID"
}

teardown() {
    [ -n "${ROOT:-}" ] || return 0 # skipped before common_setup
    common_teardown # (removes the test's child cgroups too)
    loop_detach
}

# require_applied FILE DEFAULT: the container's cgroup has FILE (its controller was enabled)
# and FILE no longer reads the kernel's DEFAULT (ocirun wrote linux.resources).
require_applied() {
    local f="$CG/$1" v
    [ -e "$f" ] || fail "no $1 in the container's cgroup (controller not enabled?)"
    v=$(<"$f")
    [ "$v" != "$2" ] || fail "$1 still reads the default \"$v\""
}

# cg_stat FILE KEY: the value of KEY in a flat-keyed cgroup file (memory.events, cpu.stat...).
cg_stat() {
    awk -v k="$2" '$1 == k { print $2 }' "$CG/$1"
}

# wait_cg_stat FILE KEY MIN [SECONDS]: until KEY in FILE reaches MIN (wall clock: every
# process is slow in the emulated VM).
wait_cg_stat() {
    local end=$((SECONDS + ${4:-30})) v
    while [ "$SECONDS" -le "$end" ]; do
        v=$(cg_stat "$1" "$2")
        [ "${v:-0}" -ge "$3" ] && return 0
        sleep 0.1
    done
    fail "$1: $2 is ${v:-missing}, expected >= $3"
}

@test "vm: the init runs in /sys/fs/cgroup/<cgroupsPath> (no v1 hierarchy); delete removes it" {
    assert_equal "$CG_MOUNT" /sys/fs/cgroup
    for c in cpu memory pids; do
        grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control || fail "controller $c not enabled at the root"
    done
    run_sleeper
    pid=$(container_pid "$ID")
    # a pure v2 host lists only the "0::" hierarchy
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::$CG_PARENT/$ID"
    grep -qx "$pid" "$CG/cgroup.procs"
    grep -qx 'populated 1' "$CG/cgroup.events"
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    [ ! -e "$CG" ]
    [ -d "$CG_MOUNT$CG_PARENT" ]
}

@test "vm: the container sees its cgroup as / (cgroup namespace)" {
    run_in_container 'cat /proc/self/cgroup'
    assert_success
    assert_output "0::/"
    [ ! -e "$CG" ]
}

@test "vm: kill --all KILL uses cgroup.kill: it reaches processes in child cgroups and forks in flight" {
    [ -e "$CG_MOUNT$CG_PARENT/cgroup.kill" ] || fail "the kernel has no cgroup.kill"
    update_config '.process.args = ["sh", "-c", "sleep 1000 & while :; do sleep 1000 & sleep 0.1; done"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    init=$(container_pid "$ID")
    for i in $(seq 100); do
        [ "$(wc -l <"$CG/cgroup.procs")" -ge 3 ] && break
        sleep 0.1
    done
    # one child of the init moved to a child cgroup: not listed in the container's cgroup.procs
    mkdir "$CG/sub"
    moved=$(grep -vxm1 "$init" "$CG/cgroup.procs")
    echo "$moved" >"$CG/sub/cgroup.procs"
    grep -qx "$moved" "$CG/sub/cgroup.procs"
    run ocirun kill --all "$ID" KILL
    assert_success
    wait_pid_gone "$moved" || fail "pid $moved in the child cgroup survived kill --all"
    for i in $(seq 50); do
        grep -qx 'populated 0' "$CG/cgroup.events" && break
        sleep 0.1
    done
    grep -qx 'populated 0' "$CG/cgroup.events" || fail "still running: $(cat "$CG/cgroup.procs")"
    wait_for_status "$ID" stopped
    rmdir "$CG/sub"
    run ocirun delete "$ID"
    assert_success
    [ ! -e "$CG" ]
}

@test "vm: linux.resources.memory.limit: memory.max OOM-kills what allocates more, not what fits" {
    cp "$ALLOC" "$ROOTFS/bin/alloc"
    update_config '.linux.resources.memory = {limit: 33554432} | .process.args = ["alloc", "200"]'
    create_container
    require_applied memory.max max
    assert_equal "$(<"$CG/memory.max")" 33554432
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" stopped 10
    oom=$(cg_stat memory.events oom_kill)
    [ "${oom:-0}" -ge 1 ] || fail "memory.events: oom_kill ${oom:-missing}: $(cat "$CG/memory.events")"
    run ocirun delete "$ID"
    assert_success
    update_config '.process.args = ["alloc", "8"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "survived 8 MB"
}

@test "vm: linux.resources.pids.limit: pids.max stops a fork bomb" {
    update_config '.linux.resources.pids = {limit: 10}
        | .process.args = ["sh", "-c", "i=0; while [ $i -lt 64 ]; do sleep 1000 & i=$((i + 1)); done; wait"]'
    create_container
    require_applied pids.max max
    assert_equal "$(<"$CG/pids.max")" 10
    run ocirun start "$ID"
    assert_success
    wait_cg_stat pids.events max 1 60
    [ "$(<"$CG/pids.current")" -le 10 ]
    run ocirun delete --force "$ID"
    assert_success
    [ ! -e "$CG" ]
}

@test "vm: linux.resources.cpu quota/period: cpu.max written and a busy loop throttled" {
    update_config '.linux.resources.cpu = {quota: 20000, period: 100000}
        | .process.args = ["sh", "-c", "timeout 2 sh -c \"while :; do :; done\"; true"]'
    create_container
    require_applied cpu.max "max 100000"
    assert_equal "$(<"$CG/cpu.max")" "20000 100000"
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" stopped 10
    throttled=$(cg_stat cpu.stat nr_throttled)
    [ "${throttled:-0}" -ge 1 ] || fail "cpu.stat: nr_throttled ${throttled:-missing}"
    run ocirun delete "$ID"
    assert_success
}

@test "vm: device rules are an eBPF program: only allowed nodes open, listed rules in order" {
    assert_device_rules_enforced
}

@test "vm: pause freezes with cgroup.freeze, resume thaws; update and events read and write v2 files" {
    update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
    run_sleeper
    run ocirun pause "$ID"
    assert_success
    assert_equal "$(cat "$CG/cgroup.freeze")" 1
    assert_equal "$(container_status "$ID")" paused
    run ocirun resume "$ID"
    assert_success
    assert_equal "$(cat "$CG/cgroup.freeze")" 0
    run ocirun update --memory 128m --memory-swap 192m --pids-limit 40 --cpu-share 1024 "$ID"
    assert_success
    assert_equal "$(cat "$CG/memory.max")" 134217728
    assert_equal "$(cat "$CG/memory.swap.max")" 67108864
    assert_equal "$(cat "$CG/pids.max")" 40
    assert_equal "$(cat "$CG/cpu.weight")" 39
    run ocirun events --stats "$ID"
    assert_success
    run jq -r '[.data.memory.usage.limit, .data.pids.limit, .data.pids.current, (.data.cpu.usage.total > 0)] | join(" ")' <<<"$output"
    assert_output "134217728 40 1 true"
}

@test "vm: blockIO weights: io.bfq.weight for the default and for a bfq device, io.weight left alone (as runc)" {
    modprobe bfq 2>/dev/null || true
    modprobe loop 2>/dev/null || true
    loop_bfq_device
    update_config ".linux.resources.blockIO = {weight: 300,
                   weightDevice: [{major: ${LOOP_MAJMIN%:*}, minor: ${LOOP_MAJMIN#*:}, weight: 200}]}"
    create_container
    run cat "$CG/io.bfq.weight"
    assert_line "default 300"
    assert_line "$LOOP_MAJMIN 200"
    # io.weight is iocost's: it refuses a weight for a device it does not run (EOPNOTSUPP)
    assert_equal "$(cat "$CG/io.weight")" "default 100"
    run ocirun delete --force "$ID"
    assert_success
    # a device whose scheduler takes no weights: the error says which scheduler it has
    echo mq-deadline >"/sys/block/${LOOP_DEV#/dev/}/queue/scheduler"
    expect_create_failure
    [[ "$stderr" == *"linux.resources.blockIO.weightDevice: write $CG/"*"(device $LOOP_MAJMIN has the I/O scheduler"* ]] ||
        fail "stderr: $stderr"
}

@test "vm: update replaces the eBPF device filter: the new rules hold and the old ones are gone" {
    runc_differs "runc 1.1 update leaves the device rules as they were (it skips devices)"
    with_caps CAP_MKNOD CAP_SYSLOG
    update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                   {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
    run_sleeper
    run ocirun exec "$ID" sh -c 'mknod /dev/kmsg2 c 1 11; mknod /dev/tun2 c 10 200; head -c1 /dev/kmsg2 >/dev/null && echo kmsg-ok; true </dev/tun2'
    assert_line kmsg-ok
    assert_output --partial "can't open /dev/tun2: Operation not permitted"
    echo '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]}' \
        >"$BATS_TEST_TMPDIR/new.json"
    run ocirun update -r "$BATS_TEST_TMPDIR/new.json" "$ID"
    assert_success
    # tun passes only if the old filter (which denied it) is detached; kmsg is denied by the new one
    run ocirun exec "$ID" sh -c 'true </dev/tun2; head -c1 /dev/kmsg2 >/dev/null'
    refute_output --partial "/dev/tun2: Operation not permitted"
    assert_output --partial "/dev/kmsg2: Operation not permitted"
    run ocirun exec "$ID" sh -c 'echo x >/dev/null && echo null-ok'
    assert_output null-ok
}

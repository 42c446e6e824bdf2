#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup) against a real systemd: runs only in the VM of
# tests/vm/check.sh --systemd (systemd is PID 1 there, pure cgroup v2). The container's cgroup
# is a transient scope, named and placed as runc places it; limits are unit properties and
# cgroup files; nothing is left in systemd afterwards.

load ../bats/helpers

in_systemd_vm() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ -S /run/systemd/private ] &&
        [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
}

setup() {
    in_systemd_vm || skip "needs the VM with systemd as PID 1: run make check-vm"
    common_setup
    # every command gets --systemd-cgroup, as engines pass it
    REAL_OCIRUN=${REAL_OCIRUN:-$OCIRUN}
    OCIRUN="$BATS_TEST_TMPDIR/ocirun-sd"
    printf '#!/bin/sh\nexec %s --systemd-cgroup "$@"\n' "$REAL_OCIRUN" >"$OCIRUN"
    chmod +x "$OCIRUN"
    UNIT="ocit-$ID.scope"
    update_config '.linux.cgroupsPath = "ocit.slice:ocit:'"$ID"'"'
    SCOPE=/sys/fs/cgroup/ocit.slice/$UNIT
}

teardown() {
    [ -n "${ROOT:-}" ] || return 0 # skipped before common_setup
    common_teardown
    # nothing of the test may stay in systemd: a leftover unit fails the test that made it
    local left
    left=$(systemctl list-units --all --plain --no-legend 'ocit*.scope' | awk '{ print $1 }')
    if [ -n "$left" ]; then
        systemctl stop $left >/dev/null 2>&1 || true
        systemctl reset-failed $left >/dev/null 2>&1 || true
        fail "units left in systemd: $left"
    fi
}

# prop UNIT NAME: the unit's property as systemctl show prints it.
prop() {
    systemctl show -P "$2" "$1"
}

assert_no_unit() {
    local unit=${1:-$UNIT} state
    state=$(systemctl show -P LoadState "$unit")
    [ "$state" = not-found ] || fail "$unit is still known to systemd (LoadState=$state, ActiveState=$(prop "$unit" ActiveState))"
    [ ! -e "/sys/fs/cgroup/ocit.slice/$unit" ] || fail "cgroup of $unit left"
    [ -z "$(systemctl list-units --failed --plain --no-legend)" ] || fail "failed units: $(systemctl list-units --failed --plain --no-legend)"
}

@test "systemd: the container is scope PREFIX-NAME.scope in the slice, Delegate=yes, the init alone in it" {
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(prop "$UNIT" ActiveState)" active
    assert_equal "$(prop "$UNIT" Slice)" ocit.slice
    assert_equal "$(prop "$UNIT" ControlGroup)" "/ocit.slice/$UNIT"
    assert_equal "$(prop "$UNIT" Delegate)" yes
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::/ocit.slice/$UNIT"
    # the holder process is gone: the init is the one process
    assert_equal "$(cat "$SCOPE/cgroup.procs")" "$pid"
    run ocirun state "$ID"
    assert_success
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    assert_no_unit
}

@test "systemd: a slice a-b-c.slice is made with its parents (kubepods-burstable-podUID.slice)" {
    # (a '-' in a slice name is a level: the pod's part has none)
    local slice="ocit-burstable-pod${ID//-/_}.slice"
    update_config '.linux.cgroupsPath = "'"$slice"':cri-containerd:'"$ID"'"'
    run_sleeper
    pid=$(container_pid "$ID")
    cg="/ocit.slice/ocit-burstable.slice/$slice/cri-containerd-$ID.scope"
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::$cg"
    assert_equal "$(prop "cri-containerd-$ID.scope" Slice)" "$slice"
    assert_equal "$(prop "$slice" ActiveState)" active
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit "cri-containerd-$ID.scope"
    systemctl stop "$slice" ocit-burstable.slice
}

@test "systemd: limits are unit properties and cgroup files, and survive daemon-reload" {
    update_config '.linux.resources = {memory: {limit: 67108864, reservation: 33554432, swap: 100663296},
                                       cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"},
                                       pids: {limit: 64}, unified: {"memory.high": "60000000"}}
                   | .annotations["org.systemd.property.TimeoutStopSec"] = "uint64 7"'
    run_sleeper
    check_limits() {
        assert_equal "$(prop "$UNIT" MemoryMax)" 67108864
        assert_equal "$(prop "$UNIT" MemoryLow)" 33554432
        assert_equal "$(prop "$UNIT" MemorySwapMax)" 33554432
        assert_equal "$(prop "$UNIT" CPUWeight)" 20
        assert_equal "$(prop "$UNIT" CPUQuotaPerSecUSec)" 500ms
        assert_equal "$(prop "$UNIT" CPUQuotaPeriodUSec)" 100ms
        assert_equal "$(prop "$UNIT" AllowedCPUs)" 0
        assert_equal "$(prop "$UNIT" TasksMax)" 64
        assert_equal "$(prop "$UNIT" TimeoutStopUSec)" 7s
        assert_equal "$(<"$SCOPE/memory.max")" 67108864
        assert_equal "$(<"$SCOPE/memory.low")" 33554432
        assert_equal "$(<"$SCOPE/memory.swap.max")" 33554432
        assert_equal "$(<"$SCOPE/memory.high")" 59998208
        assert_equal "$(<"$SCOPE/cpu.weight")" 20
        assert_equal "$(<"$SCOPE/cpu.max")" "50000 100000"
        assert_equal "$(<"$SCOPE/cpuset.cpus")" 0
        assert_equal "$(<"$SCOPE/pids.max")" 64
    }
    check_limits
    systemctl daemon-reload
    check_limits
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: update changes the unit's properties and the files, which daemon-reload keeps" {
    update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 64}}'
    run_sleeper
    run ocirun update --memory 50331648 --pids-limit 32 --cpu-quota 20000 --cpu-period 100000 "$ID"
    assert_success
    for pass in before after; do
        assert_equal "$(prop "$UNIT" MemoryMax)" 50331648
        assert_equal "$(prop "$UNIT" TasksMax)" 32
        assert_equal "$(prop "$UNIT" CPUQuotaPerSecUSec)" 200ms
        assert_equal "$(<"$SCOPE/memory.max")" 50331648
        assert_equal "$(<"$SCOPE/pids.max")" 32
        assert_equal "$(<"$SCOPE/cpu.max")" "20000 100000"
        systemctl daemon-reload
    done
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: update of a swap limit alone counts it from the current memory limit, as the files do" {
    update_config '.linux.resources = {memory: {limit: 67108864, swap: 100663296}}'
    run_sleeper
    assert_equal "$(prop "$UNIT" MemorySwapMax)" 33554432
    run ocirun update --memory-swap 134217728 "$ID"
    assert_success
    assert_equal "$(prop "$UNIT" MemorySwapMax)" 67108864
    assert_equal "$(<"$SCOPE/memory.swap.max")" 67108864
    assert_equal "$(prop "$UNIT" MemoryMax)" 67108864
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: the device rules (DeviceAllow, and ocirun's eBPF program) hold across daemon-reload" {
    # /dev/kmsg is made (linux.devices) but not allowed (no rule in linux.resources.devices)
    update_config '.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
                   | .linux.resources.devices = [{allow: false, access: "rwm"},
                                                 {allow: true, type: "c", major: 1, minor: 7, access: "rw"}]'
    run_sleeper
    # systemd's own list too (the allow rules): DevicePolicy=strict, /dev/kmsg not in it
    assert_equal "$(prop "$UNIT" DevicePolicy)" strict
    allow=$(prop "$UNIT" DeviceAllow)
    [[ "$allow" == *"/dev/char/1:7 rw"* && "$allow" == *"char-pts rwm"* ]] || fail "DeviceAllow: $allow"
    [[ "$allow" != *"1:11"* ]] || fail "DeviceAllow: $allow"
    run ocirun exec "$ID" head -c1 /dev/kmsg
    assert_failure
    assert_output --partial "Operation not permitted"
    systemctl daemon-reload
    run ocirun exec "$ID" head -c1 /dev/kmsg
    assert_failure
    assert_output --partial "Operation not permitted"
    run ocirun exec "$ID" head -c1 /dev/zero
    assert_success
    run ocirun exec "$ID" sh -c 'echo x >/dev/full'
    assert_failure
    assert_output --partial "No space left on device"
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: ps, exec, exec --cgroup, pause/resume, events, kill --all work in the scope" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun ps "$ID"
    assert_success
    assert_output --partial "sleep 1000"
    run ocirun exec "$ID" cat /proc/self/cgroup
    assert_success
    assert_output "0::/"
    # a sub-cgroup of the delegated scope
    mkdir "$SCOPE/sub"
    run ocirun exec --cgroup sub "$ID" cat /proc/self/cgroup
    assert_success
    assert_output "0::/sub"
    run ocirun pause "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" paused
    grep -qx 'frozen 1' "$SCOPE/cgroup.events"
    run ocirun resume "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" running
    run ocirun events --stats "$ID"
    assert_success
    [ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
    ocirun exec -d "$ID" sleep 999
    run ocirun kill --all "$ID" KILL
    assert_success
    wait_for_status "$ID" stopped 10
    run ocirun delete "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: a create that fails leaves no unit, and errors name the unit and systemd's text" {
    # the process cannot be started: the scope goes again
    update_config '.process.args = ["/no/such/program"]'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure
    [ ! -e "$ROOT/$ID" ]
    assert_no_unit
    # the unit exists already (another container has it): systemd's refusal, the first untouched
    run_sleeper
    setup_bundle "$BATS_TEST_TMPDIR/b2" "$ID-2"
    update_config '.linux.cgroupsPath = "ocit.slice:ocit:'"$ID"'" | .process.args = ["true"]' "$BATS_TEST_TMPDIR/b2"
    run --separate-stderr ocirun run --bundle "$BATS_TEST_TMPDIR/b2" "$ID-2"
    assert_failure 1
    [[ "$stderr" == *"systemd unit $UNIT: StartTransientUnit: "*"(org.freedesktop.systemd1.UnitExists)"* ]] || fail "$stderr"
    [ ! -e "$ROOT/$ID-2" ]
    assert_equal "$(container_status "$ID")" running
    assert_equal "$(prop "$UNIT" ActiveState)" active
    # a property systemd does not know: its error text, nothing left
    update_config '.annotations["org.systemd.property.NoSuchThing"] = "uint64 1" | .process.args = ["true"]' \
        "$BATS_TEST_TMPDIR/b2"
    update_config '.linux.cgroupsPath = "ocit.slice:ocit:'"$ID"'-2"' "$BATS_TEST_TMPDIR/b2"
    run --separate-stderr ocirun run --bundle "$BATS_TEST_TMPDIR/b2" "$ID-2"
    assert_failure 1
    [[ "$stderr" == *"systemd unit ocit-$ID-2.scope: StartTransientUnit: "*"NoSuchThing"* ]] || fail "$stderr"
    assert_no_unit "ocit-$ID-2.scope"
    run ocirun delete --force "$ID"
    assert_success
    assert_no_unit
}

@test "systemd: a cgroupsPath whose name is a slice is refused before systemd is asked" {
    update_config '.linux.cgroupsPath = "ocit.slice:ocit:x.slice"'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 1
    [[ "$stderr" == *"the container's unit x.slice is a slice; only a scope (slice:prefix:name) can hold its processes"* ]] || fail "$stderr"
    [ ! -e "$ROOT/$ID" ]
    assert_equal "$(systemctl show -P ActiveState x.slice)" inactive
}

@test "systemd: a container whose init exited is deleted without a failed unit" {
    update_config '.process.args = ["true"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_no_unit
    update_config '.process.args = ["sh", "-c", "exit 3"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_failure 3
    assert_no_unit
}

@test "systemd: without the system bus (no dbus-daemon) the driver talks to systemd's own socket" {
    systemctl stop dbus.socket dbus.service
    ! timeout 10 busctl --system list >/dev/null 2>&1 || fail "the system bus still answers"
    run_sleeper
    pid=$(container_pid "$ID")
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::/ocit.slice/$UNIT"
    run ocirun update --pids-limit 10 "$ID"
    assert_success
    assert_equal "$(prop "$UNIT" TasksMax)" 10
    run ocirun delete --force "$ID"
    assert_success
    systemctl start dbus.socket dbus.service
    assert_no_unit
}

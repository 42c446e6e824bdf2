#!/usr/bin/env bats
# events: runc's stats JSON once or every interval, "oom" events, the end when the container exits.

load helpers

@test "events --stats prints one stats event with the container's numbers" {
    update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
    run_sleeper
    run ocirun events --stats "$ID"
    assert_success
    [ "${#lines[@]}" -eq 1 ]
    run jq -r '[.type, .id, .data.pids.current, .data.pids.limit, .data.memory.usage.limit,
                (.data.memory.usage.usage > 0), (.data.cpu.usage.total > 0), (.data.memory.raw | length > 0),
                (.data.blkio.ioServiceBytesRecursive | type), (.data.blkio.ioServicedRecursive | type)] | join(" ")' <<<"$output"
    assert_output "stats $ID 1 20 67108864 true true true array array"
}

@test "events streams stats every interval, reports an OOM kill, and ends with the container" {
    [ "$(stat -fc %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] || [ -e "$CG_MOUNT/cgroup.controllers" ]
    update_config '.linux.resources = {"memory": {"limit": 33554432, "swap": 33554432}} |
                   .process.args = ["sh", "-c", "sleep 0.6; dd if=/dev/zero of=/dev/null bs=128M count=1; sleep 0.6"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    run ocirun events --interval 200ms "$ID"
    assert_success
    assert_line --regexp "^\{\"type\":\"oom\",\"id\":\"$ID\"\}$"
    [ "$(grep -c '"type":"stats"' <<<"$output")" -ge 3 ]
}

@test "events: errors" {
    run_sleeper
    run ocirun events --interval 5x "$ID"
    assert_failure
    assert_output --partial '--interval: invalid duration "5x"'
    run ocirun events --stats nosuch
    assert_failure
    assert_output --partial 'container "nosuch" does not exist'
    run ocirun kill "$ID" KILL
    wait_for_status "$ID" stopped
    run ocirun events --stats "$ID"
    assert_failure
    assert_output --partial "is not running"
}

#!/usr/bin/env bats
# ps: the container's processes as ps(1) lines or a JSON array of pids.

load helpers

@test "ps --format json lists every process of the container" {
    update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    for _ in $(seq 50); do
        [ "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" -ge 3 ] && break
        sleep 0.05
    done
    run ocirun ps --format json "$ID"
    assert_success
    run jq -r 'sort | join(" ")' <<<"$output"
    assert_equal "$output" "$(sort -n "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs" | paste -sd' ')"
    [ "$(jq length <<<"$(ocirun ps -f json "$ID")")" -eq 3 ]
}

@test "ps prints ps -ef lines of the container only, or what ps arguments after -- ask" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun ps "$ID"
    assert_success
    assert_line --index 0 --regexp '^UID +PID +PPID'
    assert_line --regexp "^root +$pid .*sleep 1000"
    [ "${#lines[@]}" -eq 2 ]
    run ocirun ps "$ID" -- -o pid,comm
    assert_success
    assert_line --index 0 --regexp '^ *PID +COMMAND'
    assert_line --regexp "^ *$pid sleep"
}

@test "ps: errors" {
    run_sleeper
    run ocirun ps --format yaml "$ID"
    assert_failure
    assert_output --partial '--format: "yaml" is not table or json'
    run ocirun ps "$ID" -- -o comm
    assert_failure
    assert_output --partial "ps output has no PID column"
    run ocirun ps nosuch
    assert_failure
    assert_output --partial 'container "nosuch" does not exist'
}

@test "ps of a stopped container is empty" {
    update_config '.process.args = ["true"]'
    create_container
    run ocirun start "$ID"
    wait_for_status "$ID" stopped
    run ocirun ps --format json "$ID"
    assert_success
    assert_output "[]"
}

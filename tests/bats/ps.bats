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

@test "ps prints ps -ef lines of the container only, or what ps arguments after the ID ask" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun ps "$ID"
    assert_success
    assert_line --index 0 --regexp '^UID +PID +PPID'
    assert_line --regexp "^root +$pid .*sleep 1000"
    [ "${#lines[@]}" -eq 2 ]
    run ocirun ps "$ID" -o pid,comm
    assert_success
    assert_line --index 0 --regexp '^ *PID +COMMAND'
    assert_line --regexp "^ *$pid sleep"
}

@test "ps: errors" {
    runc_differs "ocirun's wording of the errors"
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
    runc_differs "runc 1.1 prints null, not []"
    update_config '.process.args = ["true"]'
    create_container
    run ocirun start "$ID"
    wait_for_status "$ID" stopped
    run ocirun ps --format json "$ID"
    assert_success
    assert_output "[]"
}

# run_three: a running container of three processes (sh and two sleeps); sets $PIDS (sorted).
run_three() {
    update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1001 & wait"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    for _ in $(seq 50); do
        [ "$(wc -l < "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" -ge 3 ] && break
        sleep 0.05
    done
    PIDS=$(sort -n "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs" | paste -sd' ')
}

# assert_ps_table HEADER_REGEX PID_FIELD: $output is ps's header line, then one line per process
# of the container (field PID_FIELD is its pid) and no other.
assert_ps_table() {
    assert_line --index 0 --regexp "$1"
    local got
    got=$(tail -n +2 <<<"$output" | awk -v f="$2" '{print $f}' | sort -n | paste -sd' ')
    assert_equal "$got" "$PIDS"
}

@test "ps ID PS_ARGS: the arguments after the ID go to ps(1) (-e -x, -ef, aux, -o), as runc" {
    run_three
    run ocirun ps "$ID" -e -x
    assert_success
    assert_ps_table '^ +PID +TTY +STAT +TIME +COMMAND$' 1
    run ocirun ps "$ID" -ef
    assert_success
    assert_ps_table '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$' 2
    run ocirun ps "$ID" aux
    assert_success
    assert_ps_table '^USER +PID +%CPU' 2
    run ocirun ps "$ID" -o comm,pid
    assert_success
    assert_ps_table '^COMMAND +PID$' 2
    # ps options that select no process of the container: the header alone
    run ocirun ps "$ID" -p 1
    assert_success
    assert_output --regexp '^ +PID +TTY +TIME +CMD$'
}

@test "ps ID -- PS_ARGS: a -- before the ps arguments is dropped" {
    runc_differs "runc 1.1 hands the -- to ps(1), which fails on it (garbage option)"
    run_three
    run ocirun ps "$ID" -- -e -x
    assert_success
    assert_ps_table '^ +PID +TTY +STAT +TIME +COMMAND$' 1
    run ocirun ps "$ID" -- -ef
    assert_success
    assert_ps_table '^UID +PID +PPID' 2
}

@test "ps --format json ignores ps arguments, as runc" {
    run_three
    run ocirun ps --format json "$ID" -e -x
    assert_success
    assert_equal "$(jq -r 'sort | join(" ")' <<<"$output")" "$PIDS"
}

@test "ps: an -o list without a PID column, or arguments ps(1) refuses, fail with ps's message" {
    run_three
    run --separate-stderr ocirun ps "$ID" -o comm
    assert_failure
    assert_equal "$output" ""
    [[ "$stderr" == *PID* ]] || fail "stderr: $stderr"
    run --separate-stderr ocirun ps "$ID" --no-such-ps-option
    assert_failure
    assert_equal "$output" ""
    [[ "$stderr" == *"unknown gnu long option"* ]] || fail "stderr: $stderr"
}

@test "ps of a stopped container prints ps's header line only" {
    update_config '.process.args = ["true"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" stopped
    run ocirun ps "$ID"
    assert_success
    assert_output --regexp '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'
    run ocirun ps "$ID" -e -x
    assert_success
    assert_output --regexp '^ +PID +TTY +STAT +TIME +COMMAND$'
}

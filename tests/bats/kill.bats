#!/usr/bin/env bats
# kill: signal names and numbers, default SIGTERM, --all, and the errors.

load helpers

# A container whose init traps SIGTERM and SIGUSR1, recording them in /dev/shm.
run_trapper() {
    update_config '.process.args = ["sh", "-c",
        "trap \"echo usr1 >>/dev/shm/sigs\" USR1; trap \"echo term >>/dev/shm/sigs; exit 7\" TERM;
         touch /dev/shm/ready; while :; do sleep 0.05; done"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    PID=$(container_pid "$ID")
    for i in $(seq 100); do
        [ -e "/proc/$PID/root/dev/shm/ready" ] && return 0
        sleep 0.05
    done
    fail "the trapping container did not start"
}

@test "kill ID KILL / 9 / SIGKILL / kill stop a running container" {
    for sig in KILL 9 SIGKILL kill; do
        run_sleeper
        pid=$(container_pid "$ID")
        run ocirun kill "$ID" "$sig"
        assert_success
        wait_for_status "$ID" stopped
        wait_pid_gone "$pid"
        run ocirun delete "$ID"
        assert_success
    done
}

@test "kill without a signal sends SIGTERM" {
    run_trapper
    run ocirun kill "$ID"
    assert_success
    wait_for_status "$ID" stopped
}

@test "kill ID TERM / 15 / SIGTERM" {
    for sig in TERM 15 SIGTERM; do
        run_trapper
        run ocirun kill "$ID" "$sig"
        assert_success
        wait_for_status "$ID" stopped
        run ocirun delete "$ID"
        assert_success
    done
}

@test "kill ID USR1 is delivered to the init and does not stop it" {
    run_trapper
    run ocirun kill "$ID" USR1
    assert_success
    for i in $(seq 100); do
        grep -q usr1 "/proc/$PID/root/dev/shm/sigs" 2>/dev/null && break
        sleep 0.05
    done
    grep -q usr1 "/proc/$PID/root/dev/shm/sigs"
    assert_equal "$(container_status "$ID")" running
}

@test "kill of a created container" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    run ocirun kill "$ID" KILL
    assert_success
    wait_pid_gone "$pid"
    wait_for_status "$ID" stopped
}

@test "kill --all / -a kills every process of the container" {
    for opt in --all -a; do
        update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
        run ocirun run --detach --bundle "$BUNDLE" "$ID"
        assert_success
        wait_for_status "$ID" running
        # wait until the init and its two children are in the cgroup
        for i in $(seq 100); do
            [ "$(wc -l <"$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" -ge 3 ] && break
            sleep 0.05
        done
        pids=$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")
        [ "$(echo "$pids" | wc -l)" -ge 3 ]
        run ocirun kill "$opt" "$ID" KILL
        assert_success
        wait_for_status "$ID" stopped
        for p in $pids; do
            wait_pid_gone "$p" || fail "pid $p survived kill $opt"
        done
        run ocirun delete "$ID"
        assert_success
    done
}

# run_usr1_recorder: a running container whose init writes "usr1" to /dev/shm/got per SIGUSR1.
run_usr1_recorder() {
    update_config '.process.args = ["sh", "-c", "trap \"echo usr1 >>/dev/shm/got\" USR1; sleep 1000 & while :; do wait; done"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
}

# assert_usr1_recorded: the recorder's init got exactly one SIGUSR1.
assert_usr1_recorded() {
    local pid i
    pid=$(container_pid "$ID")
    for i in $(seq 100); do
        [ -s "/proc/$pid/root/dev/shm/got" ] && break
        sleep 0.05
    done
    run cat "/proc/$pid/root/dev/shm/got"
    assert_output usr1
}

@test "kill --all of a paused container signals every process and leaves it paused" {
    run_usr1_recorder
    run ocirun pause "$ID"
    assert_success
    run ocirun kill --all "$ID" USR1
    assert_success
    [ "$(container_status "$ID")" = paused ]
    run ocirun resume "$ID"
    assert_success
    assert_usr1_recorded
}

@test "kill --all with a catchable signal: frozen while signalled, running afterwards" {
    run_usr1_recorder
    run ocirun kill --all "$ID" USR1
    assert_success
    [ "$(container_status "$ID")" = running ]
    assert_usr1_recorded
}

@test "kill of a stopped container fails" {
    run_exited
    run --separate-stderr ocirun kill "$ID" KILL
    assert_failure
    [ -n "$stderr" ]
    [[ "$stderr" == *"container not running"* ]]
    assert_equal "$(container_status "$ID")" stopped
}

@test "kill of a stopped container: wording" {
    # ocirun wording
    run_exited
    run --separate-stderr ocirun kill "$ID" KILL
    assert_failure 1
    [[ "$stderr" == *"cannot kill container \"$ID\": container not running (status stopped)"* ]]
}

@test "kill with an unknown signal fails and the container keeps running" {
    run_sleeper
    for sig in NOPE SIGNOPE 0x9 -1 99999; do
        run --separate-stderr ocirun kill "$ID" "$sig"
        assert_failure
        [ -n "$stderr" ]
    done
    assert_equal "$(container_status "$ID")" running
}

@test "kill of an unknown id fails" {
    run --separate-stderr ocirun kill nosuchcontainer KILL
    assert_failure
    [ -n "$stderr" ]
}

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

# ---------------------------------------------------------------------------------------------
# Every signal, in every form runc 1.1 accepts, against a `run -d` container

# The names runc 1.1 knows (golang.org/x/sys/unix's list), by number (x86_64 numbering).
SIGNAL_NAMES=(HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT
              CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS)

# run_catch_all: a `run -d` container whose init traps every signal a (glibc) program can catch
# (1-64 but KILL, STOP and glibc's own 32 and 33), appending its number to /dev/shm/got; sets $PID.
# No command forks after the traps are set but the sleep (which never exits): no SIGCHLD of its own.
run_catch_all() {
    local traps="" s
    for s in $(seq 1 64); do
        case $s in 9 | 19 | 32 | 33) continue ;; esac
        traps+="trap 'echo $s >>/dev/shm/got' $s; "
    done
    update_config ".process.args = [\"sh\", \"-c\",
        $(json_quote "$traps sleep 1000 & : >/dev/shm/ready; while :; do wait; done")]"
    run ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    PID=$(container_pid "$ID")
    for _ in $(seq 100); do
        [ -e "/proc/$PID/root/dev/shm/ready" ] && return 0
        sleep 0.05
    done
    fail "the trapping container did not start"
}

# wait_caught N SIG: the init has caught N signals, the last one SIG.
wait_caught() {
    local n=$1 sig=$2 got=() i
    for i in $(seq 100); do
        # (the file appears with the first signal caught: until then, no error, and no errexit)
        { mapfile -t got <"/proc/$PID/root/dev/shm/got"; } 2>/dev/null || got=()
        [ "${#got[@]}" -ge "$n" ] && break
        sleep 0.02
    done
    [ "${#got[@]}" -eq "$n" ] && [ "${got[n - 1]}" = "$sig" ] ||
        fail "expected $n signals caught, the last $sig; caught: ${got[*]}"
}

@test "kill of a run -d container: every signal, by number (N, +N) and name (SIGNAME, NAME, name), reaches the init" {
    run_catch_all
    local n=0 s name form
    for s in $(seq 1 31); do
        name=${SIGNAL_NAMES[s - 1]}
        case $name in KILL | STOP) continue ;; esac
        for form in "$s" "+$s" "SIG$name" "$name" "${name,,}"; do
            run ocirun kill "$ID" "$form"
            assert_success
            n=$((n + 1))
            wait_caught "$n" "$s"
        done
    done
    # the real-time signals have no name in runc 1.1: by number
    for s in $(seq 34 64); do
        run ocirun kill "$ID" "$s"
        assert_success
        n=$((n + 1))
        wait_caught "$n" "$s"
    done
    # an empty SIGNAL is the default, SIGTERM
    run ocirun kill "$ID" ""
    assert_success
    n=$((n + 1))
    wait_caught "$n" 15
    # STOP stops the init, CONT (caught) resumes it
    for form in 19 SIGSTOP STOP stop; do
        run ocirun kill "$ID" "$form"
        assert_success
        for _ in $(seq 100); do
            [ "$(awk '/^State:/ {print $2}' "/proc/$PID/status")" = T ] && break
            sleep 0.02
        done
        assert_equal "$(awk '/^State:/ {print $2}' "/proc/$PID/status")" T
        run ocirun kill "$ID" CONT
        assert_success
        n=$((n + 1))
        wait_caught "$n" 18
    done
    assert_equal "$(container_status "$ID")" running
    run ocirun kill "$ID" SIGKILL
    assert_success
    wait_for_status "$ID" stopped
    wait_pid_gone "$PID"
}

@test "kill ID 0: a liveness check that sends nothing; fails once the container stopped" {
    run_catch_all
    for form in 0 +0 00; do
        run ocirun kill "$ID" "$form"
        assert_success
        run ocirun kill --all "$ID" "$form"
        assert_success
    done
    sleep 0.1
    [ ! -e "/proc/$PID/root/dev/shm/got" ] || fail "the init caught: $(cat "/proc/$PID/root/dev/shm/got")"
    assert_equal "$(container_status "$ID")" running
    run ocirun delete --force "$ID"
    assert_success
    # a created container
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    run ocirun kill "$ID" 0
    assert_success
    assert_equal "$(container_status "$ID")" created
    run ocirun delete --force "$ID"
    assert_success
    # a stopped one
    run_exited
    run --separate-stderr ocirun kill "$ID" 0
    assert_failure
    [[ "$stderr" == *"container not running"* ]] || fail "stderr: $stderr"
}

@test "kill --all of a stopped container exits 0, as runc" {
    run_exited
    for args in "--all $ID KILL" "-a $ID" "--all $ID 0" "-a $ID TERM"; do
        run --separate-stderr ocirun kill $args
        assert_success
        assert_equal "$stderr" ""
    done
    assert_equal "$(container_status "$ID")" stopped
    # without --all it is still an error
    run ocirun kill "$ID" KILL
    assert_failure
    run ocirun delete "$ID"
    assert_success
}

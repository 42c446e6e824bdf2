#!/usr/bin/env bats
# linux.seccomp: actions, errno values, argument conditions, ENOSYS for syscalls newer than the
# profile, flags, the notify agent hand-over, and the error paths, checked from inside containers.

load helpers

UNISTD_64=/usr/include/x86_64-linux-gnu/asm/unistd_64.h

teardown() {
    stop_agents
    common_teardown
}

# seccomp JQ_OBJECT: set linux.seccomp (and a writable rootfs, so mkdir reaches the kernel).
seccomp() {
    update_config ".root.readonly = false | .linux.seccomp = $1"
}

# Every x86_64 syscall name numbered <= MAX except those given: an allow-list for probing.
syscall_names_upto() {
    local max=$1
    shift
    awk -v max="$max" -v skip=" $* " '$1 == "#define" && $2 ~ /^__NR_/ && $3 + 0 <= max {
        sub("__NR_", "", $2); if (index(skip, " " $2 " ") == 0) print $2 }' "$UNISTD_64" | jq -R . | jq -sc .
}

# probe NR [ARGS...]: run the static syscall prober as the container's process.
probe() {
    cp "$HELPERS/syscall-probe" "$ROOTFS/probe"
    update_config ".process.args = $(printf '%s\n' /probe "$@" | jq -R . | jq -sc .)"
    run ocirun run --bundle "$BUNDLE" "$ID"
}

@test "seccomp: a denied syscall fails with the rule's errnoRet" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    run_in_container 'mkdir /tmp/x; grep -E "^Seccomp(_filters)?:" /proc/self/status; touch /tmp/y && echo touched'
    assert_success
    assert_output --partial "Invalid cross-device link"
    assert_line --regexp '^Seccomp:[[:space:]]+2$'
    assert_line --regexp '^Seccomp_filters:[[:space:]]+1$'
    assert_line touched
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet gives EPERM; defaultErrnoRet sets the default's" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run_in_container 'mkdir /tmp/x'
    assert_failure
    assert_output --partial "Operation not permitted"

    names=$(syscall_names_upto 334 getppid)
    seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5,
              \"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
    probe 110
    assert_output "errno 5"
}

@test "seccomp: syscalls newer than the profile get ENOSYS, known unlisted ones the default" {
    # Allow everything up to rseq (334) but getppid (110), deny the rest by default.
    names=$(syscall_names_upto 334 getppid)
    seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\",
              \"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
    probe 110
    assert_output "errno 1"
    probe 439          # faccessat2: newer than anything the profile names
    assert_output "errno 38"
    probe 1000         # not a syscall at all
    assert_output "errno 38"
    probe 39           # getpid: allowed
    assert_success
}

@test "seccomp: no ENOSYS stub when the default allows (unknown syscalls reach the kernel)" {
    seccomp '{"defaultAction": "SCMP_ACT_LOG", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}'
    probe 110
    assert_output "errno 1"
    probe 1000
    assert_output "errno 38"     # from the kernel itself
    probe 39
    assert_success
}

@test "seccomp: argument conditions: MASKED_EQ, and several conditions on one argument mean OR" {
    # personality(2) returns the old persona: ok for any value not matched by a rule.
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
         "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
         "args": [{"index": 1, "value": 7, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
    probe 135 0x108        # low byte 8: denied
    assert_output "errno 22"
    probe 135 0xffffffff   # the query form: low byte 0xff, allowed
    assert_success
    probe 140 0 7
    assert_output "errno 33"
    probe 140 0 9
    assert_output "errno 33"
    probe 140 0 0
    assert_success
}

@test "seccomp: SCMP_ACT_KILL_PROCESS and SCMP_ACT_TRAP end the process with SIGSYS" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
    probe 110
    assert_failure 159
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_TRAP"}]}'
    probe 110
    assert_failure 159
}

@test "seccomp: loaded without noNewPrivileges for a user without capabilities" {
    update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false |
                   .process.capabilities = {"bounding": [], "effective": [], "permitted": []}'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    run_in_container 'mkdir /tmp/x; grep -E "^(NoNewPrivs|Seccomp|CapEff):" /proc/self/status'
    assert_output --partial "Invalid cross-device link"
    assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
    assert_line --regexp '^Seccomp:[[:space:]]+2$'
    assert_line --regexp '^CapEff:[[:space:]]+0+$'
}

@test "seccomp: ... and with noNewPrivileges" {
    update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = true'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    run_in_container 'mkdir /tmp/x; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
    assert_output --partial "Invalid cross-device link"
    assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
    assert_line --regexp '^Seccomp:[[:space:]]+2$'
}

@test "seccomp: flags and architectures are accepted; syscall names unknown to libseccomp are skipped" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
              "syscalls": [{"names": ["no_such_syscall_2099", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run_in_container 'mkdir /tmp/x'
    assert_failure
    assert_output --partial "Operation not permitted"
}

@test "seccomp: the filter survives create/start (loaded before the start wait)" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    update_config '.process.args = ["sh", "-c", "mkdir /tmp/x 2> /out; sleep 1000"]'
    create_container
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    for _ in $(seq 50); do [ -s "$ROOTFS/out" ] && break; sleep 0.05; done
    run cat "$ROOTFS/out"
    assert_output --partial "Invalid cross-device link"
    run ocirun delete --force "$ID"
    assert_success
}

@test "seccomp: SCMP_ACT_NOTIFY hands the fd and the process state to the agent, which answers" {
    start_agent 123      # ENOMEDIUM
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$AGENT_DIR/sock\",
              \"listenerMetadata\": \"hello agent\",
              \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    update_config '.annotations = {"k": "v"}'
    run_in_container 'mkdir /tmp/x; echo pid=$$'
    assert_output --partial "No medium found"
    run jq -r '[.ociVersion, (.fds | join(",")), .metadata, .state.id, .state.status, .state.bundle,
                .state.annotations.k, (.pid == .state.pid)] | join(" ")' "$AGENT_DIR/state.json"
    assert_output "1.3.0 seccompFd hello agent $ID creating $BUNDLE v true"
    run grep -c '^nr=83 ' "$AGENT_DIR/notified"      # mkdir
    assert_output 1
}

@test "seccomp: an agent that is not listening fails the container, nothing left" {
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BATS_TEST_TMPDIR/nobody.sock\",
              \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    expect_run_error "linux.seccomp.listenerPath \"$BATS_TEST_TMPDIR/nobody.sock\": connect: No such file or directory"
}

@test "seccomp: configuration errors name the field, nothing left" {
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}'
    expect_run_error 'linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"'

    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL", "errnoRet": 1}]}'
    expect_run_error 'linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno'

    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 3}'
    expect_run_error 'linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno'

    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
    expect_run_error 'linux.seccomp.listenerPath: required: syscalls[0] uses SCMP_ACT_NOTIFY'

    seccomp '{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/x"}'
    expect_run_error 'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action'

    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
    expect_run_error 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV applies only to SCMP_ACT_NOTIFY rules'

    seccomp '{"defaultAction": "SCMP_ACT_DANCE"}'
    expect_run_error 'linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_DANCE"'
}

@test "seccomp: a profile that denies what the setup needs fails cleanly, nothing left" {
    # Loaded before the user switch (no noNewPrivileges, no CAP_SYS_ADMIN kept): setresuid denied.
    update_config '.process.user = {"uid": 1000, "gid": 1000} |
                   .process.capabilities = {"bounding": [], "effective": [], "permitted": []}'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setresuid"], "action": "SCMP_ACT_ERRNO"}]}'
    expect_run_error 'process.user.uid 1000: setresuid: Operation not permitted'
}

# --- SCMP_ACT_NOTIFY and the syscalls of the setup itself ------------------------------------

# notify_on NAMES_JSON NNP: notify NAMES to the agent at $AGENT_DIR/sock, process.noNewPrivileges NNP.
notify_on() {
    seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$AGENT_DIR/sock\",
              \"syscalls\": [{\"names\": $1, \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    update_config ".process.noNewPrivileges = $2"
}

# notify_starts NAMES_JSON: with NAMES notified to an agent that lets them all run, the container
# starts and runs its process, by run and by create+start, with and without noNewPrivileges; the
# agent got the listener (and the state of this container).
notify_starts() {
    local nnp how
    for nnp in false true; do
        for how in run create; do
            start_agent continue
            notify_on "$1" "$nnp"
            update_config '.process.args = ["sh", "-c", "echo ran > /out; cat /out"]'
            rm -f "$ROOTFS/out"
            if [ "$how" = run ]; then
                run ocirun run --bundle "$BUNDLE" "$ID"
                assert_success
                assert_output ran
            else
                create_container
                run ocirun start "$ID"
                assert_success
                wait_for_status "$ID" stopped
                run cat "$ROOTFS/out"
                assert_output ran
                run ocirun delete "$ID"
                assert_success
            fi
            run jq -r .state.id "$AGENT_DIR/state.json"
            assert_output "$ID"
            stop_agent
        done
    done
}

@test "seccomp notify: write is refused up front (the setup process writes after the load), nothing left" {
    start_agent continue
    notify_on '["read", "write"]' true
    expect_run_error 'SCMP_ACT_NOTIFY cannot be used for the write syscall'
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *'SCMP_ACT_NOTIFY cannot be used for the write syscall'* ]] || fail "stderr: $stderr"
    assert_no_leftovers "$ID"
}

@test "seccomp notify: execve, openat, open, read and close notified: the container starts (run, create+start, with and without noNewPrivileges)" {
    notify_starts '["execve", "openat", "open", "read", "close"]'
}

@test "seccomp notify: close notified: the container starts (the setup process drops its listener without close)" {
    notify_starts '["close"]'
}

@test "seccomp notify: exit_group notified: the container starts, and a process that cannot be executed fails cleanly" {
    notify_starts '["exit_group"]'
    # The setup process's own _exit after a failed execve goes through the agent too.
    printf '\001\002not a program\n' >"$ROOTFS/bad"
    chmod 755 "$ROOTFS/bad"
    for nnp in false true; do
        start_agent continue
        notify_on '["exit_group"]' "$nnp"
        update_config '.process.args = ["/bad"]'
        run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
        assert_failure
        [[ "$stderr" == *"exec format error"* ]] || fail "stderr: $stderr"
        assert_no_leftovers "$ID"
        stop_agent
    done
}

@test "seccomp notify: an agent that exits right after accepting: notified syscalls fail with ENOSYS, or the container fails clearly" {
    start_agent exit
    notify_on '["mkdir", "mkdirat"]' true
    run_in_container 'mkdir /tmp/x; echo "mkdir $?"'
    assert_success
    assert_output --partial "Function not implemented"
    assert_line "mkdir 1"
    stop_agent
    runc_differs "runc 1.1 hangs when its own execve, close, ... wait for an agent that is gone"
    for nnp in false true; do
        start_agent exit
        notify_on '["execve", "openat", "open", "read", "close"]' "$nnp"
        update_config '.process.args = ["true"]'
        run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
        assert_failure
        [[ "$stderr" == *"execve is under SCMP_ACT_NOTIFY and no agent holds the listener any more"*"Function not implemented"* ]] ||
            fail "stderr: $stderr"
        assert_no_leftovers "$ID"
        stop_agent
    done
}

@test "seccomp notify: an agent that never accepts (full backlog): the container fails after 10 s, nothing left" {
    runc_differs "runc 1.1 waits in connect(2) for good"
    start_agent deaf
    notify_on '["mkdir"]' true
    t0=$SECONDS
    expect_run_error "linux.seccomp.listenerPath \"$AGENT_DIR/sock\": connect: the agent did not accept the connection within 10 s"
    [ $((SECONDS - t0)) -le 15 ]
}

@test "seccomp notify: an agent that never answers: run fails after 60 s naming the syscall, nothing left" {
    runc_differs "runc 1.1 waits for the agent for good"
    start_agent stuck
    notify_on '["execve"]' true
    t0=$SECONDS
    OCIRUN_TIMEOUT=90 expect_run_error "its init (pid "
    [[ "$stderr" == *") did not exec within 60 s; it is in execve, waiting for the linux.seccomp agent (listenerPath) to answer"* ]] ||
        fail "stderr: $stderr"
    [ $((SECONDS - t0)) -le 70 ]
}

@test "seccomp notify: an agent that never answers: start fails after 10 s and kills the init" {
    runc_differs "runc 1.1 waits for the agent for good"
    start_agent stuck
    notify_on '["openat"]' true
    create_container
    t0=$SECONDS
    run --separate-stderr ocirun start "$ID"
    assert_failure
    [[ "$stderr" == *"cannot start container \"$ID\": its init (pid "*") did not go on to exec within 10 s; it is in openat, waiting for the linux.seccomp agent (listenerPath) to answer; it was killed"* ]] ||
        fail "stderr: $stderr"
    [ $((SECONDS - t0)) -le 15 ]
    wait_for_status "$ID" stopped
}

@test "seccomp notify: exec with execve, openat, read and close notified gets its process through the agent" {
    start_agent continue
    notify_on '["execve", "openat", "read", "close"]' true
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    stop_agent
    # exec hands its own listener to a new agent on the same path
    start_agent continue
    run ocirun exec "$ID" sh -c 'echo via agent'
    assert_success
    assert_output "via agent"
    run jq -r '.state.id, .state.status' "$AGENT_DIR/state.json"
    assert_output "$ID
running"
}

# ---- the cache of compiled programs (issue 19) --------------------------------------------

@test "seccomp: a compiled profile is kept under the state root and used again, for run and exec; a damaged copy is not" {
    runc_differs "runc compiles the profile at every create and exec"
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    update_config '.process.args = ["sh", "-c", "mkdir /tmp/x 2>&1; true"]'
    run --separate-stderr ocirun --debug run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" == *"seccomp compile"* ]] || fail "stderr: $stderr"
    local dir="$ROOT/seccomp@cache" file
    [ "$(stat -c %a "$dir")" = 700 ] || fail "cache directory mode $(stat -c %a "$dir")"
    file=$(ls "$dir")
    [ "$(echo "$file" | wc -l)" = 1 ] && [[ "$file" =~ ^[0-9a-f]{64}$ ]] || fail "cache: $file"
    [ "$(stat -c %a "$dir/$file")" = 600 ]
    # the same profile: the program comes from the cache, and it filters as before
    run --separate-stderr ocirun --debug run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" == *"seccomp (cached)"* ]] || fail "stderr: $stderr"
    # exec uses it too
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    run --separate-stderr ocirun --debug exec "$ID" sh -c 'mkdir /tmp/x 2>&1; true'
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" == *"seccomp (cached)"* ]] || fail "stderr: $stderr"
    run ocirun delete --force "$ID"
    # a damaged copy is compiled again, never loaded (the program would otherwise be garbage)
    printf 'x' | dd of="$dir/$file" bs=1 seek=100 conv=notrunc 2>/dev/null
    update_config '.process.args = ["sh", "-c", "mkdir /tmp/x 2>&1; true"]'
    run --separate-stderr ocirun --debug run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" == *"seccomp compile"* ]] || fail "stderr: $stderr"
    # list and state never take the cache for a container
    run ocirun list -q
    assert_success
    assert_output ""
    run ocirun state 'seccomp@cache'
    assert_failure
}

@test "seccomp: libseccomp is loaded only to compile a profile: not without one, not for a cached one" {
    runc_differs "runc links libseccomp and loads it at every start"
    # ld.so names every library it loads on stderr (LD_DEBUG=files); our own output stays apart.
    update_config '.process.args = ["true"]'
    LD_DEBUG=files run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    [[ "$stderr" == *"calling init: "*"libc.so.6"* ]] || fail "no LD_DEBUG output: $stderr"
    [[ "$stderr" != *libseccomp* ]] || fail "loaded without a profile: $stderr"
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    update_config '.process.args = ["sh", "-c", "mkdir /tmp/x 2>&1; true"]'
    LD_DEBUG=files run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" == *"libseccomp.so.2"* ]] || fail "not loaded to compile: $stderr"
    LD_DEBUG=files run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --partial "Invalid cross-device link"
    [[ "$stderr" != *libseccomp* ]] || fail "loaded for a cached profile: $stderr"
}

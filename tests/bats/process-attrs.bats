#!/usr/bin/env bats
# The container's session keyring (--no-new-keyring), process.scheduler, process.ioPriority,
# process.execCPUAffinity, and the fields that are refused rather than ignored (issue 21).

load helpers

# ---- session keyring -----------------------------------------------------------------------

@test "keyring: each container joins a session keyring of its own, named _ses.ID, not the caller's" {
    add_helper keyring
    run_sleeper
    run ocirun exec "$ID" keyring add secret s3cr3t
    assert_success
    # a second container, its bundle beside the first
    setup_bundle "$BATS_TEST_TMPDIR/b2" "$ID-b"
    add_helper keyring "$BATS_TEST_TMPDIR/b2/rootfs"
    update_config '.process.args = ["sh", "-c", "keyring show; keyring find secret; true"]' "$BATS_TEST_TMPDIR/b2"
    run ocirun run --bundle "$BATS_TEST_TMPDIR/b2" "$ID-b"
    assert_success
    assert_line --index 0 --regexp "^session [0-9]+ keyring;0;0;3f1b0000;_ses\\.$ID-b\$"
    assert_line --index 1 "errno 126"   # ENOKEY: the first container's key is not reachable
    b_serial=$(echo "${lines[0]}" | cut -d' ' -f2)
    # the first one's keyring holds the key, and it is neither the second's nor ours
    run ocirun exec "$ID" keyring find secret
    assert_success
    assert_output --regexp '^found [0-9]+$'
    run ocirun exec "$ID" keyring show
    assert_output --regexp "^session [0-9]+ keyring;0;0;3f1b0000;_ses\\.$ID\$"
    a_serial=$(echo "$output" | cut -d' ' -f2)
    host=$("$HELPERS/keyring" show | cut -d' ' -f2)
    [ "$a_serial" != "$b_serial" ] && [ "$a_serial" != "$host" ] && [ "$b_serial" != "$host" ] ||
        fail "session keyrings: first $a_serial, second $b_serial, caller's $host"
    run "$HELPERS/keyring" find secret
    assert_output "errno 126"
}

@test "keyring: exec joins the container's session keyring, also as another user" {
    add_helper keyring
    update_config '.process.args = ["sh", "-c", "keyring add from-init x; sleep 100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    # the init's key, once it is there, is found by an exec
    for _ in $(seq 50); do
        run ocirun exec "$ID" keyring find from-init
        [ "$status" -eq 0 ] && break
        sleep 0.05
    done
    assert_success
    assert_output --regexp '^found [0-9]+$'
    run ocirun exec "$ID" keyring show
    assert_success
    init_keyring=$output
    run ocirun exec --user 1000:1000 "$ID" keyring show
    assert_success
    assert_output "$init_keyring"
    run ocirun exec --user 1000:1000 "$ID" keyring find from-init
    assert_success
    assert_output --regexp '^found [0-9]+$'
}

@test "keyring: --no-new-keyring keeps the caller's session keyring (run, create, exec)" {
    add_helper keyring
    host=$("$HELPERS/keyring" show)
    update_config '.process.args = ["keyring", "show"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    [ "$output" != "$host" ] || fail "without --no-new-keyring the container has the caller's keyring: $output"
    run ocirun run --no-new-keyring --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "$host"
    update_config '.process.args = ["sleep", "100"]'
    run ocirun create --no-new-keyring --bundle "$BUNDLE" "$ID"
    assert_success
    run ocirun start "$ID"
    assert_success
    run ocirun exec "$ID" keyring show
    assert_success
    assert_output "$host"
}

@test "keyring: in a user namespace it is searchable by other (runc's permissions)" {
    add_helper keyring
    use_user_namespace
    update_config '.process.args = ["keyring", "show"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output --regexp "^session [0-9]+ keyring;0;0;3f130008;_ses\\.$ID\$"
}

# ---- process.scheduler, process.ioPriority --------------------------------------------------

@test "process.scheduler: the policy and nice value are the process's (/proc/self/stat)" {
    runc_differs "runc 1.1 ignores process.scheduler"
    update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}
                   | .process.args = ["sh", "-c", "cut -d\" \" -f19,40,41 /proc/self/stat"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "7 0 3"   # nice 7, rt_priority 0, policy 3 (SCHED_BATCH)
    # exec: its own (--process), and the init keeps its
    update_config '.process.args = ["sleep", "100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    [ "$(proc_stat_fields "$(container_pid "$ID")" 19 41)" = "7 3" ] || fail "init: $(proc_stat_fields "$(container_pid "$ID")" 19 41)"
    echo '{"args": ["sh", "-c", "cut -d\" \" -f19,41 /proc/self/stat"], "cwd": "/",
           "scheduler": {"policy": "SCHED_IDLE"}}' >"$BATS_TEST_TMPDIR/p.json"
    run ocirun exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
    assert_success
    assert_output "0 5"   # SCHED_IDLE
}

@test "process.scheduler: fields the policy does not take, and a value the kernel refuses, fail create" {
    runc_differs "runc 1.1 ignores process.scheduler"
    update_config '.process.scheduler = {"policy": "SCHED_OTHER", "priority": 5}'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not SCHED_OTHER'
    update_config '.process.scheduler = {"policy": "SCHED_RR", "runtime": 1000}'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only, not SCHED_RR'
    # real-time priorities are 1..99: sched_setattr says EINVAL in the init
    update_config '.process.scheduler = {"policy": "SCHED_FIFO"}'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: process.scheduler (policy SCHED_FIFO, nice 0, priority 0): sched_setattr: Invalid argument'
}

@test "process.ioPriority: the class and priority are the process's (ioprio_get)" {
    runc_differs "runc 1.1 ignores process.ioPriority"
    add_helper syscall-probe
    # ioprio_get(IOPRIO_WHO_PROCESS, 0): class << 13 | priority
    update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 7}
                   | .process.args = ["syscall-probe", "252", "1", "0"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output "ok $((2 << 13 | 7))"
    update_config '.process.args = ["sleep", "100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    echo '{"args": ["syscall-probe", "252", "1", "0"], "cwd": "/",
           "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 0}}' >"$BATS_TEST_TMPDIR/p.json"
    run ocirun exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
    assert_success
    assert_output "ok $((3 << 13))"
    run ocirun exec "$ID" syscall-probe 252 1 0
    assert_output "ok $((2 << 13 | 7))"
}

# ---- process.execCPUAffinity ----------------------------------------------------------------

@test "process.execCPUAffinity: an exec runs on final, the runtime on initial until then; the init keeps its CPUs" {
    runc_differs "runc 1.1 ignores process.execCPUAffinity"
    [ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
    all=$(cpus_allowed $$)
    update_config '.process.execCPUAffinity = {"initial": "0", "final": "1"} | .process.args = ["sleep", "100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    [ "$(cpus_allowed "$(container_pid "$ID")")" = "$all" ] || fail "init on $(cpus_allowed "$(container_pid "$ID")")"
    run ocirun exec "$ID" grep Cpus_allowed_list /proc/self/status
    assert_success
    assert_output $'Cpus_allowed_list:\t1'
    # the runtime itself, while it waits for its process (a foreground exec)
    bg_ocirun exec "$ID" sleep 2
    sleep 0.5
    rt_cpus=$(cpus_allowed "$BG_PID")
    wait_bg
    [ "$rt_cpus" = 0 ] || fail "runtime on $rt_cpus"
    # initial alone: the process gets the container's CPUs back, not initial's
    echo '{"args": ["grep", "Cpus_allowed_list", "/proc/self/status"], "cwd": "/",
           "execCPUAffinity": {"initial": "1"}}' >"$BATS_TEST_TMPDIR/p.json"
    run ocirun exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
    assert_success
    assert_output "Cpus_allowed_list:"$'\t'"$all"
}

@test "process.execCPUAffinity: a malformed list fails create, a CPU the host lacks fails exec" {
    runc_differs "runc 1.1 ignores process.execCPUAffinity"
    update_config '.process.execCPUAffinity = {"final": "3-1"}'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: process.execCPUAffinity.final: invalid CPU list "3-1" (expected CPU numbers and low-high ranges below 1024, comma-separated, e.g. "0-3,7")'
    update_config '.process.execCPUAffinity = {"final": "1023"} | .process.args = ["sleep", "100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    run --separate-stderr ocirun exec "$ID" true
    assert_failure
    assert_equal "$stderr" 'ocirun: exec failed: process.execCPUAffinity.final "1023": sched_setaffinity: Invalid argument'
}

# ---- fields refused rather than ignored -----------------------------------------------------

@test "linux.uidMappings without a user namespace is refused" {
    runc_differs "runc 1.1 ignores id mappings without a user namespace (its validator never sees them)"
    update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: linux.uidMappings: id mappings are set, but linux.namespaces has no user namespace'
}

@test "linux.timeOffsets without a new time namespace is refused" {
    runc_differs "runc 1.1 knows no time namespace and ignores linux.timeOffsets"
    update_config '.linux.timeOffsets = {"boottime": {"secs": 3600}}'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: linux.timeOffsets: time offsets are set, but linux.namespaces has no time namespace'
    update_config '.linux.namespaces += [{"type": "time", "path": "/proc/self/ns/time"}]'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: linux.timeOffsets: the time namespace is joined (path "/proc/self/ns/time"): its offsets are set already, only a new one takes them'
}

@test "process.commandLine and process.user.username (Windows only) are refused" {
    runc_differs "runc ignores the Windows-only fields"
    update_config '.process.commandLine = "cmd.exe /c dir"'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: process.commandLine: is for Windows containers (a Linux process runs args)'
    update_config 'del(.process.commandLine) | .process.user.username = "ContainerUser"'
    expect_create_failure
    assert_equal "$stderr" 'ocirun: config.json: process.user.username: is for Windows containers (a Linux process runs as uid and gid)'
    update_config '.process.user.username = "" | .process.commandLine = "" | .process.args = ["true"]'
    run ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
}

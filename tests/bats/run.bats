#!/usr/bin/env bats
# `run`: stdio pass-through, exit status, signals, --detach, --keep, --pid-file, cleanup.

load helpers

@test "run: stdout and stderr of the process pass through" {
    update_config '.process.args = ["sh", "-c", "echo to-out; echo to-err >&2"]'
    run --separate-stderr ocirun run --bundle "$BUNDLE" "$ID"
    assert_success
    assert_output to-out
    assert_equal "$stderr" to-err
}

@test "run: exit status of the process is returned" {
    run_in_container 'exit 3'
    assert_failure 3
}

@test "run: exit status 0" {
    run_in_container 'true'
    assert_success
}

@test "run: killed by a signal -> 128+N (self SIGKILL without a pid namespace)" {
    # PID 1 of a pid namespace cannot SIGKILL itself, so run this one in the host pid namespace.
    update_config '.linux.namespaces |= map(select(.type != "pid"))'
    run_in_container 'kill -9 $$'
    assert_failure 137
}

@test "run: killed by ocirun kill -> 137" {
    update_config '.process.args = ["sleep", "1000"]'
    ocirun run --bundle "$BUNDLE" "$ID" &
    bgpid=$!
    wait_for_status "$ID" running
    run ocirun kill "$ID" KILL
    assert_success
    rc=0
    wait "$bgpid" || rc=$?
    assert_equal "$rc" 137
}

@test "run: the container is deleted after the process exits" {
    run_in_container 'exit 0'
    assert_success
    assert_no_leftovers "$ID"
    run ocirun list -q
    refute_output --partial "$ID"
}

@test "run: the container is deleted after a failing process too" {
    run_in_container 'exit 5'
    assert_failure 5
    assert_no_leftovers "$ID"
}

@test "run --keep: the stopped container stays until delete" {
    update_config '.process.args = ["sh", "-c", "exit 4"]'
    run ocirun run --keep --bundle "$BUNDLE" "$ID"
    assert_failure 4
    assert_equal "$(container_status "$ID")" stopped
    run ocirun delete "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "run --detach: returns at once, container running, pid-file holds the init pid" {
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun run --detach --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
    pid=$(container_pid "$ID")
    [ "$pid" -gt 0 ]
    assert_equal "$(cat "$BATS_TEST_TMPDIR/pid")" "$pid"
    pid_alive "$pid"
    # the pid is the container's init: its command line is the process args
    assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
}

@test "run -d: short option" {
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" running
}

@test "run --pid-file (foreground) writes the init pid" {
    update_config '.process.args = ["true"]'
    run ocirun run --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID"
    assert_success
    [ -s "$BATS_TEST_TMPDIR/pid" ]
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" -gt 0 ]
}

@test "run: bundle defaults to the cwd" {
    update_config '.process.args = ["echo", "from-cwd"]'
    cd "$BUNDLE"
    run ocirun run "$ID"
    assert_success
    assert_output from-cwd
}

@test "run: a detached container that exits becomes stopped" {
    update_config '.process.args = ["true"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" stopped
    run ocirun delete "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "run --preserve-fds 1: fd 3 is passed to the process" {
    echo preserved >"$BATS_TEST_TMPDIR/fd3"
    update_config '.process.args = ["sh", "-c", "cat <&3"]'
    run timeout 60 "$OCIRUN" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
        </dev/null 3<"$BATS_TEST_TMPDIR/fd3"
    assert_success
    assert_output preserved
}

@test "run: without --preserve-fds no extra fd reaches the process" {
    update_config '.process.args = ["sh", "-c", "ls /proc/$$/fd; true"]'
    run timeout 60 "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
        </dev/null 3<"$BUNDLE/config.json" 7<"$BUNDLE/config.json"
    assert_success
    assert_equal "$(echo $output)" "0 1 2"
}

@test "run: a process.user of another uid can reopen its stdio pipes (given to it, as runc)" {
    update_config '.process.user = {uid: 1000, gid: 1000}
                   | .process.args = ["sh", "-c", "cat /dev/stdin; echo out >/dev/stdout; echo err >/dev/stderr"]'
    run timeout 60 "$OCIRUN" --root "$ROOT" run --bundle "$BUNDLE" "$ID" < <(echo in)
    assert_success
    assert_line in
    assert_line out
    assert_line err
}

#!/usr/bin/env bats
# process.terminal: a pty of the container's devpts, /dev/console, --console-socket, the foreground relay.

load helpers

# with_terminal CMD: the bundle's process is `sh -c CMD` on a terminal.
with_terminal() {
    update_config ".process.terminal = true | .process.args = [\"sh\", \"-c\", $(json_quote "$1")]"
}

@test "run in the foreground: the process has a terminal on stdio and /dev/console" {
    with_terminal 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; stat -c "%t %F" /dev/console; readlink /proc/self/fd/0'
    run ocirun_fg run --bundle "$BUNDLE" "$ID" </dev/null
    assert_success
    assert_line --index 0 /dev/pts/0
    assert_line --index 1 all-tty
    # 0x88 = 136, the major of Unix98 pty slaves
    assert_line --index 2 "88 character special file"
    assert_line --index 3 /dev/pts/0
}

@test "run in the foreground: our stdin reaches the process, its exit status is ours" {
    update_config '.process.terminal = true | .process.args = ["sh"]'
    run ocirun_fg run --bundle "$BUNDLE" "$ID" < <(printf 'echo out-$((40+2))\nexit 7\n')
    assert_failure 7
    assert_line out-42
}

@test "process.consoleSize sets the terminal's size" {
    with_terminal 'stty size'
    update_config '.process.consoleSize = {"height": 40, "width": 100}'
    run ocirun_fg run --bundle "$BUNDLE" "$ID" </dev/null
    assert_success
    assert_output "40 100"
}

@test "run on a terminal: the caller's window size is copied and its mode restored" {
    with_terminal 'stty size'
    run script -qec "stty rows 33 cols 99; stty -g >$BATS_TEST_TMPDIR/before; $OCIRUN --root $ROOT run --bundle $BUNDLE $ID; stty -g >$BATS_TEST_TMPDIR/after" /dev/null </dev/null
    assert_success
    assert_output --partial "33 99"
    [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ]
}

@test "create --console-socket: the terminal master goes to the socket, the process writes to it" {
    with_terminal 'tty; read line; echo "got $line"'
    start_recvtty $'hello\n'
    create_container "$ID" --console-socket "$SOCK"
    run ocirun start "$ID"
    assert_success
    wait_recvtty >"$BATS_TEST_TMPDIR/tty.txt"
    run cat "$BATS_TEST_TMPDIR/tty.txt"
    assert_line /dev/pts/0
    assert_line "got hello"
}

@test "run --detach --console-socket works like create" {
    with_terminal 'tty'
    start_recvtty
    run ocirun run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
    assert_success
    wait_recvtty >"$BATS_TEST_TMPDIR/tty.txt"
    run cat "$BATS_TEST_TMPDIR/tty.txt"
    assert_output /dev/pts/0
}

@test "the terminal belongs to the process's user" {
    with_terminal 'stat -c "%u %g" "$(tty)"'
    update_config '.process.user = {"uid": 1000, "gid": 1000}'
    run ocirun_fg run --bundle "$BUNDLE" "$ID" </dev/null
    assert_success
    # the group stays devpts's gid=5 option (tty), as on a host
    assert_output "1000 5"
}

@test "create with process.terminal but no --console-socket is an error, nothing left" {
    with_terminal 'true'
    run --separate-stderr ocirun create --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *'process.terminal is true: --console-socket is required'* ]] || fail "unexpected error: $stderr"
    assert_no_leftovers "$ID"
}

@test "run --detach with process.terminal but no --console-socket is an error" {
    with_terminal 'true'
    run --separate-stderr ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *'--console-socket is required'* ]] || fail "unexpected error: $stderr"
    assert_no_leftovers "$ID"
}

@test "--console-socket without process.terminal is an error" {
    run --separate-stderr ocirun create --console-socket "$BATS_TEST_TMPDIR/none.sock" --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *'process.terminal is false'* ]] || fail "unexpected error: $stderr"
    assert_no_leftovers "$ID"
}

@test "a console socket nobody listens on fails create, nothing left" {
    with_terminal 'true'
    run --separate-stderr ocirun create --console-socket "$BATS_TEST_TMPDIR/none.sock" --bundle "$BUNDLE" "$ID"
    assert_failure
    [[ "$stderr" == *"--console-socket \"$BATS_TEST_TMPDIR/none.sock\": connect: No such file or directory"* ]] || fail "unexpected error: $stderr"
    assert_no_leftovers "$ID"
}

@test "a terminal without a devpts at /dev/pts is an error naming it, nothing left" {
    with_terminal 'true'
    update_config '.mounts |= map(select(.destination != "/dev/pts"))'
    expect_run_error 'process.terminal: open /dev/pts/ptmx'
}

@test "a terminal in a new user namespace (devpts of the container, uid mapped)" {
    make_bundle_path_searchable
    update_config '.linux.namespaces += [{type: "user"}]
                   | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .process.user = {"uid": 1000, "gid": 1000}'
    with_terminal 'tty; stat -c "%u" "$(tty)"; id -u'
    run ocirun_fg run --bundle "$BUNDLE" "$ID" </dev/null
    assert_success
    assert_output $'/dev/pts/0\n1000\n1000'
}

#!/usr/bin/env bats
# NOTIFY_SOCKET (podman --sdnotify=container, systemd units): the container's socket at
# /run/notify/notify.sock, its READY relayed to the caller's socket with MAINPID, as runc does.

load helpers

setup() {
    common_setup
    LISTENER_PID=
    add_helper sdnotify
}

teardown() {
    stop_notify_listener
    common_teardown
}

# now_ms: a millisecond clock for "it waited" checks.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

@test "NOTIFY_SOCKET: run --detach binds the socket into the container and returns once READY is relayed" {
    start_notify_listener
    update_config '.process.env += ["NOTIFY_SOCKET=/elsewhere"]
                   | .process.args = ["sh", "-c", "sleep 1; sdnotify send READY=1; sleep 100"]'
    t0=$(now_ms)
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    [ $(($(now_ms) - t0)) -ge 1000 ] || fail "run --detach returned before the container's READY"
    init=$(container_pid "$ID")
    run wait_notify_lines 2
    assert_output "READY=1
MAINPID=$init"
    # the process's NOTIFY_SOCKET is the container's (the config's own is replaced)
    run grep -c '^NOTIFY_SOCKET=' <(tr '\0' '\n' <"/proc/$init/environ")
    assert_output 1
    run grep '^NOTIFY_SOCKET=' <(tr '\0' '\n' <"/proc/$init/environ")
    assert_output "NOTIFY_SOCKET=/run/notify/notify.sock"
    run ocirun exec "$ID" sh -c 'stat -c "%A %n" /run/notify/notify.sock; grep " /run/notify " /proc/self/mountinfo'
    assert_success
    assert_line --index 0 "srwxrwxrwx /run/notify/notify.sock"
    assert_line --index 1 --regexp " /run/notify ro,nosuid,nodev,noexec"
}

@test "NOTIFY_SOCKET: create + start; start returns once READY is relayed, MAINPID is the init" {
    start_notify_listener
    update_config '.process.args = ["sh", "-c", "sleep 1; sdnotify send READY=1; sleep 100"]'
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun create --bundle "$BUNDLE" "$ID"
    assert_success
    [ -d "$ROOT/$ID/notify" ] || fail "no notify directory in the state"
    t0=$(now_ms)
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun start "$ID"
    assert_success
    [ $(($(now_ms) - t0)) -ge 1000 ] || fail "start returned before the container's READY"
    run wait_notify_lines 2
    assert_output "READY=1
MAINPID=$(container_pid "$ID")"
}

@test "NOTIFY_SOCKET: run in the foreground relays READY with its own pid as MAINPID" {
    start_notify_listener
    update_config '.process.args = ["sh", "-c", "sdnotify send READY=1; sleep 0.5"]'
    NOTIFY_SOCKET=$NOTIFY_SOCK bg_ocirun run --bundle "$BUNDLE" "$ID"
    wait_bg
    run wait_notify_lines 2
    assert_output "READY=1
MAINPID=$BG_PID"
}

@test "NOTIFY_SOCKET: an abstract socket (@name) gets READY too" {
    start_notify_listener "@ocirun-bats-$ID"
    update_config '.process.args = ["sh", "-c", "sdnotify send READY=1; sleep 100"]'
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    run wait_notify_lines 2
    assert_output "READY=1
MAINPID=$(container_pid "$ID")"
}

@test "NOTIFY_SOCKET: the READY line of a datagram with several lines is relayed, later ones are not" {
    runc_differs "runc relays a datagram only when it starts with READY="
    start_notify_listener
    update_config '.process.args = ["sh", "-c", "sdnotify send \"STATUS=up\nREADY=1\"; sdnotify send WATCHDOG=1; sleep 100"]'
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    sleep 0.2
    run wait_notify_lines 2
    assert_output "READY=1
MAINPID=$(container_pid "$ID")"
}

@test "NOTIFY_SOCKET: a container that exits without READY does not hold run --detach" {
    runc_differs "runc 1.1 waits forever: it watches /proc/PID of the init, its own child that it never reaps"
    start_notify_listener
    update_config '.process.args = ["true"]'
    NOTIFY_SOCKET=$NOTIFY_SOCK run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    [ -S "$ROOT/$ID/notify/notify.sock" ] || fail "the container had no notify socket"
    sleep 0.2
    run cat "$NOTIFY_OUT"
    assert_output ""
}

@test "NOTIFY_SOCKET: start of a container created without it fails and leaves it created" {
    start_notify_listener
    update_config '.process.args = ["sleep", "100"]'
    run ocirun create --bundle "$BUNDLE" "$ID"
    assert_success
    NOTIFY_SOCKET=$NOTIFY_SOCK run --separate-stderr ocirun start "$ID"
    assert_failure
    is_runc || assert_equal "$stderr" "ocirun: cannot start container \"$ID\": NOTIFY_SOCKET is set, but the container was created without it (it has no notify socket directory): No such file or directory"
    [ "$(container_status "$ID")" = created ] || fail "status $(container_status "$ID")"
    run ocirun start "$ID"
    assert_success
}

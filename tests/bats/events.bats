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

# elapsed_since T0: seconds (with decimals) since $EPOCHREALTIME was T0.
elapsed_since() {
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}

# less_than A B: A < B for decimals.
less_than() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

@test "events: an OOM kill is reported at once, not at the next interval" {
    [ "$(stat -fc %T /sys/fs/cgroup/memory 2>/dev/null)" = cgroupfs ] || [ -e "$CG_MOUNT/cgroup.controllers" ]
    # On v1 the kernel signals the OOM before its killer has picked (and counted) a victim:
    # a count read at that moment misses the kill; the more tasks it chooses from, the surer.
    update_config '.linux.resources = {"memory": {"limit": 33554432, "swap": 33554432}} |
                   .process.args = ["sh", "-c", "i=0; while [ $i -lt 50 ]; do sleep 1000 & i=$((i + 1)); done;
                                     sleep 1; dd if=/dev/zero of=/dev/null bs=128M count=1; sleep 1000"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    t0=$EPOCHREALTIME
    timeout 20 "$OCIRUN" --root "$ROOT" events --interval 1h "$ID" >"$BATS_TEST_TMPDIR/events" 3>&- &
    ev=$!
    for _ in $(seq 70); do
        grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events" && break
        sleep 0.05
    done
    took=$(elapsed_since "$t0")
    kill "$ev"
    wait "$ev" || true
    run cat "$BATS_TEST_TMPDIR/events"
    assert_line --regexp "^\{\"type\":\"oom\",\"id\":\"$ID\"\}$"
    less_than "$took" 3 || fail "the oom event came after ${took}s (the kill was at about 1s)"
}

@test "events: stats on time with --interval 100ms, 1s and the default 5s; it ends with the container, even when its reader stopped reading" {
    runc_differs "runc 1.1's events does not end when the container does (it logs errors until killed)"
    # 100ms for 1.2 s: about 12 stats, and the end right after the container's
    update_config '.process.args = ["sleep", "1.2"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    t0=$EPOCHREALTIME
    run ocirun events --interval 100ms "$ID"
    took=$(elapsed_since "$t0")
    assert_success
    n=$(grep -c '"type":"stats"' <<<"$output")
    [ "$n" -ge 9 ] && [ "$n" -le 13 ] || fail "$n stats events in ${took}s at 100ms"
    less_than "$took" 2 || fail "events ended ${took}s after the start of a 1.2s container"
    run ocirun delete "$ID"
    assert_success

    # 1s for 2.5 s: two stats
    update_config '.process.args = ["sleep", "2.5"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    run ocirun events --interval 1s "$ID"
    assert_success
    assert_equal "$(grep -c '"type":"stats"' <<<"$output")" 2
    run ocirun delete "$ID"
    assert_success

    # the default 5s, a container of 1 s: no stats yet, and no waiting for the next one
    update_config '.process.args = ["sleep", "1"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    t0=$EPOCHREALTIME
    run ocirun events "$ID"
    took=$(elapsed_since "$t0")
    assert_success
    assert_output ""
    less_than "$took" 2 || fail "events ended ${took}s after the start of a 1s container"
    run ocirun delete "$ID"
    assert_success

    # a reader that keeps the pipe open but never reads: the pipe fills up, and events must
    # still end (at most a second after the container)
    update_config '.process.args = ["sleep", "1.5"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    mkfifo "$BATS_TEST_TMPDIR/pipe"
    timeout 20 sleep 15 <"$BATS_TEST_TMPDIR/pipe" 3>&- &
    reader=$!
    t0=$EPOCHREALTIME
    rc=0
    timeout 20 "$OCIRUN" --root "$ROOT" events --interval 1ms "$ID" >"$BATS_TEST_TMPDIR/pipe" \
        2>"$BATS_TEST_TMPDIR/err" 3>&- || rc=$?
    took=$(elapsed_since "$t0")
    kill "$reader"
    wait "$reader" || true
    assert_equal "$rc" 1
    run cat "$BATS_TEST_TMPDIR/err"
    assert_output --partial "the container exited and standard output took nothing for 1000 ms"
    less_than "$took" 4 || fail "events ended ${took}s after the start of a 1.5s container"
}

@test "events: SIGINT and SIGTERM end it even when its caller ignores them, and so does a closed stdout" {
    runc_differs "runc 1.1's events keeps the signals its caller ignores, and outlives a closed stdout until its next write"
    run_sleeper
    for sig in INT TERM; do
        # a background job of a shell ignores SIGINT; a caller may ignore SIGTERM as well (no
        # timeout(1) in between: it would catch them and give events default ones; bounded below)
        (trap '' INT TERM; exec "$OCIRUN" --root "$ROOT" events "$ID" >/dev/null 2>&1 3>&-) &
        ev=$!
        sleep 0.3
        kill -"$sig" "$ev"
        wait_pid_gone "$ev" 2 || { kill -9 "$ev"; fail "events survived SIG$sig"; }
        wait "$ev" || true
    done
    # the reader goes away: events ends at once, not at its next write (5 s away)
    t0=$EPOCHREALTIME
    timeout 20 "$OCIRUN" --root "$ROOT" events "$ID" 2>/dev/null 3>&- | true
    rc=${PIPESTATUS[0]}
    took=$(elapsed_since "$t0")
    [ "$rc" -ne 124 ] || fail "events outlived its reader"
    less_than "$took" 2 || fail "events ended ${took}s after its reader"
    run pgrep -f "events $ID"
    assert_failure
}

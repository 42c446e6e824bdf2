#!/usr/bin/env bats
# Lifecycle: create -> start -> stopped -> delete, the state JSON, and misuse of start/delete/state.

load helpers

@test "create: status created, init pid alive, state dir and exec.fifo exist" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" created
    pid=$(jq -r .pid <<<"$output")
    [ "$pid" -gt 0 ]
    pid_alive "$pid"
    [ -d "$ROOT/$ID" ]
    [ -p "$ROOT/$ID/exec.fifo" ]
}

@test "state: JSON fields (ociVersion, id, pid, status, bundle, rootfs, created)" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    run ocirun state "$ID"
    assert_success
    jq -e . <<<"$output" >/dev/null
    assert_equal "$(jq -r .id <<<"$output")" "$ID"
    assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
    assert_equal "$(jq -r .rootfs <<<"$output")" "$ROOTFS"
    assert_equal "$(jq -r '.ociVersion | type' <<<"$output")" string
    [ -n "$(jq -r .ociVersion <<<"$output")" ]
    # created is RFC 3339
    jq -r .created <<<"$output" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
    assert_equal "$(jq -r '.pid | type' <<<"$output")" number
}

@test "state: ociVersion 1.3.0 and annotations from config.json" {
    # ocirun behaviour: runc 1.1 reports its own spec version (1.0.2-dev)
    update_config '.process.args = ["sleep", "1000"] | .annotations = {"org.example.key": "v1"}'
    create_container
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .ociVersion <<<"$output")" 1.3.0
    assert_equal "$(jq -r '.annotations["org.example.key"]' <<<"$output")" v1
}

@test "start: created -> running, exec.fifo removed" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    assert_equal "$(container_pid "$ID")" "$pid"
    [ ! -e "$ROOT/$ID/exec.fifo" ]
}

@test "the user process runs only after start" {
    # The process would create /dev/shm/started; before start it must not exist.
    update_config '.process.args = ["sh", "-c", "touch /dev/shm/started; sleep 1000"]'
    create_container
    pid=$(container_pid "$ID")
    sleep 0.2
    [ ! -e "/proc/$pid/root/dev/shm/started" ]
    run ocirun start "$ID"
    assert_success
    for i in $(seq 50); do
        [ -e "/proc/$pid/root/dev/shm/started" ] && break
        sleep 0.05
    done
    [ -e "/proc/$pid/root/dev/shm/started" ]
}

@test "process exit -> status stopped, pid 0" {
    update_config '.process.args = ["true"]'
    create_container
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" stopped
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .pid <<<"$output")" 0
}

@test "delete: removes the state dir and the cgroup of a stopped container" {
    update_config '.process.args = ["true"]'
    create_container
    [ -d "$CG_MOUNT$CG_PARENT/$ID" ]
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" stopped
    run ocirun delete "$ID"
    assert_success
    assert_no_leftovers "$ID"
    run ocirun state "$ID"
    assert_failure
}

@test "create with --pid-file writes the init pid" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container "$ID" --pid-file "$BATS_TEST_TMPDIR/pid"
    [ -s "$BATS_TEST_TMPDIR/pid" ]
    assert_equal "$(cat "$BATS_TEST_TMPDIR/pid")" "$(container_pid "$ID")"
}

@test "create: --bundle=DIR form and -b short option" {
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun create --bundle="$BUNDLE" "$ID"
    assert_success
    run ocirun create -b "$BUNDLE" "$ID-b"
    assert_success
    assert_equal "$(container_status "$ID")" created
    assert_equal "$(container_status "$ID-b")" created
}

@test "create: options after the container id" {
    update_config '.process.args = ["sleep", "1000"]'
    run ocirun create "$ID" --bundle "$BUNDLE"
    assert_success
    assert_equal "$(container_status "$ID")" created
}

@test "create: bundle defaults to the cwd, relative bundle made absolute" {
    update_config '.process.args = ["sleep", "1000"]'
    (cd "$BUNDLE" && ocirun create "$ID")
    assert_equal "$(ocirun state "$ID" | jq -r .bundle)" "$BUNDLE"
    (cd "$BATS_TEST_TMPDIR" && ocirun create --bundle bundle "$ID-rel")
    assert_equal "$(ocirun state "$ID-rel" | jq -r .bundle)" "$BUNDLE"
}

@test "root.path may be absolute" {
    update_config ".root.path = \"$ROOTFS\""
    run_in_container 'echo ok'
    assert_success
    assert_output ok
}

@test "start of a running container fails and it keeps running" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun start "$ID"
    assert_failure
    [ -n "$output" ]
    assert_equal "$(container_status "$ID")" running
    pid_alive "$pid"
}

@test "start of a running container: wording" {
    # ocirun wording
    run_sleeper
    run ocirun start "$ID"
    assert_failure
    assert_output --partial "cannot start container \"$ID\": container is running (not created)"
}

@test "start of a stopped container fails" {
    update_config '.process.args = ["true"]'
    create_container
    ocirun start "$ID"
    wait_for_status "$ID" stopped
    run ocirun start "$ID"
    assert_failure
    [ -n "$output" ]
    assert_equal "$(container_status "$ID")" stopped
}

@test "start of a stopped container: wording" {
    # ocirun wording
    update_config '.process.args = ["true"]'
    create_container
    ocirun start "$ID"
    wait_for_status "$ID" stopped
    run ocirun start "$ID"
    assert_failure
    assert_output --partial "cannot start container \"$ID\": container is stopped (not created)"
}

@test "delete of a running container without --force fails, it keeps running" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun delete "$ID"
    assert_failure
    [ -n "$output" ]
    assert_equal "$(container_status "$ID")" running
    pid_alive "$pid"
    [ -d "$ROOT/$ID" ]
    [ -d "$CG_MOUNT$CG_PARENT/$ID" ]
}

@test "delete of a running container: wording" {
    # ocirun wording
    run_sleeper
    run ocirun delete "$ID"
    assert_failure
    assert_output --partial "cannot delete container \"$ID\" that is not stopped (status running; use --force)"
}

@test "delete of a created container without --force fails" {
    # ocirun behaviour: runc deletes a created container on plain delete (the spec says only
    # stopped containers may be deleted)
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    run ocirun delete "$ID"
    assert_failure
    assert_output --partial "cannot delete container \"$ID\" that is not stopped (status created; use --force)"
    assert_equal "$(container_status "$ID")" created
    pid_alive "$pid"
}

@test "delete --force of a running container kills it and cleans up" {
    run_sleeper
    pid=$(container_pid "$ID")
    run ocirun delete --force "$ID"
    assert_success
    wait_pid_gone "$pid"
    assert_no_leftovers "$ID"
}

@test "delete -f of a created container kills it and cleans up" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    pid=$(container_pid "$ID")
    run ocirun delete -f "$ID"
    assert_success
    wait_pid_gone "$pid"
    assert_no_leftovers "$ID"
}

@test "delete --force of a stopped container" {
    update_config '.process.args = ["true"]'
    create_container
    ocirun start "$ID"
    wait_for_status "$ID" stopped
    run ocirun delete --force "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "delete --force of an unknown id succeeds (engines delete twice)" {
    # containerd's shim always runs a second `delete --force` after the container is gone;
    # like runc, that must exit 0. A leftover directory without state.json is removed.
    run ocirun delete --force nosuchcontainer
    assert_success
    mkdir -p "$ROOT/halfmade"
    run ocirun delete --force halfmade
    assert_success
    [ ! -e "$ROOT/halfmade" ]
    run ocirun delete --force "../escape"
    assert_failure
}

@test "delete of an unknown id fails" {
    run ocirun delete nosuchcontainer
    assert_failure
    [ -n "$output" ]
}

@test "state of an unknown id fails" {
    run ocirun state nosuchcontainer
    assert_failure
    [ -n "$output" ]
}

@test "start of an unknown id fails" {
    run ocirun start nosuchcontainer
    assert_failure
    [ -n "$output" ]
}

@test "unknown id: wording for state, start, kill, delete" {
    # ocirun wording
    for cmd in state start kill delete; do
        run ocirun "$cmd" nosuchcontainer
        assert_failure 1
        assert_output --partial 'container "nosuchcontainer" does not exist'
    done
}

@test "two containers in one root are independent" {
    setup_bundle "$BATS_TEST_TMPDIR/bundle2" "$ID-2"
    run_sleeper "$ID"
    run_sleeper "$ID-2" "$BATS_TEST_TMPDIR/bundle2"
    run ocirun delete --force "$ID"
    assert_success
    assert_equal "$(container_status "$ID-2")" running
}

@test "create + start work for a non-root process user without capabilities" {
    # the init opens exec.fifo after dropping to the user: the fifo must let it write
    update_config '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []} | .process.args = ["sleep", "1000"]'
    create_container
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    pid=$(container_pid "$ID")
    run grep -E '^Uid:' "/proc/$pid/status"
    assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
}

@test "start succeeds even when the process has exited (and been reaped) before start looks" {
    # `true` often finishes between start opening the fifo and start looking at the init
    update_config '.process.args = ["true"]'
    for i in $(seq 12); do
        run ocirun create --bundle "$BUNDLE" "$ID-$i"
        assert_success
        run ocirun start "$ID-$i"
        assert_success
        run ocirun delete --force "$ID-$i"
        assert_success
    done
}

@test "a command that waits for another's lock on the container gives up after 30 s, naming the holder" {
    runc_differs "runc takes no lock across processes"
    run_sleeper
    # what a stuck ocirun would do: hold the state directory's flock
    timeout 60 flock --exclusive "$ROOT/$ID" sleep 45 3>&- &
    holder=$!
    for _ in $(seq 100); do flock --nonblock --shared "$ROOT/$ID" true || break; sleep 0.02; done
    t0=$SECONDS
    run --separate-stderr ocirun kill "$ID" KILL
    took=$((SECONDS - t0))
    kill "$holder"
    wait "$holder" || true
    assert_failure 1
    [ "$took" -ge 29 ] && [ "$took" -le 35 ] || fail "kill gave up after ${took}s"
    [[ "$stderr" == *"container \"$ID\": another ocirun still holds the lock on $ROOT/$ID after 30 s, held by pid "*"(flock --exclusive $ROOT/$ID sleep 45)"* ]] ||
        fail "stderr: $stderr"
    assert_equal "$(container_status "$ID")" running
}

@test "the state directory keeps config.json as create read it (0600) for exec; delete removes it" {
    runc_differs "runc keeps the configuration in state.json"
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    cmp "$ROOT/$ID/config.json" "$BUNDLE/config.json"
    assert_equal "$(stat -c %a "$ROOT/$ID/config.json")" 600
    cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/created.json"
    update_config '.process.args = ["sleep", "999"]'
    run ocirun start "$ID"
    assert_success
    cmp "$ROOT/$ID/config.json" "$BATS_TEST_TMPDIR/created.json"
    run ocirun delete --force "$ID"
    assert_success
    [ ! -e "$ROOT/$ID" ]
    # run (whose init may share our memory) saves it too
    run ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    cmp "$ROOT/$ID/config.json" "$BUNDLE/config.json"
}

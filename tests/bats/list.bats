#!/usr/bin/env bats
# list: table, --format json, --quiet.

load helpers

@test "list: empty root prints only the table header" {
    run ocirun list
    assert_success
    assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
    run ocirun list -q
    assert_success
    assert_output ""
}

@test "list --format json: empty root prints []" {
    # ocirun behaviour: runc prints null
    run ocirun list --format json
    assert_success
    assert_equal "$(jq -c . <<<"$output")" "[]"
}

@test "list: table header and one row per container" {
    run_sleeper
    setup_bundle "$BATS_TEST_TMPDIR/bundle2" "$ID-c"
    update_config '.process.args = ["sleep", "1000"]' "$BATS_TEST_TMPDIR/bundle2"
    create_container "$ID-c" --bundle "$BATS_TEST_TMPDIR/bundle2"
    pid=$(container_pid "$ID")
    run ocirun list
    assert_success
    assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
    assert_equal "${#lines[@]}" 3
    assert_line --regexp "^$ID +$pid +running +$BUNDLE +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +[^ ]+ *\$"
    assert_line --regexp "^$ID-c +[0-9]+ +created +$BATS_TEST_TMPDIR/bundle2 "
}

@test "list: a stopped container shows pid 0 and status stopped" {
    update_config '.process.args = ["true"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    wait_for_status "$ID" stopped
    run ocirun list
    assert_success
    assert_line --regexp "^$ID +0 +stopped +$BUNDLE "
}

@test "list --format json / -f json: array of state objects" {
    run_sleeper
    pid=$(container_pid "$ID")
    for opt in "--format json" "-f json" "--format=json"; do
        run ocirun list $opt
        assert_success
        assert_equal "$(jq -r 'type' <<<"$output")" array
        assert_equal "$(jq -r 'length' <<<"$output")" 1
        assert_equal "$(jq -r '.[0].id' <<<"$output")" "$ID"
        assert_equal "$(jq -r '.[0].pid' <<<"$output")" "$pid"
        assert_equal "$(jq -r '.[0].status' <<<"$output")" running
        assert_equal "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
        [ -n "$(jq -r '.[0].created' <<<"$output")" ]
    done
}

@test "list -q / --quiet prints the ids only" {
    run_sleeper
    setup_bundle "$BATS_TEST_TMPDIR/bundle2" "$ID-q"
    update_config '.process.args = ["sleep", "1000"]' "$BATS_TEST_TMPDIR/bundle2"
    create_container "$ID-q" --bundle "$BATS_TEST_TMPDIR/bundle2"
    for opt in -q --quiet; do
        run ocirun list "$opt"
        assert_success
        assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$ID" "$ID-q" | sort)"
    done
}

@test "list --format with an unknown value fails" {
    run --separate-stderr ocirun list --format yaml
    assert_failure
    [ -n "$stderr" ]
}

@test "list with a root that does not exist yet" {
    # (as runc: an empty list, not an error)
    run "$OCIRUN" --root "$BATS_TEST_TMPDIR/no-such-root" list -q
    assert_success
    assert_output ""
}

@test "state and list do not wait for a command that holds the container's lock" {
    update_config '.process.args = ["sleep", "1000"]'
    create_container
    # hold the exclusive lock as a concurrent create/start/delete would
    flock -x "$ROOT/$ID" sleep 5 &
    locker=$!
    sleep 0.2
    run timeout 2 "$OCIRUN" --root "$ROOT" state "$ID"
    assert_success
    run timeout 2 "$OCIRUN" --root "$ROOT" list -q
    assert_success
    assert_output "$ID"
    kill "$locker"; wait "$locker" || true
}

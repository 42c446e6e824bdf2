#!/usr/bin/env bats
# What a killed or raced command can leave under --root, read by `state`, `list` and `delete`:
# state.json cut short at every byte, missing, a state directory whose process is gone, a pid
# now used by another process. No crash, a clear error or a known status, delete --force clears it.

load ../bats/helpers

# a real state.json of a running container, the container then removed
saved_state() {
    update_config '.process.args = ["sleep", "100"]'
    run ocirun run --detach --bundle "$BUNDLE" "$ID"
    assert_success
    cp "$ROOT/$ID/state.json" "$BATS_TEST_TMPDIR/state.json"
    run ocirun delete --force "$ID"
    assert_success
}

@test "state.json cut short at any byte: state fails clearly, list skips it with a warning, delete --force clears it" {
    saved_state
    local size n cases=0
    size=$(stat -c %s "$BATS_TEST_TMPDIR/state.json")
    for ((n = 0; n < size; n += (size / 25 + 1))); do
        mkdir -p "$ROOT/$ID"
        head -c "$n" "$BATS_TEST_TMPDIR/state.json" >"$ROOT/$ID/state.json"
        run --separate-stderr ocirun state "$ID"
        assert_failure 1
        [[ "$stderr" == *"container \"$ID\": state.json: "* ]] || fail "state at $n bytes: $stderr"
        [[ "$stderr" != *"parse error: parse error"* ]] || fail "doubled text: $stderr"
        run --separate-stderr ocirun list
        assert_success
        [[ "$stderr" == *"list: skipped: container"* ]] || fail "list at $n bytes: no warning: $stderr"
        run --separate-stderr ocirun list --format json
        assert_success
        assert_equal "$(jq length <<<"$output")" 0
        run ocirun delete --force "$ID"
        assert_success
        [ ! -e "$ROOT/$ID" ] || fail "delete --force left $ROOT/$ID (state.json of $n bytes)"
        cases=$((cases + 1))
    done
    echo "# $cases cut points of $size bytes" >&3
}

@test "a state directory without state.json: does not exist for state, absent from list, delete --force removes it" {
    mkdir -p "$ROOT/$ID"
    run --separate-stderr ocirun state "$ID"
    assert_failure 1
    [[ "$stderr" == *"container \"$ID\" does not exist"* ]] || fail "$stderr"
    run --separate-stderr ocirun list --quiet
    assert_success
    assert_output ""
    [ -z "$stderr" ] || fail "list warned about a create before its first write: $stderr"
    run ocirun delete --force "$ID"
    assert_success
    [ ! -e "$ROOT/$ID" ]
}

@test "a state whose process is gone is stopped; delete without --force removes it" {
    saved_state
    mkdir -p "$ROOT/$ID"
    cp "$BATS_TEST_TMPDIR/state.json" "$ROOT/$ID/state.json"
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" stopped
    run ocirun list --format json
    assert_success
    assert_equal "$(jq -r '.[0].status' <<<"$output")" stopped
    run ocirun delete "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "a state whose pid another process now has is stopped, and delete --force does not kill that process" {
    saved_state
    sleep 100 &
    local other=$!
    mkdir -p "$ROOT/$ID"
    jq --argjson p "$other" '.pid = $p' "$BATS_TEST_TMPDIR/state.json" >"$ROOT/$ID/state.json"
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" stopped
    assert_equal "$(jq -r .pid <<<"$output")" 0
    run ocirun list
    assert_success
    assert_line --regexp "^$ID +0 +stopped"
    run ocirun delete --force "$ID"
    assert_success
    kill -0 "$other" || fail "delete --force killed pid $other, which is not the container's"
    kill "$other"
    assert_no_leftovers "$ID"
}

@test "state.json that is not ours (wrong types, another id, a newer format): clear errors, list goes on" {
    saved_state
    local bad
    for bad in '.pid = "1"' '.id = "other"' '.format = 99' '.cgroupPaths = []' '.poststopHooks = [1]' '. = []'; do
        mkdir -p "$ROOT/$ID" "$ROOT/${ID}ok"
        jq "$bad" "$BATS_TEST_TMPDIR/state.json" >"$ROOT/$ID/state.json"
        jq --arg id "${ID}ok" '.id = $id' "$BATS_TEST_TMPDIR/state.json" >"$ROOT/${ID}ok/state.json"
        run --separate-stderr ocirun state "$ID"
        assert_failure 1
        [[ "$stderr" == *"container \"$ID\": state.json: "* ]] || fail "$bad: $stderr"
        run --separate-stderr ocirun list --quiet
        assert_success
        assert_output "${ID}ok"
        run ocirun delete --force "$ID"
        assert_success
        run ocirun delete --force "${ID}ok"
        assert_success
        [ ! -e "$ROOT/$ID" ] && [ ! -e "$ROOT/${ID}ok" ] || fail "$bad: left a state directory"
    done
}

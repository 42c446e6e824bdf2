#!/usr/bin/env bats
# Commands racing each other on one container or one id: one winner, clear errors for the
# others (never a crash, a hang or a torn state), and nothing left once deleted.

load helpers

# par N OUTDIR CMD...: N copies of the runtime with CMD at once; OUTDIR/I.{rc,out,err}.
par() {
    local n=$1 dir=$2 i
    shift 2
    mkdir -p "$dir"
    for ((i = 0; i < n; i++)); do
        (timeout --kill-after=5 60 "$OCIRUN" --root "$ROOT" "$@" </dev/null >"$dir/$i.out" 2>"$dir/$i.err" 3>&-
         echo $? >"$dir/$i.rc") &
    done
    wait
}

# assert_no_crash DIR: every copy exited 0 or 1 (no signal, no timeout), every failure said why.
assert_no_crash() {
    local f rc
    for f in "$1"/*.rc; do
        rc=$(cat "$f")
        [ "$rc" -le 1 ] || fail "${f##*/}: exit status $rc: $(cat "${f%.rc}.err")"
        if [ "$rc" -eq 1 ]; then
            grep -q '^ocirun: ' "${f%.rc}.err" || fail "${f##*/}: failed without a message"
        fi
    done
}

@test "concurrency: 8 creates of one id: exactly one wins, the others say it exists, its state is intact" {
    update_config '.process.args = ["sleep", "100"]'
    local d=$BATS_TEST_TMPDIR/c wins=0 f
    par 8 "$d" create --bundle "$BUNDLE" "$ID"
    assert_no_crash "$d"
    for f in "$d"/*.rc; do
        if [ "$(cat "$f")" -eq 0 ]; then
            wins=$((wins + 1))
        else
            grep -q "container \"$ID\" already exists" "${f%.rc}.err" || fail "loser said: $(cat "${f%.rc}.err")"
        fi
    done
    assert_equal "$wins" 1
    run ocirun state "$ID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" created
    kill -0 "$(jq -r .pid <<<"$output")"
    assert_equal "$(wc -l <"$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 1
    run ocirun start "$ID"
    assert_success
    wait_for_status "$ID" running
    run ocirun delete --force "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "concurrency: delete, kill, state and exec at once on one container: no crash, nothing left" {
    local round
    for round in 1 2 3 4 5; do
        race_on_one_container "$BATS_TEST_TMPDIR/c$round"
    done
}

race_on_one_container() {
    run_sleeper
    local d=$1 i
    mkdir -p "$d"
    for ((i = 0; i < 4; i++)); do
        (timeout 60 "$OCIRUN" --root "$ROOT" exec "$ID" true </dev/null >"$d/e$i.out" 2>"$d/e$i.err" 3>&-; echo $? >"$d/e$i.rc") &
        (timeout 60 "$OCIRUN" --root "$ROOT" state "$ID" </dev/null >"$d/s$i.out" 2>"$d/s$i.err" 3>&-; echo $? >"$d/s$i.rc") &
        (timeout 60 "$OCIRUN" --root "$ROOT" kill "$ID" KILL </dev/null >"$d/k$i.out" 2>"$d/k$i.err" 3>&-; echo $? >"$d/k$i.rc") &
    done
    (timeout 60 "$OCIRUN" --root "$ROOT" delete --force "$ID" </dev/null >"$d/d.out" 2>"$d/d.err" 3>&-; echo $? >"$d/d.rc") &
    wait
    assert_no_crash "$d"
    assert_equal "$(cat "$d/d.rc")" 0
    for ((i = 0; i < 4; i++)); do
        # a state printed whole, or "does not exist" once delete went through
        if [ "$(cat "$d/s$i.rc")" -eq 0 ]; then
            jq -e '.status | test("^(running|stopped)$")' "$d/s$i.out" >/dev/null || fail "state: $(cat "$d/s$i.out")"
        fi
    done
    run ocirun state "$ID"
    assert_failure
    assert_output --partial "does not exist"
    assert_no_leftovers "$ID"
}

@test "concurrency: 50 containers created in parallel are all listed, then all deleted in parallel" {
    local i ids=() d=$BATS_TEST_TMPDIR/c
    for ((i = 0; i < 50; i++)); do
        setup_bundle "$BATS_TEST_TMPDIR/b$i" "${ID}-$i"
        update_config '.process.args = ["sleep", "100"]' "$BATS_TEST_TMPDIR/b$i"
        ids+=("${ID}-$i")
    done
    mkdir -p "$d"
    for ((i = 0; i < 50; i++)); do
        (timeout 120 "$OCIRUN" --root "$ROOT" run --detach --bundle "$BATS_TEST_TMPDIR/b$i" "${ID}-$i" \
            </dev/null >/dev/null 2>"$d/$i.err" 3>&-; echo $? >"$d/$i.rc") &
    done
    wait
    assert_no_crash "$d"
    for ((i = 0; i < 50; i++)); do
        assert_equal "$(cat "$d/$i.rc")" 0
    done
    run ocirun list --format json
    assert_success
    assert_equal "$(jq length <<<"$output")" 50
    assert_equal "$(jq '[.[] | select(.status == "running")] | length' <<<"$output")" 50
    run ocirun list --quiet
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "${ids[@]}" | sort)"
    rm -f "$d"/*
    for ((i = 0; i < 50; i++)); do
        (timeout 120 "$OCIRUN" --root "$ROOT" delete --force "${ID}-$i" </dev/null >/dev/null 2>"$d/$i.err" 3>&-
         echo $? >"$d/$i.rc") &
    done
    wait
    assert_no_crash "$d"
    run ocirun list --quiet
    assert_output ""
    for ((i = 0; i < 50; i++)); do
        assert_no_leftovers "${ID}-$i" "$BATS_TEST_TMPDIR/b$i"
    done
}

@test "concurrency: two delete --force at once both succeed and leave nothing" {
    local n d
    for n in 1 2 3 4 5; do
        update_config '.process.args = ["sleep", "100"]'
        run ocirun run --detach --bundle "$BUNDLE" "$ID"
        assert_success
        d=$BATS_TEST_TMPDIR/c$n
        par 2 "$d" delete --force "$ID"
        assert_no_crash "$d"
        # the second may find it gone already: that is no error for --force
        assert_equal "$(cat "$d/0.rc") $(cat "$d/1.rc")" "0 0"
        assert_no_leftovers "$ID"
    done
}

@test "concurrency: creates of different ids racing deletes of others keep every state whole" {
    local i d=$BATS_TEST_TMPDIR/c
    for ((i = 0; i < 6; i++)); do
        setup_bundle "$BATS_TEST_TMPDIR/b$i" "${ID}-$i"
        update_config '.process.args = ["sleep", "100"]' "$BATS_TEST_TMPDIR/b$i"
    done
    for ((i = 0; i < 3; i++)); do
        run ocirun run --detach --bundle "$BATS_TEST_TMPDIR/b$i" "${ID}-$i"
        assert_success
    done
    mkdir -p "$d"
    for ((i = 0; i < 3; i++)); do
        (timeout 60 "$OCIRUN" --root "$ROOT" delete --force "${ID}-$i" </dev/null >/dev/null 2>"$d/d$i.err" 3>&-; echo $? >"$d/d$i.rc") &
        (timeout 60 "$OCIRUN" --root "$ROOT" run --detach --bundle "$BATS_TEST_TMPDIR/b$((i + 3))" "${ID}-$((i + 3))" \
            </dev/null >/dev/null 2>"$d/r$i.err" 3>&-; echo $? >"$d/r$i.rc") &
        (timeout 60 "$OCIRUN" --root "$ROOT" list </dev/null >/dev/null 2>"$d/l$i.err" 3>&-; echo $? >"$d/l$i.rc") &
    done
    wait
    assert_no_crash "$d"
    for ((i = 0; i < 3; i++)); do
        assert_equal "$(cat "$d/d$i.rc") $(cat "$d/r$i.rc") $(cat "$d/l$i.rc")" "0 0 0"
        [ ! -s "$d/l$i.err" ] || fail "list warned: $(cat "$d/l$i.err")"
    done
    run ocirun list --quiet
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "${ID}-3" "${ID}-4" "${ID}-5")"
}

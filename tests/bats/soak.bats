#!/usr/bin/env bats
# Soak: many create/start/delete cycles, execs, pause/resume and update rounds must not grow
# anything: fds, mounts, cgroup directories, state directories, zombies, the runtime's RSS.
# SOAK_CYCLES (default 100, in make check; `make soak`: 1000) create/start/delete cycles;
# execs are 3/10 of it, pause/resume and update rounds 1/10 (make soak: 300, 100, 100).

load helpers

SOAK_CYCLES=${SOAK_CYCLES:-100}

# snapshot: one line of the counts that must not grow
snapshot() {
    local fds=0 zombies=0 cg=0 h p st
    for p in /proc/[0-9]*; do
        [ -d "$p/fd" ] || continue
        fds=$((fds + $(ls "$p/fd" 2>/dev/null | wc -l)))
        read -r st <"$p/stat" 2>/dev/null || continue
        st=${st##*) }
        [ "${st%% *}" = Z ] && zombies=$((zombies + 1))
    done
    for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
        [ -d "$h$CG_PARENT" ] && cg=$((cg + $(find "$h$CG_PARENT" -mindepth 1 -type d 2>/dev/null | wc -l)))
    done
    echo "fds=$fds mounts=$(wc -l </proc/self/mountinfo) cgroups=$cg states=$(ls "$ROOT" | wc -l) zombies=$zombies"
}

# rss_kb CMD...: the runtime's peak RSS running CMD
rss_kb() {
    /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$OCIRUN" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1 3>&-
    tail -n1 "$BATS_TEST_TMPDIR/rss"
}

# assert_no_growth BEFORE AFTER: every count equal (fds within 4: bats' own come and go)
assert_no_growth() {
    local b a k
    for k in fds mounts cgroups states zombies; do
        b=$(grep -o "$k=[0-9]*" <<<"$1") b=${b#*=}
        a=$(grep -o "$k=[0-9]*" <<<"$2") a=${a#*=}
        if [ "$k" = fds ]; then
            [ "$a" -le $((b + 4)) ] || fail "$k grew: $1 -> $2"
        else
            [ "$a" -le "$b" ] || fail "$k grew: $1 -> $2"
        fi
    done
}

@test "soak: create/start/delete cycles grow nothing" {
    update_config '.process.args = ["sleep", "100"]'
    local i before after rss0 rss1
    for i in 1 2 3; do
        run ocirun create --bundle "$BUNDLE" "$ID"
        assert_success
        run ocirun start "$ID"
        assert_success
        run ocirun delete --force "$ID"
        assert_success
    done
    before=$(snapshot)
    rss0=$(rss_kb run --detach --bundle "$BUNDLE" "$ID")
    run ocirun delete --force "$ID"
    for ((i = 0; i < SOAK_CYCLES; i++)); do
        "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&- || fail "create #$i failed"
        "$OCIRUN" --root "$ROOT" start "$ID" </dev/null >/dev/null 2>&1 3>&- || fail "start #$i failed"
        "$OCIRUN" --root "$ROOT" delete --force "$ID" </dev/null >/dev/null 2>&1 3>&- || fail "delete #$i failed"
    done
    rss1=$(rss_kb run --detach --bundle "$BUNDLE" "$ID")
    run ocirun delete --force "$ID"
    after=$(snapshot)
    echo "# $SOAK_CYCLES cycles: $before -> $after; run's RSS ${rss0} -> ${rss1} KB" >&3
    assert_no_growth "$before" "$after"
    [ "$rss1" -le $((rss0 + 512)) ] || fail "the runtime's RSS grew: $rss0 -> $rss1 KB"
    assert_no_leftovers "$ID"
}

@test "soak: execs, pause/resume and update rounds on one container grow nothing" {
    run_sleeper
    local i n_exec=$((SOAK_CYCLES * 3 / 10)) n_rounds=$((SOAK_CYCLES / 10)) before after pid fd0 fd1 rss0 rss1
    pid=$(container_pid "$ID")
    run ocirun exec "$ID" true
    assert_success
    before=$(snapshot)
    fd0=$(ls /proc/"$pid"/fd | wc -l)
    rss0=$(rss_kb exec "$ID" true)
    for ((i = 0; i < n_exec; i++)); do
        "$OCIRUN" --root "$ROOT" exec "$ID" true </dev/null >/dev/null 2>&1 3>&- || fail "exec #$i failed"
    done
    for ((i = 0; i < n_rounds; i++)); do
        "$OCIRUN" --root "$ROOT" pause "$ID" </dev/null >/dev/null 2>&1 3>&- || fail "pause #$i failed"
        "$OCIRUN" --root "$ROOT" resume "$ID" </dev/null >/dev/null 2>&1 3>&- || fail "resume #$i failed"
    done
    for ((i = 0; i < n_rounds; i++)); do
        "$OCIRUN" --root "$ROOT" update --pids-limit $((100 + i % 2)) "$ID" </dev/null >/dev/null 2>&1 3>&- ||
            fail "update #$i failed"
    done
    rss1=$(rss_kb exec "$ID" true)
    fd1=$(ls /proc/"$pid"/fd | wc -l)
    after=$(snapshot)
    echo "# $n_exec execs, $n_rounds pause/resume, $n_rounds updates: $before -> $after; exec's RSS ${rss0} -> ${rss1} KB" >&3
    assert_equal "$(container_status "$ID")" running
    assert_equal "$fd1" "$fd0"
    assert_equal "$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" "$pid"
    assert_no_growth "$before" "$after"
    [ "$rss1" -le $((rss0 + 512)) ] || fail "the runtime's RSS grew: $rss0 -> $rss1 KB"
    run ocirun delete --force "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

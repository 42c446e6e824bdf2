#!/usr/bin/env bats
# A runtime killed half way (an engine's shim OOM-killed, a timeout wrapper): whatever it made
# is found and removed by `delete --force`, and state/list never trip over what it left.

load helpers

# duration_ms CMD...: how long CMD takes, in whole milliseconds (at least 1).
duration_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 </dev/null 3>&-
    end=$(date +%s%N)
    echo $(((end - start) / 1000000 + 1))
}

# killed_at MS CMD...: run the runtime with CMD, SIGKILLed MS milliseconds after it started:
# the runtime alone, as the OOM killer would (--foreground: not timeout's whole process group,
# which holds the container's processes too).
killed_at() {
    local ms=$1
    shift
    timeout --foreground -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" "$OCIRUN" --root "$ROOT" "$@" \
        </dev/null >/dev/null 2>&1 3>&- || true
}

# A killed command's leftovers: state and list answer (no crash, a known status), then
# delete --force removes every trace of container ID.
check_cleanup() {
    local id=$1 st
    if [ -d "$ROOT/$id" ]; then
        run ocirun state "$id"
        # a directory without state.json (killed before the first write) is "does not exist"
        if [ "$status" -eq 0 ]; then
            st=$(jq -r .status <<<"$output")
            [[ "$st" =~ ^(creating|created|running|stopped)$ ]] ||
                fail "state of a killed command's container: status \"$st\""
        else
            assert_output --partial "does not exist"
        fi
        run ocirun list
        assert_success
    fi
    run ocirun delete --force "$id"
    assert_success
    # the init's teardown may take a moment after delete's SIGKILL
    local i
    for i in $(seq 40); do
        assert_no_leftovers "$id" >/dev/null 2>&1 && break
        sleep 0.05
    done
    assert_no_leftovers "$id"
}

# kill_sweep N CMD...: CMD (with @ID@ for a fresh id) killed at N points spread over the time
# it takes when left alone, each followed by check_cleanup. Prints how many runs were killed.
kill_sweep() {
    local n=$1 full i ms id
    shift
    full=$(duration_ms "$OCIRUN" --root "$ROOT" "${@//@ID@/${ID}-full}")
    check_cleanup "${ID}-full"
    for ((i = 0; i <= n; i++)); do
        ms=$((full * i / n))
        id="${ID}-k$i"
        killed_at "$ms" "${@//@ID@/$id}"
        check_cleanup "$id"
    done
    echo "# $n kill points over ${full} ms" >&3
}

# assert_cgroup_holds_only PID: the container's cgroup holds PID alone (within 2 s: a killed
# process takes a moment to go).
assert_cgroup_holds_only() {
    local procs
    for _ in $(seq 40); do
        procs=$(cat "$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")
        [ "$procs" = "$1" ] && return 0
        sleep 0.05
    done
    assert_equal "$procs" "$1"
}

@test "create killed at any point: delete --force leaves no process, cgroup or state" {
    runc_differs "runc leaves the init and the cgroups of a create killed half way, and delete --force cannot find them"
    update_config '.process.args = ["sleep", "100"]'
    kill_sweep 24 create --bundle "$BUNDLE" @ID@
}

@test "run -d killed at any point: delete --force leaves no process, cgroup or state" {
    runc_differs "runc leaves the init and the cgroups of a create killed half way, and delete --force cannot find them"
    update_config '.process.args = ["sleep", "100"]'
    kill_sweep 24 run --detach --bundle "$BUNDLE" @ID@
}

@test "run in the foreground killed at any point: delete --force leaves no process, cgroup or state" {
    runc_differs "runc leaves the init and the cgroups of a create killed half way, and delete --force cannot find them"
    # a short-lived process: run returns on its own when not killed
    update_config '.process.args = ["sleep", "0.2"]'
    kill_sweep 24 run --bundle "$BUNDLE" @ID@
}

@test "create with a user namespace and a pid-namespace fork killed at any point leaves nothing" {
    runc_differs "runc leaves the init and the cgroups of a create killed half way, and delete --force cannot find them"
    use_user_namespace
    update_config '.process.args = ["sleep", "100"]'
    kill_sweep 16 create --bundle "$BUNDLE" @ID@
}

@test "a create killed half way shows as stopped once it is gone, and delete without --force clears it" {
    runc_differs "runc keeps a killed create's half-written state as created/running, and a start killed after releasing the init leaves it shown as created"
    update_config '.process.args = ["sleep", "100"]'
    local full i ms id found=""
    full=$(duration_ms "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" "${ID}-full")
    check_cleanup "${ID}-full"
    # find a kill point that leaves a state written half way
    for ((i = 1; i < 40 && !${#found}; i++)); do
        ms=$((full * i / 40))
        id="${ID}-h$i"
        killed_at "$ms" create --bundle "$BUNDLE" "$id"
        if [ -f "$ROOT/$id/state.json" ] && jq -e '.creating' "$ROOT/$id/state.json" >/dev/null; then
            found=$id
            break
        fi
        check_cleanup "$id"
    done
    [ -n "$found" ] || skip "no kill point left a half-written state (create took ${full} ms)"
    run ocirun state "$found"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" stopped
    run ocirun delete "$found"
    assert_success
    assert_no_leftovers "$found"
}

@test "start killed at any point: the container is created, running or stopped, and delete --force clears it" {
    runc_differs "runc keeps a killed create's half-written state as created/running, and a start killed after releasing the init leaves it shown as created"
    update_config '.process.args = ["sleep", "100"]'
    local full i ms id
    create_container "${ID}-full"
    full=$(duration_ms "$OCIRUN" --root "$ROOT" start "${ID}-full")
    check_cleanup "${ID}-full"
    for ((i = 0; i <= 12; i++)); do
        ms=$((full * i / 12))
        id="${ID}-s$i"
        create_container "$id"
        killed_at "$ms" start "$id"
        run ocirun state "$id"
        assert_success
        local st
        st=$(jq -r .status <<<"$output")
        # a started init is never reported as still waiting for start
        if [ "$st" = created ]; then
            run ocirun start "$id"
            assert_success
            wait_for_status "$id" running
        fi
        check_cleanup "$id"
    done
}

@test "exec killed at any point leaves no process of its own in the container" {
    runc_differs "a foreground runc exec killed with SIGKILL leaves its process running"
    run_sleeper
    local pid full i ms
    pid=$(container_pid "$ID")
    full=$(duration_ms "$OCIRUN" --root "$ROOT" exec "$ID" true)
    for ((i = 0; i <= 16; i++)); do
        ms=$((full * i / 16 + 1))
        killed_at "$ms" exec "$ID" sleep 200
        # the exec'd process, if it got that far, dies with the runtime
        assert_cgroup_holds_only "$pid"
    done
    # an exec --detach that was not killed keeps its process: only the foreground one dies with us
    run ocirun exec --detach "$ID" sleep 200
    assert_success
    sleep 0.2
    assert_equal "$(wc -l <"$CG_MOUNT$CG_PARENT/$ID/cgroup.procs")" 2
}

@test "a foreground exec's process dies with a killed ocirun exec" {
    runc_differs "runc leaves the process of a killed foreground exec running"
    run_sleeper
    local pid
    pid=$(container_pid "$ID")
    killed_at 1000 exec "$ID" sleep 200
    assert_cgroup_holds_only "$pid"
}

#!/usr/bin/env bats
# Rootless with a delegated cgroup v2 subtree (issue 18): runs only in the throwaway pure cgroup
# v2 VM of `make check-vm`. A test user (made and removed here) is given a subtree below the
# suite's parent as systemd's Delegate=yes gives one (the directory, its cgroup.procs,
# cgroup.subtree_control and cgroup.threads chowned to the user); its commands run in a leaf of
# that subtree, so that the container's cgroup can be entered from there. Limits, ps, events,
# pause and resume then work for the user, and delete removes the cgroup.

load ../bats/helpers

in_pure_v2_vm() {
    [ "${OCIRUN_VM:-}" = 1 ] && [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] &&
        ! grep -q ' cgroup ' /proc/mounts
}

setup_file() {
    in_pure_v2_vm || skip "needs the throwaway pure cgroup v2 VM: run make check-vm"
    ensure_suite_fixtures
    RL_BASE=$(mktemp -d /tmp/ocirun-rootless-cg.XXXXXX)
    chmod 755 "$RL_BASE"
    cp "$(command -v "$OCIRUN")" "$RL_BASE/ocirun"
    chmod 755 "$RL_BASE/ocirun"
    RL_USER=ocirl-v$$
    useradd --no-create-home --home-dir "$RL_BASE/home" --shell /bin/sh "$RL_USER"
    mkdir -m 700 "$RL_BASE/home" "$RL_BASE/xdg"
    chown "$RL_USER:$RL_USER" "$RL_BASE/home" "$RL_BASE/xdg"
    # the delegated subtree: the parent (root's) enables the controllers for it
    RL_DELEG_REL="$CG_PARENT/rl-deleg-$$"
    RL_DELEG="$CG_MOUNT$RL_DELEG_REL"
    echo "+memory +pids" >"$CG_MOUNT$CG_PARENT/cgroup.subtree_control"
    mkdir "$RL_DELEG" "$RL_DELEG/shell"
    chown "$RL_USER:$RL_USER" "$RL_DELEG" "$RL_DELEG"/cgroup.{procs,subtree_control,threads} \
        "$RL_DELEG/shell" "$RL_DELEG/shell"/cgroup.{procs,subtree_control,threads}
    export RL_BASE RL_USER RL_DELEG RL_DELEG_REL
}

teardown_file() {
    [ -n "${RL_BASE:-}" ] || return 0
    [ -n "${RL_DELEG:-}" ] && remove_cgroup_tree "$RL_DELEG"
    id "$RL_USER" >/dev/null 2>&1 && userdel "$RL_USER"
    rm -rf "$RL_BASE"
    return 0
}

setup() {
    in_pure_v2_vm || skip "needs the throwaway pure cgroup v2 VM: run make check-vm"
    ROOT="$RL_BASE/xdg/ocirun"
    ID="rlcg${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$$"
    CG_USED=()
    ROOTFS_USED=()
    BUNDLE="$RL_BASE/bundle-$ID"
    mkdir -m 755 "$BUNDLE"
    cp -al "$BASE_ROOTFS" "$BUNDLE/rootfs"
    ROOTFS_USED+=("$BUNDLE/rootfs")
    chown "$RL_USER:$RL_USER" "$BUNDLE"
    as_user sh -c "cd '$BUNDLE' && '$RL_BASE/ocirun' spec --rootless" || fail "ocirun spec --rootless failed"
    CG="$RL_DELEG/$ID"
    update_config ".process.terminal = false | .process.args = [\"sleep\", \"1000\"]
                   | .linux.cgroupsPath = \"$RL_DELEG_REL/$ID\"
                   | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 40}}"
}

teardown() {
    [ -n "${BUNDLE:-}" ] || return 0
    common_teardown
    [ -d "$CG" ] && remove_cgroup_tree "$CG"
    rm -rf "$BUNDLE"
}

# as_user CMD...: CMD as the test user, in the delegated subtree's leaf "shell" (moved there
# by root first: the container's cgroup is entered from a cgroup of the same subtree).
as_user() {
    timeout --kill-after=5 120 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$RL_DELEG/shell" \
        setpriv --reuid "$(id -u "$RL_USER")" --regid "$(id -g "$RL_USER")" --init-groups -- \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_BASE/home" USER="$RL_USER" \
        XDG_RUNTIME_DIR="$RL_BASE/xdg" "$@" </dev/null 3>&-
}

# rl_ocirun ARGS...: ocirun as the user; output through files (a detached container must not
# hold bats' pipes).
rl_ocirun() {
    local rc
    as_user "$RL_BASE/ocirun" "$@" >"$BATS_TEST_TMPDIR/rl-out" 2>"$BATS_TEST_TMPDIR/rl-err"
    rc=$?
    cat "$BATS_TEST_TMPDIR/rl-out"
    cat "$BATS_TEST_TMPDIR/rl-err" >&2
    return $rc
}

@test "vm rootless: in a delegated subtree the user's container gets its cgroup, limits, ps, exec, events, pause and resume; delete removes it" {
    run rl_ocirun run -d --bundle "$BUNDLE" "$ID"
    assert_success
    pid=$(rl_ocirun state "$ID" | jq -r .pid)
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::$RL_DELEG_REL/$ID"
    assert_equal "$(stat -c %u "$CG")" "$(id -u "$RL_USER")"
    assert_equal "$(cat "$CG/memory.max")" 67108864
    assert_equal "$(cat "$CG/pids.max")" 40
    run rl_ocirun ps --format json "$ID"
    assert_success
    assert_equal "$output" "[$pid]"
    # exec's process goes into the same cgroup (cloned into it from the user's own)
    run rl_ocirun exec "$ID" cat /proc/self/cgroup
    assert_success
    assert_output "0::/"
    run rl_ocirun events --stats "$ID"
    assert_success
    assert_equal "$(jq -r .data.pids.limit <<<"$output")" 40
    [ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
    # pause and resume: cgroup.freeze of the user's own directory
    run rl_ocirun pause "$ID"
    assert_success
    assert_equal "$(cat "$CG/cgroup.freeze")" 1
    assert_equal "$(rl_ocirun state "$ID" | jq -r .status)" paused
    run rl_ocirun resume "$ID"
    assert_success
    assert_equal "$(cat "$CG/cgroup.freeze")" 0
    assert_equal "$(rl_ocirun state "$ID" | jq -r .status)" running
    run rl_ocirun delete -f "$ID"
    assert_success
    [ ! -e "$CG" ]
    [ ! -e "$ROOT/$ID" ]
}

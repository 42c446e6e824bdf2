#!/usr/bin/env bats
# checkpoint and restore with CRIU: runs only in the VM of `make check-vm` (CRIU 3.17 cannot run
# on the host's newer kernel). A busybox counter keeps counting after restore; pre-dump,
# --leave-running and a new id, bind mounts, a terminal, a memory limit, the error paths.

load ../bats/helpers

COUNTER='i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'

setup() {
    [ "${OCIRUN_VM:-}" = 1 ] || skip "needs the VM of make check-vm (CRIU does not run on this kernel)"
    command -v criu >/dev/null || skip "criu is not installed (make deps)"
    common_setup
    IMG="$BATS_TEST_TMPDIR/img"
    counter_config "$COUNTER"
}

teardown() {
    [ -n "${ROOT:-}" ] || return 0
    common_teardown
}

# counter_config SCRIPT [BUNDLE]: a writable root whose process runs SCRIPT.
counter_config() {
    update_config ".root.readonly = false | .process.args = [\"sh\", \"-c\", $(json_quote "$1")]" "${2:-$BUNDLE}"
}

# run_counter [ID] [BUNDLE]: the counter container, detached, its stdio pipes (CRIU restores them).
run_counter() {
    local id=${1:-$ID} bundle=${2:-$BUNDLE}
    run_with_pipes run -d --bundle "$bundle" "$id"
    wait_for_status "$id" running
    wait_count_above 0 "$bundle/rootfs/tmp/count"
}

@test "checkpoint: a counter stops and its container goes; restore: it counts on, in its cgroup with its memory limit" {
    update_config '.linux.resources.memory.limit = 67108864'
    run_counter
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    [ -z "$output" ] || fail "checkpoint printed: $output"
    [ -s "$IMG/descriptors.json" ] && [ -s "$IMG/dump.log" ]
    # the container is gone (as runc's), its processes and cgroup with it
    run ocirun state "$ID"
    assert_failure
    assert_no_leftovers "$ID"
    assert_count_stopped
    before=$(<"$ROOTFS/tmp/count")
    run_with_pipes restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    wait_for_status "$ID" running
    wait_count_above "$before"
    # not a new counter: it went on from the saved value
    [ "$(<"$ROOTFS/tmp/count")" -lt $((before + 100)) ]
    pid=$(container_pid "$ID")
    cg="$CG_MOUNT$CG_PARENT/$ID"
    grep -qx "$pid" "$cg/cgroup.procs" || fail "the restored init $pid is not in $cg: $(cat "$cg/cgroup.procs")"
    assert_equal "$(<"$cg/memory.max")" 67108864
}

@test "restore: a normal container again (state, exec, pause, kill, delete); checkpoint it paused and restore it again" {
    run_counter
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    run_with_pipes restore -d --image-path "$IMG" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
    pid=$(container_pid "$ID")
    assert_equal "$(<"$BATS_TEST_TMPDIR/pid")" "$pid"
    # the state directory create makes: the saved configuration exec uses, no "creating"
    [ -s "$ROOT/$ID/config.json" ] || fail "no saved config.json"
    run jq -r '.creating // false' "$ROOT/$ID/state.json"
    assert_output false
    run ocirun exec "$ID" cat /tmp/count
    assert_success
    [ "$output" -gt 0 ]
    run ocirun pause "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" paused
    assert_count_stopped
    run ocirun resume "$ID"
    assert_success
    wait_count_above "$(<"$ROOTFS/tmp/count")"
    # a paused container can be checkpointed too
    run ocirun pause "$ID"
    assert_success
    run ocirun checkpoint --image-path "$IMG.2" "$ID"
    assert_success
    before=$(<"$ROOTFS/tmp/count")
    run_with_pipes restore -d --image-path "$IMG.2" --bundle "$BUNDLE" "$ID"
    wait_count_above "$before"
    run ocirun kill "$ID" KILL
    assert_success
    wait_for_status "$ID" stopped
    run ocirun delete "$ID"
    assert_success
    assert_no_leftovers "$ID"
}

@test "restore without --detach waits for the container, exits with its status and deletes it" {
    run_counter
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    before=$(<"$ROOTFS/tmp/count")
    bg_ocirun restore --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    wait_for_status "$ID" running
    wait_count_above "$before"
    run ocirun kill "$ID" KILL
    assert_success
    rc=0
    wait_bg || rc=$?
    assert_equal "$rc" 137
    assert_no_leftovers "$ID"
}

@test "checkpoint --pre-dump leaves it running; a dump with --parent-path restores" {
    run_counter
    run ocirun checkpoint --pre-dump --image-path "$IMG/pre" "$ID"
    assert_success
    assert_equal "$(container_status "$ID")" running
    wait_count_above "$(<"$ROOTFS/tmp/count")"
    run ocirun checkpoint --image-path "$IMG/final" --parent-path ../pre "$ID"
    assert_success
    [ -L "$IMG/final/parent" ] || fail "the dump did not link its parent"
    before=$(<"$ROOTFS/tmp/count")
    run_with_pipes restore -d --image-path "$IMG/final" --bundle "$BUNDLE" "$ID"
    wait_count_above "$before"
}

@test "checkpoint --leave-running: it counts on; the image restores into a new id beside it" {
    run_counter
    run ocirun checkpoint --leave-running --image-path "$IMG" --work-path "$BATS_TEST_TMPDIR/work" "$ID"
    assert_success
    [ -s "$BATS_TEST_TMPDIR/work/dump.log" ] || fail "no dump.log in --work-path"
    saved=$(<"$ROOTFS/tmp/count")
    wait_count_above "$saved"
    assert_equal "$(container_status "$ID")" running
    B2="$BATS_TEST_TMPDIR/b2"
    setup_bundle "$B2" "$ID-2"
    counter_config "$COUNTER" "$B2"
    run_with_pipes restore -d --image-path "$IMG" --bundle "$B2" "$ID-2"
    wait_for_status "$ID-2" running
    wait_count_above $((saved - 5)) "$B2/rootfs/tmp/count"
    [ "$(<"$B2/rootfs/tmp/count")" -lt $((saved + 100)) ]
    assert_equal "$(container_status "$ID")" running
    [ "$(container_pid "$ID")" != "$(container_pid "$ID-2")" ]
}

@test "checkpoint/restore: binds (nested, at a symlink), masked paths, a cgroup mount in a cgroup namespace" {
    D="$BATS_TEST_TMPDIR/data"
    mkdir -p "$D/top" "$D/nested" "$D/linked" "$ROOTFS/real"
    ln -s /real "$ROOTFS/link"
    update_config "$(json_quote "$D") as \$d | .mounts += [
        {destination: \"/data\", type: \"bind\", source: (\$d + \"/top\"), options: [\"rbind\"]},
        {destination: \"/data/sub\", type: \"bind\", source: (\$d + \"/nested\"), options: [\"bind\"]},
        {destination: \"/link\", type: \"bind\", source: (\$d + \"/linked\"), options: [\"bind\"]},
        {destination: \"/sys/fs/cgroup\", type: \"cgroup\", source: \"cgroup\",
         options: [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}]
      | .linux.maskedPaths = [\"/proc/kcore\", \"/sys/firmware\"]"
    counter_config 'i=0; while :; do i=$((i+1)); for f in /tmp /data /data/sub /link; do echo $i > $f/count; done; sleep 0.1; done'
    run_counter
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    before=$(<"$D/nested/count")
    run_with_pipes restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    for f in top nested linked; do
        wait_count_above "$before" "$D/$f/count"
    done
    run ocirun exec "$ID" sh -c 'cat /proc/kcore | wc -c; ls /sys/firmware | wc -l; cat /proc/self/cgroup'
    assert_success
    assert_output "$(printf '0\n0\n0::/')"
}

@test "checkpoint/restore of a terminal container: the new terminal goes to --console-socket" {
    update_config '.process.terminal = true'
    start_recvtty
    run ocirun run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
    assert_success
    wait_count_above 0
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    wait_recvtty >/dev/null
    rm -f "$SOCK"
    start_recvtty
    before=$(<"$ROOTFS/tmp/count")
    run ocirun restore -d --console-socket "$SOCK" --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    assert_success
    wait_count_above "$before"
    run ocirun exec "$ID" sh -c 'readlink /proc/1/fd/0'
    assert_success
    assert_output --regexp '^/dev/pts/[0-9]+$'
}

@test "checkpoint errors: not running, bad flags, CRIU failing (its log named); the container runs on" {
    create_container
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_failure
    assert_output --partial "container is created (not running)"
    assert_equal "$(container_status "$ID")" created
    run ocirun delete --force "$ID"
    # a container-specific CRIU configuration (org.criu.config) that CRIU refuses
    printf 'no-such-criu-option\n' >"$BATS_TEST_TMPDIR/criu.conf"
    update_config ".annotations[\"org.criu.config\"] = $(json_quote "$BATS_TEST_TMPDIR/criu.conf")"
    run_counter
    run ocirun checkpoint --manage-cgroups-mode bogus --image-path "$IMG" "$ID"
    assert_failure
    assert_output --partial 'manage-cgroups-mode "bogus"'
    run ocirun checkpoint --parent-path /abs --image-path "$IMG" "$ID"
    assert_failure
    assert_output --partial "--parent-path \"/abs\": must be relative"
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_failure
    assert_output --partial "criu dump failed"
    assert_equal "$(container_status "$ID")" running
    wait_count_above "$(<"$ROOTFS/tmp/count")"
    # a program CRIU runs is missing (iptables-save, for the network namespace): the error says
    # which, not only CRIU's "exited, status=1"
    update_config 'del(.annotations["org.criu.config"])'
    run ocirun delete --force "$ID"
    run_counter
    mkdir -p "$BATS_TEST_TMPDIR/criu-only"
    ln -sf "$(command -v criu)" "$BATS_TEST_TMPDIR/criu-only/criu"
    PATH="$BATS_TEST_TMPDIR/criu-only:/usr/bin:/bin" run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_failure
    assert_output --partial "exited, status="
    assert_output --regexp "the error before it: .*iptables"
    assert_equal "$(container_status "$ID")" running
}

@test "restore errors: no image, an id taken, CRIU failing: nothing is left behind" {
    run ocirun restore -d --image-path "$BATS_TEST_TMPDIR/none" --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "--image-path"
    assert_no_leftovers "$ID"
    run_counter
    run ocirun checkpoint --leave-running --image-path "$IMG" "$ID"
    assert_success
    run ocirun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output --partial "already exists"
    # the restored process's program is missing from this rootfs: CRIU fails half way
    B2="$BATS_TEST_TMPDIR/b2"
    setup_bundle "$B2" "$ID-2"
    counter_config "$COUNTER" "$B2"
    rm "$B2/rootfs/bin/busybox"
    run ocirun restore -d --image-path "$IMG" --bundle "$B2" "$ID-2"
    assert_failure
    assert_output --partial "criu restore failed"
    assert_output --partial "restore.log"
    assert_no_leftovers "$ID-2" "$B2"
    assert_equal "$(container_status "$ID")" running
}

#!/usr/bin/env bats
# checkpoint and restore with CRIU: runs only in the VM of `make check-vm` (CRIU 3.17 cannot run
# on the host's newer kernel). A busybox counter keeps counting after restore, pre-dump,
# --leave-running, a new id, bind mounts, a terminal, a memory limit, the error paths.

load ../bats/helpers

setup() {
    [ "${OCIRUN_VM:-}" = 1 ] || skip "needs the VM of make check-vm (CRIU does not run on this kernel)"
    command -v criu >/dev/null || skip "criu is not installed (make deps)"
    common_setup
    IMG="$BATS_TEST_TMPDIR/img"
    update_config '.root.readonly = false | .process.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done"]'
}

teardown() {
    [ -n "${ROOT:-}" ] || return 0
    common_teardown
}

# run_counter [ID]: the counter container, detached, its stdio pipes (CRIU restores them).
run_counter() {
    local id=${1:-$ID}
    run_with_pipes run -d --bundle "$BUNDLE" "$id"
    wait_for_status "$id" running
    wait_count_above 0
}

@test "checkpoint: a counter stops, restore: it counts on from where it was" {
    run_counter
    run ocirun checkpoint --image-path "$IMG" "$ID"
    assert_success
    [ -z "$output" ] || fail "checkpoint printed: $output"
    # the container is gone, its processes with it
    run ocirun state "$ID"
    assert_failure
    before=$(<"$ROOTFS/tmp/count")
    sleep 0.5
    assert_equal "$(<"$ROOTFS/tmp/count")" "$before"
    run_with_pipes restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
    wait_for_status "$ID" running
    wait_count_above "$before"
    # not a new counter: it went on from the saved value
    [ "$(<"$ROOTFS/tmp/count")" -lt $((before + 100)) ]
}

#!/usr/bin/env bats
# checkpoint and restore on the host: the command lines and the errors before CRIU runs (CRIU
# itself cannot run on this kernel: the dumps and restores are tests/bats-vm/checkpoint.bats).

load helpers

@test "checkpoint --help and restore --help document every flag of runc 1.1's" {
    run ocirun checkpoint --help
    assert_success
    for f in --image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk --shell-job \
        --lazy-pages --status-fd --page-server --file-locks --pre-dump --manage-cgroups-mode --empty-ns --auto-dedup; do
        grep -qE -- "^ +(.*[ ,])?$f([ ,]|$)" <<<"$output" || fail "checkpoint --help does not document $f"
    done
    run ocirun restore --help
    assert_success
    for f in --console-socket --image-path --work-path --tcp-established --ext-unix-sk --shell-job --file-locks \
        --manage-cgroups-mode --bundle --detach --pid-file --no-subreaper --no-pivot --empty-ns --auto-dedup \
        --lazy-pages --lsm-profile --lsm-mount-context; do
        grep -qE -- "^ +(.*[ ,])?$f([ ,]|$)" <<<"$output" || fail "restore --help does not document $f"
    done
}

@test "checkpoint: bad flags are usage errors; a missing or created container cannot be checkpointed and stays as it was" {
    run ocirun checkpoint --manage-cgroups-mode bogus "$ID"
    assert_failure
    run ocirun checkpoint --empty-ns ipc "$ID"
    assert_failure
    run ocirun checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$ID"
    assert_failure
    create_container
    run ocirun checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$ID"
    assert_failure
    assert_equal "$(container_status "$ID")" created
    runc_differs "runc's messages: 'Invalid manage-cgroups-mode value', 'Container cannot be checkpointed in created state'"
    assert_output --partial "container is created (not running)"
    run ocirun checkpoint --manage-cgroups-mode bogus "$ID"
    assert_output --partial '--manage-cgroups-mode "bogus": use soft, full, strict or ignore'
    run ocirun checkpoint --empty-ns ipc "$ID"
    assert_output --partial '--empty-ns "ipc": namespace is not supported'
}

@test "restore: no image, a terminal without --console-socket, a bundle that is not: nothing is left behind" {
    run ocirun restore -d --image-path "$BATS_TEST_TMPDIR/none" --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_no_leftovers "$ID"
    out_none=$output
    mkdir "$BATS_TEST_TMPDIR/img"
    run ocirun restore -d --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_no_leftovers "$ID"
    out_empty=$output
    run ocirun restore -d --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BATS_TEST_TMPDIR/nope" "$ID"
    assert_failure
    assert_no_leftovers "$ID"
    update_config '.process.terminal = true'
    run ocirun restore -d --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_no_leftovers "$ID"
    runc_differs "runc's messages differ (open .../descriptors.json: no such file or directory, ...)"
    assert_output --partial "--console-socket is required"
    output=$out_none assert_output --partial "--image-path \"$BATS_TEST_TMPDIR/none\""
    output=$out_empty assert_output --partial "holds no checkpoint of a container"
}

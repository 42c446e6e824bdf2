# Suite-wide fixtures: the test cgroup parent and the base busybox rootfs, built once per run.

source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

setup_suite() {
    # The runtime may be a bare name (OCIRUN=runc) or a path; fail early if it is unusable.
    command -v "${OCIRUN:=$BATS_TEST_DIRNAME/../../build/ocirun}" >/dev/null ||
        { echo "OCIRUN=$OCIRUN: not found (build it first)" >&2; return 1; }
    export OCIRUN

    CG_NAME="ocirun-bats-$$-$RANDOM"
    CG_PARENT="/$CG_NAME"
    CG_MOUNT=$(detect_cgroup2) || { echo "no cgroup2 hierarchy found" >&2; return 1; }
    mkdir "$CG_MOUNT$CG_PARENT"
    export CG_NAME CG_PARENT CG_MOUNT

    BASE_ROOTFS="$BATS_SUITE_TMPDIR/base-rootfs"
    busybox_rootfs "$BASE_ROOTFS"
    BASE_CONFIG="$BATS_SUITE_TMPDIR/base-config.json"
    write_base_config "$BASE_CONFIG"
    export BASE_ROOTFS BASE_CONFIG
}

teardown_suite() {
    [ -n "${CG_NAME:-}" ] || return 0
    # Leftover containers of our own tests are gone by now (per-test teardown); what can remain
    # are empty cgroup directories. runc on a hybrid host also creates them in the v1
    # hierarchies, so sweep every hierarchy for our unique name only.
    local h
    for h in "$CG_MOUNT" /sys/fs/cgroup/*; do
        [ -d "$h/$CG_NAME" ] && remove_cgroup_tree "$h/$CG_NAME"
    done
    return 0
}

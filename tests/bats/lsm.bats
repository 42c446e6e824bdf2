#!/usr/bin/env bats
# process.apparmorProfile, process.selinuxLabel and linux.mountLabel.
#
# The CI machines run neither AppArmor nor SELinux, so what runs there is the disabled case: a
# profile or label the host cannot apply is refused before anything is created (runc fails
# too, see ocirun(8) SECURITY MODULES), and empty fields change nothing. Applying a profile or
# label needs a host where the module is enabled: those tests skip elsewhere. The procfs
# checks of the write itself are unit-tested (tests/unit/test_lsm.c).

load helpers

MOUNT_LABEL=system_u:object_r:container_file_t:s0:c1,c2

apparmor_enabled() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

selinux_enabled() {
    [ -e /sys/fs/selinux/enforce ]
}

@test "process.apparmorProfile without AppArmor: run refused, nothing left" {
    apparmor_enabled && skip "AppArmor is enabled here"
    update_config '.process.apparmorProfile = "ocirun-test"'
    expect_run_error 'process.apparmorProfile "ocirun-test": AppArmor is not enabled on this host'
}

@test "process.apparmorProfile without AppArmor: create refused, nothing left" {
    apparmor_enabled && skip "AppArmor is enabled here"
    update_config '.process.apparmorProfile = "unconfined"'
    expect_create_failure
    [[ "$stderr" == *'process.apparmorProfile "unconfined": AppArmor is not enabled on this host'* ]]
}

@test "process.selinuxLabel without SELinux: refused, nothing left" {
    selinux_enabled && skip "SELinux is enabled here"
    update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
    expect_run_error 'process.selinuxLabel "system_u:system_r:container_t:s0:c1,c2": SELinux is disabled or not supported on this host'
}

@test "linux.mountLabel without SELinux: refused when a mount would carry it" {
    selinux_enabled && skip "SELinux is enabled here"
    update_config ".linux.mountLabel = \"$MOUNT_LABEL\""
    expect_run_error "linux.mountLabel \"$MOUNT_LABEL\": SELinux is disabled or not supported on this host (mounts[1] \"/dev\" would carry it)"
}

@test "linux.mountLabel without SELinux: proc, sysfs, mqueue and bind mounts do not carry it" {
    selinux_enabled && skip "SELinux is enabled here"
    mkdir -p "$BATS_TEST_TMPDIR/data"
    update_config ".linux.mountLabel = \"$MOUNT_LABEL\" | .mounts |= map(select(.type != \"tmpfs\" and .type != \"devpts\"))
                   | .mounts += [{destination: \"/data\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/data\", options: [\"rbind\"]}]"
    run_in_container 'grep -c context= /proc/self/mountinfo; echo ok'
    assert_success
    assert_line --index 0 "0"
    assert_line --index 1 "ok"
}

@test "empty apparmorProfile, selinuxLabel and mountLabel change nothing" {
    update_config '.process.apparmorProfile = "" | .process.selinuxLabel = "" | .linux.mountLabel = ""'
    run_in_container 'grep " /dev " /proc/self/mountinfo; echo ok'
    assert_success
    refute_output --partial "context="
    assert_line --index 1 "ok"
}

@test "process.apparmorProfile with AppArmor: the process runs under the profile" {
    apparmor_enabled || skip "needs AppArmor enabled"
    update_config '.process.apparmorProfile = "unconfined"'
    run_in_container 'cat /proc/self/attr/current'
    assert_success
    assert_output --partial "unconfined"
}

@test "process.selinuxLabel with SELinux: the process runs with the label" {
    selinux_enabled || skip "needs SELinux enabled"
    label=$(cat /proc/self/attr/current | tr -d '\0')
    update_config ".process.selinuxLabel = $(json_quote "$label")"
    run_in_container 'cat /proc/self/attr/current'
    assert_success
    assert_output --partial "$label"
}

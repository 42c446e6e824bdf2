/* test_lsm.c: LSM label formatting, the runtime's label checks and the init's label writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/lsm.h"

/*
 * What needs an enforcing AppArmor or SELinux (a profile or label actually applied, context=
 * accepted by the kernel) cannot be tested on the CI machines, which run neither: the tests
 * that depend on the host's modules check the disabled case and skip otherwise. The writes
 * below only ever use profiles and labels that no host has, so they fail everywhere and change
 * nothing, not even for our next exec.
 */

static void assert_err_prefix(oci_err_t err, const char *prefix)
{
    assert_non_null(err);
    if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err->msg, prefix);
}

static void test_apparmor_exec_value(void **state)
{
    (void) state;
    cleanup_free char *v = oci_lsm_apparmor_exec_value("docker-default");

    assert_string_equal(v, "exec docker-default");
}

static void test_mount_data(void **state)
{
    (void) state;
    const char *label = "system_u:object_r:container_file_t:s0:c1,c2";
    cleanup_free char *none = oci_lsm_mount_data(NULL, label);
    cleanup_free char *empty = oci_lsm_mount_data("", label);
    cleanup_free char *some = oci_lsm_mount_data("mode=755,size=65536k", label);

    assert_string_equal(none, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
    assert_string_equal(empty, none);
    assert_string_equal(some, "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
}

static void test_fsconfig_value(void **state)
{
    (void) state;
    char ctx[] = "\"system_u:object_r:container_file_t:s0:c1,c2\"";
    char mode[] = "\"755\"";
    char bare[] = "system_u:object_r:tmpfs_t:s0";
    char one[] = "\"";

    assert_string_equal(oci_lsm_fsconfig_value("context", ctx), "system_u:object_r:container_file_t:s0:c1,c2");
    assert_string_equal(oci_lsm_fsconfig_value("mode", mode), "\"755\"");
    assert_string_equal(oci_lsm_fsconfig_value("rootcontext", bare), "system_u:object_r:tmpfs_t:s0");
    assert_string_equal(oci_lsm_fsconfig_value("context", one), "\"");
}

static void test_mount_takes_label(void **state)
{
    (void) state;
    assert_true(oci_lsm_mount_takes_label("tmpfs"));
    assert_true(oci_lsm_mount_takes_label("devpts"));
    assert_false(oci_lsm_mount_takes_label("proc"));
    assert_false(oci_lsm_mount_takes_label("sysfs"));
    assert_false(oci_lsm_mount_takes_label("mqueue"));
    assert_false(oci_lsm_mount_takes_label("cgroup"));
    assert_false(oci_lsm_mount_takes_label("bind"));
    assert_false(oci_lsm_mount_takes_label(NULL));
    assert_false(oci_lsm_mount_takes_label(""));
}

static void test_check_empty_fields(void **state)
{
    (void) state;
    struct oci_process p = { .apparmor_profile = (char *) "", .selinux_label = NULL };
    struct oci_linux lx = { .mount_label = (char *) "" };
    struct oci_spec spec = { .process = &p, .linux_ = &lx };
    oci_err_t err = NULL;

    assert_int_equal(oci_lsm_check(&spec, &err), 0);
    assert_null(err);
    spec.linux_ = NULL;
    assert_int_equal(oci_lsm_check(&spec, &err), 0);
}

static void test_check_apparmor_disabled(void **state)
{
    (void) state;
    struct oci_process p = { .apparmor_profile = (char *) "ocirun-test-no-such-profile" };
    struct oci_spec spec = { .process = &p };
    cleanup_error oci_err_t err = NULL;

    if (oci_lsm_apparmor_enabled())
        skip();
    assert_true(oci_lsm_check(&spec, &err) < 0);
    assert_string_equal(err->msg, "process.apparmorProfile \"ocirun-test-no-such-profile\": "
                                  "AppArmor is not enabled on this host");
}

static void test_check_selinux_disabled(void **state)
{
    (void) state;
    struct oci_process p = { .selinux_label = (char *) "system_u:system_r:container_t:s0" };
    struct oci_spec spec = { .process = &p };
    cleanup_error oci_err_t err = NULL;

    if (oci_lsm_selinux_enabled())
        skip();
    assert_true(oci_lsm_check(&spec, &err) < 0);
    assert_string_equal(err->msg, "process.selinuxLabel \"system_u:system_r:container_t:s0\": "
                                  "SELinux is disabled or not supported on this host");
}

/* Without SELinux a mount label only fails when a mount would carry it, as with runc. */
static void test_check_mount_label_disabled(void **state)
{
    (void) state;
    char *bind_opts[] = { (char *) "rbind", (char *) "ro" };
    struct oci_mount mounts[] = {
        { .destination = (char *) "/proc", .source = (char *) "proc", .type = (char *) "proc" },
        { .destination = (char *) "/data", .source = (char *) "/srv", .type = (char *) "none",
          .options = { .v = bind_opts, .len = 2 } },
        { .destination = (char *) "/dev/mqueue", .source = (char *) "mqueue", .type = (char *) "mqueue" },
        { .destination = (char *) "/dev", .source = (char *) "tmpfs", .type = (char *) "tmpfs" },
    };
    struct oci_linux lx = { .mount_label = (char *) "system_u:object_r:container_file_t:s0" };
    struct oci_spec spec = { .linux_ = &lx, .mounts = mounts, .n_mounts = 3 };
    cleanup_error oci_err_t err = NULL;

    if (oci_lsm_selinux_enabled())
        skip();
    assert_int_equal(oci_lsm_check(&spec, &err), 0);
    spec.n_mounts = 4;
    assert_true(oci_lsm_check(&spec, &err) < 0);
    assert_string_equal(err->msg, "linux.mountLabel \"system_u:object_r:container_file_t:s0\": SELinux is "
                                  "disabled or not supported on this host (mounts[3] \"/dev\" would carry it)");
}

static void test_label_mount_opts(void **state)
{
    (void) state;
    struct oci_mount tmpfs = { .destination = (char *) "/dev", .type = (char *) "tmpfs" };
    struct oci_mount proc = { .destination = (char *) "/proc", .type = (char *) "proc" };
    struct oci_linux lx = { .mount_label = (char *) "system_u:object_r:container_file_t:s0" };
    struct oci_spec spec = { .linux_ = &lx };
    struct oci_mount_opts opts = { .data = xstrdup("mode=755") };

    oci_lsm_label_mount_opts(&spec, &proc, &opts);
    assert_string_equal(opts.data, "mode=755");
    oci_lsm_label_mount_opts(&spec, &tmpfs, &opts);
    if (oci_lsm_selinux_enabled())
        assert_string_equal(opts.data, "mode=755,context=\"system_u:object_r:container_file_t:s0\"");
    else
        assert_string_equal(opts.data, "mode=755");
    free(opts.data);
}

/* The init's write names the field and the file; no host has this profile or label. */
static void test_apply_exec_errors(void **state)
{
    (void) state;
    struct oci_process aa = { .apparmor_profile = (char *) "ocirun-test-no-such-profile" };
    struct oci_process se = { .selinux_label = (char *) "ocirun_test_no_such_context" };
    struct oci_process none = { 0 };
    cleanup_error oci_err_t err = NULL;

    assert_int_equal(oci_lsm_apply_exec(&none, &err), 0);
    assert_true(oci_lsm_apply_exec(&aa, &err) < 0);
    assert_err_prefix(err, "process.apparmorProfile \"ocirun-test-no-such-profile\": write /proc/self/attr/");
    oci_error_free(&err);
    assert_true(oci_lsm_apply_exec(&se, &err) < 0);
    assert_err_prefix(err, "process.selinuxLabel \"ocirun_test_no_such_context\": write /proc/self/attr/exec: ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apparmor_exec_value),
        cmocka_unit_test(test_mount_data),
        cmocka_unit_test(test_fsconfig_value),
        cmocka_unit_test(test_mount_takes_label),
        cmocka_unit_test(test_check_empty_fields),
        cmocka_unit_test(test_check_apparmor_disabled),
        cmocka_unit_test(test_check_selinux_disabled),
        cmocka_unit_test(test_check_mount_label_disabled),
        cmocka_unit_test(test_label_mount_opts),
        cmocka_unit_test(test_apply_exec_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_mount_opts.c: parsing of mounts[].options into flags, propagation, recursive attributes and data. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static void parse(struct oci_mount_opts *o, char **opts)
{
    oci_err_t err = NULL;

    assert_int_equal(oci_mount_opts_parse(opts, strv_len(opts), o, &err), 0);
    assert_null(err);
}

struct flag_case { const char *name; unsigned long flags; unsigned long clear; };

static void test_set_and_clear_flags(void **state)
{
    (void) state;
    static const struct flag_case cases[] = {
        { "ro", MS_RDONLY, 0 }, { "rw", 0, MS_RDONLY },
        { "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
        { "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },
        { "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
        { "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
        { "dirsync", MS_DIRSYNC, 0 }, { "remount", MS_REMOUNT, 0 },
        { "mand", MS_MANDLOCK, 0 }, { "nomand", 0, MS_MANDLOCK },
        { "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
        { "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
        { "relatime", MS_RELATIME, 0 }, { "norelatime", 0, MS_RELATIME },
        { "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
        { "lazytime", MS_LAZYTIME, 0 }, { "nolazytime", 0, MS_LAZYTIME },
        { "silent", MS_SILENT, 0 }, { "loud", 0, MS_SILENT },
        { "iversion", MS_I_VERSION, 0 }, { "noiversion", 0, MS_I_VERSION },
        { "nosymfollow", MS_NOSYMFOLLOW, 0 }, { "symfollow", 0, MS_NOSYMFOLLOW },
        { "bind", MS_BIND, 0 }, { "rbind", MS_BIND | MS_REC, 0 },
        { "defaults", 0, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *opts[] = { (char *) cases[i].name, NULL };
        struct oci_mount_opts o;

        parse(&o, opts);
        assert_int_equal(o.flags, cases[i].flags);
        assert_int_equal(o.clear, cases[i].clear);
        assert_int_equal(o.n_propagation, 0);
        assert_int_equal(o.rec_attr_set, 0);
        assert_int_equal(o.rec_attr_clr, 0);
        assert_null(o.data);
        oci_mount_opts_free(&o);
    }
}

static void test_last_option_wins(void **state)
{
    (void) state;
    char *opts[] = { "ro", "nosuid", "rw", "suid", "nosuid", NULL };
    char *atime[] = { "noatime", "strictatime", "relatime", NULL };
    struct oci_mount_opts o;

    parse(&o, opts);
    assert_int_equal(o.flags, MS_NOSUID);
    assert_int_equal(o.clear, MS_RDONLY);
    oci_mount_opts_free(&o);

    parse(&o, atime);
    assert_int_equal(o.flags, MS_RELATIME);
    oci_mount_opts_free(&o);
}

struct prop_case { const char *name; unsigned long flag; };

static void test_propagation(void **state)
{
    (void) state;
    static const struct prop_case cases[] = {
        { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
        { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
        { "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
        { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
    };
    char *several[] = { "rbind", "rshared", "ro", "slave", NULL };
    struct oci_mount_opts o;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *opts[] = { (char *) cases[i].name, NULL };

        parse(&o, opts);
        assert_int_equal(o.n_propagation, 1);
        assert_int_equal(o.propagation[0], cases[i].flag);
        assert_int_equal(o.flags, 0);
        assert_int_equal(oci_mount_propagation_from_name(cases[i].name), (long) cases[i].flag);
        oci_mount_opts_free(&o);
    }
    assert_int_equal(oci_mount_propagation_from_name("ro"), -1);
    assert_int_equal(oci_mount_propagation_from_name("bogus"), -1);

    parse(&o, several);
    assert_int_equal(o.n_propagation, 2);
    assert_int_equal(o.propagation[0], MS_SHARED | MS_REC);
    assert_int_equal(o.propagation[1], MS_SLAVE);
    assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
    oci_mount_opts_free(&o);
}

static void test_too_many_propagation(void **state)
{
    (void) state;
    char *opts[OCI_MOUNT_MAX_PROPAGATION + 2];
    struct oci_mount_opts o;
    oci_err_t err = NULL;

    for (size_t i = 0; i < OCI_MOUNT_MAX_PROPAGATION + 1; i++)
        opts[i] = "private";
    opts[OCI_MOUNT_MAX_PROPAGATION + 1] = NULL;
    assert_int_equal(oci_mount_opts_parse(opts, OCI_MOUNT_MAX_PROPAGATION + 1, &o, &err), -EINVAL);
    assert_non_null(strstr(err->msg, "propagation"));
    oci_error_free(&err);
}

struct rec_case { const char *name; uint64_t set; uint64_t clr; };

static void test_recursive_attrs(void **state)
{
    (void) state;
    static const struct rec_case cases[] = {
        { "rro", MOUNT_ATTR_RDONLY, 0 }, { "rrw", 0, MOUNT_ATTR_RDONLY },
        { "rnosuid", MOUNT_ATTR_NOSUID, 0 }, { "rsuid", 0, MOUNT_ATTR_NOSUID },
        { "rnodev", MOUNT_ATTR_NODEV, 0 }, { "rdev", 0, MOUNT_ATTR_NODEV },
        { "rnoexec", MOUNT_ATTR_NOEXEC, 0 }, { "rexec", 0, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
        { "rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
        { "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
        { "ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
        { "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
        { "rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
        { "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 }, { "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
    };
    char *combo[] = { "rro", "rnoexec", "rnoatime", "rrw", "rstrictatime", NULL };
    struct oci_mount_opts o;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *opts[] = { (char *) cases[i].name, NULL };

        parse(&o, opts);
        assert_int_equal(o.rec_attr_set, cases[i].set);
        assert_int_equal(o.rec_attr_clr, cases[i].clr);
        assert_int_equal(o.flags, 0);
        assert_int_equal(o.clear, 0);
        assert_null(o.data);
        oci_mount_opts_free(&o);
    }

    parse(&o, combo);
    assert_int_equal(o.rec_attr_set, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME);
    assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
    oci_mount_opts_free(&o);
}

static void test_data_joining(void **state)
{
    (void) state;
    char *opts[] = { "nosuid", "mode=755", "", "size=65536k", "strictatime", "uid=0,gid=0", NULL };
    char *none[] = { "nosuid", "noexec", NULL };
    struct oci_mount_opts o;

    parse(&o, opts);
    assert_string_equal(o.data, "mode=755,size=65536k,uid=0,gid=0");
    assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
    oci_mount_opts_free(&o);
    assert_null(o.data);

    parse(&o, none);
    assert_null(o.data);
    oci_mount_opts_free(&o);
}

static void test_bind_ro(void **state)
{
    (void) state;
    char *bind_ro[] = { "bind", "ro", NULL };
    char *rbind[] = { "rbind", "nosuid", "nodev", NULL };
    struct oci_mount_opts o;

    parse(&o, bind_ro);
    assert_true(o.bind);
    assert_false(o.rbind);
    assert_int_equal(o.flags, MS_BIND | MS_RDONLY);
    assert_int_equal(oci_mount_flags_to_attr(o.flags), MOUNT_ATTR_RDONLY);
    assert_int_equal(oci_mount_clear_to_attr(o.flags, o.clear), 0);
    oci_mount_opts_free(&o);

    parse(&o, rbind);
    assert_true(o.bind);
    assert_true(o.rbind);
    assert_int_equal(o.flags, MS_BIND | MS_REC | MS_NOSUID | MS_NODEV);
    assert_int_equal(oci_mount_flags_to_attr(o.flags), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    oci_mount_opts_free(&o);
}

static void test_extensions(void **state)
{
    (void) state;
    char *copyup[] = { "tmpcopyup", "mode=1777", NULL };
    char *idmap[] = { "bind", "idmap", NULL };
    char *ridmap[] = { "rbind", "ridmap", NULL };
    struct oci_mount_opts o;

    parse(&o, copyup);
    assert_true(o.tmpcopyup);
    assert_false(o.bind);
    assert_string_equal(o.data, "mode=1777");
    oci_mount_opts_free(&o);

    parse(&o, idmap);
    assert_true(o.idmap);
    assert_false(o.ridmap);
    assert_int_equal(o.flags, MS_BIND);
    oci_mount_opts_free(&o);

    parse(&o, ridmap);
    assert_true(o.idmap);
    assert_true(o.ridmap);
    oci_mount_opts_free(&o);
}

static void test_attr_conversion(void **state)
{
    (void) state;
    assert_int_equal(oci_mount_flags_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC),
                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    assert_int_equal(oci_mount_flags_to_attr(MS_NOATIME | MS_NODIRATIME),
                     MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME);
    assert_int_equal(oci_mount_flags_to_attr(MS_STRICTATIME | MS_NOSYMFOLLOW),
                     MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NOSYMFOLLOW);
    assert_int_equal(oci_mount_flags_to_attr(MS_RELATIME | MS_SYNCHRONOUS | MS_BIND), MOUNT_ATTR_RELATIME);
    assert_int_equal(oci_mount_clear_to_attr(MS_RELATIME, 0), MOUNT_ATTR__ATIME);
    assert_int_equal(oci_mount_clear_to_attr(0, MS_NOATIME | MS_RDONLY), MOUNT_ATTR__ATIME | MOUNT_ATTR_RDONLY);
    assert_int_equal(oci_mount_clear_to_attr(0, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS),
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_clear_flags),
        cmocka_unit_test(test_last_option_wins),
        cmocka_unit_test(test_propagation),
        cmocka_unit_test(test_too_many_propagation),
        cmocka_unit_test(test_recursive_attrs),
        cmocka_unit_test(test_data_joining),
        cmocka_unit_test(test_bind_ro),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_attr_conversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

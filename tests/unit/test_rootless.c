/* test_rootless.c: the default --root per user (runc's XDG_RUNTIME_DIR rule) and --rootless values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/core/rootless.h"
#include "ocirun/core/utils.h"

static void test_default_root(void **state)
{
    (void) state;
    const struct { uid_t euid; bool userns; const char *xdg, *user, *want; } cases[] = {
        { 0, false, NULL, "root", "/run/ocirun" },
        { 0, false, "/run/user/0", "root", "/run/ocirun" },       /* root on the host: never XDG */
        { 0, false, "/run/user/1000", "alice", "/run/ocirun" },
        { 1000, false, "/run/user/1000", "alice", "/run/user/1000/ocirun" },
        { 1000, false, NULL, "alice", "/run/ocirun" },            /* no XDG_RUNTIME_DIR: root's */
        { 1000, false, "", "alice", "/run/ocirun" },
        { 0, true, "/run/user/1000", "alice", "/run/user/1000/ocirun" },  /* rootless podman */
        { 0, true, "/run/user/1000", NULL, "/run/user/1000/ocirun" },
        { 0, true, "/run/user/1000", "root", "/run/ocirun" },     /* sudo in the namespace */
        { 0, true, NULL, "alice", "/run/ocirun" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *got = oci_default_root_for(cases[i].euid, cases[i].userns, cases[i].xdg, cases[i].user);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got %s, want %s", i, got, cases[i].want);
        free(got);
    }
}

static void test_rootless_parse(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    bool v = false;

    const char *yes[] = { "true", "TRUE", "True", "t", "T", "1" };
    const char *no[] = { "false", "FALSE", "False", "f", "F", "0" };
    const char *autos[] = { "auto", "AUTO", "Auto", "" };
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        v = false;
        assert_int_equal(oci_rootless_parse(yes[i], &v, &err), 0);
        assert_true(v);
        assert_int_equal(oci_rootless_parse(no[i], &v, &err), 0);
        assert_false(v);
    }
    for (size_t i = 0; i < ARRAY_SIZE(autos); i++) {
        assert_int_equal(oci_rootless_parse(autos[i], &v, &err), 0);
        assert_int_equal(v, geteuid() != 0 || oci_in_user_namespace());
    }
    const char *bad[] = { "yes", "no", "tRUE", "2", "auto ", "on" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(oci_rootless_parse(bad[i], &v, &err), -1);
        assert_non_null(strstr(err->msg, "is not true, false or auto"));
        oci_error_free(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_root),
        cmocka_unit_test(test_rootless_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

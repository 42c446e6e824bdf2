/* test_criu.c: the checkpoint/restore options that go to CRIU (--manage-cgroups-mode, --empty-ns). */
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/criu/criu.h"

static void test_cg_modes(void **state)
{
    (void) state;
    const struct { const char *in; enum oci_criu_cg_mode mode; } cases[] = {
        { "soft", OCI_CRIU_CG_SOFT }, { "full", OCI_CRIU_CG_FULL },
        { "strict", OCI_CRIU_CG_STRICT }, { "ignore", OCI_CRIU_CG_IGNORE },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        enum oci_criu_cg_mode m = OCI_CRIU_CG_DEFAULT;
        oci_err_t err = NULL;
        assert_int_equal(oci_criu_parse_cg_mode(cases[i].in, &m, &err), 0);
        assert_int_equal(m, cases[i].mode);
    }
}

static void test_cg_mode_bad(void **state)
{
    (void) state;
    const char *bad[] = { "", "Soft", "props", "none", "soft " };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        enum oci_criu_cg_mode m = OCI_CRIU_CG_DEFAULT;
        oci_err_t err = NULL;
        assert_true(oci_criu_parse_cg_mode(bad[i], &m, &err) < 0);
        assert_non_null(strstr(err->msg, "--manage-cgroups-mode"));
        assert_int_equal(m, OCI_CRIU_CG_DEFAULT);
        oci_error_free(&err);
    }
}

/* runc accepts only the network namespace for --empty-ns */
static void test_empty_ns(void **state)
{
    (void) state;
    uint32_t mask = 0;
    oci_err_t err = NULL;

    assert_int_equal(oci_criu_parse_empty_ns("network", &mask, &err), 0);
    assert_int_equal(mask, CLONE_NEWNET);
    assert_true(oci_criu_parse_empty_ns("ipc", &mask, &err) < 0);
    assert_string_equal(err->msg, "--empty-ns \"ipc\": namespace is not supported (only \"network\")");
    assert_int_equal(mask, CLONE_NEWNET);
    oci_error_free(&err);
}

/* A program CRIU ran failed: the error line before CRIU's "exited, status" is the cause. */
static void test_log_cause(void **state)
{
    (void) state;
    const char *log =
        "(00.001) Warn  (criu/kerndat.c:1): probe failed\n"
        "(00.100) Error (criu/kerndat.c:2): an earlier probe\n"
        "(00.200) Running iptables-save -w\n"
        "(00.201) Error (criu/util.c:626): execvp(\"iptables-save\", ...) failed: No such file or directory\n"
        "(00.202) Error (criu/util.c:642): exited, status=1\n"
        "(00.300) Error (criu/cr-dump.c:2053): Dumping FAILED.\n";
    char *cause = oci_criu_log_cause(log, "criu dump failed: Error (criu/util.c:642): exited, status=1");

    assert_non_null(cause);
    assert_string_equal(cause, "(00.201) Error (criu/util.c:626): execvp(\"iptables-save\", ...) failed: "
                        "No such file or directory");
    free(cause);
    /* an answer that names its error already, one not in the log, nothing before it: no cause */
    assert_null(oci_criu_log_cause(log, "criu dump failed: Error (criu/cr-dump.c:2053): Dumping FAILED."));
    assert_null(oci_criu_log_cause(log, "criu dump failed: Error (criu/util.c:999): exited, status=2"));
    assert_null(oci_criu_log_cause("(0) Error (criu/util.c:642): exited, status=1\n",
                                   "x: Error (criu/util.c:642): exited, status=1"));
    assert_null(oci_criu_log_cause(log, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cg_modes),
        cmocka_unit_test(test_log_cause),
        cmocka_unit_test(test_cg_mode_bad),
        cmocka_unit_test(test_empty_ns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

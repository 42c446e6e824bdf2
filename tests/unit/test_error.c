/* test_error.c: the error object: errno text, context chains, return values. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/core/error.h"
#include "ocirun/core/utils.h"

static void test_set_with_errno(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int ret = oci_error_set(&err, ENODEV, "mount %s", "tmpfs");

    assert_int_equal(ret, -ENODEV);
    assert_string_equal(err->msg, "mount tmpfs: No such device");
    assert_int_equal(oci_error_errno(&err), ENODEV);
    oci_error_free(&err);
    assert_null(err);
}

static void test_wrap_chain(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    oci_error_set(&err, ENODEV, "mount tmpfs");
    oci_error_wrap(&err, "mounts[%d] \"%s\"", 3, "/data");
    assert_string_equal(err->msg, "mounts[3] \"/data\": mount tmpfs: No such device");
    assert_int_equal(err->errnum, ENODEV);
    oci_error_free(&err);
}

static void test_set_without_errno(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    assert_int_equal(oci_error_set(&err, 0, "plain"), -1);
    assert_string_equal(err->msg, "plain");
    assert_int_equal(oci_error_errno(&err), 0);
    oci_error_free(&err);
}

static void test_null_err_is_allowed(void **state)
{
    (void) state;
    assert_int_equal(oci_error_set(NULL, EPERM, "ignored"), -EPERM);
    assert_int_equal(oci_error_wrap(NULL, "x"), -1);
}

static void test_set_replaces_previous(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    oci_error_set(&err, 0, "first");
    oci_error_set(&err, 0, "second");
    assert_string_equal(err->msg, "second");
    oci_error_free(&err);
}

static void test_set_code_keeps_errno_out_of_the_text(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    assert_int_equal(oci_error_set_code(&err, ETIMEDOUT, "waited %d s", 30), -ETIMEDOUT);
    assert_string_equal(err->msg, "waited 30 s");
    assert_int_equal(oci_error_errno(&err), ETIMEDOUT);
    oci_error_free(&err);
    assert_int_equal(oci_error_set_code(NULL, EPIPE, "ignored"), -EPIPE);
}

static void test_deadlines(void **state)
{
    (void) state;
    uint64_t d = deadline_after_ms(60000);

    assert_int_equal(deadline_after_ms(-1), 0);
    assert_int_equal(deadline_ms_left(0), -1);           /* no deadline: poll forever */
    assert_true(deadline_ms_left(d) > 59000 && deadline_ms_left(d) <= 60000);
    assert_int_equal(deadline_ms_left(deadline_after_ms(0) - 1), 0);   /* past */
}

static void test_parse_numbers(void **state)
{
    (void) state;
    int64_t i;
    uint64_t u;

    assert_int_equal(parse_int64("-42", &i), 0);
    assert_int_equal(i, -42);
    assert_int_not_equal(parse_int64("42x", &i), 0);
    assert_int_not_equal(parse_int64("", &i), 0);
    assert_int_equal(parse_uint64("18446744073709551615", &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_not_equal(parse_uint64("-1", &u), 0);
    assert_int_not_equal(parse_uint64("18446744073709551616", &u), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_with_errno),
        cmocka_unit_test(test_set_code_keeps_errno_out_of_the_text),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_wrap_chain),
        cmocka_unit_test(test_set_without_errno),
        cmocka_unit_test(test_null_err_is_allowed),
        cmocka_unit_test(test_set_replaces_previous),
        cmocka_unit_test(test_parse_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_capabilities.c: process.capabilities names to bits, errors naming the field, the bounding check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/security/capabilities.h"

static struct oci_strv strv_of(char **v)
{
    struct oci_strv s = { .v = v, .len = strv_len(v) };

    return s;
}

static void test_known_names(void **state)
{
    (void) state;
    char *bnd[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
    char *eff[] = { "CAP_SYS_ADMIN", NULL };
    char *none[] = { NULL };
    struct oci_capabilities c = { .bounding = strv_of(bnd), .effective = strv_of(eff),
                                  .inheritable = strv_of(none), .permitted = strv_of(bnd),
                                  .ambient = strv_of(none) };
    struct oci_caps out;
    oci_err_t err = NULL;

    memset(&out, 0xff, sizeof(out));
    assert_int_equal(oci_caps_resolve(&c, &out, &err), 0);
    assert_null(err);
    assert_int_equal(out.bounding, 0x421);      /* bits 0, 5 and 10 */
    assert_int_equal(out.permitted, 0x421);
    assert_int_equal(out.effective, 1ULL << 21);
    assert_int_equal(out.inheritable, 0);       /* absent or empty: nothing (CVE-2022-29162) */
    assert_int_equal(out.ambient, 0);
}

static void test_unknown_name_names_the_field(void **state)
{
    (void) state;
    char *bnd[] = { "CAP_CHOWN", "CAP_FOO", NULL };
    struct oci_capabilities c = { .bounding = strv_of(bnd) };
    struct oci_caps out;
    oci_err_t err = NULL;

    assert_true(oci_caps_resolve(&c, &out, &err) < 0);
    assert_non_null(err);
    assert_string_equal(err->msg, "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"");
    oci_error_free(&err);
}

static void test_unknown_name_in_ambient(void **state)
{
    (void) state;
    char *amb[] = { "CAP_NOT_A_CAP", NULL };
    struct oci_capabilities c = { .ambient = strv_of(amb) };
    struct oci_caps out;
    oci_err_t err = NULL;

    assert_true(oci_caps_resolve(&c, &out, &err) < 0);
    assert_non_null(strstr(err->msg, "process.capabilities.ambient[0]: unknown capability"));
    oci_error_free(&err);
}

/* The spec names capabilities; a number is not one (libcap, which ocirun no longer uses, took them). */
static void test_number_is_not_a_name(void **state)
{
    (void) state;
    char *eff[] = { "CAP_CHOWN", "21", NULL };
    struct oci_capabilities c = { .effective = strv_of(eff) };
    struct oci_caps out;
    oci_err_t err = NULL;

    assert_true(oci_caps_resolve(&c, &out, &err) < 0);
    assert_non_null(strstr(err->msg, "process.capabilities.effective[1]: unknown capability \"21\""));
    oci_error_free(&err);
}

/* Every number up to CAP_LAST_CAP has its name, any case maps back, past the last is NULL. */
static void test_names_round_trip(void **state)
{
    (void) state;
    for (int c = 0; c <= CAP_LAST_CAP; c++) {
        const char *name = oci_cap_name(c);
        char lower[64];
        size_t i;

        assert_non_null(name);
        assert_int_equal(strncmp(name, "CAP_", 4), 0);
        assert_int_equal(oci_cap_from_name(name), c);
        for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
            lower[i] = (char) (name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
        lower[i] = '\0';
        assert_int_equal(oci_cap_from_name(lower), c);
    }
    assert_string_equal(oci_cap_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
    assert_null(oci_cap_name(CAP_LAST_CAP + 1));
    assert_null(oci_cap_name(-1));
    assert_int_equal(oci_cap_from_name("SYS_ADMIN"), -1);
    assert_int_equal(oci_cap_from_name(""), -1);
}

static void test_bounding_check(void **state)
{
    (void) state;
    oci_err_t err = NULL;

    assert_int_equal(oci_caps_check_bounding(0x421, 0x421, &err), 0);
    assert_int_equal(oci_caps_check_bounding(0, 0, &err), 0);
    assert_int_equal(oci_caps_check_bounding(1ULL << 5, ~0ULL, &err), 0);
    assert_null(err);
    /* CAP_SYS_ADMIN (21) wanted, the runtime has only CAP_CHOWN and CAP_KILL */
    assert_true(oci_caps_check_bounding((1ULL << 21) | 1, 0x21, &err) < 0);
    assert_non_null(strstr(err->msg, "process.capabilities.bounding: CAP_SYS_ADMIN is not in the runtime's own bounding set"));
    oci_error_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_names),
        cmocka_unit_test(test_unknown_name_names_the_field),
        cmocka_unit_test(test_unknown_name_in_ambient),
        cmocka_unit_test(test_number_is_not_a_name),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_bounding_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

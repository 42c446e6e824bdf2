/* test_check.c: the validation shared by create and check: a collecting parse, the spec's cross-field rules, sysctl keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ocirun/core/report.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/sysctl.h"
#include "ocirun/spec/spec.h"
#include "ocirun/spec/validate.h"

/* Test JSON is written with single quotes; q() turns them into double quotes. */
static char *q(const char *s)
{
    char *r = xstrdup(s);

    for (char *p = r; *p; p++)
        if (*p == '\'')
            *p = '"';
    return r;
}

#define BASE "'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, " \
             "'process': {'cwd': '/', 'args': ['sh']}, 'linux': {'namespaces': [{'type': 'mount'}"

/* A collecting parse of json_sq; *spec as far as it could be read. */
static struct oci_spec *parse_all(const char *json_sq, struct oci_report *r)
{
    cleanup_free char *json = q(json_sq);
    struct oci_spec *spec = NULL;

    *r = (struct oci_report) { 0 };
    oci_spec_parse_report(json, strlen(json), &spec, r);
    return spec;
}

static void assert_lines(const struct oci_report *r, const char *const *want, size_t n)
{
    for (size_t i = 0; i < r->len && i < n; i++)
        if (strcmp(r->lines[i], want[i]) != 0)
            fail_msg("problem %zu: got\n  %s\nwant\n  %s", i, r->lines[i], want[i]);
    if (r->len != n) {
        for (size_t i = 0; i < r->len; i++)
            print_message("  %s\n", r->lines[i]);
        fail_msg("%zu problems, want %zu", r->len, n);
    }
}

/* Every problem of the document, each with its JSON path, in the order the parser reads it. */
static void test_collecting_parse(void **state)
{
    struct oci_report r;
    struct oci_spec *spec;
    static const char *const want[] = {
        "root.readonly: expected a boolean, got 1",
        "process.cwd: must be an absolute path, got \"tmp\"",
        "process.args: must not be empty",
        "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"",
        "process.rlimits[1].soft: expected an unsigned 64-bit integer, got -1",
        "linux.namespaces[1].type: unknown namespace type \"pdi\"",
        "linux.namespaces[2].type: duplicate namespace type \"mount\"",
        "linux.seccomp.flags[0]: unknown seccomp flag \"F\"",
        "linux.seccomp.syscalls[0].action: unknown seccomp action \"nope\"",
    };

    (void) state;
    spec = parse_all("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs', 'readonly': 1},"
                     " 'process': {'cwd': 'tmp', 'args': [], 'env': ['A=1'],"
                     "  'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 2},"
                     "              {'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 2},"
                     "              {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0}]},"
                     " 'linux': {'namespaces': [{'type': 'mount'}, {'type': 'pdi'}, {'type': 'mount'}, {'type': 'pid'}],"
                     "  'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['F'],"
                     "              'syscalls': [{'names': ['x'], 'action': 'nope'}]}}}", &r);
    assert_non_null(spec);
    assert_lines(&r, want, ARRAY_SIZE(want));
    /* what was refused is marked so that the rules after the parse skip it */
    assert_null(spec->process->cwd);
    assert_string_equal(spec->process->env.v[0], "A=1");
    assert_int_equal(spec->process->rlimits[0].resource, -1);
    assert_int_equal(spec->process->rlimits[1].resource, -1);
    assert_int_equal(spec->process->rlimits[2].hard, 0);
    assert_true(spec->process->rlimits[2].resource >= 0);
    assert_int_equal(spec->linux_->namespaces[0].type, OCI_NS_MOUNT);
    assert_int_equal(spec->linux_->namespaces[1].type, OCI_NS_COUNT);
    assert_int_equal(spec->linux_->namespaces[2].type, OCI_NS_COUNT);
    assert_int_equal(spec->linux_->namespaces[3].type, OCI_NS_PID);
    assert_true(spec->linux_->seccomp->partial);
    oci_report_free(&r);
    oci_spec_free(spec);
}

/* The same document with a first-problem report: the first problem only, as create says it. */
static void test_first_problem_unchanged(void **state)
{
    cleanup_free char *json = q("{'ociVersion': '1.0.2', 'process': {'cwd': 'tmp', 'args': []},"
                                " 'linux': {'namespaces': [{'type': 'pdi'}]}}");
    struct oci_spec *spec = (struct oci_spec *) 1;
    oci_err_t err = NULL;

    (void) state;
    assert_int_equal(oci_spec_parse(json, strlen(json), &spec, &err), -1);
    assert_null(spec);
    assert_string_equal(err->msg, "process.cwd: must be an absolute path, got \"tmp\"");
    oci_error_free(&err);
}

static void test_not_json(void **state)
{
    struct oci_report r;

    (void) state;
    assert_null(parse_all("{'ociVersion': ", &r));
    assert_int_equal(r.len, 1);
    assert_true(strncmp(r.lines[0], "parse error: ", 13) == 0);
    oci_report_free(&r);
}

static void validate_lines(const char *json_sq, const char *const *want, size_t n)
{
    struct oci_report r;
    struct oci_spec *spec = parse_all(json_sq, &r);

    assert_non_null(spec);
    if (r.len)
        fail_msg("parse problem: %s", r.lines[0]);
    oci_spec_validate(spec, &r);
    oci_sysctl_check(spec, &r);
    assert_lines(&r, want, n);
    oci_report_free(&r);
    oci_spec_free(spec);
}

static void test_validate_ok(void **state)
{
    (void) state;
    validate_lines("{" BASE ", {'type': 'uts'}, {'type': 'user'}, {'type': 'network'}],"
                   " 'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
                   " 'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
                   " 'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.hostname': 'x'}}, 'hostname': 'h'}", NULL, 0);
}

static void test_validate_required(void **state)
{
    static const char *const want[] = {
        "config.json: process: missing required field",
        "config.json: root.path: missing required field",
        "config.json: linux.maskedPaths: cannot be applied without a private mount namespace (linux.namespaces "
        "has no \"mount\")",
        "config.json: linux.netDevices: not supported by this version of ocirun",
        "config.json: linux.memoryPolicy: not supported by this version of ocirun",
        "config.json: linux.intelRdt: not supported by this version of ocirun",
    };

    (void) state;
    validate_lines("{'ociVersion': '1.0.2', 'linux': {'maskedPaths': ['/proc/kcore'], 'netDevices': {'eth0': {}},"
                   " 'memoryPolicy': {'mode': 'MPOL_BIND'},"
                   " 'intelRdt': {'closID': 'x'}}}", want, ARRAY_SIZE(want));
}

static void test_validate_cross_fields(void **state)
{
    static const char *const want[] = {
        "hostname: cannot be set without a uts namespace (linux.namespaces)",
        "domainname: cannot be set without a uts namespace (linux.namespaces)",
        "linux.uidMappings: container uid 0 must be mapped (the container's setup runs as root in the new user "
        "namespace)",
        "process.user.uid 70000: not mapped by linux.uidMappings of the new user namespace",
        "process.user.additionalGids[1] 99: not mapped by linux.gidMappings of the new user namespace",
        "linux.personality.flags: \"X\" is not supported",
        "linux.sysctl \"kernel.panic\": not namespaced: it would change the host",
        "linux.sysctl \"net.ipv4.ip_forward\": needs a network namespace (linux.namespaces)",
        "linux.sysctl \"../x\": invalid key",
    };

    (void) state;
    validate_lines("{'ociVersion': '1.0.2', 'root': {'path': 'r'}, 'hostname': 'h', 'domainname': 'd',"
                   " 'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': 70000, 'gid': 0, 'additionalGids': [1, 99]}},"
                   " 'linux': {'namespaces': [{'type': 'mount'}, {'type': 'user'}],"
                   "  'uidMappings': [{'containerID': 1, 'hostID': 100000, 'size': 65536}],"
                   "  'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 50}],"
                   "  'personality': {'domain': 'LINUX', 'flags': ['X']},"
                   "  'sysctl': {'kernel.panic': '1', 'net.ipv4.ip_forward': '1', '../x': '1'}}}",
                   want, ARRAY_SIZE(want));
}

static void test_validate_user_namespace_maps(void **state)
{
    static const char *const want[] = {
        "linux.uidMappings and linux.gidMappings are required with a new user namespace",
    };

    (void) state;
    validate_lines("{" BASE ", {'type': 'user'}]}}", want, ARRAY_SIZE(want));
    /* a joined user namespace brings its own maps */
    validate_lines("{" BASE ", {'type': 'user', 'path': '/proc/1/ns/user'}]}}", NULL, 0);
}

/* Fields of a namespace the container does not create are refused, not ignored. */
static void test_validate_namespace_fields(void **state)
{
    static const char *const want[] = {
        "config.json: linux.gidMappings: id mappings are set, but linux.namespaces has no user namespace",
        "config.json: linux.timeOffsets: time offsets are set, but linux.namespaces has no time namespace",
    };
    static const char *const joined[] = {
        "config.json: linux.timeOffsets: the time namespace is joined (path \"/proc/1/ns/time\"): its offsets are "
        "set already, only a new one takes them",
    };

    (void) state;
    validate_lines("{" BASE "], 'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 1}],"
                   " 'timeOffsets': {'boottime': {'secs': 1}}}}", want, ARRAY_SIZE(want));
    validate_lines("{" BASE ", {'type': 'time', 'path': '/proc/1/ns/time'}], 'timeOffsets': {'boottime': {'secs': 1}}}}",
                   joined, ARRAY_SIZE(joined));
    validate_lines("{" BASE ", {'type': 'time'}], 'timeOffsets': {'boottime': {'secs': 1}}}}", NULL, 0);
    /* a joined user namespace: the maps describe it (runc 1.1 takes them too) */
    validate_lines("{" BASE ", {'type': 'user', 'path': '/proc/1/ns/user'}],"
                   " 'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 1}]}}", NULL, 0);
}

/* A first-problem report stops at the first rule that fails, with create's text. */
static void test_validate_first(void **state)
{
    cleanup_free char *json = q("{'ociVersion': '1.0.2', 'hostname': 'h', 'root': {'path': 'r'},"
                                " 'process': {'cwd': '/', 'args': ['sh']},"
                                " 'linux': {'namespaces': [{'type': 'mount'}], 'sysctl': {'kernel.panic': '1'}}}");
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;
    struct oci_report r = OCI_REPORT_FIRST(&err);

    (void) state;
    assert_int_equal(oci_spec_parse(json, strlen(json), &spec, &err), 0);
    assert_true(oci_spec_validate(spec, &r) < 0);
    assert_string_equal(err->msg, "hostname: cannot be set without a uts namespace (linux.namespaces)");
    assert_int_equal(oci_report_count(&r), 1);
    oci_error_free(&err);
    assert_true(oci_sysctl_check(spec, &r) < 0);
    assert_string_equal(err->msg, "linux.sysctl \"kernel.panic\": not namespaced: it would change the host");
    oci_error_free(&err);
    oci_spec_free(spec);
}

static void test_report(void **state)
{
    struct oci_report r = { 0 };
    oci_err_t e = NULL;
    oci_err_t first = NULL;
    struct oci_report f = OCI_REPORT_FIRST(&first);

    (void) state;
    assert_int_equal(oci_report_add(&r, 0, "a %d", 1), 0);
    assert_int_equal(oci_report_add(&r, 2, "b"), 0);
    oci_error_set(&e, 0, "c");
    assert_int_equal(oci_report_err(&r, &e), 0);
    assert_null(e);
    assert_int_equal(oci_report_count(&r), 3);
    assert_string_equal(r.lines[0], "a 1");
    assert_string_equal(r.lines[1], "b: No such file or directory");
    assert_string_equal(r.lines[2], "c");
    oci_report_free(&r);
    assert_int_equal(oci_report_count(&r), 0);

    assert_int_equal(oci_report_add(&f, 2, "x"), -2);
    assert_string_equal(first->msg, "x: No such file or directory");
    assert_int_equal(first->errnum, 2);
    oci_error_set(&e, 13, "y");
    assert_int_equal(oci_report_err(&f, &e), -13);
    assert_null(e);
    assert_string_equal(first->msg, "y: Permission denied");
    oci_error_free(&first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_collecting_parse),
        cmocka_unit_test(test_first_problem_unchanged),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_validate_ok),
        cmocka_unit_test(test_validate_required),
        cmocka_unit_test(test_validate_cross_fields),
        cmocka_unit_test(test_validate_user_namespace_maps),
        cmocka_unit_test(test_validate_namespace_fields),
        cmocka_unit_test(test_validate_first),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_seccomp.c: linux.seccomp parsing checks, compilation, and the loaded filter's behaviour in a child (no root). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/seccomp.h>
#include <cmocka.h>
#include <seccomp.h>
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/spec/spec.h"

/* Parse {"ociVersion": "1.2.0", "linux": {"seccomp": SECCOMP}} (single quotes become double). */
static int parse_seccomp(const char *seccomp_sq, struct oci_spec **spec, char **errmsg)
{
    cleanup_free char *json = xasprintf("{\"ociVersion\": \"1.2.0\", \"linux\": {\"seccomp\": %s}}", seccomp_sq);
    oci_err_t err = NULL;
    int ret;

    for (char *p = json; *p; p++)
        if (*p == '\'')
            *p = '"';
    *spec = NULL;
    ret = oci_spec_parse(json, strlen(json), spec, &err);
    if (errmsg)
        *errmsg = ret < 0 ? xstrdup(err->msg) : NULL;
    oci_error_free(&err);
    return ret;
}

static struct oci_spec *parse_ok(const char *seccomp_sq)
{
    struct oci_spec *spec;
    cleanup_free char *msg = NULL;

    if (parse_seccomp(seccomp_sq, &spec, &msg) < 0)
        fail_msg("unexpected error: %s", msg);
    return spec;
}

static void expect_parse_error(const char *seccomp_sq, const char *want)
{
    struct oci_spec *spec;
    cleanup_free char *msg = NULL;

    assert_int_equal(parse_seccomp(seccomp_sq, &spec, &msg), -1);
    assert_non_null(msg);
    if (strstr(msg, want) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", msg, want);
}

static void test_parse_checks(void **state)
{
    (void) state;
    expect_parse_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_LOG', 'errnoRet': 1}]}",
                       "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_LOG");
    expect_parse_error("{'defaultAction': 'SCMP_ACT_KILL', 'defaultErrnoRet': 1}",
                       "linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno");
    expect_parse_error("{'defaultAction': 'SCMP_ACT_NOTIFY', 'listenerPath': '/s'}",
                       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    expect_parse_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, {'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}",
                       "linux.seccomp.listenerPath: required: syscalls[1] uses SCMP_ACT_NOTIFY");
    expect_parse_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/s', 'syscalls': [{'names': ['read', 'sendmsg'], 'action': 'SCMP_ACT_NOTIFY'}]}",
                       "linux.seccomp.syscalls[0].names: SCMP_ACT_NOTIFY cannot be used for the sendmsg syscall");
    expect_parse_error("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/s', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}, {'names': ['close', 'write'], 'action': 'SCMP_ACT_NOTIFY'}]}",
                       "linux.seccomp.syscalls[1].names: SCMP_ACT_NOTIFY cannot be used for the write syscall");
    oci_spec_free(parse_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 3}]}"));
}

static void test_action_values(void **state)
{
    (void) state;
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_ERRNO", EPERM), SCMP_ACT_ERRNO(EPERM));
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_ERRNO", 18), SCMP_ACT_ERRNO(18));
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_TRACE", 7), SCMP_ACT_TRACE(7));
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_KILL", 0), SCMP_ACT_KILL);
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_KILL_PROCESS", 0), SCMP_ACT_KILL_PROCESS);
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_NOTIFY", 0), SCMP_ACT_NOTIFY);
    assert_int_equal(oci_seccomp_action_value("SCMP_ACT_NOPE", 0), -1);
    assert_int_equal(oci_seccomp_flag_value("SECCOMP_FILTER_FLAG_LOG"), SECCOMP_FILTER_FLAG_LOG);
    assert_int_equal(oci_seccomp_flag_value("SECCOMP_FILTER_FLAG_NOPE"), 0);
}

static void compile_ok(const char *seccomp_sq, struct oci_seccomp_filter *f)
{
    struct oci_spec *spec = parse_ok(seccomp_sq);
    oci_err_t err = NULL;

    if (oci_seccomp_compile(spec->linux_->seccomp, f, &err) < 0)
        fail_msg("compile: %s", err->msg);
    oci_spec_free(spec);
}

static bool has_enosys_return(const struct oci_seccomp_filter *f)
{
    for (size_t i = 0; i < f->len; i++)
        if (f->insns[i].code == (BPF_RET | BPF_K) && f->insns[i].k == (SECCOMP_RET_ERRNO | ENOSYS))
            return true;
    return false;
}

static void test_compile(void **state)
{
    struct oci_seccomp_filter f, g;
    struct oci_spec *spec;
    oci_err_t err = NULL;

    (void) state;
    assert_int_equal(oci_seccomp_compile(NULL, &f, &err), 0);
    assert_null(f.insns);

    compile_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read', 'not_a_syscall_2099'], 'action': 'SCMP_ACT_ALLOW'}]}", &f);
    assert_true(f.len > 4);
    /* The stub comes first: load the arch, then compare. */
    assert_int_equal(f.insns[0].code, BPF_LD | BPF_W | BPF_ABS);
    assert_int_equal(f.insns[0].k, offsetof(struct seccomp_data, arch));
    assert_true(has_enosys_return(&f));
    assert_false(f.notify);
    oci_seccomp_filter_free(&f);

    compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'listenerPath': '/s', "
               "'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}", &f);
    assert_false(has_enosys_return(&f));
    assert_true(f.notify);
    assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_LOG);
    oci_seccomp_filter_free(&f);

    /* A default of ENOSYS needs no stub: the program is shorter than the one for EPERM. */
    compile_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}", &f);
    compile_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1, 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}", &g);
    assert_true(f.len < g.len);
    oci_seccomp_filter_free(&f);
    oci_seccomp_filter_free(&g);

    spec = parse_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_PDP11']}");
    assert_int_equal(oci_seccomp_compile(spec->linux_->seccomp, &f, &err), -1);
    assert_string_equal(err->msg, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"");
    assert_null(f.insns);
    oci_error_free(&err);
    oci_spec_free(spec);
}

/* Run fn in a child under the filter (no_new_privs: no privilege needed); its exit code is the result. */
static int in_filtered_child(const struct oci_seccomp_filter *f, int (*fn)(void))
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        oci_err_t err = NULL;
        int listener;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || oci_seccomp_load(f, &listener, &err) < 0)
            _exit(200);
        _exit(fn());
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int errno_of(long ret)
{
    return ret < 0 ? errno : 0;
}

/* Each check yields a digit; the child exits with the first that failed (0 = all fine). */
static int probe_enosys(void)
{
    if (errno_of(syscall(SYS_getppid)) != EPERM)
        return 1;
    if (errno_of(syscall(1000)) != ENOSYS)
        return 2;
    if (errno_of(syscall(SYS_getpid)) != 0)
        return 3;
    return 0;
}

static void test_enosys_in_child(void **state)
{
    cleanup_free char *names = NULL;
    cleanup_free char *profile = NULL;
    struct oci_seccomp_filter f;
    uint32_t native = seccomp_arch_native();
    int top = seccomp_syscall_resolve_name("getrandom");

    (void) state;
    /* Allow every syscall up to getrandom but getppid; everything later is "newer than the profile". */
    names = xstrdup("'exit_group'");
    for (int nr = 0; nr <= top; nr++) {
        cleanup_free char *name = seccomp_syscall_resolve_num_arch(native, nr);
        char *more;

        if (name == NULL || strcmp(name, "getppid") == 0)
            continue;
        more = xasprintf("%s, '%s'", names, name);
        free(names);
        names = more;
    }
    profile = xasprintf("{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': [%s], 'action': 'SCMP_ACT_ALLOW'}]}", names);
    compile_ok(profile, &f);
    assert_int_equal(in_filtered_child(&f, probe_enosys), 0);
    oci_seccomp_filter_free(&f);
}

static int probe_args(void)
{
    if (errno_of(syscall(SYS_personality, 0x108UL)) != EINVAL)
        return 1;
    if (errno_of(syscall(SYS_personality, 0xffffffffUL)) != 0)
        return 2;
    if (errno_of(syscall(SYS_getpriority, 0, 7)) != EXDEV)
        return 3;
    if (errno_of(syscall(SYS_getpriority, 0, 9)) != EXDEV)
        return 4;
    if (errno_of(syscall(SYS_getpriority, 0, 0)) != 0)
        return 5;
    return 0;
}

static void test_args_in_child(void **state)
{
    struct oci_seccomp_filter f;

    (void) state;
    compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
               "{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 22,"
               " 'args': [{'index': 0, 'value': 255, 'valueTwo': 8, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
               "{'names': ['getpriority'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 18,"
               " 'args': [{'index': 1, 'value': 7, 'op': 'SCMP_CMP_EQ'}, {'index': 1, 'value': 9, 'op': 'SCMP_CMP_EQ'}]}]}", &f);
    assert_int_equal(in_filtered_child(&f, probe_args), 0);
    oci_seccomp_filter_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_checks),
        cmocka_unit_test(test_action_values),
        cmocka_unit_test(test_compile),
        cmocka_unit_test(test_enosys_in_child),
        cmocka_unit_test(test_args_in_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

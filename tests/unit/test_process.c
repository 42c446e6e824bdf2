/* test_process.c: PATH lookup with runc's error wording, the environment, and the sync messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/process/process.h"
#include "ocirun/process/sync.h"

static char tmpdir[] = "/tmp/ocirun-test-process-XXXXXX";

static int make_tree(void **state)
{
    (void) state;
    char path[256];

    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/bin", tmpdir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/bin/tool", tmpdir);
    write_file_at(AT_FDCWD, path, "#!/bin/sh\n", 10, 0755, NULL);
    snprintf(path, sizeof(path), "%s/bin/plain", tmpdir);
    write_file_at(AT_FDCWD, path, "data", 4, 0644, NULL);
    return 0;
}

static int remove_tree(void **state)
{
    (void) state;
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct oci_process *process_with(const char *arg0, const char *path_env)
{
    struct oci_process *p = xzalloc(sizeof(*p));

    p->args.v = xzalloc(2 * sizeof(char *));
    p->args.v[0] = xstrdup(arg0);
    p->args.len = 1;
    p->env.v = xzalloc(3 * sizeof(char *));
    if (path_env)
        p->env.v[p->env.len++] = xasprintf("PATH=%s", path_env);
    p->env.v[p->env.len++] = xstrdup("A=b");
    return p;
}

static void free_process(struct oci_process *p)
{
    strv_free(p->args.v);
    strv_free(p->env.v);
    free(p);
}

static void test_lookup_in_path(void **state)
{
    (void) state;
    cleanup_free char *dirs = xasprintf("/nonexistent:%s/bin", tmpdir);
    struct oci_process *p = process_with("tool", dirs);
    cleanup_free char *exe = NULL;
    oci_err_t err = NULL;

    assert_int_equal(oci_process_find_executable(p, &exe, &err), 0);
    cleanup_free char *want = xasprintf("%s/bin/tool", tmpdir);
    assert_string_equal(exe, want);
    free_process(p);
}

static void test_lookup_not_found_uses_runc_wording(void **state)
{
    (void) state;
    cleanup_free char *dirs = xasprintf("%s/bin", tmpdir);
    struct oci_process *p = process_with("plain", dirs);
    char *exe = NULL;
    oci_err_t err = NULL;

    assert_true(oci_process_find_executable(p, &exe, &err) < 0);
    assert_string_equal(err->msg, "exec: \"plain\": executable file not found in $PATH");
    oci_error_free(&err);
    free_process(p);
}

static void test_lookup_absolute_missing(void **state)
{
    (void) state;
    struct oci_process *p = process_with("/no/such/prog", NULL);
    char *exe = NULL;
    oci_err_t err = NULL;

    assert_true(oci_process_find_executable(p, &exe, &err) < 0);
    assert_string_equal(err->msg, "exec: \"/no/such/prog\": stat /no/such/prog: no such file or directory");
    oci_error_free(&err);
    free_process(p);
}

/* runc (Go) names a path that exists but cannot be executed without the stat part. */
static void test_lookup_absolute_not_executable(void **state)
{
    (void) state;
    char path[256], want[320];
    struct oci_process *p;
    char *exe = NULL;
    oci_err_t err = NULL;

    snprintf(path, sizeof(path), "%s/bin/plain", tmpdir);
    p = process_with(path, NULL);
    assert_true(oci_process_find_executable(p, &exe, &err) < 0);
    snprintf(want, sizeof(want), "exec: \"%s\": permission denied", path);
    assert_string_equal(err->msg, want);
    oci_error_free(&err);
    free_process(p);
}

static void test_env_gets_home(void **state)
{
    (void) state;
    struct oci_process *p = process_with("x", "/bin");
    char **env = oci_process_build_env(p);
    bool home = false;

    assert_int_equal(strv_len(env), 3);
    for (size_t i = 0; env[i]; i++)
        home |= strncmp(env[i], "HOME=", 5) == 0;
    assert_true(home);
    strv_free(env);
    free_process(p);
}

static void test_sync_roundtrip(void **state)
{
    (void) state;
    int fds[2];
    struct oci_sync_msg msg;
    oci_err_t err = NULL;

    assert_int_equal(oci_sync_pair(fds, &err), 0);
    assert_int_equal(oci_sync_send(fds[1], OCI_SYNC_PID, 1234, NULL), 0);
    assert_int_equal(oci_sync_expect(fds[0], OCI_SYNC_PID, &msg, &err), 0);
    assert_int_equal(msg.value, 1234);
    assert_int_equal(oci_sync_send(fds[1], OCI_SYNC_ERROR, EPERM, "mounts[0] \"/proc\": mount proc"), 0);
    assert_true(oci_sync_expect(fds[0], OCI_SYNC_READY, &msg, &err) < 0);
    assert_string_equal(err->msg, "mounts[0] \"/proc\": mount proc");
    assert_int_equal(err->errnum, EPERM);
    oci_error_free(&err);
    close(fds[1]);
    assert_true(oci_sync_recv(fds[0], &msg, &err) < 0);
    assert_string_equal(err->msg, "container setup process exited unexpectedly");
    oci_error_free(&err);
    close(fds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_in_path),
        cmocka_unit_test(test_lookup_not_found_uses_runc_wording),
        cmocka_unit_test(test_lookup_absolute_missing),
        cmocka_unit_test(test_lookup_absolute_not_executable),
        cmocka_unit_test(test_env_gets_home),
        cmocka_unit_test(test_sync_roundtrip),
    };
    return cmocka_run_group_tests(tests, make_tree, remove_tree);
}

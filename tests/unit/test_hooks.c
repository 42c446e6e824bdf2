/* test_hooks.c: hooks: argv/env building, running real programs (status, output, stdin, timeout), error text, state.json keeping them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "ocirun/state/state.h"

/* A hook on the stack: path, args and env as given (NULL-terminated lists). */
struct test_hook {
    struct oci_hook h;
    char *args[8];
    char *env[8];
};

static void make_hook(struct test_hook *t, const char *path, const char *const *args, const char *const *env)
{
    memset(t, 0, sizeof(*t));
    t->h.path = (char *) path;
    for (size_t i = 0; args && args[i]; i++)
        t->args[i] = (char *) args[i];
    for (size_t i = 0; env && env[i]; i++)
        t->env[i] = (char *) env[i];
    t->h.args.v = args ? t->args : NULL;
    t->h.args.len = strv_len(t->args);
    t->h.env.v = env ? t->env : NULL;
    t->h.env.len = strv_len(t->env);
}

static void run_expect(struct test_hook *t, const char *input, const char *want_err)
{
    oci_err_t err = NULL;
    int ret = oci_hook_run(&t->h, input, NULL, &err);

    if (want_err == NULL) {
        if (ret != 0)
            fail_msg("hook failed: %s", err->msg);
        return;
    }
    assert_int_not_equal(ret, 0);
    assert_string_equal(err->msg, want_err);
    oci_error_free(&err);
}

static void test_kinds(void **state)
{
    (void) state;
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_PRESTART), "prestart");
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime");
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_START_CONTAINER), "startContainer");
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTART), "poststart");
    assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTOP), "poststop");
    assert_int_equal(oci_hook_status(OCI_HOOK_PRESTART), OCI_STATUS_CREATING);
    assert_int_equal(oci_hook_status(OCI_HOOK_CREATE_RUNTIME), OCI_STATUS_CREATING);
    assert_int_equal(oci_hook_status(OCI_HOOK_CREATE_CONTAINER), OCI_STATUS_CREATING);
    assert_int_equal(oci_hook_status(OCI_HOOK_START_CONTAINER), OCI_STATUS_CREATED);
    assert_int_equal(oci_hook_status(OCI_HOOK_POSTSTART), OCI_STATUS_RUNNING);
    assert_int_equal(oci_hook_status(OCI_HOOK_POSTSTOP), OCI_STATUS_STOPPED);
}

static void test_argv_env(void **state)
{
    (void) state;
    const char *args[] = { "name", "-x", NULL };
    const char *env[] = { "A=1", NULL };
    struct test_hook t;
    char **v;

    make_hook(&t, "/usr/bin/hook", args, env);
    v = oci_hook_argv(&t.h);
    assert_string_equal(v[0], "name");
    assert_string_equal(v[1], "-x");
    assert_null(v[2]);
    free(v);
    v = oci_hook_envp(&t.h, NULL);
    assert_string_equal(v[0], "A=1");
    assert_null(v[1]);
    free(v);
    /* its own env wins over the inherited one */
    v = oci_hook_envp(&t.h, (char *[]) { "B=2", NULL });
    assert_string_equal(v[0], "A=1");
    assert_null(v[1]);
    free(v);

    /* no args: argv = {path}; no env: the inherited environment, or an empty one */
    make_hook(&t, "/usr/bin/hook", NULL, NULL);
    v = oci_hook_argv(&t.h);
    assert_string_equal(v[0], "/usr/bin/hook");
    assert_null(v[1]);
    free(v);
    v = oci_hook_envp(&t.h, NULL);
    assert_null(v[0]);
    free(v);
    v = oci_hook_envp(&t.h, (char *[]) { "B=2", "C=3", NULL });
    assert_string_equal(v[0], "B=2");
    assert_string_equal(v[1], "C=3");
    assert_null(v[2]);
    free(v);
    /* "env": [] is an empty environment, not an absent one */
    make_hook(&t, "/usr/bin/hook", NULL, (const char *[]) { NULL });
    v = oci_hook_envp(&t.h, (char *[]) { "B=2", NULL });
    assert_null(v[0]);
    free(v);
}

static void test_run_status_and_output(void **state)
{
    (void) state;
    struct test_hook t;

    make_hook(&t, "/bin/true", NULL, NULL);
    run_expect(&t, "{}", NULL);
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "echo out; echo err >&2; exit 3", NULL }, NULL);
    run_expect(&t, "{}", "exited with status 3, stdout: out, stderr: err");
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "echo only-err >&2; exit 1", NULL }, NULL);
    run_expect(&t, NULL, "exited with status 1, stderr: only-err");
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "kill -9 $$", NULL }, NULL);
    run_expect(&t, NULL, "killed by signal 9 (Killed)");
    make_hook(&t, "/nonexistent/hook", NULL, NULL);
    run_expect(&t, NULL, "exited with status 127, stderr: execve: No such file or directory");
}

static void test_run_long_output_is_cut(void **state)
{
    (void) state;
    struct test_hook t;
    oci_err_t err = NULL;

    /* 100 KB on stderr: the hook must not block on a full pipe, the message stays short */
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "i=0; while [ $i -lt 1000 ]; do "
                  "echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 >&2; "
                  "i=$((i+1)); done; exit 1", NULL }, NULL);
    assert_int_not_equal(oci_hook_run(&t.h, NULL, NULL, &err), 0);
    assert_true(strlen(err->msg) < 1200);
    assert_non_null(strstr(err->msg, "..."));
    oci_error_free(&err);
}

static void test_run_stdin_and_env(void **state)
{
    (void) state;
    struct test_hook t;
    size_t big = 300000;
    char *input = xmalloc(big + 1);

    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "read x; [ \"$x\" = '{\"id\":\"c1\"}' ]", NULL }, NULL);
    run_expect(&t, "{\"id\":\"c1\"}", NULL);
    /* exactly env: nothing of ours (HOME, PATH...) leaks in */
    setenv("OCIRUN_TEST_LEAK", "1", 1);
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "[ \"$A\" = 'x y' ] && [ -z \"$OCIRUN_TEST_LEAK\" ] && "
                  "[ -z \"$HOME\" ]", NULL }, (const char *[]) { "A=x y", NULL });
    run_expect(&t, NULL, NULL);
    /* more than a pipe holds: all of it arrives; a hook that does not read it is no error */
    memset(input, 'x', big);
    input[big] = '\0';
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "[ $(wc -c) -eq 300000 ]", NULL }, NULL);
    run_expect(&t, input, NULL);
    make_hook(&t, "/bin/true", NULL, NULL);
    run_expect(&t, input, NULL);
    free(input);
}

static void test_run_timeout(void **state)
{
    (void) state;
    struct test_hook t;
    uint64_t t0 = now_ns();

    make_hook(&t, "/bin/sleep", (const char *[]) { "sleep", "20", NULL }, NULL);
    t.h.timeout.set = true;
    t.h.timeout.value = 1;
    run_expect(&t, NULL, "timed out after 1 s");
    assert_true(now_ns() - t0 < 5000000000ULL);
    /* a hook done in time is fine */
    make_hook(&t, "/bin/true", NULL, NULL);
    t.h.timeout.set = true;
    t.h.timeout.value = 5;
    run_expect(&t, NULL, NULL);
}

static void test_run_cwd_and_inherited_env(void **state)
{
    (void) state;
    struct test_hook t;
    struct oci_hook_exec x = { .cwd = "/tmp", .env = (char *[]) { "FROM=runtime", NULL } };
    oci_err_t err = NULL;

    /* the working directory X names; without "env" X's environment */
    make_hook(&t, "/bin/sh", (const char *[]) { "sh", "-c", "[ \"$(pwd)\" = /tmp ] && [ \"$FROM\" = runtime ]", NULL },
              NULL);
    assert_int_equal(oci_hook_run(&t.h, NULL, &x, &err), 0);
    /* a working directory that is not there fails the hook, saying why */
    x.cwd = "/nonexistent";
    make_hook(&t, "/bin/true", NULL, NULL);
    assert_int_not_equal(oci_hook_run(&t.h, NULL, &x, &err), 0);
    assert_string_equal(err->msg, "exited with status 127, stderr: chdir /nonexistent: No such file or directory");
    oci_error_free(&err);
}

static void test_list_error_names_the_hook(void **state)
{
    (void) state;
    struct oci_hooks hooks = { 0 };
    struct oci_hook items[2] = { { .path = "/bin/true" }, { .path = "/bin/false" } };
    struct oci_state st = { .id = "c1", .pid = 42 };
    oci_err_t err = NULL;

    hooks.create_runtime.items = items;
    hooks.create_runtime.len = 2;
    assert_int_not_equal(oci_hooks_run(&hooks, OCI_HOOK_CREATE_RUNTIME, &st, NULL, &err), 0);
    assert_string_equal(err->msg, "hooks.createRuntime[1] \"/bin/false\": exited with status 1");
    oci_error_free(&err);
    /* no hooks of a kind: nothing to do */
    assert_int_equal(oci_hooks_run(&hooks, OCI_HOOK_PRESTART, &st, NULL, &err), 0);
    /* warnings only */
    hooks.poststop = hooks.create_runtime;
    oci_hooks_run_warn(&hooks, OCI_HOOK_POSTSTOP, &st, NULL);
}

static void test_exec_fifo_protocol(void **state)
{
    (void) state;
    oci_err_t err = NULL;
    int p[2];

    assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    assert_int_equal(oci_exec_fifo_read(p[0], &err), 0);   /* nothing yet */
    assert_int_equal(write(p[1], "0", 1), 1);
    assert_int_equal(oci_exec_fifo_read(p[0], &err), 1);
    assert_int_equal(write(p[1], "Ehooks.startContainer[0] \"/x\": exited with status 2", 52), 52);
    assert_int_equal(oci_exec_fifo_read(p[0], &err), -1);
    assert_string_equal(err->msg, "hooks.startContainer[0] \"/x\": exited with status 2");
    oci_error_free(&err);
    close(p[1]);
    assert_int_equal(oci_exec_fifo_read(p[0], &err), 0);    /* EOF: the init died */
    close(p[0]);
}

static void test_state_keeps_hooks(void **state)
{
    (void) state;
    char dir[] = "/tmp/test_hooks.XXXXXX";
    struct test_hook a, b;
    struct oci_hook list[2];
    struct oci_state st = { .id = "c1", .pid = 1, .bundle = "/b", .rootfs = "/b/rootfs", .created = "now", .owner = "" };
    struct oci_state *back = NULL;
    oci_err_t err = NULL;
    int fd;

    assert_non_null(mkdtemp(dir));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    make_hook(&a, "/hook/a", (const char *[]) { "a", "1", NULL }, (const char *[]) { "E=1", NULL });
    a.h.timeout.set = true;
    a.h.timeout.value = 7;
    make_hook(&b, "/hook/b", NULL, NULL);
    list[0] = a.h;
    list[1] = b.h;
    st.poststop.items = list;
    st.poststop.len = 2;
    st.poststart.items = &list[1];
    st.poststart.len = 1;
    assert_int_equal(oci_state_write(fd, &st, &err), 0);
    assert_int_equal(oci_state_read(fd, "c1", &back, &err), 0);
    assert_int_equal(back->poststop.len, 2);
    assert_string_equal(back->poststop.items[0].path, "/hook/a");
    assert_int_equal(back->poststop.items[0].args.len, 2);
    assert_string_equal(back->poststop.items[0].args.v[1], "1");
    assert_string_equal(back->poststop.items[0].env.v[0], "E=1");
    assert_true(back->poststop.items[0].timeout.set);
    assert_int_equal(back->poststop.items[0].timeout.value, 7);
    assert_string_equal(back->poststop.items[1].path, "/hook/b");
    assert_null(back->poststop.items[1].args.v);
    /* no "env" stays no env (the hook inherits one), not an empty one */
    assert_null(back->poststop.items[1].env.v);
    assert_false(back->poststop.items[1].timeout.set);
    assert_int_equal(back->poststart.len, 1);
    assert_int_equal(back->host_rootfs_mount, 0);
    oci_state_free(back);

    /* "env": [] stays empty */
    make_hook(&b, "/hook/b", NULL, (const char *[]) { NULL });
    list[1] = b.h;
    assert_int_equal(oci_state_write(fd, &st, &err), 0);
    assert_int_equal(oci_state_read(fd, "c1", &back, &err), 0);
    assert_non_null(back->poststop.items[1].env.v);
    assert_int_equal(back->poststop.items[1].env.len, 0);
    oci_state_free(back);

    /* the rootfs bind of a container without a mount namespace is kept */
    st.host_rootfs_mount = 2147483648123ULL;
    assert_int_equal(oci_state_write(fd, &st, &err), 0);
    assert_int_equal(oci_state_read(fd, "c1", &back, &err), 0);
    assert_true(back->host_rootfs_mount == 2147483648123ULL);
    oci_state_free(back);
    st.host_rootfs_mount = 0;

    /* a state.json from before hooks (no keys) still reads, with none */
    st.poststop.len = st.poststart.len = 0;
    assert_int_equal(oci_state_write(fd, &st, &err), 0);
    assert_int_equal(oci_state_read(fd, "c1", &back, &err), 0);
    assert_int_equal(back->poststop.len, 0);
    assert_int_equal(back->poststart.len, 0);
    oci_state_free(back);
    oci_state_remove_dir("/tmp", dir + 5, NULL);
    close(fd);
}

/* What a wait for a process running hooks adds to its bound: their timeouts, or no bound. */
static void test_timeout_budget(void **state)
{
    struct oci_hook items[2] = { { .path = "/a", .timeout = { .set = true, .value = 5 } },
                                 { .path = "/b", .timeout = { .set = true, .value = 7 } } };
    struct oci_hooks hooks = { .start_container = { .items = items, .len = 2 } };

    (void) state;
    assert_int_equal(oci_hooks_timeout_ms(&hooks, OCI_HOOK_START_CONTAINER), 12000);
    assert_int_equal(oci_hooks_timeout_ms(&hooks, OCI_HOOK_CREATE_CONTAINER), 0);
    items[1].timeout.set = false;
    assert_int_equal(oci_hooks_timeout_ms(&hooks, OCI_HOOK_START_CONTAINER), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_timeout_budget),
        cmocka_unit_test(test_argv_env),
        cmocka_unit_test(test_run_status_and_output),
        cmocka_unit_test(test_run_long_output_is_cut),
        cmocka_unit_test(test_run_stdin_and_env),
        cmocka_unit_test(test_run_timeout),
        cmocka_unit_test(test_run_cwd_and_inherited_env),
        cmocka_unit_test(test_list_error_names_the_hook),
        cmocka_unit_test(test_exec_fifo_protocol),
        cmocka_unit_test(test_state_keeps_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

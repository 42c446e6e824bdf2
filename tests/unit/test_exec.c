/* test_exec.c: exec's option parsing: --user, --cgroup sub-cgroups, --cap, the environment and the process overrides. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ocirun/container/exec.h"
#include "ocirun/core/utils.h"

static struct oci_strv strv_of(char **v)
{
    return (struct oci_strv) { .v = v, .len = strv_len(v) };
}

static void test_parse_user(void **state)
{
    (void) state;
    uint32_t uid = 7, gid = 7;
    bool has_gid = true;
    oci_err_t err = NULL;

    assert_int_equal(oci_exec_parse_user("1000", &uid, &gid, &has_gid, &err), 0);
    assert_int_equal(uid, 1000);
    assert_false(has_gid);
    assert_int_equal(oci_exec_parse_user("0:65534", &uid, &gid, &has_gid, &err), 0);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 65534);
    assert_true(has_gid);

    /* runc's range: 0 to 2^31-1 */
    assert_int_equal(oci_exec_parse_user("2147483647:2147483647", &uid, &gid, &has_gid, &err), 0);
    assert_int_equal(uid, 2147483647);

    const char *bad[] = { "", "abc", "1000:", ":1000", "-1", "1:2:3", "4294967295", "1 ", "0x10", " 1", "+1",
                          "2147483648", "0:2147483648" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(oci_exec_parse_user(bad[i], &uid, &gid, &has_gid, &err), -1);
        assert_non_null(strstr(err->msg, "--user"));
        oci_error_free(&err);
    }
    assert_int_equal(oci_exec_parse_user("2147483648", &uid, &gid, &has_gid, &err), -1);
    assert_string_equal(err->msg, "--user \"2147483648\": uid 2147483648 out of range (uids and gids must be in "
                        "range 0-2147483647)");
    oci_error_free(&err);
}

static void test_env_set(void **state)
{
    (void) state;
    char **v = xzalloc(4 * sizeof(char *));
    struct oci_strv env;

    v[0] = xstrdup("PATH=/bin");
    v[1] = xstrdup("A=1");
    v[2] = xstrdup("AB=2");
    env = strv_of(v);
    oci_env_set(&env, "A=new");        /* replaces A, not AB */
    oci_env_set(&env, "C=3");          /* appended */
    oci_env_set(&env, "EMPTY=");
    oci_env_set(&env, "C=4=5");        /* only the first '=' splits */
    assert_int_equal(env.len, 5);
    assert_string_equal(env.v[0], "PATH=/bin");
    assert_string_equal(env.v[1], "A=new");
    assert_string_equal(env.v[2], "AB=2");
    assert_string_equal(env.v[3], "C=4=5");
    assert_string_equal(env.v[4], "EMPTY=");
    assert_null(env.v[5]);
    strv_free(env.v);
}

static bool has(const struct oci_strv *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

static void free_caps(struct oci_capabilities *c)
{
    strv_free(c->bounding.v);
    strv_free(c->effective.v);
    strv_free(c->inheritable.v);
    strv_free(c->permitted.v);
    strv_free(c->ambient.v);
}

static void test_add_cap(void **state)
{
    (void) state;
    struct oci_capabilities c = { 0 };
    oci_err_t err = NULL;

    assert_int_equal(oci_exec_add_cap(&c, "CAP_NET_ADMIN", &err), 0);
    assert_int_equal(oci_exec_add_cap(&c, "cap_kill", &err), 0);       /* spelled as the spec does */
    assert_int_equal(oci_exec_add_cap(&c, "CAP_NET_ADMIN", &err), 0);  /* no duplicates */
    assert_int_equal(c.bounding.len, 2);
    assert_true(has(&c.bounding, "CAP_KILL") && has(&c.effective, "CAP_KILL"));
    assert_true(has(&c.permitted, "CAP_NET_ADMIN") && has(&c.ambient, "CAP_NET_ADMIN"));
    /* CVE-2022-29162: never inheritable */
    assert_int_equal(c.inheritable.len, 0);
    assert_int_equal(oci_exec_add_cap(&c, "CAP_NOPE", &err), -1);
    assert_string_equal(err->msg, "--cap \"CAP_NOPE\": unknown capability");
    oci_error_free(&err);
    free_caps(&c);
}

static void fake_cgroup(struct oci_cgroup *cg)
{
    struct oci_kv items[] = {
        { "unified", "/sys/fs/cgroup/unified/p/c" },
        { "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/p/c" },
        { "memory", "/sys/fs/cgroup/memory/p/c" },
        { "name=systemd", "/sys/fs/cgroup/systemd/p/c" },
    };
    struct oci_map m = { .items = items, .len = ARRAY_SIZE(items) };

    oci_cgroup_from_map(&m, false, NULL, cg);
}

static int sub(struct oci_cgroup *cg, char **args, oci_err_t *err)
{
    struct oci_strv v = strv_of(args);
    return oci_exec_sub_cgroups(cg, &v, err);
}

static void test_sub_cgroups(void **state)
{
    (void) state;
    struct oci_cgroup cg;
    oci_err_t err = NULL;

    fake_cgroup(&cg);
    assert_int_equal(sub(&cg, (char *[]) { "a/b", NULL }, &err), 0);
    for (size_t i = 0; i < cg.n_dirs; i++)
        assert_non_null(strstr(cg.dirs[i].path, "/p/c/a/b"));
    oci_cgroup_release(&cg);

    fake_cgroup(&cg);
    assert_int_equal(sub(&cg, (char *[]) { "cpuacct,memory:/x", "unified:y", NULL }, &err), 0);
    assert_string_equal(cg.dirs[0].path, "/sys/fs/cgroup/unified/p/c/y");
    assert_string_equal(cg.dirs[1].path, "/sys/fs/cgroup/cpu,cpuacct/p/c/x");
    assert_string_equal(cg.dirs[2].path, "/sys/fs/cgroup/memory/p/c/x");
    assert_string_equal(cg.dirs[3].path, "/sys/fs/cgroup/systemd/p/c");
    oci_cgroup_release(&cg);

    /* runc joins the path to the container's: ".." may be used while it stays inside; an
     * empty path is the container's own cgroup */
    fake_cgroup(&cg);
    assert_int_equal(sub(&cg, (char *[]) { "memory:./a//b/../c/", "unified:", "name=systemd:x/..", NULL }, &err), 0);
    assert_string_equal(cg.dirs[0].path, "/sys/fs/cgroup/unified/p/c");
    assert_string_equal(cg.dirs[2].path, "/sys/fs/cgroup/memory/p/c/a/c");
    assert_string_equal(cg.dirs[3].path, "/sys/fs/cgroup/systemd/p/c");
    oci_cgroup_release(&cg);

    struct { char *args[3]; const char *msg; } bad[] = {
        { { "../up", NULL }, "is not a sub-cgroup" },
        { { "a/../../up", NULL }, "is not a sub-cgroup" },
        { { "memory:a/../..", NULL }, "is not a sub-cgroup" },
        { { "memory:a:b", NULL }, "more than one ':'" },
        { { ":x", NULL }, "empty controller" },
        { { "blkio:x", NULL }, "the container has no \"blkio\" cgroup" },
        { { "memory:x", "memory:y" }, "controller memory given more than once" },
        { { "x", "memory:y" }, "cannot be combined" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        fake_cgroup(&cg);
        assert_int_equal(sub(&cg, bad[i].args, &err), -1);
        if (strstr(err->msg, bad[i].msg) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err->msg, bad[i].msg);
        oci_error_free(&err);
        oci_cgroup_release(&cg);
    }
}

static void test_apply_opts(void **state)
{
    (void) state;
    const char *json = "{\"cwd\": \"/\", \"args\": [\"sleep\", \"1\"], \"env\": [\"PATH=/bin\", \"X=1\"],"
                       " \"terminal\": true, \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [5]},"
                       " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\"]}}";
    char *args[] = { "sh", "-c", "true", NULL };
    char *env[] = { "X=2", "Y=3", NULL };
    char *gids[] = { "10", "5", "20", "10", NULL };   /* each once, as runc */
    char *caps[] = { "CAP_KILL", NULL };
    struct oci_exec_opts o = {
        .args = args, .cwd = "/tmp", .env = strv_of(env), .user = "1000",
        .additional_gids = strv_of(gids), .caps = strv_of(caps), .no_new_privs = true,
        .apparmor = "prof", .process_label = "system_u:system_r:container_t:s0",
    };
    struct oci_process *p = NULL;
    oci_err_t err = NULL;

    assert_int_equal(oci_process_parse(json, strlen(json), &p, &err), 0);
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), 0);
    assert_int_equal(p->args.len, 3);
    assert_string_equal(p->args.v[0], "sh");
    assert_null(p->args.v[3]);
    assert_string_equal(p->cwd, "/tmp");
    assert_int_equal(p->env.len, 3);
    assert_string_equal(p->env.v[1], "X=2");
    assert_string_equal(p->env.v[2], "Y=3");
    assert_int_equal(p->user.uid, 1000);
    assert_int_equal(p->user.gid, 2);           /* kept: --user without a gid */
    assert_int_equal(p->user.n_additional_gids, 3);
    assert_int_equal(p->user.additional_gids[1], 10);
    assert_int_equal(p->user.additional_gids[2], 20);
    assert_true(has(&p->capabilities->bounding, "CAP_KILL"));
    assert_true(has(&p->capabilities->bounding, "CAP_CHOWN"));
    assert_true(p->no_new_privileges);
    assert_string_equal(p->apparmor_profile, "prof");
    assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
    /* config.json's terminal is the init's: exec has one only with --tty */
    assert_false(p->terminal);

    o = (struct oci_exec_opts) { .cwd = "relative" };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), -1);
    assert_string_equal(err->msg, "--cwd \"relative\": must be an absolute path");
    oci_error_free(&err);
    o = (struct oci_exec_opts) { .additional_gids = strv_of(caps) };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), -1);
    assert_string_equal(err->msg, "--additional-gids \"CAP_KILL\": invalid gid");
    oci_error_free(&err);
    char *neg[] = { "-1", NULL };
    o = (struct oci_exec_opts) { .additional_gids = strv_of(neg) };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), -1);
    assert_string_equal(err->msg, "--additional-gids \"-1\": must be a positive number");
    oci_error_free(&err);
    char *big[] = { "2147483648", NULL };
    o = (struct oci_exec_opts) { .additional_gids = strv_of(big) };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), -1);
    assert_non_null(strstr(err->msg, "uids and gids must be in range 0-2147483647"));
    oci_error_free(&err);
    o = (struct oci_exec_opts) { .tty = true };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), 0);
    assert_true(p->terminal);
    o = (struct oci_exec_opts) { 0 };
    assert_int_equal(oci_exec_apply_opts(&o, p, &err), 0);
    assert_false(p->terminal);
    oci_process_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_user),
        cmocka_unit_test(test_env_set),
        cmocka_unit_test(test_add_cap),
        cmocka_unit_test(test_sub_cgroups),
        cmocka_unit_test(test_apply_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

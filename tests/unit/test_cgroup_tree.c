/* test_cgroup_tree.c: update, stats, pids and freezer state against a fake v1 cgroupfs tree in a temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/cgroups/stats.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"

struct tree { char root[64]; struct oci_cgroup cg; };

static void put(const char *dir, const char *file, const char *text)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    oci_err_t err = NULL;

    if (write_file_at(AT_FDCWD, path, text, strlen(text), 0644, &err) < 0)
        fail_msg("%s", err->msg);
}

static char *get(const char *dir, const char *file)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    return text;
}

/* A v1 layout: memory, pids, "cpu,cpuacct" and freezer hierarchies, each with the container's
 * directory holding the files the kernel would have. */
static int setup_tree(void **state)
{
    static const char *const keys[] = { "memory", "pids", "cpu,cpuacct", "freezer", "blkio" };
    struct tree *t = xzalloc(sizeof(*t));
    struct oci_map paths = { .items = xzalloc(5 * sizeof(*paths.items)), .len = 5 };

    strcpy(t->root, "/tmp/ocirun-cgtree-XXXXXX");
    assert_non_null(mkdtemp(t->root));
    for (size_t i = 0; i < 5; i++) {
        paths.items[i].key = xstrdup(keys[i]);
        paths.items[i].value = xasprintf("%s/%s", t->root, keys[i]);
        assert_int_equal(mkdir(paths.items[i].value, 0755), 0);
        put(paths.items[i].value, "cgroup.procs", "");
    }
    put(paths.items[0].value, "memory.limit_in_bytes", "67108864\n");
    put(paths.items[0].value, "memory.memsw.limit_in_bytes", "67108864\n");
    put(paths.items[0].value, "memory.usage_in_bytes", "1048576\n");
    put(paths.items[0].value, "memory.max_usage_in_bytes", "2097152\n");
    put(paths.items[0].value, "memory.failcnt", "3\n");
    put(paths.items[0].value, "memory.stat", "cache 4096\nrss 8192\n");
    put(paths.items[0].value, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    put(paths.items[1].value, "pids.max", "max\n");
    put(paths.items[1].value, "pids.current", "4\n");
    put(paths.items[1].value, "cgroup.procs", "10\n11\n");
    put(paths.items[2].value, "cpu.shares", "1024\n");
    put(paths.items[2].value, "cpuacct.usage", "5000000\n");
    put(paths.items[2].value, "cpuacct.stat", "user 3\nsystem 1\n");
    put(paths.items[2].value, "cpu.stat", "nr_periods 7\nnr_throttled 2\nthrottled_time 900\n");
    put(paths.items[3].value, "freezer.state", "THAWED\n");
    put(paths.items[4].value, "blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 512\nTotal 4608\n");
    put(paths.items[4].value, "blkio.throttle.io_serviced_recursive", "8:0 Read 2\n8:0 Write 1\nTotal 3\n");
    oci_cgroup_from_map(&paths, true, NULL, &t->cg);
    for (size_t i = 0; i < 5; i++) {
        free(paths.items[i].key);
        free(paths.items[i].value);
    }
    free(paths.items);
    *state = t;
    return 0;
}

static int teardown_tree(void **state)
{
    struct tree *t = *state;
    cleanup_free char *cmd = xasprintf("rm -rf '%s'", t->root);

    oci_cgroup_release(&t->cg);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static struct oci_resources *resources(const char *json)
{
    struct oci_resources *r;
    oci_err_t err = NULL;

    if (oci_resources_parse(json, strlen(json), &r, &err) < 0)
        fail_msg("%s", err->msg);
    return r;
}

static void test_update_writes_files(void **state)
{
    struct tree *t = *state;
    struct oci_resources *r = resources("{\"memory\": {\"limit\": 268435456, \"swap\": 536870912},"
                                        " \"pids\": {\"limit\": 40}, \"cpu\": {\"shares\": 300}}");
    oci_err_t err = NULL;
    cleanup_free char *mem = NULL, *memsw = NULL, *pids = NULL, *shares = NULL;

    if (oci_cgroup_update(&t->cg, r, &err) < 0)
        fail_msg("%s", err->msg);
    mem = get(t->cg.dirs[0].path, "memory.limit_in_bytes");
    memsw = get(t->cg.dirs[0].path, "memory.memsw.limit_in_bytes");
    pids = get(t->cg.dirs[1].path, "pids.max");
    shares = get(t->cg.dirs[2].path, "cpu.shares");
    assert_string_equal(mem, "268435456");
    assert_string_equal(memsw, "536870912");
    assert_string_equal(pids, "40");
    assert_string_equal(shares, "300");
    oci_resources_free(r);
}

static void test_update_errors(void **state)
{
    struct tree *t = *state;
    struct oci_resources *r = resources("{\"network\": {\"classID\": 5}}");
    oci_err_t err = NULL;

    assert_int_equal(oci_cgroup_update(&t->cg, r, &err), -1);
    assert_string_equal(err->msg, "linux.resources.network.classID: no net_cls cgroup controller on this host");
    oci_error_free(&err);
    oci_resources_free(r);

    /* checkBeforeUpdate: usage is 1 MiB in the fake tree */
    r = resources("{\"memory\": {\"limit\": 4096, \"checkBeforeUpdate\": true}}");
    assert_int_equal(oci_cgroup_update(&t->cg, r, &err), -1);
    assert_string_equal(err->msg, "linux.resources.memory.limit 4096: below the current usage 1048576 "
                                  "(memory.checkBeforeUpdate)");
    oci_error_free(&err);
    oci_resources_free(r);
}

/* Without CFQ (Linux 5.0+) blkio has bfq's files only: the weights go there, as runc writes them. */
static void test_update_blkio_bfq(void **state)
{
    struct tree *t = *state;
    struct oci_resources *r = resources("{\"blockIO\": {\"weight\": 300,"
                                        " \"weightDevice\": [{\"major\": 7, \"minor\": 0, \"weight\": 200}]}}");
    const char *blkio = t->cg.dirs[4].path;
    cleanup_free char *weight = NULL, *device = NULL;
    oci_err_t err = NULL;

    put(blkio, "blkio.bfq.weight", "default 100\n");
    put(blkio, "blkio.bfq.weight_device", "");
    if (oci_cgroup_update(&t->cg, r, &err) < 0)
        fail_msg("%s", err->msg);
    weight = get(blkio, "blkio.bfq.weight");
    device = get(blkio, "blkio.bfq.weight_device");
    assert_string_equal(weight, "300");
    assert_string_equal(device, "7:0 200");
    oci_resources_free(r);
}

/* state.json's list of leaves that existed before create: not ours to remove or cgroup.kill. */
static void test_preexisting_leaves(void **state)
{
    struct tree *t = *state;
    struct oci_map paths;
    struct oci_strv pre;
    struct oci_cgroup back;

    oci_cgroup_to_map(&t->cg, &paths);
    t->cg.dirs[1].created = false;
    oci_cgroup_preexisting(&t->cg, &pre);
    assert_int_equal(pre.len, 1);
    assert_string_equal(pre.v[0], "pids");
    oci_cgroup_from_map(&paths, true, &pre, &back);
    assert_true(back.created);
    assert_true(back.dirs[0].created);
    assert_false(back.dirs[1].created);
    assert_true(back.dirs[2].created);
    oci_cgroup_release(&back);
    oci_cgroup_from_map(&paths, false, NULL, &back);
    assert_false(back.dirs[0].created);
    oci_cgroup_release(&back);
    free(pre.v);
    free(paths.items);
}

static void test_stats(void **state)
{
    struct tree *t = *state;
    struct oci_cgroup_stats s;
    cleanup_free char *json = NULL;

    assert_int_equal(oci_cgroup_stats(&t->cg, &s), 0);
    assert_int_equal(s.mem_usage, 1048576);
    assert_int_equal(s.mem_max, 2097152);
    assert_int_equal(s.mem_failcnt, 3);
    assert_int_equal(s.mem_cache, 4096);
    assert_int_equal(s.oom_kills, 2);
    assert_int_equal(s.pids_current, 4);
    assert_int_equal(s.pids_limit, 0);
    assert_int_equal(s.cpu_total, 5000000);
    assert_int_equal(s.periods, 7);
    assert_int_equal(s.throttled_periods, 2);
    assert_int_equal(s.throttled_time, 900);
    json = oci_event_json("stats", "c1", &s);
    assert_non_null(strstr(json, "\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"total\":5000000,"));
    assert_non_null(strstr(json, "\"raw\":{\"cache\":4096,\"rss\":8192}"));
    assert_non_null(strstr(json, "\"pids\":{\"current\":4,\"limit\":0}"));
    assert_non_null(strstr(json, "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":4096},"
                                 "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":512}],\"ioServicedRecursive\":[{"));
    oci_cgroup_stats_free(&s);
    assert_int_equal(oci_cgroup_oom_kills(&t->cg), 2);
}

static void test_pids_and_freezer(void **state)
{
    struct tree *t = *state;
    cleanup_free pid_t *pids = NULL;
    oci_err_t err = NULL;
    size_t n;

    /* the first hierarchy (memory) is empty; pids are read from the first directory only */
    assert_int_equal(oci_cgroup_pids(&t->cg, &pids, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_false(oci_cgroup_frozen(&t->cg));
    put(t->cg.dirs[3].path, "freezer.state", "FROZEN\n");
    assert_true(oci_cgroup_frozen(&t->cg));
    assert_true(oci_cgroup_populated(&t->cg));   /* pids has 10 and 11 */
}

/* The caller's own cgroup per hierarchy, as /proc/self/cgroup says ("0::" for the unified one). */
static void test_own_path(void **state)
{
    cleanup_free char *text = NULL;
    cleanup_free char *own = NULL;
    oci_err_t err = NULL;
    char *line;

    (void) state;
    assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, &err), 0);
    line = strstr(text, "0::");
    if (line == NULL)
        skip();
    *strchrnul(line, '\n') = '\0';
    assert_int_equal(oci_cgroup_own_path("unified", &own, &err), 0);
    assert_string_equal(own, line + 3);
    assert_int_equal(oci_cgroup_own_path("no-such-controller", &own, &err), -1);
    assert_string_equal(err->msg, "no \"no-such-controller\" entry in /proc/self/cgroup");
    oci_error_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_update_writes_files, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_update_errors, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_update_blkio_bfq, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_preexisting_leaves, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_stats, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_pids_and_freezer, setup_tree, teardown_tree),
        cmocka_unit_test(test_own_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

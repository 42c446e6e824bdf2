/* test_cgroup_resources.c: linux.resources translated to cgroup v2 and v1 files and values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/cgroups/resources.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"

/* Parse {"ociVersion": "1.2.0", "linux": LINUX} (single quotes become double). */
static struct oci_spec *spec_with(const char *linux_sq)
{
    cleanup_free char *json = xasprintf("{\"ociVersion\": \"1.2.0\", \"linux\": %s}", linux_sq);
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    for (char *p = json; *p; p++)
        if (*p == '\'')
            *p = '"';
    if (oci_spec_parse(json, strlen(json), &spec, &err) < 0)
        fail_msg("parse: %s", err->msg);
    return spec;
}

/* "file=value" lines, one per write, for exact comparison. */
static char *render(const struct oci_cg_writes *w)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < w->len; i++) {
        char *more = xasprintf("%s%s%s=%s\n", out, w->v[i].optional ? "?" : "", w->v[i].file, w->v[i].value);
        free(out);
        out = more;
    }
    return out;
}

static void expect_v2(const char *linux_sq, const char *want)
{
    struct oci_spec *spec = spec_with(linux_sq);
    struct oci_cg_writes w = { 0 };
    cleanup_free char *got = NULL;
    oci_err_t err = NULL;

    if (oci_cg_translate_v2(spec->linux_->resources, &w, &err) < 0)
        fail_msg("translate: %s", err->msg);
    got = render(&w);
    assert_string_equal(got, want);
    oci_cg_writes_free(&w);
    oci_spec_free(spec);
}

static void expect_v1(const char *linux_sq, const char *want)
{
    struct oci_spec *spec = spec_with(linux_sq);
    struct oci_cg_writes w = { 0 };
    cleanup_free char *got = NULL;
    oci_err_t err = NULL;

    if (oci_cg_translate_v1(spec->linux_->resources, NULL, 0, &w, &err) < 0)
        fail_msg("translate: %s", err->msg);
    got = render(&w);
    assert_string_equal(got, want);
    oci_cg_writes_free(&w);
    oci_spec_free(spec);
}

static void expect_error(bool v2, const char *linux_sq, const char *want)
{
    struct oci_spec *spec = spec_with(linux_sq);
    struct oci_cg_writes w = { 0 };
    oci_err_t err = NULL;
    int ret = v2 ? oci_cg_translate_v2(spec->linux_->resources, &w, &err)
                 : oci_cg_translate_v1(spec->linux_->resources, NULL, 0, &w, &err);

    assert_int_equal(ret, -1);
    assert_string_equal(err->msg, want);
    assert_int_equal(w.len, 0);
    oci_error_free(&err);
    oci_spec_free(spec);
}

static void test_memory(void **state)
{
    (void) state;
    expect_v2("{'resources': {'memory': {'limit': 1048576, 'reservation': 524288, 'swap': 3145728}}}",
              "memory.max=1048576\nmemory.low=524288\nmemory.swap.max=2097152\n");
    expect_v2("{'resources': {'memory': {'limit': -1}}}", "memory.max=max\n?memory.swap.max=max\n");
    expect_v2("{'resources': {'memory': {'limit': 1048576, 'swap': -1}}}", "memory.max=1048576\nmemory.swap.max=max\n");
    expect_error(true, "{'resources': {'memory': {'swap': 1048576}}}",
                 "linux.resources.memory.swap 1048576: a swap limit needs a memory limit");
    expect_error(true, "{'resources': {'memory': {'limit': 2097152, 'swap': 1048576}}}",
                 "linux.resources.memory.swap 1048576: must be >= memory.limit 2097152 (it counts memory+swap)");
    expect_v1("{'resources': {'memory': {'limit': 1048576, 'reservation': 524288, 'swap': 3145728, 'swappiness': 10,"
              " 'disableOOMKiller': true, 'kernelTCP': 4096}}}",
              "memory.limit_in_bytes=1048576\nmemory.memsw.limit_in_bytes=3145728\nmemory.soft_limit_in_bytes=524288\n"
              "memory.kmem.tcp.limit_in_bytes=4096\nmemory.swappiness=10\nmemory.oom_control=1\n");
}

static void test_cpu(void **state)
{
    (void) state;
    assert_int_equal(oci_cg_shares_to_weight(2), 1);
    assert_int_equal(oci_cg_shares_to_weight(1024), 39);
    assert_int_equal(oci_cg_shares_to_weight(262144), 10000);
    expect_v2("{'resources': {'cpu': {'shares': 1024, 'quota': 50000, 'period': 100000, 'burst': 1000, 'idle': 0,"
              " 'cpus': '0-1', 'mems': '0'}}}",
              "cpu.weight=39\ncpu.max=50000 100000\ncpu.max.burst=1000\ncpu.idle=0\ncpuset.cpus=0-1\ncpuset.mems=0\n");
    expect_v2("{'resources': {'cpu': {'quota': -1}}}", "cpu.max=max\n");
    expect_v2("{'resources': {'cpu': {'period': 20000}}}", "cpu.max=max 20000\n");
    expect_error(true, "{'resources': {'cpu': {'realtimeRuntime': 100}}}",
                 "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2");
    expect_v1("{'resources': {'cpu': {'shares': 512, 'quota': 50000, 'period': 100000, 'realtimePeriod': 1000000,"
              " 'realtimeRuntime': 950000, 'cpus': '0'}}}",
              "cpu.shares=512\ncpu.cfs_period_us=100000\ncpu.cfs_quota_us=50000\ncpu.rt_period_us=1000000\n"
              "cpu.rt_runtime_us=950000\ncpuset.cpus=0\n");
}

static void test_pids_io_hugetlb_rdma(void **state)
{
    (void) state;
    expect_v2("{'resources': {'pids': {'limit': 32}}}", "pids.max=32\n");
    expect_v2("{'resources': {'pids': {'limit': -1}}}", "pids.max=max\n");
    expect_v2("{'resources': {'blockIO': {'weight': 500, 'weightDevice': [{'major': 8, 'minor': 0, 'weight': 100}],"
              " 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
              " 'throttleWriteIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 100}]}}}",
              "?io.bfq.weight=500\n?io.weight=default 4950\n?io.bfq.weight=8:0 100\n?io.weight=8:0 910\n"
              "io.max=8:0 rbps=1048576\nio.max=8:16 wiops=100\n");
    expect_v1("{'resources': {'blockIO': {'weight': 500, 'leafWeight': 300,"
              " 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}]}}}",
              "blkio.weight=500\nblkio.leaf_weight=300\nblkio.throttle.read_bps_device=8:0 1048576\n");
    expect_v2("{'resources': {'hugepageLimits': [{'pageSize': '2MB', 'limit': 4194304}]}}",
              "hugetlb.2MB.max=4194304\n?hugetlb.2MB.rsvd.max=4194304\n");
    expect_v1("{'resources': {'hugepageLimits': [{'pageSize': '2MB', 'limit': 4194304}]}}",
              "hugetlb.2MB.limit_in_bytes=4194304\n?hugetlb.2MB.rsvd.limit_in_bytes=4194304\n");
    expect_v2("{'resources': {'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}}}}",
              "rdma.max=mlx5_1 hca_handle=3 hca_object=10000\n");
}

static void test_network_unified(void **state)
{
    (void) state;
    expect_v1("{'resources': {'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 5}]}}}",
              "net_cls.classid=1048577\nnet_prio.ifpriomap=eth0 5\n");
    expect_error(true, "{'resources': {'network': {'classID': 1}}}",
                 "linux.resources.network: net_cls/net_prio do not exist on cgroup v2");
    expect_v2("{'resources': {'memory': {'limit': 1048576}, 'unified': {'memory.high': '900000', 'memory.max': '1048576'}}}",
              "memory.max=1048576\nmemory.high=900000\nmemory.max=1048576\n");
    expect_error(true, "{'resources': {'memory': {'limit': 1048576}, 'unified': {'memory.max': '2000000'}}}",
                 "linux.resources.unified \"memory.max\": \"2000000\" contradicts linux.resources.memory.limit (\"1048576\")");
    expect_error(true, "{'resources': {'unified': {'../../etc/passwd': 'x'}}}",
                 "linux.resources.unified \"../../etc/passwd\": not a cgroup file name (controller.file)");
    expect_error(false, "{'resources': {'unified': {'memory.high': '1'}}}",
                 "linux.resources.unified: needs cgroup v2 (this host has v1 controllers)");
}

static void test_devices(void **state)
{
    struct oci_spec *spec;
    struct oci_cg_device_rule *rules;
    struct oci_cg_writes w = { 0 };
    cleanup_free char *got = NULL;
    oci_err_t err = NULL;
    size_t n;
    char buf[64];

    (void) state;
    spec = spec_with("{'resources': {'devices': [{'allow': false, 'access': 'rwm'},"
                     " {'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'}]},"
                     " 'devices': [{'path': '/dev/fuse2', 'type': 'c', 'major': 10, 'minor': 230}]}");
    oci_cg_device_rules(spec, &rules, &n);
    assert_int_equal(n, 3 + 10);
    oci_cg_device_rule_format(&rules[0], buf, sizeof(buf));
    assert_string_equal(buf, "a *:* rwm");
    assert_false(rules[0].allow);
    oci_cg_device_rule_format(&rules[1], buf, sizeof(buf));
    assert_string_equal(buf, "c 10:229 rw");
    oci_cg_device_rule_format(&rules[2], buf, sizeof(buf));
    assert_string_equal(buf, "c 10:230 rwm");
    oci_cg_device_rule_format(&rules[3], buf, sizeof(buf));
    assert_string_equal(buf, "c *:* m");
    oci_cg_device_rule_format(&rules[11], buf, sizeof(buf));
    assert_string_equal(buf, "c 136:* rwm");
    assert_int_equal(oci_cg_translate_v1(NULL, rules, 3, &w, &err), 0);
    got = render(&w);
    assert_string_equal(got, "devices.deny=a\ndevices.deny=a *:* rwm\ndevices.allow=c 10:229 rw\ndevices.allow=c 10:230 rwm\n");
    assert_string_equal(w.v[1].controller, "devices");
    oci_cg_writes_free(&w);
    free(rules);
    oci_spec_free(spec);
}

static void expect_systemd(const char *path, const char *slice, const char *unit, const char *fs_path)
{
    struct oci_systemd_path sp;
    oci_err_t err = NULL;

    if (oci_cgroup_parse_systemd_path(path, "c1", &sp, &err) < 0)
        fail_msg("%s: %s", path, err->msg);
    assert_string_equal(sp.slice, slice);
    assert_string_equal(sp.unit, unit);
    assert_string_equal(sp.path, fs_path);
    oci_systemd_path_free(&sp);
}

static void expect_systemd_error(const char *path, const char *msg)
{
    struct oci_systemd_path sp;
    oci_err_t err = NULL;

    assert_int_equal(oci_cgroup_parse_systemd_path(path, "c1", &sp, &err), -1);
    assert_string_equal(err->msg, msg);
    oci_error_free(&err);
}

static void test_systemd_path(void **state)
{
    (void) state;
    expect_systemd("system.slice:docker:abc", "system.slice", "docker-abc.scope", "/system.slice/docker-abc.scope");
    expect_systemd("machine-qemu.slice:libpod:x", "machine-qemu.slice", "libpod-x.scope",
                   "/machine.slice/machine-qemu.slice/libpod-x.scope");
    expect_systemd(":crio:y", "system.slice", "crio-y.scope", "/system.slice/crio-y.scope");
    expect_systemd("user.slice::z", "user.slice", "z.scope", "/user.slice/z.scope");
    expect_systemd("", "system.slice", "ocirun-c1.scope", "/system.slice/ocirun-c1.scope");
    expect_systemd("system.slice:x:kubepods-pod1.slice", "system.slice", "kubepods-pod1.slice",
                   "/system.slice/kubepods-pod1.slice");
    expect_systemd_error("/a/b", "linux.cgroupsPath \"/a/b\": the systemd driver wants slice:prefix:name");
    expect_systemd_error("system:docker:abc", "linux.cgroupsPath \"system:docker:abc\": \"system\" is not a slice name (x.slice)");
    expect_systemd_error("system.slice:docker:", "linux.cgroupsPath \"system.slice:docker:\": the unit name must not be empty or contain '/'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_cpu),
        cmocka_unit_test(test_pids_io_hugetlb_rdma),
        cmocka_unit_test(test_network_unified),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_systemd_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

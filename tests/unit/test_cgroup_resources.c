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
        const struct oci_cg_write *e = &w->v[i];
        cleanup_free char *alt = e->alt_file ? xasprintf("|%s=%s", e->alt_file, e->alt_value) : xstrdup("");
        char *more = xasprintf("%s%s%s=%s%s\n", out, e->optional ? "?" : "", e->file, e->value, alt);
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
              "io.bfq.weight=500|io.weight=default 4950\nio.bfq.weight=8:0 100|io.weight=8:0 910\n"
              "io.max=8:0 rbps=1048576\nio.max=8:16 wiops=100\n");
    expect_v1("{'resources': {'blockIO': {'weight': 500, 'leafWeight': 300,"
              " 'weightDevice': [{'major': 7, 'minor': 0, 'weight': 200, 'leafWeight': 50}],"
              " 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}]}}}",
              "blkio.weight=500|blkio.bfq.weight=500\nblkio.leaf_weight=300\n"
              "blkio.weight_device=7:0 200|blkio.bfq.weight_device=7:0 200\nblkio.leaf_weight_device=7:0 50\n"
              "blkio.throttle.read_bps_device=8:0 1048576\n");
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
                 "linux.resources.unified: needs a pure cgroup v2 host (this one has cgroup v1 controllers): "
                 "use the v1 fields of linux.resources");
    expect_error(false, "{'resources': {'pids': {'limit': 5}, 'unified': {'hugetlb.2MB.max': '0'}}}",
                 "linux.resources.unified: needs a pure cgroup v2 host (this one has cgroup v1 controllers): "
                 "use the v1 fields of linux.resources");
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
    /* linux.devices makes a node, not a rule (runc 1.1): the deny-all holds for it */
    spec = spec_with("{'resources': {'devices': [{'allow': false, 'access': 'rwm'},"
                     " {'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'}]},"
                     " 'devices': [{'path': '/dev/fuse2', 'type': 'c', 'major': 10, 'minor': 230}]}");
    oci_cg_device_rules(spec->linux_->resources, &rules, &n);
    assert_int_equal(n, 2 + 10);
    oci_cg_device_rule_format(&rules[0], buf, sizeof(buf));
    assert_string_equal(buf, "a *:* rwm");
    assert_false(rules[0].allow);
    oci_cg_device_rule_format(&rules[1], buf, sizeof(buf));
    assert_string_equal(buf, "c 10:229 rw");
    oci_cg_device_rule_format(&rules[2], buf, sizeof(buf));
    assert_string_equal(buf, "c *:* m");
    oci_cg_device_rule_format(&rules[10], buf, sizeof(buf));
    assert_string_equal(buf, "c 136:* rwm");
    for (size_t i = 0; i < n; i++)
        assert_false(rules[i].major == 10 && rules[i].minor == 230);
    assert_int_equal(oci_cg_translate_v1(NULL, rules, 2, &w, &err), 0);
    got = render(&w);
    assert_string_equal(got, "devices.deny=a\ndevices.deny=a *:* rwm\ndevices.allow=c 10:229 rw\n");
    assert_string_equal(w.v[1].controller, "devices");
    oci_cg_writes_free(&w);
    free(rules);
    oci_spec_free(spec);
    oci_cg_device_rules(NULL, &rules, &n);
    assert_int_equal(n, 10);
    free(rules);
}

/* A weight's file: the one that exists; both (bfq and CFQ/iocost): the device's scheduler. */
static void test_weight_file_pick(void **state)
{
    struct oci_spec *spec = spec_with("{'resources': {'blockIO': {'weight': 500,"
                                      " 'weightDevice': [{'major': 7, 'minor': 0, 'weight': 200}]}}}");
    const char *bfq = "mq-deadline kyber [bfq] none", *none = "[none] mq-deadline kyber bfq";
    struct oci_cg_writes v1 = { 0 }, v2 = { 0 };
    oci_err_t err = NULL;

    (void) state;
    assert_int_equal(oci_cg_translate_v1(spec->linux_->resources, NULL, 0, &v1, &err), 0);
    assert_int_equal(oci_cg_translate_v2(spec->linux_->resources, &v2, &err), 0);
    assert_int_equal(v1.len, 2);
    assert_int_equal(v2.len, 2);
    /* v1 default weight: blkio.weight (CFQ) when there, else bfq's */
    assert_int_equal(oci_cg_write_pick(&v1.v[0], true, true, NULL), OCI_CG_PICK_FILE);
    assert_int_equal(oci_cg_write_pick(&v1.v[0], false, true, NULL), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v1.v[0], false, false, NULL), OCI_CG_PICK_FILE);   /* the error names it */
    /* v1 per device: bfq's blkio.bfq.weight_device on a kernel without CFQ, whatever the device */
    assert_int_equal(oci_cg_write_pick(&v1.v[1], false, true, none), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v1.v[1], false, true, bfq), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v1.v[1], true, true, bfq), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v1.v[1], true, true, none), OCI_CG_PICK_FILE);
    /* v2 default weight: io.bfq.weight when bfq is loaded, else io.weight converted */
    assert_int_equal(oci_cg_write_pick(&v2.v[0], true, true, NULL), OCI_CG_PICK_FILE);
    assert_int_equal(oci_cg_write_pick(&v2.v[0], false, true, NULL), OCI_CG_PICK_ALT);
    /* v2 per device: io.bfq.weight for a bfq device, io.weight (iocost) for another */
    assert_int_equal(oci_cg_write_pick(&v2.v[1], true, true, bfq), OCI_CG_PICK_FILE);
    assert_int_equal(oci_cg_write_pick(&v2.v[1], true, true, none), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v2.v[1], true, true, NULL), OCI_CG_PICK_ALT);
    assert_int_equal(oci_cg_write_pick(&v2.v[1], true, false, none), OCI_CG_PICK_FILE);
    assert_int_equal(oci_cg_write_pick(&v2.v[1], false, true, bfq), OCI_CG_PICK_ALT);
    assert_string_equal(v2.v[1].alt_value, "7:0 1920");
    assert_int_equal(v2.v[1].major, 7);
    oci_cg_writes_free(&v1);
    oci_cg_writes_free(&v2);
    oci_spec_free(spec);
}

/* update on v1: devices.list now -> the writes to the new rules. */
static void expect_transition(const char *list, const char *rules_sq, bool want_freeze, const char *want)
{
    cleanup_free char *linux_sq = xasprintf("{'resources': {'devices': %s}}", rules_sq);
    struct oci_spec *spec = spec_with(linux_sq);
    const struct oci_resources *r = spec->linux_->resources;
    cleanup_free struct oci_cg_device_rule *rules = xmalloc((r->n_devices + 1) * sizeof(*rules));
    struct oci_cg_device_rule *all;
    struct oci_cg_writes w = { 0 };
    cleanup_free char *got = NULL;
    bool freeze;
    size_t n;

    /* only the listed rules (the standard ones would be in every list alike) */
    oci_cg_device_rules(r, &all, &n);
    memcpy(rules, all, r->n_devices * sizeof(*rules));
    free(all);
    oci_cg_devices_v1_transition(list, rules, r->n_devices, &w, &freeze);
    got = render(&w);
    assert_string_equal(got, want);
    assert_int_equal(freeze, want_freeze);
    oci_cg_writes_free(&w);
    oci_spec_free(spec);
}

static void test_devices_v1_transition(void **state)
{
    (void) state;
    /* deny by default before and after: removals first, then additions; the rest untouched */
    expect_transition("c 1:3 rwm\nc 1:11 rw\nc 136:* rwm\n",
                      "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3},"
                      " {'allow': true, 'type': 'c', 'major': 1, 'minor': 11, 'access': 'r'},"
                      " {'allow': true, 'type': 'c', 'major': 136, 'access': 'rwm'},"
                      " {'allow': true, 'type': 'c', 'major': 1, 'minor': 12, 'access': 'r'}]",
                      false, "devices.deny=c 1:11 w\ndevices.allow=c 1:12 r\n");
    /* a deny in the rules takes back what an earlier allow gave */
    expect_transition("c 1:3 rwm\nc 1:11 rw\n",
                      "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3},"
                      " {'allow': true, 'type': 'c', 'major': 1, 'minor': 11, 'access': 'rw'},"
                      " {'allow': false, 'type': 'c', 'major': 1, 'minor': 11, 'access': 'rw'}]",
                      false, "devices.deny=c 1:11 rw\n");
    /* the same rules: nothing to write */
    expect_transition("c 1:3 rwm\n", "[{'allow': false}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3}]",
                      false, "");
    /* from allow-all to deny-all: deny everything first, then the allowed */
    expect_transition("a *:* rwm\n", "[{'allow': false}, {'allow': true, 'type': 'b', 'major': 8, 'access': 'r'}]",
                      false, "devices.deny=a\ndevices.allow=b 8:* r\n");
    /* to allow by default (privileged): only through "allow all", so frozen */
    expect_transition("c 1:3 rwm\n",
                      "[{'allow': true}, {'allow': false, 'type': 'c', 'major': 1, 'minor': 11, 'access': 'rwm'}]",
                      true, "devices.allow=a\ndevices.deny=c 1:11 rwm\n");
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
        cmocka_unit_test(test_weight_file_pick),
        cmocka_unit_test(test_devices_v1_transition),
        cmocka_unit_test(test_systemd_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_cgroup_systemd.c: the systemd driver's unit properties from linux.resources and from the
 * org.systemd.property annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ocirun/cgroups/systemd.h"
#include "ocirun/core/alloc.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"

/* Parse {"ociVersion": "1.2.0", "annotations": ANNOTATIONS, "linux": {"resources": RES}} (in
 * RES single quotes become double; ANNOTATIONS is JSON as is). */
static struct oci_spec *spec_with(const char *res_sq, const char *annotations)
{
    cleanup_free char *res = xstrdup(res_sq);
    cleanup_free char *json = NULL;
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    for (char *p = res; *p; p++)
        if (*p == '\'')
            *p = '"';
    json = xasprintf("{\"ociVersion\": \"1.2.0\", \"annotations\": %s, \"linux\": {\"resources\": %s}}",
                     annotations ? annotations : "{}", res);
    if (oci_spec_parse(json, strlen(json), &spec, &err) < 0)
        fail_msg("parse: %s", err->msg);
    return spec;
}

static void expect_props(const char *res_sq, const char *want)
{
    struct oci_spec *spec = spec_with(res_sq, NULL);
    struct oci_sd_props p = { 0 };
    cleanup_free char *got = NULL;
    oci_err_t err = NULL;

    if (oci_systemd_resource_props(spec->linux_->resources, &p, &err) < 0)
        fail_msg("props: %s", err->msg);
    got = oci_sd_props_render(&p);
    assert_string_equal(got, want);
    oci_sd_props_free(&p);
    oci_spec_free(spec);
}

static void expect_props_error(const char *res_sq, const char *msg)
{
    struct oci_spec *spec = spec_with(res_sq, NULL);
    struct oci_sd_props p = { 0 };
    oci_err_t err = NULL;

    assert_int_equal(oci_systemd_resource_props(spec->linux_->resources, &p, &err), -1);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err->msg, msg);
    oci_error_free(&err);
    oci_sd_props_free(&p);
    oci_spec_free(spec);
}

static void test_memory(void **state)
{
    (void) state;
    expect_props("{'memory': {'limit': 1048576, 'reservation': 524288}}",
                 "MemoryMax=1048576\nMemoryLow=524288\n");
    /* the spec's swap counts memory+swap, systemd's MemorySwapMax swap alone */
    expect_props("{'memory': {'limit': 1048576, 'swap': 3145728}}", "MemoryMax=1048576\nMemorySwapMax=2097152\n");
    expect_props("{'memory': {'limit': -1, 'swap': -1}}", "MemoryMax=infinity\nMemorySwapMax=infinity\n");
    expect_props("{'unified': {'memory.high': '2097152'}}", "MemoryHigh=2097152\n");
    expect_props_error("{'memory': {'swap': 3145728}}", "a swap limit needs a memory limit");
}

static void test_cpu(void **state)
{
    (void) state;
    expect_props("{'cpu': {'shares': 1024}}", "CPUWeight=39\n");
    /* 50 ms per 100 ms: half a CPU, 500 ms per second */
    expect_props("{'cpu': {'quota': 50000, 'period': 100000}}",
                 "CPUQuotaPeriodUSec=100000\nCPUQuotaPerSecUSec=500000\n");
    /* 12.345 ms per 100 ms is 123450 us per second: rounded up to whole percents */
    expect_props("{'cpu': {'quota': 12345, 'period': 100000}}",
                 "CPUQuotaPeriodUSec=100000\nCPUQuotaPerSecUSec=130000\n");
    expect_props("{'cpu': {'quota': -1, 'period': 50000}}",
                 "CPUQuotaPeriodUSec=50000\nCPUQuotaPerSecUSec=infinity\n");
    expect_props("{'cpu': {'cpus': '0-2,9', 'mems': '0'}}", "AllowedCPUs=0x0702\nAllowedMemoryNodes=0x01\n");
    expect_props_error("{'cpu': {'cpus': '3-1'}}", "\"3-1\": not a cpu list");
}

static void test_pids_io_rest(void **state)
{
    (void) state;
    expect_props("{'pids': {'limit': 100}}", "TasksMax=100\n");
    expect_props("{'pids': {'limit': -1}}", "TasksMax=infinity\n");
    /* blkio 500 is io.weight 4950 (iocost's scale, 10..1000 -> 1..10000) */
    expect_props("{'blockIO': {'weight': 500}}", "IOWeight=4950\n");
    /* the rest is written to the files only */
    expect_props("{'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1000}]},"
                 " 'hugepageLimits': [{'pageSize': '2MB', 'limit': 2097152}], 'cpu': {'idle': 1}}", "");
}

static void test_cpu_mask(void **state)
{
    uint8_t *mask;
    size_t n;
    oci_err_t err = NULL;

    (void) state;
    assert_int_equal(oci_systemd_cpu_mask("0,15-16", &mask, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(mask[0], 0x01);
    assert_int_equal(mask[1], 0x80);
    assert_int_equal(mask[2], 0x01);
    free(mask);
    assert_int_equal(oci_systemd_cpu_mask("a", &mask, &n, &err), -1);
    oci_error_free(&err);
    assert_int_equal(oci_systemd_cpu_mask("1-", &mask, &n, &err), -1);
    oci_error_free(&err);
}

/* JSON with ` for its double quotes (the values hold single quotes). */
static char *dq(const char *sq)
{
    char *out = xstrdup(sq);

    for (char *p = out; *p; p++)
        if (*p == '`')
            *p = '"';
    return out;
}

static const char proc_devices[] = "Character devices:\n  1 mem\n  5 /dev/tty\n136 pts\n\nBlock devices:\n  8 sd\n";

static void expect_devices(const char *res_sq, const char *want)
{
    struct oci_spec *spec = spec_with(res_sq, NULL);
    struct oci_sd_props p = { 0 };
    cleanup_free char *got = NULL;

    oci_systemd_device_props(spec->linux_->resources, proc_devices, &p);
    got = oci_sd_props_render(&p);
    assert_string_equal(got, want);
    oci_sd_props_free(&p);
    oci_spec_free(spec);
}

static void test_devices(void **state)
{
    (void) state;
    /* the standard rules alone: their allow list (the mknod of any device as char-* / block-*) */
    expect_devices("{}", "DeviceAllow=\nDevicePolicy='strict'\nDeviceAllow=char-* m,block-* m,/dev/char/1:3 rwm,"
                   "/dev/char/1:8 rwm,/dev/char/1:7 rwm,/dev/char/5:0 rwm,/dev/char/1:5 rwm,/dev/char/1:9 rwm,"
                   "char-pts rwm,/dev/char/5:2 rwm\n");
    /* denies are not listed (systemd has allow lists; ocirun's program enforces them); a
     * minor "*" is the driver's name */
    expect_devices("{'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'b', 'major': 8, 'access': 'r'},"
                   " {'allow': false, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rwm'}]}",
                   "DeviceAllow=\nDevicePolicy='strict'\nDeviceAllow=block-sd r,char-* m,block-* m,/dev/char/1:3 rwm,"
                   "/dev/char/1:8 rwm,/dev/char/1:7 rwm,/dev/char/5:0 rwm,/dev/char/1:5 rwm,/dev/char/1:9 rwm,"
                   "char-pts rwm,/dev/char/5:2 rwm\n");
    /* allow all, or a major systemd cannot name: no policy of systemd's */
    expect_devices("{'devices': [{'allow': true, 'access': 'rwm'}]}", "DeviceAllow=\nDevicePolicy='auto'\n");
    expect_devices("{'devices': [{'allow': true, 'type': 'c', 'major': 250, 'access': 'rw'}]}",
                   "DeviceAllow=\nDevicePolicy='auto'\n");
}

static void expect_annotations(const char *annotations_sq, const char *want)
{
    cleanup_free char *json = dq(annotations_sq);
    struct oci_spec *spec = spec_with("{}", json);
    struct oci_sd_props p = { 0 };
    cleanup_free char *got = NULL;
    oci_err_t err = NULL;

    if (oci_systemd_annotation_props(&spec->annotations, &p, &err) < 0)
        fail_msg("annotations: %s", err->msg);
    got = oci_sd_props_render(&p);
    assert_string_equal(got, want);
    oci_sd_props_free(&p);
    oci_spec_free(spec);
}

static void expect_annotation_error(const char *annotations_sq, const char *msg)
{
    cleanup_free char *json = dq(annotations_sq);
    struct oci_spec *spec = spec_with("{}", json);
    struct oci_sd_props p = { 0 };
    oci_err_t err = NULL;

    assert_int_equal(oci_systemd_annotation_props(&spec->annotations, &p, &err), -1);
    assert_string_equal(err->msg, msg);
    oci_error_free(&err);
    oci_sd_props_free(&p);
    oci_spec_free(spec);
}

static void test_annotations(void **state)
{
    (void) state;
    expect_annotations("{`org.systemd.property.CollectMode`: `'inactive-or-failed'`, `other`: `x`,"
                       " `org.systemd.property.TimeoutStopUSec`: `uint64 123456789`,"
                       " `org.systemd.property.SendSIGKILL`: `false`, `org.systemd.property.Nice`: `-5`,"
                       " `org.systemd.property.CPUWeight`: `uint64 77`}",
                       "CollectMode='inactive-or-failed'\nTimeoutStopUSec=123456789\nSendSIGKILL=false\n"
                       "Nice=-5\nCPUWeight=77\n");
    /* seconds become microseconds, as runc converts them */
    expect_annotations("{`org.systemd.property.TimeoutStopSec`: `uint64 3`, `org.systemd.property.RuntimeMaxSec`: `2`}",
                       "TimeoutStopUSec=3000000\nRuntimeMaxUSec=2000000\n");
    expect_annotation_error("{`org.systemd.property.Foo`: `uint64 x`}",
                            "annotations \"org.systemd.property.Foo\": \"uint64 x\" is not a value systemd takes "
                            "('string', true, uint64 N, int64 N, uint32 N, int32 N or N)");
    expect_annotation_error("{`org.systemd.property.foo-bar`: `1`}",
                            "annotations \"org.systemd.property.foo-bar\": \"foo-bar\" is not a systemd property name");
    expect_annotation_error("{`org.systemd.property.TimeoutStopSec`: `'x'`}",
                            "annotations \"org.systemd.property.TimeoutStopSec\": \"'x'\" is not a number of seconds");
    expect_annotation_error("{`org.systemd.property.Nice`: `4294967296`}",
                            "annotations \"org.systemd.property.Nice\": \"4294967296\" is not a value systemd takes "
                            "('string', true, uint64 N, int64 N, uint32 N, int32 N or N)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_cpu),
        cmocka_unit_test(test_pids_io_rest),
        cmocka_unit_test(test_cpu_mask),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_annotations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

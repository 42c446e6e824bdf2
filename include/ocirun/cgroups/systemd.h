/* systemd.h: the systemd cgroup driver's pure parts: the unit's properties from linux.resources
 * and from org.systemd.property.NAME annotations. */
#ifndef OCIRUN_CGROUP_SYSTEMD_H
#define OCIRUN_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* How long a unit's job (start, stop) may take, and each D-Bus call. */
#define OCI_SYSTEMD_WAIT_MS 30000

/* One unit property as StartTransientUnit/SetUnitProperties take it: TYPE is its D-Bus
 * signature ('t' uint64, 'x' int64, 'u' uint32, 'i' int32, 'b' boolean, 's' string, 'y' an
 * array of bytes "ay", 'D' an array of string pairs "a(ss)" as DeviceAllow takes it). */
struct oci_sd_prop {
    char *name;
    char type;
    uint64_t num;          /* t, x, u, i (as two's complement), b (0/1) */
    char *str;             /* s */
    uint8_t *bytes;        /* y */
    size_t n_bytes;
    char **pairs;          /* D: 2 * n_pairs strings */
    size_t n_pairs;
};

struct oci_sd_props {
    struct oci_sd_prop *v;
    size_t len;
};

void oci_sd_props_free(struct oci_sd_props *p);
void oci_sd_props_add_num(struct oci_sd_props *p, const char *name, char type, uint64_t num);
void oci_sd_props_add_str(struct oci_sd_props *p, const char *name, const char *str);
/* Does P set NAME? */
bool oci_sd_props_has(const struct oci_sd_props *p, const char *name);
/* "Name=value" lines (numbers in decimal, "infinity" for UINT64_MAX, bytes in hex), for tests
 * and --debug. */
char *oci_sd_props_render(const struct oci_sd_props *p);

/* The properties systemd owns for linux.resources (the cgroup v2 meaning, as runc sets them):
 * memory.limit/reservation/swap -> MemoryMax/MemoryLow/MemorySwapMax (swap counts memory+swap
 * in the spec, swap alone for systemd), unified memory.high -> MemoryHigh, cpu.shares ->
 * CPUWeight, cpu.quota/period -> CPUQuotaPerSecUSec (rounded up to 10 ms, systemd's unit) and
 * CPUQuotaPeriodUSec, cpu.cpus/mems -> AllowedCPUs/AllowedMemoryNodes, pids.limit ->
 * TasksMax, blockIO.weight -> IOWeight. Everything else is written to the cgroup files only.
 * Errors are the v2 translation's (a swap limit without a memory limit...). */
int oci_systemd_resource_props(const struct oci_resources *r, struct oci_sd_props *out, oci_err_t *err);

/* The device rules (oci_cg_device_rules: linux.resources.devices, then the standard ones) as
 * DevicePolicy + DeviceAllow, so that systemd never opens more than the rules allow (on a v1
 * devices cgroup it rewrites its list at daemon-reload). systemd has allow lists only: the
 * union of the allow rules is given (ocirun's own eBPF program enforces the denies and the
 * order); an allow of every device, or of a major that PROC_DEVICES (/proc/devices' text) does
 * not name, gives DevicePolicy=auto with no list. A minor "*" is char-NAME/block-NAME, a major
 * "*" char-* / block-*, else /dev/char/M:N or /dev/block/M:N. The list is reset first. */
void oci_systemd_device_props(const struct oci_resources *r, const char *proc_devices, struct oci_sd_props *out);

/* annotations "org.systemd.property.NAME": VALUE in GVariant text form, as runc takes them:
 * 'text' or "text" (string), true/false, uint64/int64/uint32/int32 N, or a bare integer
 * (int32). A NAME ending in "Sec" (not "USec") with a number of seconds becomes NAMEUSec
 * in microseconds, as runc converts it. */
int oci_systemd_annotation_props(const struct oci_map *annotations, struct oci_sd_props *out, oci_err_t *err);

/* A cpu or memory node list ("0-3,8") as systemd's bitmask (byte i bit j = cpu 8*i+j). */
int oci_systemd_cpu_mask(const char *list, uint8_t **mask, size_t *n, oci_err_t *err);

#endif

/* resources.h: linux.resources translated into cgroup file writes, for v2 and for v1. */
#ifndef OCIRUN_CGROUP_RESOURCES_H
#define OCIRUN_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* CONTROLLER's FILE gets VALUE; FIELD names the config field it comes from (for errors).
 * controller is the file's prefix ("memory", "cpu", "cpuset", "io", "blkio", "net_cls", ...;
 * "cgroup" for core files). */
struct oci_cg_write {
    char *controller;
    char *file;
    char *value;
    const char *field;
    bool optional;       /* skipped when the file does not exist (e.g. hugetlb's rsvd files) */
    /* Another file for the same setting, with its own value: written instead when FILE does
     * not exist (blkio.weight -> blkio.bfq.weight when the kernel has bfq but no CFQ). */
    char *alt_file, *alt_value;
    /* A per-device weight (major:minor): when both files exist, the device's I/O scheduler
     * picks one (bfq's file for a bfq device, the other else). bfq_alt: ALT_FILE is bfq's. */
    bool per_device, bfq_alt;
    int64_t major, minor;
};

struct oci_cg_writes {
    struct oci_cg_write *v;
    size_t len;
};

void oci_cg_writes_free(struct oci_cg_writes *w);

/* Which file of W to write, from which exist and (per-device weights) the device's
 * queue/scheduler text ("mq-deadline kyber [bfq] none"; NULL unknown). */
enum oci_cg_pick { OCI_CG_PICK_FILE, OCI_CG_PICK_ALT, OCI_CG_PICK_SKIP };
enum oci_cg_pick oci_cg_write_pick(const struct oci_cg_write *w, bool file_exists, bool alt_exists,
                                   const char *scheduler);

/* cgroup v2 files. Devices are not files on v2 (see device_filter.c). */
int oci_cg_translate_v2(const struct oci_resources *r, struct oci_cg_writes *w, oci_err_t *err);

struct oci_cg_device_rule;

/* cgroup v1 files. With rules, devices.deny "a" then each rule in order (NULL: devices untouched,
 * as for update). hugetlb and rdma have the same meaning on both versions; on hybrid hosts the
 * caller applies the v2 writes of controllers that only the unified hierarchy has. */
int oci_cg_translate_v1(const struct oci_resources *r, const struct oci_cg_device_rule *rules, size_t n_rules,
                        struct oci_cg_writes *w, oci_err_t *err);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), as runc and crun convert. */
unsigned long long oci_cg_shares_to_weight(unsigned long long shares);
/* blkio.weight (10..1000) -> io.weight (1..10000). */
unsigned long long oci_cg_blkio_to_io_weight(unsigned long long weight);

/* The device rules a container gets: linux.resources.devices (RES may be NULL) in order, then
 * the standard devices (null, zero, full, random, urandom, tty, ptmx, pts) and mknod of any
 * device. As in runc 1.1, linux.devices only creates nodes: opening one takes an allow rule
 * in linux.resources.devices, and a deny there holds. */
struct oci_cg_device_rule { bool allow; char type; int64_t major, minor; /* -1 = any */ char access[4]; };
void oci_cg_device_rules(const struct oci_resources *res, struct oci_cg_device_rule **out, size_t *n);
/* "c 1:3 rwm", "a *:* rwm": the v1 devices.allow/deny syntax. */
void oci_cg_device_rule_format(const struct oci_cg_device_rule *r, char *buf, size_t len);

/* update on v1: the writes that take a devices cgroup from CURRENT (its devices.list) to RULES
 * (as create applies them, after a deny-all) without a moment where the container may open a
 * device that neither the old nor the new rules allow: what goes away first, then what is new.
 * *FREEZE: the new rules allow by default, which v1 reaches only through "allow all": the
 * writes must be made with the container frozen. */
void oci_cg_devices_v1_transition(const char *current, const struct oci_cg_device_rule *rules, size_t n,
                                  struct oci_cg_writes *w, bool *freeze);

#endif

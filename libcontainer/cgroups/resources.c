/* resources.c: linux.resources -> the cgroup v2 or v1 files to write and their values (no I/O). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/cgroups/resources.h"
#include "ocirun/core/utils.h"

#define R "linux.resources."

void oci_cg_writes_free(struct oci_cg_writes *w)
{
    for (size_t i = 0; i < w->len; i++) {
        free(w->v[i].controller);
        free(w->v[i].file);
        free(w->v[i].value);
        free(w->v[i].alt_file);
        free(w->v[i].alt_value);
    }
    free(w->v);
    w->v = NULL;
    w->len = 0;
}

static void add_write(struct oci_cg_writes *w, bool optional, const char *field, const char *file,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_write(struct oci_cg_writes *w, bool optional, const char *field, const char *file,
                      const char *fmt, ...)
{
    struct oci_cg_write *e;
    const char *dot = strchr(file, '.');
    va_list ap;

    w->v = xrealloc(w->v, (w->len + 1) * sizeof(*w->v));
    e = &w->v[w->len++];
    memset(e, 0, sizeof(*e));
    e->controller = dot ? xstrndup(file, (size_t) (dot - file)) : xstrdup(file);
    e->file = xstrdup(file);
    e->field = field;
    e->optional = optional;
    va_start(ap, fmt);
    if (vasprintf(&e->value, fmt, ap) < 0)
        abort();
    va_end(ap);
}

#define ADD(w, field, file, ...) add_write((w), false, (field), (file), __VA_ARGS__)
#define ADD_OPT(w, field, file, ...) add_write((w), true, (field), (file), __VA_ARGS__)

/* The last write's other file (and value) for the same setting. */
static void set_alt(struct oci_cg_writes *w, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_alt(struct oci_cg_writes *w, const char *file, const char *fmt, ...)
{
    struct oci_cg_write *e = &w->v[w->len - 1];
    va_list ap;

    e->alt_file = xstrdup(file);
    va_start(ap, fmt);
    if (vasprintf(&e->alt_value, fmt, ap) < 0)
        abort();
    va_end(ap);
}

/* The last write is device MAJOR:MINOR's weight; BFQ_ALT: its alternative is bfq's file. */
static void set_device(struct oci_cg_writes *w, int64_t major, int64_t minor, bool bfq_alt)
{
    struct oci_cg_write *e = &w->v[w->len - 1];

    e->per_device = true;
    e->bfq_alt = bfq_alt;
    e->major = major;
    e->minor = minor;
}

enum oci_cg_pick oci_cg_write_pick(const struct oci_cg_write *w, bool file_exists, bool alt_exists,
                                   const char *scheduler)
{
    if (w->alt_file == NULL)
        alt_exists = false;
    /* Both schedulers' files exist (bfq loaded, and iocost or CFQ): a weight for a device goes
     * to the one of the scheduler the device has; the other refuses it (EOPNOTSUPP). */
    if (file_exists && alt_exists && w->per_device) {
        bool bfq = scheduler && strstr(scheduler, "[bfq]") != NULL;
        return bfq == w->bfq_alt ? OCI_CG_PICK_ALT : OCI_CG_PICK_FILE;
    }
    if (file_exists)
        return OCI_CG_PICK_FILE;
    if (alt_exists)
        return OCI_CG_PICK_ALT;
    return w->optional ? OCI_CG_PICK_SKIP : OCI_CG_PICK_FILE;
}

/* -1 means unlimited ("max" on v2). */
static const char *limit_str(int64_t v, char *buf, size_t len)
{
    if (v < 0)
        return "max";
    snprintf(buf, len, "%lld", (long long) v);
    return buf;
}

unsigned long long oci_cg_shares_to_weight(unsigned long long shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long oci_cg_blkio_to_io_weight(unsigned long long weight)
{
    if (weight == 0)
        return 0;
    return 1 + (weight - 10) * 9999 / 990;
}

/* ---- cgroup v2 --------------------------------------------------------------------------- */

/* The spec's swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. */
static int v2_swap_value(const struct oci_memory *m, int64_t *out, oci_err_t *err)
{
    int64_t mem = m->limit.set ? m->limit.value : 0;
    int64_t swap = m->swap.value;

    if (swap == -1) {
        *out = -1;
        return 0;
    }
    if (mem == 0 || mem == -1)
        return oci_error_set(err, 0, R "memory.swap %lld: a swap limit needs a memory limit", (long long) swap);
    if (swap < mem)
        return oci_error_set(err, 0, R "memory.swap %lld: must be >= memory.limit %lld (it counts memory+swap)",
                             (long long) swap, (long long) mem);
    *out = swap - mem;
    return 0;
}

static int v2_memory(const struct oci_memory *m, struct oci_cg_writes *w, oci_err_t *err)
{
    char buf[32];

    if (m->limit.set)
        ADD(w, R "memory.limit", "memory.max", "%s", limit_str(m->limit.value, buf, sizeof(buf)));
    if (m->reservation.set)
        ADD(w, R "memory.reservation", "memory.low", "%s", limit_str(m->reservation.value, buf, sizeof(buf)));
    if (m->swap.set && !(m->swap.value == 0)) {
        int64_t swap;
        if (v2_swap_value(m, &swap, err) < 0)
            return -1;
        ADD(w, R "memory.swap", "memory.swap.max", "%s", limit_str(swap, buf, sizeof(buf)));
    } else if (m->limit.set && m->limit.value == -1) {
        /* Unlimited memory with swap unset means unlimited swap too (as v1's memsw). */
        ADD_OPT(w, R "memory.limit", "memory.swap.max", "max");
    }
    /* swappiness, kernel, kernelTCP, disableOOMKiller, useHierarchy: v1 only; ignored on v2 as runc. */
    return 0;
}

static int v2_cpu(const struct oci_cpu *c, struct oci_cg_writes *w, oci_err_t *err)
{
    if (c->shares.set && c->shares.value != 0)
        ADD(w, R "cpu.shares", "cpu.weight", "%llu", oci_cg_shares_to_weight(c->shares.value));
    if (c->quota.set || c->period.set) {
        char quota[32] = "max";
        if (c->quota.set && c->quota.value > 0)
            snprintf(quota, sizeof(quota), "%lld", (long long) c->quota.value);
        if (c->period.set && c->period.value != 0)
            ADD(w, R "cpu.quota", "cpu.max", "%s %llu", quota, (unsigned long long) c->period.value);
        else
            ADD(w, R "cpu.quota", "cpu.max", "%s", quota);
    }
    if (c->burst.set)
        ADD(w, R "cpu.burst", "cpu.max.burst", "%llu", (unsigned long long) c->burst.value);
    if (c->idle.set)
        ADD(w, R "cpu.idle", "cpu.idle", "%lld", (long long) c->idle.value);
    if ((c->realtime_runtime.set && c->realtime_runtime.value != 0) ||
        (c->realtime_period.set && c->realtime_period.value != 0))
        return oci_error_set(err, 0, R "cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2");
    if (c->cpus && *c->cpus)
        ADD(w, R "cpu.cpus", "cpuset.cpus", "%s", c->cpus);
    if (c->mems && *c->mems)
        ADD(w, R "cpu.mems", "cpuset.mems", "%s", c->mems);
    return 0;
}

static void v2_throttle(const struct oci_throttle_list *l, const char *key, const char *field,
                        struct oci_cg_writes *w)
{
    for (size_t i = 0; i < l->len; i++)
        ADD(w, field, "io.max", "%lld:%lld %s=%llu", (long long) l->items[i].major, (long long) l->items[i].minor,
            key, (unsigned long long) l->items[i].rate);
}

/* As runc: io.bfq.weight (bfq) takes blkio's 10..1000 scale as is; without bfq, io.weight
 * (iocost) takes the converted one. A device's weight goes to the file of its scheduler. */
static void v2_io(const struct oci_block_io *b, struct oci_cg_writes *w)
{
    if (b->weight.set && b->weight.value != 0) {
        ADD(w, R "blockIO.weight", "io.bfq.weight", "%u", b->weight.value);
        set_alt(w, "io.weight", "default %llu", oci_cg_blkio_to_io_weight(b->weight.value));
    }
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct oci_weight_device *d = &b->weight_device[i];
        if (!d->weight.set)
            continue;
        ADD(w, R "blockIO.weightDevice", "io.bfq.weight", "%lld:%lld %u", (long long) d->major,
            (long long) d->minor, d->weight.value);
        set_alt(w, "io.weight", "%lld:%lld %llu", (long long) d->major, (long long) d->minor,
                oci_cg_blkio_to_io_weight(d->weight.value));
        set_device(w, d->major, d->minor, false);
    }
    v2_throttle(&b->throttle_read_bps, "rbps", R "blockIO.throttleReadBpsDevice", w);
    v2_throttle(&b->throttle_write_bps, "wbps", R "blockIO.throttleWriteBpsDevice", w);
    v2_throttle(&b->throttle_read_iops, "riops", R "blockIO.throttleReadIOPSDevice", w);
    v2_throttle(&b->throttle_write_iops, "wiops", R "blockIO.throttleWriteIOPSDevice", w);
}

static void hugetlb(const struct oci_resources *r, bool v2, struct oci_cg_writes *w)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
        cleanup_free char *file = xasprintf(v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
        cleanup_free char *rsvd = xasprintf(v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes",
                                            h->page_size);
        ADD(w, R "hugepageLimits", file, "%llu", (unsigned long long) h->limit);
        /* Reservations count too where the kernel has them (5.7+), as runc. */
        ADD_OPT(w, R "hugepageLimits", rsvd, "%llu", (unsigned long long) h->limit);
    }
}

static void rdma(const struct oci_resources *r, struct oci_cg_writes *w)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct oci_rdma *d = &r->rdma[i];
        char handles[40] = "", objects[40] = "";

        if (!d->hca_handles.set && !d->hca_objects.set)
            continue;
        if (d->hca_handles.set)
            snprintf(handles, sizeof(handles), " hca_handle=%u", d->hca_handles.value);
        if (d->hca_objects.set)
            snprintf(objects, sizeof(objects), " hca_object=%u", d->hca_objects.value);
        ADD(w, R "rdma", "rdma.max", "%s%s%s", d->device, handles, objects);
    }
}

static void pids(const struct oci_resources *r, struct oci_cg_writes *w)
{
    char buf[32];

    if (r->pids_limit.set)
        ADD(w, R "pids.limit", "pids.max", "%s", r->pids_limit.value <= 0 ? "max" :
            limit_str(r->pids_limit.value, buf, sizeof(buf)));
}

/* A unified key is a file name: "<controller>.<name>", no path. It may not contradict a
 * structured field that writes the same file. */
static int v2_unified(const struct oci_resources *r, struct oci_cg_writes *w, oci_err_t *err)
{
    size_t structured = w->len;

    for (size_t i = 0; i < r->unified.len; i++) {
        const char *key = r->unified.items[i].key, *value = r->unified.items[i].value;

        if (strchr(key, '/') || strchr(key, '.') == NULL || key[0] == '.')
            return oci_error_set(err, 0, R "unified \"%s\": not a cgroup file name (controller.file)", key);
        for (size_t j = 0; j < structured; j++)
            if (!w->v[j].optional && strcmp(w->v[j].file, key) == 0 && strcmp(w->v[j].value, value) != 0)
                return oci_error_set(err, 0, R "unified \"%s\": \"%s\" contradicts %s (\"%s\")", key, value,
                                     w->v[j].field, w->v[j].value);
        ADD(w, R "unified", key, "%s", value);
    }
    return 0;
}

int oci_cg_translate_v2(const struct oci_resources *r, struct oci_cg_writes *w, oci_err_t *err)
{
    if (r == NULL)
        return 0;
    if (r->memory && v2_memory(r->memory, w, err) < 0)
        goto fail;
    if (r->cpu && v2_cpu(r->cpu, w, err) < 0)
        goto fail;
    pids(r, w);
    if (r->block_io)
        v2_io(r->block_io, w);
    hugetlb(r, true, w);
    rdma(r, w);
    if (r->network && (r->network->class_id.set || r->network->n_priorities)) {
        oci_error_set(err, 0, R "network: net_cls/net_prio do not exist on cgroup v2");
        goto fail;
    }
    if (v2_unified(r, w, err) < 0)
        goto fail;
    return 0;
fail:
    oci_cg_writes_free(w);
    return -1;
}

/* ---- cgroup v1 --------------------------------------------------------------------------- */

static void v1_memory(const struct oci_memory *m, struct oci_cg_writes *w)
{
    if (m->limit.set)
        ADD(w, R "memory.limit", "memory.limit_in_bytes", "%lld", (long long) m->limit.value);
    if (m->swap.set && m->swap.value != 0)
        ADD(w, R "memory.swap", "memory.memsw.limit_in_bytes", "%lld", (long long) m->swap.value);
    else if (m->limit.set && m->limit.value == -1)
        ADD_OPT(w, R "memory.limit", "memory.memsw.limit_in_bytes", "-1");
    if (m->reservation.set)
        ADD(w, R "memory.reservation", "memory.soft_limit_in_bytes", "%lld", (long long) m->reservation.value);
    /* memory.kmem.limit_in_bytes is gone from current kernels; kernel is ignored as runc does. */
    if (m->kernel_tcp.set)
        ADD(w, R "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", "%lld", (long long) m->kernel_tcp.value);
    if (m->swappiness.set)
        ADD(w, R "memory.swappiness", "memory.swappiness", "%llu", (unsigned long long) m->swappiness.value);
    if (m->disable_oom_killer.set && m->disable_oom_killer.value)
        ADD(w, R "memory.disableOOMKiller", "memory.oom_control", "1");
    if (m->use_hierarchy.set)
        ADD_OPT(w, R "memory.useHierarchy", "memory.use_hierarchy", "%d", m->use_hierarchy.value);
}

static void v1_cpu(const struct oci_cpu *c, struct oci_cg_writes *w)
{
    if (c->shares.set && c->shares.value != 0)
        ADD(w, R "cpu.shares", "cpu.shares", "%llu", (unsigned long long) c->shares.value);
    /* The period first: a quota above the old period could otherwise be refused. */
    if (c->period.set && c->period.value != 0)
        ADD(w, R "cpu.period", "cpu.cfs_period_us", "%llu", (unsigned long long) c->period.value);
    if (c->quota.set && c->quota.value != 0)
        ADD(w, R "cpu.quota", "cpu.cfs_quota_us", "%lld", (long long) c->quota.value);
    if (c->burst.set)
        ADD(w, R "cpu.burst", "cpu.cfs_burst_us", "%llu", (unsigned long long) c->burst.value);
    if (c->realtime_period.set && c->realtime_period.value != 0)
        ADD(w, R "cpu.realtimePeriod", "cpu.rt_period_us", "%llu", (unsigned long long) c->realtime_period.value);
    if (c->realtime_runtime.set && c->realtime_runtime.value != 0)
        ADD(w, R "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%lld", (long long) c->realtime_runtime.value);
    if (c->idle.set)
        ADD(w, R "cpu.idle", "cpu.idle", "%lld", (long long) c->idle.value);
    if (c->cpus && *c->cpus)
        ADD(w, R "cpu.cpus", "cpuset.cpus", "%s", c->cpus);
    if (c->mems && *c->mems)
        ADD(w, R "cpu.mems", "cpuset.mems", "%s", c->mems);
}

static void v1_throttle(const struct oci_throttle_list *l, const char *file, const char *field,
                        struct oci_cg_writes *w)
{
    for (size_t i = 0; i < l->len; i++)
        ADD(w, field, file, "%lld:%lld %llu", (long long) l->items[i].major, (long long) l->items[i].minor,
            (unsigned long long) l->items[i].rate);
}

/* blkio.weight and blkio.weight_device are CFQ's (gone since Linux 5.0); with bfq the files
 * are blkio.bfq.weight and blkio.bfq.weight_device, same values (runc picks them the same way). */
static void v1_blkio(const struct oci_block_io *b, struct oci_cg_writes *w)
{
    if (b->weight.set && b->weight.value != 0) {
        ADD(w, R "blockIO.weight", "blkio.weight", "%u", b->weight.value);
        set_alt(w, "blkio.bfq.weight", "%u", b->weight.value);
    }
    if (b->leaf_weight.set && b->leaf_weight.value != 0)
        ADD(w, R "blockIO.leafWeight", "blkio.leaf_weight", "%u", b->leaf_weight.value);
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct oci_weight_device *d = &b->weight_device[i];
        if (d->weight.set) {
            ADD(w, R "blockIO.weightDevice", "blkio.weight_device", "%lld:%lld %u", (long long) d->major,
                (long long) d->minor, d->weight.value);
            set_alt(w, "blkio.bfq.weight_device", "%lld:%lld %u", (long long) d->major, (long long) d->minor,
                    d->weight.value);
            set_device(w, d->major, d->minor, true);
        }
        if (d->leaf_weight.set)
            ADD(w, R "blockIO.weightDevice", "blkio.leaf_weight_device", "%lld:%lld %u", (long long) d->major,
                (long long) d->minor, d->leaf_weight.value);
    }
    v1_throttle(&b->throttle_read_bps, "blkio.throttle.read_bps_device", R "blockIO.throttleReadBpsDevice", w);
    v1_throttle(&b->throttle_write_bps, "blkio.throttle.write_bps_device", R "blockIO.throttleWriteBpsDevice", w);
    v1_throttle(&b->throttle_read_iops, "blkio.throttle.read_iops_device", R "blockIO.throttleReadIOPSDevice", w);
    v1_throttle(&b->throttle_write_iops, "blkio.throttle.write_iops_device", R "blockIO.throttleWriteIOPSDevice", w);
}

static void v1_network(const struct oci_network_res *n, struct oci_cg_writes *w)
{
    if (n->class_id.set)
        ADD(w, R "network.classID", "net_cls.classid", "%u", n->class_id.value);
    for (size_t i = 0; i < n->n_priorities; i++)
        ADD(w, R "network.priorities", "net_prio.ifpriomap", "%s %u", n->priorities[i].name,
            n->priorities[i].priority);
}

static void v1_devices(const struct oci_cg_device_rule *rules, size_t n, struct oci_cg_writes *w)
{
    char buf[64];

    ADD(w, R "devices", "devices.deny", "a");
    for (size_t i = 0; i < n; i++) {
        oci_cg_device_rule_format(&rules[i], buf, sizeof(buf));
        ADD(w, R "devices", rules[i].allow ? "devices.allow" : "devices.deny", "%s", buf);
    }
}

int oci_cg_translate_v1(const struct oci_resources *r, const struct oci_cg_device_rule *rules, size_t n_rules,
                        struct oci_cg_writes *w, oci_err_t *err)
{
    if (rules)
        v1_devices(rules, n_rules, w);
    if (r == NULL)
        return 0;
    if (r->memory)
        v1_memory(r->memory, w);
    if (r->cpu)
        v1_cpu(r->cpu, w);
    pids(r, w);
    if (r->block_io)
        v1_blkio(r->block_io, w);
    hugetlb(r, false, w);
    rdma(r, w);
    if (r->network)
        v1_network(r->network, w);
    if (r->unified.len) {
        oci_cg_writes_free(w);
        /* As runc ("cannot use unified on cgroup v1"): a hybrid host's unified hierarchy has
         * few controllers, if any. */
        return oci_error_set(err, 0, R "unified: needs a pure cgroup v2 host (this one has cgroup v1 "
                             "controllers): use the v1 fields of linux.resources");
    }
    return 0;
}

/* ---- devices ----------------------------------------------------------------------------- */

void oci_cg_device_rule_format(const struct oci_cg_device_rule *r, char *buf, size_t len)
{
    char major[24] = "*", minor[24] = "*";

    if (r->major >= 0)
        snprintf(major, sizeof(major), "%lld", (long long) r->major);
    if (r->minor >= 0)
        snprintf(minor, sizeof(minor), "%lld", (long long) r->minor);
    snprintf(buf, len, "%c %s:%s %s", r->type, major, minor, r->access);
}

static const struct oci_cg_device_rule default_rules[] = {
    { true, 'c', -1, -1, "m" },     /* mknod of any device; access is what counts */
    { true, 'b', -1, -1, "m" },
    { true, 'c', 1, 3, "rwm" },     /* null */
    { true, 'c', 1, 8, "rwm" },     /* random */
    { true, 'c', 1, 7, "rwm" },     /* full */
    { true, 'c', 5, 0, "rwm" },     /* tty */
    { true, 'c', 1, 5, "rwm" },     /* zero */
    { true, 'c', 1, 9, "rwm" },     /* urandom */
    { true, 'c', 136, -1, "rwm" },  /* pts */
    { true, 'c', 5, 2, "rwm" },     /* ptmx */
};

static void rule_from_spec(const struct oci_device_cgroup *d, struct oci_cg_device_rule *r)
{
    r->allow = d->allow;
    r->type = d->type ? d->type[0] : 'a';
    r->major = d->major.set ? d->major.value : -1;
    r->minor = d->minor.set ? d->minor.value : -1;
    snprintf(r->access, sizeof(r->access), "%s", d->access && *d->access ? d->access : "rwm");
}

void oci_cg_device_rules(const struct oci_resources *res, struct oci_cg_device_rule **out, size_t *n)
{
    size_t n_spec = res ? res->n_devices : 0, k = 0;
    struct oci_cg_device_rule *v = xmalloc((n_spec + ARRAY_SIZE(default_rules)) * sizeof(*v));

    for (size_t i = 0; i < n_spec; i++)
        rule_from_spec(&res->devices[i], &v[k++]);
    for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
        v[k++] = default_rules[i];
    *out = v;
    *n = k;
}

/* ---- v1 device rule transitions (update) -------------------------------------------------- */

/* The v1 devices cgroup as the kernel keeps it: a default (allow or deny everything) and
 * exceptions to it, one per exact type:major:minor, with their access bits. */
enum { ACC_R = 1, ACC_W = 2, ACC_M = 4 };
struct dev_exception { char type; int64_t major, minor; unsigned access; };
struct dev_state { bool allow_all; struct dev_exception *ex; size_t n; };

static unsigned access_bits(const char *access)
{
    unsigned bits = 0;

    for (const char *p = access; *p; p++)
        bits |= *p == 'r' ? ACC_R : *p == 'w' ? ACC_W : *p == 'm' ? ACC_M : 0;
    return bits;
}

static struct dev_exception *find_exception(const struct dev_state *s, char type, int64_t major, int64_t minor)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ex[i].type == type && s->ex[i].major == major && s->ex[i].minor == minor)
            return &s->ex[i];
    return NULL;
}

static void add_exception(struct dev_state *s, char type, int64_t major, int64_t minor, unsigned access)
{
    struct dev_exception *e = find_exception(s, type, major, minor);

    if (e) {
        e->access |= access;
        return;
    }
    s->ex = xrealloc(s->ex, (s->n + 1) * sizeof(*s->ex));
    s->ex[s->n++] = (struct dev_exception) { type, major, minor, access };
}

static void remove_exception(struct dev_state *s, char type, int64_t major, int64_t minor, unsigned access)
{
    struct dev_exception *e = find_exception(s, type, major, minor);

    if (e == NULL)
        return;
    e->access &= ~access;
    if (e->access == 0)
        *e = s->ex[--s->n];
}

/* One devices.allow/deny write, as the kernel applies it: "a" resets the default and drops every
 * exception; a rule that agrees with the default removes an exception, one against it adds one
 * (only exact type:major:minor matches count). */
static void state_apply(struct dev_state *s, const struct oci_cg_device_rule *r)
{
    unsigned access = access_bits(r->access);

    if (r->type == 'a') {
        s->allow_all = r->allow;
        s->n = 0;
    } else if (r->allow == s->allow_all) {
        remove_exception(s, r->type, r->major, r->minor, access);
    } else {
        add_exception(s, r->type, r->major, r->minor, access);
    }
}

static int64_t parse_dev_number(const char *s)
{
    int64_t v;

    return strcmp(s, "*") == 0 || parse_int64(s, &v) < 0 ? -1 : v;
}

/* devices.list: "a *:* rwm" when everything is allowed (the kernel then shows no exceptions,
 * though it may keep some), else one "c 1:3 rwm" line per allowed exception. */
static void state_parse(const char *list, struct dev_state *s)
{
    cleanup_free char *copy = xstrdup(list);
    char *save = NULL;

    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char type[2], major[24], minor[24], access[8];

        if (sscanf(line, "%1s %23[^:]:%23s %7s", type, major, minor, access) != 4)
            continue;
        if (type[0] == 'a') {
            s->allow_all = true;
            s->n = 0;
            return;
        }
        add_exception(s, type[0], parse_dev_number(major), parse_dev_number(minor), access_bits(access));
    }
}

static void add_rule_write(struct oci_cg_writes *w, bool allow, const struct dev_exception *e, unsigned access)
{
    struct oci_cg_device_rule r = { allow, e->type, e->major, e->minor, "" };
    char buf[64];
    size_t k = 0;

    if (access & ACC_R)
        r.access[k++] = 'r';
    if (access & ACC_W)
        r.access[k++] = 'w';
    if (access & ACC_M)
        r.access[k++] = 'm';
    r.access[k] = '\0';
    oci_cg_device_rule_format(&r, buf, sizeof(buf));
    ADD(w, R "devices", allow ? "devices.allow" : "devices.deny", "%s", buf);
}

void oci_cg_devices_v1_transition(const char *current, const struct oci_cg_device_rule *rules, size_t n,
                                  struct oci_cg_writes *w, bool *freeze)
{
    struct dev_state now = { 0 }, want = { 0 };

    state_parse(current, &now);
    for (size_t i = 0; i < n; i++)
        state_apply(&want, &rules[i]);
    *freeze = want.allow_all;
    if (want.allow_all) {
        /* "allow all" drops the old exceptions: the new ones follow, frozen. */
        ADD(w, R "devices", "devices.allow", "a");
        for (size_t i = 0; i < want.n; i++)
            add_rule_write(w, false, &want.ex[i], want.ex[i].access);
    } else if (now.allow_all) {
        ADD(w, R "devices", "devices.deny", "a");
        for (size_t i = 0; i < want.n; i++)
            add_rule_write(w, true, &want.ex[i], want.ex[i].access);
    } else {
        /* Both deny by default: take away what the new rules lack, then grant what they add.
         * In between the container has what both allow. */
        for (size_t i = 0; i < now.n; i++) {
            const struct dev_exception *keep = find_exception(&want, now.ex[i].type, now.ex[i].major, now.ex[i].minor);
            unsigned gone = now.ex[i].access & ~(keep ? keep->access : 0);
            if (gone)
                add_rule_write(w, false, &now.ex[i], gone);
        }
        for (size_t i = 0; i < want.n; i++) {
            const struct dev_exception *had = find_exception(&now, want.ex[i].type, want.ex[i].major, want.ex[i].minor);
            unsigned added = want.ex[i].access & ~(had ? had->access : 0);
            if (added)
                add_rule_write(w, true, &want.ex[i], added);
        }
    }
    free(now.ex);
    free(want.ex);
}

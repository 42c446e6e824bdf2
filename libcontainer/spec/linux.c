/* linux.c: the "linux" section of config.json: namespaces, devices, resources, seccomp, and the rest. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"
#include "spec/json.h"
#include "spec/linux.h"

#define IFNAMSIZ_ 16

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* ---- namespace names ---------------------------------------------------- */

static const char *const spec_ns_names[OCI_NS_COUNT] = {
    [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network",
    [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts",       [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const int ns_flags[OCI_NS_COUNT] = {
    [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET,
    [OCI_NS_MOUNT] = CLONE_NEWNS,      [OCI_NS_IPC] = CLONE_NEWIPC,
    [OCI_NS_UTS] = CLONE_NEWUTS,       [OCI_NS_USER] = CLONE_NEWUSER,
    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

const char *oci_ns_type_name(enum oci_ns_type t)
{
    return (unsigned) t < OCI_NS_COUNT ? spec_ns_names[t] : NULL;
}

int oci_ns_type_from_name(const char *name, enum oci_ns_type *out)
{
    int i = name ? spec_lookup(spec_ns_names, OCI_NS_COUNT, name) : -1;

    if (i < 0)
        return -1;
    *out = (enum oci_ns_type) i;
    return 0;
}

int oci_ns_clone_flag(enum oci_ns_type t)
{
    return (unsigned) t < OCI_NS_COUNT ? ns_flags[t] : 0;
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, enum oci_ns_type t)
{
    if (spec == NULL || spec->linux_ == NULL)
        return NULL;
    for (size_t i = 0; i < spec->linux_->n_namespaces; i++) {
        if (spec->linux_->namespaces[i].type == t)
            return &spec->linux_->namespaces[i];
    }
    return NULL;
}

static const char *const propagations[] = {
    "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
};

static const char *const clocks[] = { "monotonic", "boottime" };

static const char *const device_types[] = { "c", "b", "u", "p" };

static const char *const cgroup_device_types[] = { "a", "c", "b" };

static const char *const seccomp_actions[] = {
    "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};

static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

/* In enum oci_seccomp_op order. */
static const char *const seccomp_ops[] = {
    [OCI_OP_NE] = "SCMP_CMP_NE", [OCI_OP_LT] = "SCMP_CMP_LT", [OCI_OP_LE] = "SCMP_CMP_LE",
    [OCI_OP_EQ] = "SCMP_CMP_EQ", [OCI_OP_GE] = "SCMP_CMP_GE", [OCI_OP_GT] = "SCMP_CMP_GT",
    [OCI_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const personality_domains[] = { "LINUX", "LINUX32" };

static const char *const mempolicy_modes[] = {
    "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
};

static const char *const mempolicy_flags[] = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
};

/* Parse every element of arr into items[i] (n zeroed items of size sz allocated first). */
typedef int (*item_fn)(struct spec_ctx *c, yajl_val v, void *item, void *data);

static int parse_items(struct spec_ctx *c, yajl_val arr, size_t sz, void **items, size_t *n,
                       item_fn fn, void *data)
{
    size_t len = arr->u.array.len;
    char *base = xzalloc(len * sz);

    *items = base;
    *n = len;
    for (size_t i = 0; i < len; i++)
        SPEC_TRY(c, SPEC_AT_INDEX(c, i, fn(c, arr->u.array.values[i], base + i * sz, data)));
    return 0;
}

/* An array field of objects, each parsed by fn. */
static int field_items(struct spec_ctx *c, yajl_val obj, const char *key, size_t sz, void *items,
                       size_t *n, item_fn fn, void *data)
{
    yajl_val arr;

    if (spec_field_array(c, obj, key, &arr) < 0)
        return -1;
    if (arr == NULL)
        return 0;
    return SPEC_AT_KEY(c, key, parse_items(c, arr, sz, (void **) items, n, fn, data));
}

/* An object field parsed by fn into a newly allocated struct of size sz. */
static int field_struct(struct spec_ctx *c, yajl_val obj, const char *key, size_t sz, void *out,
                        item_fn fn)
{
    yajl_val v;

    if (spec_field_object(c, obj, key, false, &v) < 0)
        return -1;
    if (v == NULL)
        return 0;
    *(void **) out = xzalloc(sz);
    return SPEC_AT_KEY(c, key, fn(c, v, *(void **) out, NULL));
}

/* ---- namespaces, time offsets, devices ----------------------------------- */

static int parse_namespace(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_namespace *ns = item;
    bool *seen = data;
    struct spec_vbuf vb;
    int type = 0;

    ns->type = OCI_NS_COUNT;   /* until known: the rules after a collecting parse skip it */
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_field_enum(c, v, "type", true, spec_ns_names, OCI_NS_COUNT, "namespace type", &type, NULL) < 0)
        SPEC_TRY(c, -1);
    else if (seen[type])
        SPEC_TRY(c, SPEC_AT_KEY(c, "type", spec_fail(c, "duplicate namespace type %s",
                                                     spec_render_str(oci_ns_type_name(type), &vb))));
    else {
        seen[type] = true;
        ns->type = (enum oci_ns_type) type;
    }
    if (spec_field_str(c, v, "path", false, &ns->path) < 0)
        return -1;
    if (ns->path && ns->path[0] == '\0') {
        /* "" is Go's zero value: create a new namespace */
        free(ns->path);
        ns->path = NULL;
    }
    if (ns->path && spec_check_abs(c, "path", ns->path) < 0) {
        free(ns->path);
        ns->path = NULL;
        return -1;
    }
    return 0;
}

static int parse_time_offset(struct spec_ctx *c, const char *clock, yajl_val v, struct oci_time_offset *t,
                             const struct oci_time_offset *prev, size_t n_prev)
{
    struct spec_vbuf vb;
    int64_t nsec = 0;

    if (spec_lookup(clocks, ARRAY_SIZE(clocks), clock) < 0)
        return spec_fail(c, "unknown clock %s (expected \"monotonic\" or \"boottime\")",
                         spec_render_str(clock, &vb));
    for (size_t i = 0; i < n_prev; i++) {
        if (prev[i].clock && strcmp(prev[i].clock, clock) == 0)
            return spec_fail(c, "duplicate clock %s", spec_render_str(clock, &vb));
    }
    t->clock = xstrdup(clock);
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_i64(c, v, "secs", false, &t->secs));
    SPEC_TRY(c, spec_field_int(c, v, "nanosecs", false, 0, 999999999, NULL, &nsec, NULL));
    t->nanosecs = (uint32_t) nsec;
    return 0;
}

static int parse_time_offsets(struct spec_ctx *c, yajl_val o, struct oci_linux *lx)
{
    size_t n = o->u.object.len;

    lx->time_offsets = xzalloc(n * sizeof(*lx->time_offsets));
    lx->n_time_offsets = n;
    for (size_t i = 0; i < n; i++) {
        const char *k = o->u.object.keys[i];

        SPEC_TRY(c, SPEC_AT_KEY(c, k, parse_time_offset(c, k, o->u.object.values[i], &lx->time_offsets[i],
                                                        lx->time_offsets, i)));
    }
    return 0;
}

static int parse_device(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_device *d = item;
    bool need_numbers;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_field_str(c, v, "path", true, &d->path) < 0)
        SPEC_TRY(c, -1);
    else if (spec_check_abs(c, "path", d->path) < 0) {
        SPEC_TRY(c, -1);
        free(d->path);
        d->path = NULL;
    }
    SPEC_TRY(c, spec_field_enum(c, v, "type", true, device_types, ARRAY_SIZE(device_types),
                                "device type", NULL, &d->type));
    /* (collecting, type refused: its numbers are not asked for) */
    need_numbers = d->type && d->type[0] != 'p';
    SPEC_TRY(c, spec_field_int(c, v, "major", need_numbers, INT64_MIN, INT64_MAX, SPEC_I64, &d->major, NULL));
    SPEC_TRY(c, spec_field_int(c, v, "minor", need_numbers, INT64_MIN, INT64_MAX, SPEC_I64, &d->minor, NULL));
    SPEC_TRY(c, spec_field_opt_u32(c, v, "fileMode", &d->file_mode));
    SPEC_TRY(c, spec_field_opt_u32(c, v, "uid", &d->uid));
    SPEC_TRY(c, spec_field_opt_u32(c, v, "gid", &d->gid));
    return 0;
}

/* ---- resources ------------------------------------------------------------ */

static int parse_device_cgroup(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_device_cgroup *d = item;
    struct spec_vbuf vb;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_get(v, "allow") == NULL)
        SPEC_TRY(c, spec_fail_missing(c, "allow"));
    SPEC_TRY(c, spec_field_bool(c, v, "allow", &d->allow, NULL));
    SPEC_TRY(c, spec_field_enum(c, v, "type", false, cgroup_device_types, ARRAY_SIZE(cgroup_device_types),
                                "device type", NULL, &d->type));
    SPEC_TRY(c, spec_field_opt_i64(c, v, "major", &d->major));
    SPEC_TRY(c, spec_field_opt_i64(c, v, "minor", &d->minor));
    SPEC_TRY(c, spec_field_str(c, v, "access", false, &d->access));
    if (d->access && d->access[strspn(d->access, "rwm")] != '\0')
        return SPEC_AT_KEY(c, "access", spec_fail(c, "invalid device access %s (expected a combination of r, w, m)",
                                                  spec_render_str(d->access, &vb)));
    return 0;
}

static int parse_memory(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_memory *m = item;

    (void) data;
    SPEC_TRY(c, spec_field_opt_i64(c, o, "limit", &m->limit));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "reservation", &m->reservation));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "swap", &m->swap));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "kernel", &m->kernel));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "kernelTCP", &m->kernel_tcp));
    SPEC_TRY(c, spec_field_uint(c, o, "swappiness", false, 100, NULL, &m->swappiness.value, &m->swappiness.set));
    SPEC_TRY(c, spec_field_opt_bool(c, o, "disableOOMKiller", &m->disable_oom_killer));
    SPEC_TRY(c, spec_field_opt_bool(c, o, "useHierarchy", &m->use_hierarchy));
    SPEC_TRY(c, spec_field_opt_bool(c, o, "checkBeforeUpdate", &m->check_before_update));
    return 0;
}

static int parse_cpu(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_cpu *cpu = item;

    (void) data;
    SPEC_TRY(c, spec_field_opt_u64(c, o, "shares", &cpu->shares));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "quota", &cpu->quota));
    SPEC_TRY(c, spec_field_opt_u64(c, o, "burst", &cpu->burst));
    SPEC_TRY(c, spec_field_opt_u64(c, o, "period", &cpu->period));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "realtimeRuntime", &cpu->realtime_runtime));
    SPEC_TRY(c, spec_field_opt_u64(c, o, "realtimePeriod", &cpu->realtime_period));
    SPEC_TRY(c, spec_field_str(c, o, "cpus", false, &cpu->cpus));
    SPEC_TRY(c, spec_field_str(c, o, "mems", false, &cpu->mems));
    SPEC_TRY(c, spec_field_opt_i64(c, o, "idle", &cpu->idle));
    return 0;
}

static int parse_weight_device(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_weight_device *w = item;

    bool bad = false;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_i64(c, v, "major", true, &w->major));
    SPEC_TRY(c, spec_field_i64(c, v, "minor", true, &w->minor));
    SPEC_TRY(c, spec_track(&bad, spec_field_opt_u16(c, v, "weight", &w->weight)));
    SPEC_TRY(c, spec_track(&bad, spec_field_opt_u16(c, v, "leafWeight", &w->leaf_weight)));
    if (!bad && !w->weight.set && !w->leaf_weight.set)
        return spec_fail(c, "at least one of weight or leafWeight is required");
    return 0;
}

static int parse_throttle_device(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_throttle_device *t = item;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_i64(c, v, "major", true, &t->major));
    SPEC_TRY(c, spec_field_i64(c, v, "minor", true, &t->minor));
    SPEC_TRY(c, spec_field_u64(c, v, "rate", true, &t->rate));
    return 0;
}

static int field_throttle(struct spec_ctx *c, yajl_val o, const char *key, struct oci_throttle_list *l)
{
    return field_items(c, o, key, sizeof(*l->items), &l->items, &l->len, parse_throttle_device, NULL);
}

static int parse_block_io(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_block_io *b = item;

    (void) data;
    SPEC_TRY(c, spec_field_opt_u16(c, o, "weight", &b->weight));
    SPEC_TRY(c, spec_field_opt_u16(c, o, "leafWeight", &b->leaf_weight));
    SPEC_TRY(c, field_items(c, o, "weightDevice", sizeof(*b->weight_device), &b->weight_device,
                            &b->n_weight_device, parse_weight_device, NULL));
    SPEC_TRY(c, field_throttle(c, o, "throttleReadBpsDevice", &b->throttle_read_bps));
    SPEC_TRY(c, field_throttle(c, o, "throttleWriteBpsDevice", &b->throttle_write_bps));
    SPEC_TRY(c, field_throttle(c, o, "throttleReadIOPSDevice", &b->throttle_read_iops));
    SPEC_TRY(c, field_throttle(c, o, "throttleWriteIOPSDevice", &b->throttle_write_iops));
    return 0;
}

static int parse_hugepage_limit(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_hugepage_limit *h = item;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_str(c, v, "pageSize", true, &h->page_size));
    SPEC_TRY(c, spec_field_u64(c, v, "limit", true, &h->limit));
    return 0;
}

static int parse_net_priority(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_net_priority *p = item;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_str(c, v, "name", true, &p->name));
    SPEC_TRY(c, spec_field_u32(c, v, "priority", true, &p->priority));
    return 0;
}

static int parse_network(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_network_res *n = item;

    (void) data;
    SPEC_TRY(c, spec_field_opt_u32(c, o, "classID", &n->class_id));
    SPEC_TRY(c, field_items(c, o, "priorities", sizeof(*n->priorities), &n->priorities, &n->n_priorities,
                            parse_net_priority, NULL));
    return 0;
}

static int parse_rdma_entry(struct spec_ctx *c, const char *dev, yajl_val v, struct oci_rdma *r)
{
    bool bad = false;

    r->device = xstrdup(dev);
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_track(&bad, spec_field_opt_u32(c, v, "hcaHandles", &r->hca_handles)));
    SPEC_TRY(c, spec_track(&bad, spec_field_opt_u32(c, v, "hcaObjects", &r->hca_objects)));
    if (!bad && !r->hca_handles.set && !r->hca_objects.set)
        return spec_fail(c, "at least one of hcaHandles or hcaObjects is required");
    return 0;
}

static int parse_rdma(struct spec_ctx *c, yajl_val o, struct oci_resources *res)
{
    size_t n = o->u.object.len;

    res->rdma = xzalloc(n * sizeof(*res->rdma));
    res->n_rdma = n;
    for (size_t i = 0; i < n; i++) {
        const char *k = o->u.object.keys[i];

        SPEC_TRY(c, SPEC_AT_KEY(c, k, parse_rdma_entry(c, k, o->u.object.values[i], &res->rdma[i])));
    }
    return 0;
}

static int parse_pids(struct spec_ctx *c, yajl_val o, struct oci_resources *res)
{
    return spec_field_int(c, o, "limit", true, INT64_MIN, INT64_MAX, SPEC_I64,
                          &res->pids_limit.value, &res->pids_limit.set);
}

static int parse_resources_fields(struct spec_ctx *c, yajl_val o, struct oci_resources *res)
{
    yajl_val v;

    SPEC_TRY(c, field_items(c, o, "devices", sizeof(*res->devices), &res->devices, &res->n_devices,
                            parse_device_cgroup, NULL));
    SPEC_TRY(c, field_struct(c, o, "memory", sizeof(*res->memory), &res->memory, parse_memory));
    SPEC_TRY(c, field_struct(c, o, "cpu", sizeof(*res->cpu), &res->cpu, parse_cpu));
    SPEC_TRY(c, spec_field_object(c, o, "pids", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "pids", parse_pids(c, v, res)));
    SPEC_TRY(c, field_struct(c, o, "blockIO", sizeof(*res->block_io), &res->block_io, parse_block_io));
    SPEC_TRY(c, field_items(c, o, "hugepageLimits", sizeof(*res->hugepage_limits), &res->hugepage_limits,
                            &res->n_hugepage_limits, parse_hugepage_limit, NULL));
    SPEC_TRY(c, field_struct(c, o, "network", sizeof(*res->network), &res->network, parse_network));
    SPEC_TRY(c, spec_field_object(c, o, "rdma", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "rdma", parse_rdma(c, v, res)));
    return spec_field_map(c, o, "unified", &res->unified);
}

static int parse_resources(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_resources *res = item;
    size_t before = oci_report_count(c->report);
    int ret;

    (void) data;
    ret = parse_resources_fields(c, o, res);
    res->partial = oci_report_count(c->report) != before;
    return ret;
}

/* ---- seccomp -------------------------------------------------------------- */

static int parse_seccomp_arg(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_seccomp_arg *a = item;
    uint64_t index = 0;
    int op = 0;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_uint(c, v, "index", true, 5, NULL, &index, NULL));
    SPEC_TRY(c, spec_field_u64(c, v, "value", true, &a->value));
    SPEC_TRY(c, spec_field_u64(c, v, "valueTwo", false, &a->value_two));
    SPEC_TRY(c, spec_field_enum(c, v, "op", true, seccomp_ops, ARRAY_SIZE(seccomp_ops),
                                "seccomp operator", &op, NULL));
    a->index = (uint32_t) index;
    a->op = (enum oci_seccomp_op) op;
    return 0;
}

static bool action_takes_errno(const char *action)
{
    return strcmp(action, "SCMP_ACT_ERRNO") == 0 || strcmp(action, "SCMP_ACT_TRACE") == 0;
}

/* The checks that need the whole object: the spec's MUSTs, and what would deadlock. */
static int check_seccomp(struct spec_ctx *c, const struct oci_seccomp *s)
{
    bool listener_reported = false;

    if (s->default_action == NULL)
        return -1;   /* (collecting) refused already */
    if (s->default_errno_ret.set && !action_takes_errno(s->default_action))
        SPEC_TRY(c, SPEC_AT_KEY(c, "defaultErrnoRet", spec_fail(c, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an "
                                                                "errno, not %s", s->default_action)));
    /* The setup process itself would be stopped on its next syscall, before any agent has the fd. */
    if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
        SPEC_TRY(c, SPEC_AT_KEY(c, "defaultAction", spec_fail(c, "SCMP_ACT_NOTIFY cannot be the default action")));
    for (size_t i = 0; i < s->n_syscalls; i++) {
        const struct oci_syscall_rule *r = &s->syscalls[i];

        if (r->action == NULL || strcmp(r->action, "SCMP_ACT_NOTIFY") != 0)
            continue;
        if (s->listener_path == NULL && !listener_reported) {
            listener_reported = true;
            SPEC_TRY(c, SPEC_AT_KEY(c, "listenerPath", spec_fail(c, "required: syscalls[%zu] uses SCMP_ACT_NOTIFY", i)));
        }
        /* The notify fd leaves the container through sendmsg, and the setup process writes
         * after the load (the exec fifo's byte that lets `start` return, its messages): an
         * agent that does not have the fd yet, or waits for the runtime, would deadlock. */
        for (size_t j = 0; j < r->names.len; j++) {
            const char *why = strcmp(r->names.v[j], "sendmsg") == 0 ? "it to pass the notify fd on"
                              : strcmp(r->names.v[j], "write") == 0 ? "it after the filter is loaded, before any "
                                                                      "agent has the notify fd"
                                                                    : NULL;
            if (why)
                SPEC_TRY(c, SPEC_AT_KEY(c, "syscalls", SPEC_AT_INDEX(c, i, SPEC_AT_KEY(c, "names",
                            spec_fail(c, "SCMP_ACT_NOTIFY cannot be used for the %s syscall (the runtime needs %s)",
                                      r->names.v[j], why)))));
        }
    }
    return 0;
}

static int parse_syscall(struct spec_ctx *c, yajl_val v, void *item, void *data)
{
    struct oci_syscall_rule *r = item;

    (void) data;
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_get(v, "names") == NULL)
        SPEC_TRY(c, spec_fail_missing(c, "names"));
    else if (spec_field_strv(c, v, "names", &r->names) < 0)
        SPEC_TRY(c, -1);
    else if (r->names.len == 0)
        SPEC_TRY(c, SPEC_AT_KEY(c, "names", spec_fail(c, "must not be empty")));
    SPEC_TRY(c, spec_field_enum(c, v, "action", true, seccomp_actions, ARRAY_SIZE(seccomp_actions),
                                "seccomp action", NULL, &r->action));
    SPEC_TRY(c, spec_field_opt_u32(c, v, "errnoRet", &r->errno_ret));
    SPEC_TRY(c, field_items(c, v, "args", sizeof(*r->args), &r->args, &r->n_args, parse_seccomp_arg, NULL));
    if (r->errno_ret.set && r->action && !action_takes_errno(r->action))
        return SPEC_AT_KEY(c, "errnoRet", spec_fail(c, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, "
                                                     "not %s", r->action));
    return 0;
}

static int parse_seccomp_fields(struct spec_ctx *c, yajl_val o, struct oci_seccomp *s)
{
    SPEC_TRY(c, spec_field_enum(c, o, "defaultAction", true, seccomp_actions, ARRAY_SIZE(seccomp_actions),
                                "seccomp action", NULL, &s->default_action));
    SPEC_TRY(c, spec_field_opt_u32(c, o, "defaultErrnoRet", &s->default_errno_ret));
    SPEC_TRY(c, spec_field_strv(c, o, "architectures", &s->architectures));
    SPEC_TRY(c, spec_field_strv(c, o, "flags", &s->flags));
    SPEC_TRY(c, spec_check_strv_enum(c, "flags", &s->flags, seccomp_flags, ARRAY_SIZE(seccomp_flags),
                                     "seccomp flag"));
    SPEC_TRY(c, spec_field_str(c, o, "listenerPath", false, &s->listener_path));
    SPEC_TRY(c, spec_field_str(c, o, "listenerMetadata", false, &s->listener_metadata));
    if (s->listener_metadata && s->listener_path == NULL)
        SPEC_TRY(c, SPEC_AT_KEY(c, "listenerMetadata", spec_fail(c, "requires listenerPath")));
    SPEC_TRY(c, field_items(c, o, "syscalls", sizeof(*s->syscalls), &s->syscalls, &s->n_syscalls,
                            parse_syscall, NULL));
    return check_seccomp(c, s);
}

static int parse_seccomp(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_seccomp *s = item;
    size_t before = oci_report_count(c->report);
    int ret;

    (void) data;
    ret = parse_seccomp_fields(c, o, s);
    s->partial = oci_report_count(c->report) != before;
    return ret;
}

/* ---- intelRdt, personality, netDevices, memoryPolicy ---------------------- */

/* Before 1.3 "schemata" could be one string: accept it as its lines. */
static int parse_schemata(struct spec_ctx *c, yajl_val o, struct oci_strv *out)
{
    yajl_val v = spec_get(o, "schemata");
    size_t n = 0;
    const char *p;

    if (!YAJL_IS_STRING(v))
        return spec_field_strv(c, o, "schemata", out);
    for (p = v->u.string; *p; p++)
        n += (*p == '\n');
    out->v = xzalloc((n + 2) * sizeof(char *));
    for (p = v->u.string; *p;) {
        size_t len = strcspn(p, "\n");

        if (len > 0)
            out->v[out->len++] = xstrndup(p, len);
        p += len + (p[len] == '\n');
    }
    return 0;
}

static int parse_intel_rdt(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_intel_rdt *r = item;
    struct spec_vbuf vb;

    (void) data;
    SPEC_TRY(c, spec_field_str(c, o, "closID", false, &r->clos_id));
    SPEC_TRY(c, spec_field_str(c, o, "l3CacheSchema", false, &r->l3_cache_schema));
    SPEC_TRY(c, spec_field_str(c, o, "memBwSchema", false, &r->mem_bw_schema));
    SPEC_TRY(c, parse_schemata(c, o, &r->schemata));
    SPEC_TRY(c, spec_field_bool(c, o, "enableMonitoring", &r->enable_monitoring, NULL));
    SPEC_TRY(c, spec_field_bool(c, o, "enableCMT", &r->enable_cmt, NULL));
    SPEC_TRY(c, spec_field_bool(c, o, "enableMBM", &r->enable_mbm, NULL));
    if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) != 0 || strchr(r->mem_bw_schema, '\n')))
        return SPEC_AT_KEY(c, "memBwSchema", spec_fail(c, "must be one line starting with \"MB:\", got %s",
                                                       spec_render_str(r->mem_bw_schema, &vb)));
    return 0;
}

static int parse_personality(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_personality *p = item;

    (void) data;
    SPEC_TRY(c, spec_field_enum(c, o, "domain", true, personality_domains, ARRAY_SIZE(personality_domains),
                                "personality domain", NULL, &p->domain));
    SPEC_TRY(c, spec_field_strv(c, o, "flags", &p->flags));
    return 0;
}

static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= IFNAMSIZ_ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++) {
        if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
            return false;
    }
    return true;
}

static int parse_net_device(struct spec_ctx *c, const char *host, yajl_val v, struct oci_net_device *d)
{
    struct spec_vbuf vb;

    if (!valid_ifname(host))
        return spec_fail(c, "invalid network interface name %s", spec_render_str(host, &vb));
    d->host_name = xstrdup(host);
    if (spec_val_object(c, v) < 0 || spec_field_str(c, v, "name", false, &d->name) < 0)
        return -1;
    if (d->name && d->name[0] == '\0') {
        free(d->name);
        d->name = NULL;
    }
    if (d->name && !valid_ifname(d->name))
        return SPEC_AT_KEY(c, "name", spec_fail(c, "invalid network interface name %s",
                                                spec_render_str(d->name, &vb)));
    return 0;
}

static int parse_net_devices(struct spec_ctx *c, yajl_val o, struct oci_linux *lx)
{
    size_t n = o->u.object.len;

    lx->net_devices = xzalloc(n * sizeof(*lx->net_devices));
    lx->n_net_devices = n;
    for (size_t i = 0; i < n; i++) {
        const char *k = o->u.object.keys[i];

        SPEC_TRY(c, SPEC_AT_KEY(c, k, parse_net_device(c, k, o->u.object.values[i], &lx->net_devices[i])));
    }
    return 0;
}

static int parse_memory_policy(struct spec_ctx *c, yajl_val o, void *item, void *data)
{
    struct oci_memory_policy *m = item;

    (void) data;
    SPEC_TRY(c, spec_field_enum(c, o, "mode", true, mempolicy_modes, ARRAY_SIZE(mempolicy_modes),
                                "memory policy mode", NULL, &m->mode));
    SPEC_TRY(c, spec_field_str(c, o, "nodes", false, &m->nodes));
    SPEC_TRY(c, spec_field_strv(c, o, "flags", &m->flags));
    SPEC_TRY(c, spec_check_strv_enum(c, "flags", &m->flags, mempolicy_flags, ARRAY_SIZE(mempolicy_flags),
                                     "memory policy flag"));
    return 0;
}

/* ---- linux ---------------------------------------------------------------- */

static int parse_linux_maps(struct spec_ctx *c, yajl_val o, struct oci_linux *lx)
{
    yajl_val v;

    SPEC_TRY(c, spec_field_object(c, o, "timeOffsets", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "timeOffsets", parse_time_offsets(c, v, lx)));
    SPEC_TRY(c, spec_field_object(c, o, "netDevices", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "netDevices", parse_net_devices(c, v, lx)));
    return spec_field_map(c, o, "sysctl", &lx->sysctl);
}

int spec_parse_linux(struct spec_ctx *c, yajl_val o, struct oci_linux **out)
{
    struct oci_linux *lx = *out = xzalloc(sizeof(*lx));
    bool seen[OCI_NS_COUNT] = { false };

    SPEC_TRY(c, field_items(c, o, "namespaces", sizeof(*lx->namespaces), &lx->namespaces, &lx->n_namespaces,
                            parse_namespace, seen));
    SPEC_TRY(c, spec_field_idmaps(c, o, "uidMappings", &lx->uid_mappings));
    SPEC_TRY(c, spec_field_idmaps(c, o, "gidMappings", &lx->gid_mappings));
    SPEC_TRY(c, field_items(c, o, "devices", sizeof(*lx->devices), &lx->devices, &lx->n_devices,
                            parse_device, NULL));
    SPEC_TRY(c, spec_field_str(c, o, "cgroupsPath", false, &lx->cgroups_path));
    SPEC_TRY(c, field_struct(c, o, "resources", sizeof(*lx->resources), &lx->resources, parse_resources));
    SPEC_TRY(c, spec_field_enum(c, o, "rootfsPropagation", false, propagations, ARRAY_SIZE(propagations),
                                "rootfs propagation", NULL, &lx->rootfs_propagation));
    SPEC_TRY(c, field_struct(c, o, "seccomp", sizeof(*lx->seccomp), &lx->seccomp, parse_seccomp));
    SPEC_TRY(c, spec_field_strv(c, o, "maskedPaths", &lx->masked_paths));
    SPEC_TRY(c, spec_field_strv(c, o, "readonlyPaths", &lx->readonly_paths));
    SPEC_TRY(c, spec_field_str(c, o, "mountLabel", false, &lx->mount_label));
    SPEC_TRY(c, field_struct(c, o, "intelRdt", sizeof(*lx->intel_rdt), &lx->intel_rdt, parse_intel_rdt));
    SPEC_TRY(c, field_struct(c, o, "personality", sizeof(*lx->personality), &lx->personality,
                             parse_personality));
    SPEC_TRY(c, field_struct(c, o, "memoryPolicy", sizeof(*lx->memory_policy), &lx->memory_policy,
                             parse_memory_policy));
    return parse_linux_maps(c, o, lx);
}

int spec_parse_resources(struct spec_ctx *c, yajl_val v, struct oci_resources *out)
{
    if (spec_val_object(c, v) < 0)
        return -1;
    return parse_resources(c, v, out, NULL);
}

/* ---- release -------------------------------------------------------------- */

void spec_resources_free(struct oci_resources *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_devices; i++) {
        free(r->devices[i].type);
        free(r->devices[i].access);
    }
    free(r->devices);
    free(r->memory);
    if (r->cpu) {
        free(r->cpu->cpus);
        free(r->cpu->mems);
    }
    free(r->cpu);
    if (r->block_io) {
        free(r->block_io->weight_device);
        free(r->block_io->throttle_read_bps.items);
        free(r->block_io->throttle_write_bps.items);
        free(r->block_io->throttle_read_iops.items);
        free(r->block_io->throttle_write_iops.items);
    }
    free(r->block_io);
    for (size_t i = 0; i < r->n_hugepage_limits; i++)
        free(r->hugepage_limits[i].page_size);
    free(r->hugepage_limits);
    if (r->network) {
        for (size_t i = 0; i < r->network->n_priorities; i++)
            free(r->network->priorities[i].name);
        free(r->network->priorities);
    }
    free(r->network);
    for (size_t i = 0; i < r->n_rdma; i++)
        free(r->rdma[i].device);
    free(r->rdma);
    oci_map_free(&r->unified);
    free(r);
}

static void seccomp_free(struct oci_seccomp *s)
{
    if (s == NULL)
        return;
    free(s->default_action);
    spec_strv_free(&s->architectures);
    spec_strv_free(&s->flags);
    free(s->listener_path);
    free(s->listener_metadata);
    for (size_t i = 0; i < s->n_syscalls; i++) {
        spec_strv_free(&s->syscalls[i].names);
        free(s->syscalls[i].action);
        free(s->syscalls[i].args);
    }
    free(s->syscalls);
    free(s);
}

static void linux_extras_free(struct oci_linux *lx)
{
    if (lx->intel_rdt) {
        free(lx->intel_rdt->clos_id);
        free(lx->intel_rdt->l3_cache_schema);
        free(lx->intel_rdt->mem_bw_schema);
        spec_strv_free(&lx->intel_rdt->schemata);
        free(lx->intel_rdt);
    }
    if (lx->personality) {
        free(lx->personality->domain);
        spec_strv_free(&lx->personality->flags);
        free(lx->personality);
    }
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        free(lx->net_devices[i].host_name);
        free(lx->net_devices[i].name);
    }
    free(lx->net_devices);
    if (lx->memory_policy) {
        free(lx->memory_policy->mode);
        free(lx->memory_policy->nodes);
        spec_strv_free(&lx->memory_policy->flags);
        free(lx->memory_policy);
    }
}

void spec_linux_free(struct oci_linux *lx)
{
    if (lx == NULL)
        return;
    for (size_t i = 0; i < lx->n_namespaces; i++)
        free(lx->namespaces[i].path);
    free(lx->namespaces);
    free(lx->uid_mappings.items);
    free(lx->gid_mappings.items);
    for (size_t i = 0; i < lx->n_time_offsets; i++)
        free(lx->time_offsets[i].clock);
    free(lx->time_offsets);
    for (size_t i = 0; i < lx->n_devices; i++) {
        free(lx->devices[i].path);
        free(lx->devices[i].type);
    }
    free(lx->devices);
    free(lx->cgroups_path);
    spec_resources_free(lx->resources);
    free(lx->rootfs_propagation);
    seccomp_free(lx->seccomp);
    oci_map_free(&lx->sysctl);
    spec_strv_free(&lx->masked_paths);
    spec_strv_free(&lx->readonly_paths);
    free(lx->mount_label);
    linux_extras_free(lx);
    free(lx);
}

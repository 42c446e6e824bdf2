/* apply.c: write linux.resources into the container's cgroups, routing each controller to its hierarchy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/cgroups/device_filter.h"
#include "ocirun/cgroups/resources.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "cgroups/apply.h"
#include "cgroups/driver.h"
#include "cgroups/layout.h"

/*
 * How the writes go: into a report (create and update stop at the first problem, check keeps
 * them all) and, for check, dry: every routing decision and availability test is made as for
 * create, but nothing is written or enabled (the container's directories do not exist).
 */
struct apply {
    struct oci_report *r;
    bool dry;
};

/* A failed step: recorded; non-zero means stop (first-problem mode). */
static int failed(const struct apply *a, oci_err_t *e)
{
    return oci_report_err(a->r, e);
}

static bool file_exists(const char *dir, const char *file)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);

    return access(path, F_OK) == 0;
}

/* The I/O scheduler line of block device MAJOR:MINOR ("none [bfq]"), NULL when unknown. */
static char *device_scheduler(int64_t major, int64_t minor)
{
    cleanup_free char *path = xasprintf("/sys/dev/block/%lld:%lld/queue/scheduler", (long long) major,
                                        (long long) minor);
    char *text = NULL;
    oci_err_t err = NULL;
    char *nl;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return NULL;
    }
    if ((nl = strchr(text, '\n')) != NULL)
        *nl = '\0';
    for (size_t n = strlen(text); n > 0 && text[n - 1] == ' '; n--)
        text[n - 1] = '\0';
    return text;
}

static int write_value(const char *dir, const struct oci_cg_write *w, const char *file, const char *value,
                       oci_err_t *err)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    /* O_TRUNC changes nothing on cgroupfs; it keeps plain files (tests) exact. */
    cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    cleanup_free char *sched = NULL;

    if (fd < 0)
        return oci_error_sys(err, "%s: open %s", w->field, path);
    if (write_all(fd, value, strlen(value)) >= 0)
        return 0;
    /* A weight for a device whose scheduler does not do weights (not bfq, no iocost). */
    if (errno == EOPNOTSUPP && w->per_device && (sched = device_scheduler(w->major, w->minor)) != NULL)
        return oci_error_sys(err, "%s: write %s \"%s\" (device %lld:%lld has the I/O scheduler \"%s\")", w->field,
                             path, value, (long long) w->major, (long long) w->minor, sched);
    return oci_error_sys(err, "%s: write %s \"%s\"", w->field, path, value);
}

static int write_file(const char *dir, const struct oci_cg_write *w, oci_err_t *err)
{
    cleanup_free char *sched = NULL;
    bool has_file, has_alt;

    if (w->alt_file == NULL && !w->optional)
        return write_value(dir, w, w->file, w->value, err);
    has_file = file_exists(dir, w->file);
    has_alt = w->alt_file && file_exists(dir, w->alt_file);
    if (w->per_device && has_file && has_alt)
        sched = device_scheduler(w->major, w->minor);
    switch (oci_cg_write_pick(w, has_file, has_alt, sched)) {
    case OCI_CG_PICK_SKIP:
        return 0;
    case OCI_CG_PICK_ALT:
        return write_value(dir, w, w->alt_file, w->alt_value, err);
    case OCI_CG_PICK_FILE:
    default:
        return write_value(dir, w, w->file, w->value, err);
    }
}

static int write_one(const char *dir, const struct oci_cg_write *w, bool dry, oci_err_t *err)
{
    return dry ? 0 : write_file(dir, w, err);
}

/* ---- cgroup v2: controllers must be enabled in every ancestor's subtree_control ---------- */

static bool file_lists(const char *path, const char *name)
{
    cleanup_free char *text = NULL;
    oci_err_t err = NULL;
    char *nl;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    if ((nl = strchr(text, '\n')) != NULL)
        *nl = '\0';
    return cgroup_list_has(text, name, ' ');
}

/* Enable CONTROLLER from the hierarchy's root down to the leaf's parent, writing only where it
 * is not enabled yet (an ancestor we did not create is left alone when it already has it). */
static int enable_v2_controller(const char *mount, const char *leaf, const char *controller, bool dry, oci_err_t *err)
{
    cleanup_free char *avail = xasprintf("%s/cgroup.controllers", mount);
    cleanup_free char *dir = xstrdup(leaf);
    size_t mlen = strlen(mount), len;

    if (strcmp(controller, "cgroup") == 0)
        return 0;
    if (!file_lists(avail, controller))
        return oci_error_set(err, 0, "the %s controller is not available in %s (cgroup.controllers)", controller, mount);
    if (dry)
        return 0;
    *strrchr(dir, '/') = '\0';
    len = strlen(dir);
    for (size_t end = mlen; end <= len; end++) {
        cleanup_free char *sc = NULL;
        char saved;

        if (end != len && dir[end] != '/')
            continue;
        saved = dir[end];
        dir[end] = '\0';
        sc = xasprintf("%s/cgroup.subtree_control", dir);
        if (!file_lists(sc, controller)) {
            cleanup_free char *plus = xasprintf("+%s", controller);
            if (write_file_at(AT_FDCWD, sc, plus, strlen(plus), 0, err) < 0)
                return oci_error_wrap(err, "enable the %s controller", controller);
        }
        dir[end] = saved;
    }
    return 0;
}

static int apply_v2_writes(const struct oci_cgroup_dir *d, const struct oci_cg_writes *w,
                           const char *only_controller_missing_in_v1, const struct oci_cgroup *cg,
                           const struct apply *a)
{
    const char *mount;
    cleanup_free char *enabled = xstrdup(" ");

    oci_cgroup_detect(&mount);
    for (size_t i = 0; i < w->len; i++) {
        const struct oci_cg_write *e = &w->v[i];
        cleanup_free char *word = xasprintf(" %s ", e->controller);
        oci_err_t err = NULL;

        /* On hybrid hosts only what v1 lacks goes here. */
        if (only_controller_missing_in_v1 && cgroup_v1_dir(cg, e->controller))
            continue;
        if (strstr(enabled, word) == NULL) {
            if (enable_v2_controller(mount, d->path, e->controller, a->dry, &err) < 0) {
                oci_error_wrap(&err, "%s", e->field);
                if (failed(a, &err) < 0)
                    return -1;
                continue;
            }
            char *more = xasprintf("%s%s ", enabled, e->controller);
            free(enabled);
            enabled = more;
        }
        if (write_one(d->path, e, a->dry, &err) < 0 && failed(a, &err) < 0)
            return -1;
    }
    return 0;
}

/* ---- cgroup v1 (and hybrid) --------------------------------------------------------------- */

static bool unified_has_controller(const struct oci_cgroup *cg, const char *controller)
{
    const char *mount;
    cleanup_free char *avail = NULL;

    if (cgroup_unified_dir(cg) == NULL || oci_cgroup_detect(&mount) != OCI_CGROUP_HYBRID)
        return false;
    avail = xasprintf("%s/cgroup.controllers", mount);
    return file_lists(avail, controller);
}

static bool is_file(const struct oci_cg_write *w, const char *file)
{
    return strcmp(w->file, file) == 0;
}

static bool quota_follows(const struct oci_cg_writes *w, size_t i)
{
    while (++i < w->len)
        if (is_file(&w->v[i], "cpu.cfs_quota_us"))
            return true;
    return false;
}

static int apply_v1_writes(const struct oci_cgroup *cg, const struct oci_cg_writes *w, const struct apply *a)
{
    const struct oci_cg_write *period = NULL;
    const struct oci_cgroup_dir *period_dir = NULL;

    for (size_t i = 0; i < w->len; i++) {
        const struct oci_cg_write *e = &w->v[i];
        const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, e->controller);
        oci_err_t err = NULL;

        if (d == NULL) {
            if (e->optional || unified_has_controller(cg, e->controller))
                continue;   /* the unified pass writes it */
            oci_error_set(&err, 0, "%s: no %s cgroup controller on this host", e->field, e->controller);
            if (failed(a, &err) < 0)
                return -1;
            continue;
        }
        /* Below a parent with a quota of its own (a pod), a shorter period can put the old
         * quota over the parent's ratio (EINVAL): then the period goes after the quota, as
         * runc writes them. */
        if (is_file(e, "cpu.cfs_period_us") && quota_follows(w, i)) {
            if (write_one(d->path, e, a->dry, &err) == 0)
                continue;
            if (oci_error_errno(&err) != EINVAL) {
                if (failed(a, &err) < 0)
                    return -1;
                continue;
            }
            oci_error_free(&err);
            period = e;
            period_dir = d;
            continue;
        }
        if (write_one(d->path, e, a->dry, &err) < 0 && failed(a, &err) < 0)
            return -1;
        if (period && is_file(e, "cpu.cfs_quota_us")) {
            if (write_one(period_dir->path, period, a->dry, &err) < 0 && failed(a, &err) < 0)
                return -1;
            period = NULL;
        }
    }
    return 0;
}

/* What only the unified hierarchy of a hybrid host can take. */
static int apply_hybrid_unified(const struct oci_cgroup *cg, const struct oci_resources *r, const struct apply *a)
{
    struct oci_resources sub = {
        .hugepage_limits = r->hugepage_limits, .n_hugepage_limits = r->n_hugepage_limits,
        .rdma = r->rdma, .n_rdma = r->n_rdma,
    };
    struct oci_cg_writes w = { 0 };
    const struct oci_cgroup_dir *d = cgroup_unified_dir(cg);
    oci_err_t err = NULL;
    int ret;

    if (d == NULL)
        return 0;
    if (oci_cg_translate_v2(&sub, &w, &err) < 0)
        return failed(a, &err);
    ret = apply_v2_writes(d, &w, "v1", cg, a);
    oci_cg_writes_free(&w);
    return ret;
}

/* linux.resources.unified on a v1 or hybrid host is translate_v1's error, as runc refuses it. */
static int apply_v1(struct oci_cgroup *cg, const struct oci_resources *r, const struct apply *a)
{
    cleanup_free struct oci_cg_device_rule *rules = NULL;
    struct oci_cg_writes w = { 0 };
    oci_err_t err = NULL;
    size_t n_rules;
    int ret;

    oci_cg_device_rules(r, &rules, &n_rules);
    if (oci_cg_translate_v1(r, rules, n_rules, &w, &err) < 0)
        return failed(a, &err);
    ret = apply_v1_writes(cg, &w, a);
    oci_cg_writes_free(&w);
    if (ret == 0 && r)
        ret = apply_hybrid_unified(cg, r, a);
    return ret;
}

/* A deny rule in linux.resources.devices other than the leading "deny all" (the default). */
static bool denies_explicitly(const struct oci_spec *spec)
{
    const struct oci_resources *r = spec->linux_ ? spec->linux_->resources : NULL;

    for (size_t i = 0; r && i < r->n_devices; i++) {
        const struct oci_device_cgroup *d = &r->devices[i];
        bool deny_all = (d->type == NULL || strcmp(d->type, "a") == 0) && !d->major.set && !d->minor.set &&
                        (d->access == NULL || strcmp(d->access, "rwm") == 0);
        if (!d->allow && !(i == 0 && deny_all))
            return true;
    }
    return false;
}

/* On v2 the device rules are an eBPF program attached to the container's cgroup. */
static int apply_v2_devices(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err)
{
    cleanup_free struct oci_cg_device_rule *rules = NULL;
    cleanup_close int fd = open(cg->dirs[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t n;

    if (fd < 0)
        return oci_error_sys(err, "open %s", cg->dirs[0].path);
    oci_cg_device_rules(spec->linux_ ? spec->linux_->resources : NULL, &rules, &n);
    if (oci_cg_devices_attach(fd, rules, n, err) == 0)
        return 0;
    /* A user other than root may not load BPF programs (in a delegated cgroup too): as runc,
     * it goes without the filter when the bundle denies nothing but by default. Its devices
     * are the host's nodes bound in: it opens only what it could open on the host. */
    if (geteuid() != 0 && oci_error_errno(err) == EPERM && !denies_explicitly(spec)) {
        oci_debug("rootless: uid %u may not load the device filter of %s: no device rules (%s)",
                  (unsigned) geteuid(), cg->dirs[0].path, (*err)->msg);
        oci_error_free(err);
        return 0;
    }
    return -1;
}

static int apply_v2(struct oci_cgroup *cg, const struct oci_spec *spec, const struct oci_resources *r,
                    const struct apply *a)
{
    struct oci_cg_writes w = { 0 };
    oci_err_t err = NULL;
    int ret;

    if (oci_cg_translate_v2(r, &w, &err) < 0)
        return failed(a, &err);
    ret = apply_v2_writes(&cg->dirs[0], &w, NULL, cg, a);
    oci_cg_writes_free(&w);
    /* The device program needs the directory; its rules come from the spec alone. */
    if (ret == 0 && !a->dry && apply_v2_devices(cg, spec, &err) < 0)
        ret = failed(a, &err);
    return ret;
}

/* ---- update ------------------------------------------------------------------------------ */

/* A number from a cgroup file; "max" (v2) reads as -1. */
static int read_number(const char *dir, const char *file, int64_t *out)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    cleanup_free char *text = NULL;
    oci_err_t err = NULL;
    char *nl;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return -1;
    }
    if ((nl = strchr(text, '\n')) != NULL)
        *nl = '\0';
    if (strcmp(text, "max") == 0) {
        *out = -1;
        return 0;
    }
    return parse_int64(text, out) == 0 ? 0 : -1;
}

/* memory.checkBeforeUpdate: a limit below what the container uses now is refused. */
static int check_memory_usage(const struct oci_cgroup *cg, const struct oci_memory *m, oci_err_t *err)
{
    const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, "memory");
    const char *file = d ? "memory.usage_in_bytes" : "memory.current";
    int64_t usage;

    if (!m->check_before_update.value || !m->limit.set || m->limit.value < 0)
        return 0;
    if (d == NULL)
        d = cgroup_unified_dir(cg);
    if (d == NULL || read_number(d->path, file, &usage) < 0)
        return 0;
    if (m->limit.value < usage)
        return oci_error_set(err, 0, "linux.resources.memory.limit %lld: below the current usage %lld "
                             "(memory.checkBeforeUpdate)", (long long) m->limit.value, (long long) usage);
    return 0;
}

/* v1 refuses memory > memsw and memsw < memory: write them in the order the kernel accepts. */
static void order_v1_memory(const struct oci_cgroup *cg, struct oci_cg_writes *w)
{
    const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, "memory");
    size_t lim = w->len, sw = w->len;
    int64_t cur_limit, new_swap;

    for (size_t i = 0; i < w->len; i++) {
        if (strcmp(w->v[i].file, "memory.limit_in_bytes") == 0)
            lim = i;
        else if (strcmp(w->v[i].file, "memory.memsw.limit_in_bytes") == 0)
            sw = i;
    }
    if (d == NULL || lim == w->len || sw == w->len || sw < lim || read_number(d->path, "memory.limit_in_bytes", &cur_limit) < 0 ||
        parse_int64(w->v[sw].value, &new_swap) < 0)
        return;
    if (new_swap == -1 || (uint64_t) cur_limit < (uint64_t) new_swap) {
        struct oci_cg_write t = w->v[lim];
        w->v[lim] = w->v[sw];
        w->v[sw] = t;
    }
}

/* v2 needs the memory limit to turn memory+swap into swap: take the current one if not given. */
static void fill_v2_memory_limit(const struct oci_cgroup *cg, struct oci_memory *m)
{
    int64_t cur;

    if (!m->swap.set || m->limit.set || cgroup_unified_dir(cg) == NULL ||
        read_number(cgroup_unified_dir(cg)->path, "memory.max", &cur) < 0)
        return;
    m->limit.set = true;
    m->limit.value = cur;
}

/* v1: from what devices.list holds now to the new rules in steps that never grant more than
 * the old or the new rules (oci_cg_devices_v1_transition), frozen when they must pass through
 * "allow all". */
static int update_v1_devices(const struct oci_cgroup *cg, const struct oci_cg_device_rule *rules, size_t n,
                             oci_err_t *err)
{
    const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, "devices");
    cleanup_free char *path = NULL;
    cleanup_free char *list = NULL;
    struct oci_cg_writes w = { 0 };
    bool freeze, froze = false;
    int ret;

    if (d == NULL)
        return oci_error_set(err, 0, "linux.resources.devices: no devices cgroup controller on this host");
    path = xasprintf("%s/devices.list", d->path);
    if (read_file_at(AT_FDCWD, path, &list, NULL, err) < 0)
        return oci_error_wrap(err, "linux.resources.devices");
    oci_cg_devices_v1_transition(list, rules, n, &w, &freeze);
    if (freeze && !oci_cgroup_frozen(cg)) {
        if (oci_cgroup_freeze(cg, true, err) < 0) {
            oci_cg_writes_free(&w);
            return oci_error_wrap(err, "linux.resources.devices: rules that allow by default are set with the "
                                  "container frozen");
        }
        froze = true;
    }
    {
        struct oci_report rep = OCI_REPORT_FIRST(err);
        const struct apply a = { .r = &rep };
        ret = apply_v1_writes(cg, &w, &a);
    }
    oci_cg_writes_free(&w);
    if (froze && oci_cgroup_freeze(cg, false, ret < 0 ? NULL : err) < 0 && ret == 0)
        ret = oci_error_wrap(err, "linux.resources.devices: thaw after the rules changed");
    return ret;
}

/* v2: the new eBPF program goes on before the old one comes off (oci_cg_devices_replace). */
static int update_v2_devices(const struct oci_cgroup *cg, const struct oci_cg_device_rule *rules, size_t n,
                             oci_err_t *err)
{
    cleanup_close int fd = open(cg->dirs[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return oci_error_sys(err, "linux.resources.devices: open %s", cg->dirs[0].path);
    return oci_cg_devices_replace(fd, rules, n, err);
}

/* update with linux.resources.devices: the container's rules become those and the standard
 * devices, as at create. An empty or absent list leaves them. */
static int update_devices(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err)
{
    cleanup_free struct oci_cg_device_rule *rules = NULL;
    size_t n;

    if (r->n_devices == 0)
        return 0;
    oci_cg_device_rules(r, &rules, &n);
    if (oci_cgroup_has_v1(cg))
        return update_v1_devices(cg, rules, n, err);
    return update_v2_devices(cg, rules, n, err);
}

static int update_limits(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err)
{
    struct oci_report rep = OCI_REPORT_FIRST(err);
    const struct apply a = { .r = &rep };
    struct oci_resources copy = *r;
    struct oci_memory mem;
    struct oci_cg_writes w = { 0 };
    int ret;

    if (cg->n_dirs == 0)
        return oci_error_set(err, 0, "the container has no cgroup");
    if (r->memory) {
        mem = *r->memory;
        copy.memory = &mem;
        if (check_memory_usage(cg, &mem, err) < 0)
            return -1;
    }
    copy.devices = NULL;
    copy.n_devices = 0;
    if (!oci_cgroup_has_v1(cg)) {
        if (copy.memory)
            fill_v2_memory_limit(cg, &mem);
        if (oci_cg_translate_v2(&copy, &w, err) < 0)
            return -1;
        ret = apply_v2_writes(&cg->dirs[0], &w, NULL, cg, &a);
        oci_cg_writes_free(&w);
        return ret;
    }
    if (oci_cg_translate_v1(&copy, NULL, 0, &w, err) < 0)
        return -1;
    order_v1_memory(cg, &w);
    ret = apply_v1_writes(cg, &w, &a);
    oci_cg_writes_free(&w);
    if (ret == 0)
        ret = apply_hybrid_unified(cg, r, &a);
    return ret;
}

int oci_cgroup_update(const struct oci_cgroup *cg, const struct oci_resources *r, oci_err_t *err)
{
    struct oci_resources copy = *r;
    struct oci_memory mem;

    /* a swap limit alone: the driver too turns memory+swap into swap with the current limit */
    if (r->memory) {
        mem = *r->memory;
        copy.memory = &mem;
        if (!oci_cgroup_has_v1(cg))
            fill_v2_memory_limit(cg, &mem);
    }
    if (cgroup_driver_of(cg)->update(cg, &copy, err) < 0)
        return -1;
    if (update_limits(cg, r, err) < 0)
        return -1;
    return update_devices(cg, r, err);
}

static int apply_spec(struct oci_cgroup *cg, const struct oci_spec *spec, const struct apply *a)
{
    const struct oci_resources *r = spec->linux_ ? spec->linux_->resources : NULL;

    if (cg->n_dirs == 0)
        return 0;
    if (oci_cgroup_has_v1(cg))
        return apply_v1(cg, r, a);
    return apply_v2(cg, spec, r, a);
}

int cgroup_apply_spec(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);
    const struct apply a = { .r = &r };

    return apply_spec(cg, spec, &a);
}

int cgroup_check_spec(struct oci_cgroup *cg, const struct oci_spec *spec, struct oci_report *r)
{
    const struct apply a = { .r = r, .dry = true };

    return apply_spec(cg, spec, &a);
}

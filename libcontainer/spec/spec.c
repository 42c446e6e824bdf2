/* spec.c: config.json parsing (one yajl pass into the typed structs of spec.h), validation, release. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/spec.h"
#include "spec/json.h"
#include "spec/linux.h"

/* ---- ociVersion ----------------------------------------------------------- */

static const char *skip_digits(const char *s, unsigned long *val)
{
    const char *start = s;
    unsigned long v = 0;

    while (*s >= '0' && *s <= '9' && s - start < 9)
        v = v * 10 + (unsigned long) (*s++ - '0');
    *val = v;
    return s == start ? NULL : s;
}

/* 1.0.0 .. 1.3.x, with an optional pre-release or build suffix ("1.0.2-dev"). */
static bool version_supported(const char *v)
{
    unsigned long major, minor, patch;

    if ((v = skip_digits(v, &major)) == NULL || *v++ != '.' ||
        (v = skip_digits(v, &minor)) == NULL || *v++ != '.' ||
        (v = skip_digits(v, &patch)) == NULL)
        return false;
    if (*v != '\0' && *v != '-' && *v != '+')
        return false;
    return major == 1 && minor <= 3;
}

static int parse_version(struct spec_ctx *c, yajl_val root, char **out)
{
    struct spec_vbuf vb;

    if (spec_field_str(c, root, "ociVersion", true, out) < 0)
        return -1;
    if (!version_supported(*out))
        return SPEC_AT_KEY(c, "ociVersion",
                           spec_fail(c, "unsupported version %s (supported: 1.0.0 to 1.3.x)",
                                     spec_render_str(*out, &vb)));
    return 0;
}

/* ---- root, mounts --------------------------------------------------------- */

static int parse_root(struct spec_ctx *c, yajl_val v, struct oci_root *r)
{
    SPEC_TRY(c, spec_field_str(c, v, "path", true, &r->path));
    SPEC_TRY(c, spec_field_bool(c, v, "readonly", &r->readonly, NULL));
    if (r->path && r->path[0] == '\0') {
        /* (collecting) an empty path counts as none: the rules after the parse skip it */
        free(r->path);
        r->path = NULL;
        return SPEC_AT_KEY(c, "path", spec_fail(c, "must not be empty"));
    }
    return 0;
}

static int parse_mount(struct spec_ctx *c, yajl_val v, struct oci_mount *m)
{
    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_field_str(c, v, "destination", true, &m->destination));
    SPEC_TRY(c, spec_field_str(c, v, "source", false, &m->source));
    SPEC_TRY(c, spec_field_str(c, v, "type", false, &m->type));
    SPEC_TRY(c, spec_field_strv(c, v, "options", &m->options));
    SPEC_TRY(c, spec_field_idmaps(c, v, "uidMappings", &m->uid_mappings));
    SPEC_TRY(c, spec_field_idmaps(c, v, "gidMappings", &m->gid_mappings));
    if (m->destination && m->destination[0] == '\0') {
        free(m->destination);
        m->destination = NULL;
        return SPEC_AT_KEY(c, "destination", spec_fail(c, "must not be empty"));
    }
    return 0;
}

static int parse_mounts(struct spec_ctx *c, yajl_val arr, struct oci_spec *s)
{
    size_t n = arr->u.array.len;

    s->mounts = xzalloc(n * sizeof(*s->mounts));
    s->n_mounts = n;
    for (size_t i = 0; i < n; i++)
        SPEC_TRY(c, SPEC_AT_INDEX(c, i, parse_mount(c, arr->u.array.values[i], &s->mounts[i])));
    return 0;
}

/* ---- process -------------------------------------------------------------- */

static const struct { const char *name; int resource; } rlimit_names[] = {
    { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
    { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
    { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

/* In the kernel's order: the index is the policy's number (SCHED_OTHER 0 ... SCHED_DEADLINE 6). */
enum { POLICY_FIFO = 1, POLICY_RR = 2, POLICY_DEADLINE = 6 };
static const char *const sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
};

/* Bit i of the kernel's SCHED_FLAG_* is name i. */
static const char *const sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
    "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX",
};

/* IOPRIO_CLASS_* from 1. */
static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };

static int parse_user(struct spec_ctx *c, yajl_val o, struct oci_user *u)
{
    yajl_val gids;
    size_t n;

    SPEC_TRY(c, spec_field_u32(c, o, "uid", false, &u->uid));
    SPEC_TRY(c, spec_field_u32(c, o, "gid", false, &u->gid));
    SPEC_TRY(c, spec_field_opt_u32(c, o, "umask", &u->umask));
    SPEC_TRY(c, spec_field_str(c, o, "username", false, &u->username));
    if (u->username && *u->username)
        SPEC_TRY(c, SPEC_AT_KEY(c, "username", spec_fail(c, "is for Windows containers (a Linux process runs as "
                                                         "uid and gid)")));
    SPEC_TRY(c, spec_field_array(c, o, "additionalGids", &gids));
    n = spec_array_len(gids);
    if (n == 0)
        return 0;
    u->additional_gids = xzalloc(n * sizeof(uint32_t));
    u->n_additional_gids = n;
    for (size_t i = 0; i < n; i++) {
        uint64_t g = 0;

        SPEC_TRY(c, SPEC_AT_KEY(c, "additionalGids",
                                SPEC_AT_INDEX(c, i, spec_val_uint(c, gids->u.array.values[i], UINT32_MAX,
                                                                  SPEC_U32, &g))));
        u->additional_gids[i] = (uint32_t) g;
    }
    return 0;
}

static int parse_capabilities(struct spec_ctx *c, yajl_val o, struct oci_capabilities **out)
{
    struct oci_capabilities *caps = *out = xzalloc(sizeof(*caps));

    SPEC_TRY(c, spec_field_strv(c, o, "bounding", &caps->bounding));
    SPEC_TRY(c, spec_field_strv(c, o, "effective", &caps->effective));
    SPEC_TRY(c, spec_field_strv(c, o, "inheritable", &caps->inheritable));
    SPEC_TRY(c, spec_field_strv(c, o, "permitted", &caps->permitted));
    SPEC_TRY(c, spec_field_strv(c, o, "ambient", &caps->ambient));
    return 0;
}

/* rl->resource for type, or -1 (unknown, or a duplicate of an earlier entry). */
static int rlimit_resource(struct spec_ctx *c, struct oci_rlimit *rl, const struct oci_rlimit *prev, size_t n_prev)
{
    struct spec_vbuf vb;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(rlimit_names); i++) {
        if (strcmp(rlimit_names[i].name, rl->type) == 0)
            break;
    }
    if (i == ARRAY_SIZE(rlimit_names))
        return SPEC_AT_KEY(c, "type", spec_fail(c, "unknown rlimit type %s", spec_render_str(rl->type, &vb)));
    for (size_t j = 0; j < n_prev; j++) {
        if (prev[j].resource == rlimit_names[i].resource)
            return SPEC_AT_KEY(c, "type", spec_fail(c, "duplicate rlimit type %s",
                                                    spec_render_str(rl->type, &vb)));
    }
    rl->resource = rlimit_names[i].resource;
    return 0;
}

static int parse_rlimit(struct spec_ctx *c, yajl_val v, struct oci_rlimit *rl,
                        const struct oci_rlimit *prev, size_t n_prev)
{
    bool bad = false;

    rl->resource = -1;   /* until known: the rules after a collecting parse skip it */
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_field_str(c, v, "type", true, &rl->type) < 0)
        SPEC_TRY(c, -1);
    else
        SPEC_TRY(c, rlimit_resource(c, rl, prev, n_prev));
    SPEC_TRY(c, spec_track(&bad, spec_field_u64(c, v, "soft", true, &rl->soft)));
    SPEC_TRY(c, spec_track(&bad, spec_field_u64(c, v, "hard", true, &rl->hard)));
    if (bad) {
        rl->resource = -1;
        return -1;
    }
    if (rl->soft > rl->hard)
        return spec_fail(c, "soft limit %llu is greater than hard limit %llu",
                         (unsigned long long) rl->soft, (unsigned long long) rl->hard);
    return 0;
}

static int parse_rlimits(struct spec_ctx *c, yajl_val arr, struct oci_process *p)
{
    size_t n = arr->u.array.len;

    p->rlimits = xzalloc(n * sizeof(*p->rlimits));
    p->n_rlimits = n;
    for (size_t i = 0; i < n; i++)
        SPEC_TRY(c, SPEC_AT_INDEX(c, i, parse_rlimit(c, arr->u.array.values[i], &p->rlimits[i], p->rlimits, i)));
    return 0;
}

/* The fields that only some policies take (runc's rules): the kernel would ignore or refuse them. */
static int check_scheduler(struct spec_ctx *c, const struct oci_scheduler *s)
{
    bool rt = s->policy_value == POLICY_FIFO || s->policy_value == POLICY_RR;

    if (s->priority != 0 && !rt)
        return SPEC_AT_KEY(c, "priority", spec_fail(c, "only SCHED_FIFO and SCHED_RR take a priority, not %s",
                                                    s->policy));
    if (s->policy_value != POLICY_DEADLINE && (s->runtime || s->deadline || s->period))
        return spec_fail(c, "runtime, deadline and period are for SCHED_DEADLINE only, not %s", s->policy);
    return 0;
}

static int parse_scheduler(struct spec_ctx *c, yajl_val o, struct oci_scheduler **out)
{
    struct oci_scheduler *s = *out = xzalloc(sizeof(*s));
    int64_t nice = 0;
    bool bad = false;

    SPEC_TRY(c, spec_track(&bad, spec_field_enum(c, o, "policy", true, sched_policies, ARRAY_SIZE(sched_policies),
                                                 "scheduler policy", &s->policy_value, &s->policy)));
    SPEC_TRY(c, spec_field_int(c, o, "nice", false, -20, 19, NULL, &nice, NULL));
    SPEC_TRY(c, spec_track(&bad, spec_field_i32(c, o, "priority", false, &s->priority)));
    SPEC_TRY(c, spec_field_strv(c, o, "flags", &s->flags));
    SPEC_TRY(c, spec_check_strv_enum(c, "flags", &s->flags, sched_flags, ARRAY_SIZE(sched_flags), "scheduler flag"));
    SPEC_TRY(c, spec_track(&bad, spec_field_u64(c, o, "runtime", false, &s->runtime)));
    SPEC_TRY(c, spec_track(&bad, spec_field_u64(c, o, "deadline", false, &s->deadline)));
    SPEC_TRY(c, spec_track(&bad, spec_field_u64(c, o, "period", false, &s->period)));
    s->nice = (int32_t) nice;
    for (size_t i = 0; i < s->flags.len; i++) {
        int f = spec_lookup(sched_flags, ARRAY_SIZE(sched_flags), s->flags.v[i]);
        if (f >= 0)
            s->flag_bits |= 1ULL << f;
    }
    return bad ? -1 : check_scheduler(c, s);
}

static int parse_io_priority(struct spec_ctx *c, yajl_val o, struct oci_io_priority **out)
{
    struct oci_io_priority *io = *out = xzalloc(sizeof(*io));
    int64_t prio = 0;
    int cls = -1;

    SPEC_TRY(c, spec_field_enum(c, o, "class", true, ioprio_classes, ARRAY_SIZE(ioprio_classes),
                                "I/O priority class", &cls, &io->class_));
    SPEC_TRY(c, spec_field_int(c, o, "priority", false, 0, 7, NULL, &prio, NULL));
    io->class_value = cls + 1;
    io->priority = (int) prio;
    return 0;
}

/* One "N" or "N-M" of a CPU list into SET (spaces around them allowed, as the schema's
 * ^[0-9, -]*$ does); NULL when it is not one (or names a CPU this build cannot address), else
 * the text after it. */
static const char *cpu_range(const char *s, cpu_set_t *set)
{
    unsigned long lo, hi;
    char *end;

    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return NULL;
    lo = hi = strtoul(s, &end, 10);
    s = end + strspn(end, " ");
    if (*s == '-') {
        s += 1 + strspn(s + 1, " ");
        if (*s < '0' || *s > '9')
            return NULL;
        hi = strtoul(s, &end, 10);
    }
    if (lo > hi || hi >= CPU_SETSIZE)
        return NULL;
    for (unsigned long cpu = lo; cpu <= hi; cpu++)
        CPU_SET(cpu, set);
    while (*end == ' ')
        end++;
    return end;
}

/* "0-3,7" (the schema's ^[0-9, -]*$, ranges low-high) into *set; "" gives no set (*has false). */
static int parse_cpu_list(struct spec_ctx *c, const char *key, const char *list, bool *has, cpu_set_t *set)
{
    struct spec_vbuf vb;
    const char *p = list;

    CPU_ZERO(set);
    *has = false;
    if (list == NULL || list[strspn(list, " ")] == '\0')
        return 0;
    while ((p = cpu_range(p, set)) != NULL && *p == ',')
        p++;
    if (p == NULL || *p != '\0')
        return SPEC_AT_KEY(c, key, spec_fail(c, "invalid CPU list %s (expected CPU numbers and low-high ranges "
                                             "below %d, comma-separated, e.g. \"0-3,7\")",
                                             spec_render_str(list, &vb), CPU_SETSIZE));
    *has = true;
    return 0;
}

static int parse_cpu_affinity(struct spec_ctx *c, yajl_val o, struct oci_cpu_affinity **out)
{
    struct oci_cpu_affinity *a = *out = xzalloc(sizeof(*a));

    SPEC_TRY(c, spec_field_str(c, o, "initial", false, &a->initial));
    SPEC_TRY(c, parse_cpu_list(c, "initial", a->initial, &a->has_initial, &a->initial_set));
    SPEC_TRY(c, spec_field_str(c, o, "final", false, &a->final_));
    SPEC_TRY(c, parse_cpu_list(c, "final", a->final_, &a->has_final, &a->final_set));
    return 0;
}

static int parse_console_size(struct spec_ctx *c, yajl_val o, struct oci_process *p)
{
    bool bad = false;

    SPEC_TRY(c, spec_track(&bad, spec_field_u32(c, o, "height", true, &p->console_size.height)));
    SPEC_TRY(c, spec_track(&bad, spec_field_u32(c, o, "width", true, &p->console_size.width)));
    if (bad)
        return -1;
    p->has_console_size = true;
    return 0;
}

/* Sub-objects of process: each parsed with its key on the path. */
static int parse_process_objects(struct spec_ctx *c, yajl_val o, struct oci_process *p)
{
    yajl_val v;

    SPEC_TRY(c, spec_field_object(c, o, "consoleSize", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "consoleSize", parse_console_size(c, v, p)));
    SPEC_TRY(c, spec_field_object(c, o, "user", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "user", parse_user(c, v, &p->user)));
    SPEC_TRY(c, spec_field_object(c, o, "capabilities", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "capabilities", parse_capabilities(c, v, &p->capabilities)));
    SPEC_TRY(c, spec_field_array(c, o, "rlimits", &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "rlimits", parse_rlimits(c, v, p)));
    SPEC_TRY(c, spec_field_object(c, o, "scheduler", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "scheduler", parse_scheduler(c, v, &p->scheduler)));
    SPEC_TRY(c, spec_field_object(c, o, "ioPriority", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "ioPriority", parse_io_priority(c, v, &p->io_priority)));
    SPEC_TRY(c, spec_field_object(c, o, "execCPUAffinity", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "execCPUAffinity", parse_cpu_affinity(c, v, &p->exec_cpu_affinity)));
    return 0;
}

static int parse_process_body(struct spec_ctx *c, yajl_val o, struct oci_process *p)
{
    if (spec_val_object(c, o) < 0)
        return -1;
    SPEC_TRY(c, spec_field_bool(c, o, "terminal", &p->terminal, NULL));
    if (spec_field_str(c, o, "cwd", true, &p->cwd) < 0)
        SPEC_TRY(c, -1);
    else if (spec_check_abs(c, "cwd", p->cwd) < 0) {
        SPEC_TRY(c, -1);
        free(p->cwd);   /* (collecting) the rules after the parse see no cwd */
        p->cwd = NULL;
    }
    if (spec_get(o, "args") == NULL)
        SPEC_TRY(c, spec_fail_missing(c, "args"));
    else if (spec_field_strv(c, o, "args", &p->args) < 0)
        SPEC_TRY(c, -1);
    else if (p->args.len == 0)
        SPEC_TRY(c, SPEC_AT_KEY(c, "args", spec_fail(c, "must not be empty")));
    SPEC_TRY(c, spec_field_strv(c, o, "env", &p->env));
    SPEC_TRY(c, spec_field_str(c, o, "commandLine", false, &p->command_line));
    if (p->command_line && *p->command_line)
        SPEC_TRY(c, SPEC_AT_KEY(c, "commandLine", spec_fail(c, "is for Windows containers (a Linux process "
                                                            "runs args)")));
    SPEC_TRY(c, spec_field_bool(c, o, "noNewPrivileges", &p->no_new_privileges, NULL));
    SPEC_TRY(c, spec_field_str(c, o, "apparmorProfile", false, &p->apparmor_profile));
    SPEC_TRY(c, spec_field_str(c, o, "selinuxLabel", false, &p->selinux_label));
    SPEC_TRY(c, spec_field_int(c, o, "oomScoreAdj", false, -1000, 1000, NULL,
                               &p->oom_score_adj.value, &p->oom_score_adj.set));
    return parse_process_objects(c, o, p);
}

static int parse_process(struct spec_ctx *c, yajl_val o, struct oci_process **out)
{
    *out = xzalloc(sizeof(**out));
    return parse_process_body(c, o, *out);
}

/* ---- hooks ---------------------------------------------------------------- */

static int parse_hook(struct spec_ctx *c, yajl_val v, struct oci_hook *h)
{
    if (spec_val_object(c, v) < 0)
        return -1;
    if (spec_field_str(c, v, "path", true, &h->path) < 0)
        SPEC_TRY(c, -1);
    else if (spec_check_abs(c, "path", h->path) < 0) {
        SPEC_TRY(c, -1);
        free(h->path);
        h->path = NULL;
    }
    SPEC_TRY(c, spec_field_strv(c, v, "args", &h->args));
    SPEC_TRY(c, spec_field_strv(c, v, "env", &h->env));
    SPEC_TRY(c, spec_field_int(c, v, "timeout", false, 1, INT32_MAX, NULL, &h->timeout.value, &h->timeout.set));
    return 0;
}

static int parse_hook_list(struct spec_ctx *c, yajl_val arr, struct oci_hooks_list *l)
{
    size_t n = arr->u.array.len;

    l->items = xzalloc(n * sizeof(*l->items));
    l->len = n;
    for (size_t i = 0; i < n; i++)
        SPEC_TRY(c, SPEC_AT_INDEX(c, i, parse_hook(c, arr->u.array.values[i], &l->items[i])));
    return 0;
}

static int parse_hooks(struct spec_ctx *c, yajl_val o, struct oci_hooks *h)
{
    const struct { const char *key; struct oci_hooks_list *list; } lists[] = {
        { "prestart", &h->prestart },
        { "createRuntime", &h->create_runtime },
        { "createContainer", &h->create_container },
        { "startContainer", &h->start_container },
        { "poststart", &h->poststart },
        { "poststop", &h->poststop },
    };

    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        yajl_val arr;

        SPEC_TRY(c, spec_field_array(c, o, lists[i].key, &arr));
        if (arr)
            SPEC_TRY(c, SPEC_AT_KEY(c, lists[i].key, parse_hook_list(c, arr, lists[i].list)));
    }
    return 0;
}

/* ---- top level ------------------------------------------------------------ */

static int parse_spec_sections(struct spec_ctx *c, yajl_val o, struct oci_spec *s)
{
    yajl_val v;

    SPEC_TRY(c, spec_field_object(c, o, "root", false, &v));
    if (v) {
        s->root = xzalloc(sizeof(*s->root));
        SPEC_TRY(c, SPEC_AT_KEY(c, "root", parse_root(c, v, s->root)));
    }
    SPEC_TRY(c, spec_field_array(c, o, "mounts", &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "mounts", parse_mounts(c, v, s)));
    if ((v = spec_get(o, "process")) != NULL)
        SPEC_TRY(c, SPEC_AT_KEY(c, "process", parse_process(c, v, &s->process)));
    SPEC_TRY(c, spec_field_object(c, o, "hooks", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "hooks", parse_hooks(c, v, &s->hooks)));
    SPEC_TRY(c, spec_field_object(c, o, "linux", false, &v));
    if (v)
        SPEC_TRY(c, SPEC_AT_KEY(c, "linux", spec_parse_linux(c, v, &s->linux_)));
    return 0;
}

static int parse_spec(struct spec_ctx *c, yajl_val o, struct oci_spec *s)
{
    if (spec_val_object(c, o) < 0)
        return -1;
    SPEC_TRY(c, parse_version(c, o, &s->oci_version));
    SPEC_TRY(c, spec_field_str(c, o, "hostname", false, &s->hostname));
    SPEC_TRY(c, spec_field_str(c, o, "domainname", false, &s->domainname));
    SPEC_TRY(c, spec_field_map(c, o, "annotations", &s->annotations));
    return parse_spec_sections(c, o, s);
}

/* yajl's message is several lines (text excerpt and a caret): keep the first. */
static int fail_parse(struct oci_report *r, const char *msg)
{
    size_t n;

    if (strncmp(msg, "parse error: ", 13) == 0)
        msg += 13;
    n = strcspn(msg, "\n");
    while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '\t'))
        n--;
    if (n == 0)
        oci_report_add(r, 0, "parse error: invalid JSON");
    else
        oci_report_add(r, 0, "parse error: %.*s", (int) n, msg);
    return -1;
}

/* yajl_tree_parse wants a NUL-terminated text. */
static int parse_tree(const char *text, yajl_val *out, struct oci_report *r)
{
    char errbuf[1024];

    errbuf[0] = '\0';
    *out = yajl_tree_parse(text, errbuf, sizeof(errbuf));
    if (*out == NULL)
        return fail_parse(r, errbuf);
    return 0;
}

typedef int (*spec_body_fn)(struct spec_ctx *c, yajl_val tree, void *obj);

static int body_spec(struct spec_ctx *c, yajl_val tree, void *obj)
{
    return parse_spec(c, tree, obj);
}

static int body_process(struct spec_ctx *c, yajl_val tree, void *obj)
{
    return parse_process_body(c, tree, obj);
}

static int body_resources(struct spec_ctx *c, yajl_val tree, void *obj)
{
    return spec_parse_resources(c, tree, obj);
}

/* -1 when the text is not JSON (nothing parsed); else 0, the problems being in the report. */
static int parse_text(const char *text, spec_body_fn fn, void *obj, struct oci_report *r)
{
    struct spec_ctx c = { .report = r };
    yajl_val tree;

    size_t len = strlen(text);

    if (len > SPEC_JSON_MAX_BYTES) {
        oci_report_add(r, 0, "parse error: the document is %zu bytes, more than the %d MiB accepted",
                       len, SPEC_JSON_MAX_BYTES >> 20);
        return -1;
    }
    if (spec_json_scan(&c, text) < 0 || parse_tree(text, &tree, r) < 0)
        return -1;
    if (spec_json_check_keys(&c, tree) < 0) {
        yajl_tree_free(tree);
        return -1;
    }
    fn(&c, tree, obj);
    yajl_tree_free(tree);
    return 0;
}

/* Copy a counted buffer into a NUL-terminated one; an embedded NUL is not JSON. */
static int terminate(const char *json, size_t len, char **out, oci_err_t *err)
{
    if (memchr(json, '\0', len) != NULL)
        return oci_error_set(err, 0, "parse error: NUL byte in JSON text");
    *out = xmalloc(len + 1);
    memcpy(*out, json, len);
    (*out)[len] = '\0';
    return 0;
}

/* A first-problem report fails on any problem; a collecting one keeps the partial spec. */
static int spec_parse_cstr(const char *text, struct oci_spec **out, struct oci_report *r)
{
    struct oci_spec *s = xzalloc(sizeof(*s));
    size_t before = oci_report_count(r);

    if (parse_text(text, body_spec, s, r) < 0 || (!oci_report_collecting(r) && oci_report_count(r) > before)) {
        oci_spec_free(s);
        return -1;
    }
    *out = s;
    return oci_report_count(r) > before ? -1 : 0;
}

static int parse_text_first(const char *text, spec_body_fn fn, void *obj, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    if (parse_text(text, fn, obj, &r) < 0 || *err)
        return -1;
    return 0;
}

int oci_spec_parse(const char *json, size_t len, struct oci_spec **out, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    return oci_spec_parse_report(json, len, out, &r);
}

int oci_spec_parse_report(const char *json, size_t len, struct oci_spec **out, struct oci_report *r)
{
    cleanup_free char *text = NULL;

    *out = NULL;
    if (memchr(json, '\0', len) != NULL) {
        oci_report_add(r, 0, "parse error: NUL byte in JSON text");
        return -1;
    }
    text = xmalloc(len + 1);
    memcpy(text, json, len);
    text[len] = '\0';
    return spec_parse_cstr(text, out, r);
}

int oci_process_parse(const char *json, size_t len, struct oci_process **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    struct oci_process *p;

    *out = NULL;
    if (terminate(json, len, &text, err) < 0)
        return -1;
    p = xzalloc(sizeof(*p));
    if (parse_text_first(text, body_process, p, err) < 0) {
        oci_process_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int oci_resources_parse(const char *json, size_t len, struct oci_resources **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    struct oci_resources *r;

    *out = NULL;
    if (terminate(json, len, &text, err) < 0)
        return -1;
    r = xzalloc(sizeof(*r));
    if (parse_text_first(text, body_resources, r, err) < 0) {
        spec_resources_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void oci_resources_free(struct oci_resources *r)
{
    spec_resources_free(r);
}

int oci_spec_load(const char *path, struct oci_spec **out, oci_err_t *err)
{
    return oci_spec_load_at(AT_FDCWD, path, out, NULL, NULL, err);
}

int oci_spec_load_at(int dirfd, const char *path, struct oci_spec **out, char **text_out, size_t *len_out,
                     oci_err_t *err)
{
    cleanup_free char *text = NULL;
    const char *base = strrchr(path, '/');
    size_t len;
    int ret;

    *out = NULL;
    base = base ? base + 1 : path;
    ret = read_file_at(dirfd, path, &text, &len, err);
    if (ret < 0)
        return ret;   /* "open <path>: No such file or directory", errno kept */
    /* read_file_at NUL-terminates: parse in place, no copy (the parse leaves the text as it is). */
    if (memchr(text, '\0', len) != NULL) {
        oci_error_set(err, 0, "parse error: NUL byte in JSON text");
    } else {
        struct oci_report r = OCI_REPORT_FIRST(err);
        if (spec_parse_cstr(text, out, &r) == 0) {
            if (text_out) {
                *text_out = steal_pointer(&text);
                *len_out = len;
            }
            return 0;
        }
    }
    return oci_error_wrap(err, "%s", base);
}

/* ---- release -------------------------------------------------------------- */

static void idmaps_free(struct oci_idmaps *m)
{
    free(m->items);
}

static void mount_free(struct oci_mount *m)
{
    free(m->destination);
    free(m->source);
    free(m->type);
    spec_strv_free(&m->options);
    idmaps_free(&m->uid_mappings);
    idmaps_free(&m->gid_mappings);
}

static void capabilities_free(struct oci_capabilities *caps)
{
    if (caps == NULL)
        return;
    spec_strv_free(&caps->bounding);
    spec_strv_free(&caps->effective);
    spec_strv_free(&caps->inheritable);
    spec_strv_free(&caps->permitted);
    spec_strv_free(&caps->ambient);
    free(caps);
}

static void scheduler_free(struct oci_scheduler *s)
{
    if (s == NULL)
        return;
    free(s->policy);
    spec_strv_free(&s->flags);
    free(s);
}

void oci_process_free(struct oci_process *p)
{
    if (p == NULL)
        return;
    free(p->user.additional_gids);
    free(p->user.username);
    spec_strv_free(&p->args);
    free(p->command_line);
    spec_strv_free(&p->env);
    free(p->cwd);
    capabilities_free(p->capabilities);
    for (size_t i = 0; i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    free(p->apparmor_profile);
    scheduler_free(p->scheduler);
    free(p->selinux_label);
    if (p->io_priority)
        free(p->io_priority->class_);
    free(p->io_priority);
    if (p->exec_cpu_affinity) {
        free(p->exec_cpu_affinity->initial);
        free(p->exec_cpu_affinity->final_);
    }
    free(p->exec_cpu_affinity);
    free(p);
}

void oci_hooks_list_free(struct oci_hooks_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].path);
        spec_strv_free(&l->items[i].args);
        spec_strv_free(&l->items[i].env);
    }
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

static void hooks_free(struct oci_hooks *h)
{
    oci_hooks_list_free(&h->prestart);
    oci_hooks_list_free(&h->create_runtime);
    oci_hooks_list_free(&h->create_container);
    oci_hooks_list_free(&h->start_container);
    oci_hooks_list_free(&h->poststart);
    oci_hooks_list_free(&h->poststop);
}

void oci_spec_free(struct oci_spec *spec)
{
    if (spec == NULL)
        return;
    free(spec->oci_version);
    if (spec->root)
        free(spec->root->path);
    free(spec->root);
    for (size_t i = 0; i < spec->n_mounts; i++)
        mount_free(&spec->mounts[i]);
    free(spec->mounts);
    oci_process_free(spec->process);
    free(spec->hostname);
    free(spec->domainname);
    hooks_free(&spec->hooks);
    oci_map_free(&spec->annotations);
    spec_linux_free(spec->linux_);
    free(spec);
}

/* systemd.c: the systemd form of linux.cgroupsPath ("slice:prefix:name") and where it leads; the
 * unit's properties from linux.resources and the org.systemd.property annotations (pure). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/cgroups/resources.h"
#include "ocirun/cgroups/systemd.h"
#include "ocirun/core/alloc.h"
#include "ocirun/core/utils.h"

/* "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice (systemd's slice nesting). */
static char *slice_path(const char *slice)
{
    size_t len = strlen(slice) - strlen(".slice");
    char *out = xstrdup("");

    if (strcmp(slice, "-.slice") == 0)
        return out;
    for (size_t i = 0; i <= len; i++) {
        char *next;
        if (i != len && slice[i] != '-')
            continue;
        next = xasprintf("%s/%.*s.slice", out, (int) i, slice);
        free(out);
        out = next;
    }
    return out;
}

int oci_cgroup_parse_systemd_path(const char *path, const char *id, struct oci_systemd_path *out, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(path && *path ? path : "");
    char *prefix, *name;
    const char *slice;

    memset(out, 0, sizeof(*out));
    if (*copy == '\0') {
        /* runc's default: system.slice, unit "runc-ID.scope"; ours says ocirun */
        free(copy);
        copy = xasprintf("system.slice:ocirun:%s", id);
    }
    prefix = strchr(copy, ':');
    name = prefix ? strchr(prefix + 1, ':') : NULL;
    if (name == NULL || strchr(name + 1, ':'))
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": the systemd driver wants slice:prefix:name", path);
    *prefix++ = '\0';
    *name++ = '\0';
    slice = *copy ? copy : "system.slice";
    if (strchr(slice, '/') || strlen(slice) <= strlen(".slice") ||
        strcmp(slice + strlen(slice) - strlen(".slice"), ".slice") != 0)
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": \"%s\" is not a slice name (x.slice)", path, slice);
    if (*name == '\0' || strchr(name, '/') || strchr(prefix, '/'))
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": the unit name must not be empty or contain '/'", path);
    out->slice = xstrdup(slice);
    /* a name that is a slice itself is used as is (runc) */
    if (strlen(name) > strlen(".slice") && strcmp(name + strlen(name) - strlen(".slice"), ".slice") == 0)
        out->unit = xstrdup(name);
    else
        out->unit = *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
    {
        cleanup_free char *sp = slice_path(slice);
        out->path = xasprintf("%s/%s", sp, out->unit);
    }
    return 0;
}

void oci_systemd_path_free(struct oci_systemd_path *p)
{
    free(p->slice);
    free(p->unit);
    free(p->path);
    memset(p, 0, sizeof(*p));
}

/* ---- properties -------------------------------------------------------------------------- */

void oci_sd_props_free(struct oci_sd_props *p)
{
    for (size_t i = 0; i < p->len; i++) {
        free(p->v[i].name);
        free(p->v[i].str);
        free(p->v[i].bytes);
        for (size_t j = 0; j < 2 * p->v[i].n_pairs; j++)
            free(p->v[i].pairs[j]);
        free(p->v[i].pairs);
    }
    free(p->v);
    p->v = NULL;
    p->len = 0;
}

static struct oci_sd_prop *add_prop(struct oci_sd_props *p, const char *name, char type)
{
    p->v = xrealloc(p->v, (p->len + 1) * sizeof(*p->v));
    p->v[p->len] = (struct oci_sd_prop) { .name = xstrdup(name), .type = type };
    return &p->v[p->len++];
}

void oci_sd_props_add_num(struct oci_sd_props *p, const char *name, char type, uint64_t num)
{
    add_prop(p, name, type)->num = num;
}

void oci_sd_props_add_str(struct oci_sd_props *p, const char *name, const char *str)
{
    add_prop(p, name, 's')->str = xstrdup(str);
}

bool oci_sd_props_has(const struct oci_sd_props *p, const char *name)
{
    for (size_t i = 0; i < p->len; i++)
        if (strcmp(p->v[i].name, name) == 0)
            return true;
    return false;
}

char *oci_sd_props_render(const struct oci_sd_props *p)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < p->len; i++) {
        const struct oci_sd_prop *e = &p->v[i];
        cleanup_free char *val = NULL;
        char *more;

        switch (e->type) {
        case 's': val = xasprintf("'%s'", e->str); break;
        case 'b': val = xstrdup(e->num ? "true" : "false"); break;
        case 'x': case 'i': val = xasprintf("%" PRId64, (int64_t) e->num); break;
        case 'D':
            val = xstrdup("");
            for (size_t j = 0; j < e->n_pairs; j++) {
                char *v2 = xasprintf("%s%s%s %s", val, j ? "," : "", e->pairs[2 * j], e->pairs[2 * j + 1]);
                free(val);
                val = v2;
            }
            break;
        case 'y':
            val = xstrdup("0x");
            for (size_t j = 0; j < e->n_bytes; j++) {
                char *v2 = xasprintf("%s%02x", val, e->bytes[j]);
                free(val);
                val = v2;
            }
            break;
        default: val = e->num == UINT64_MAX ? xstrdup("infinity") : xasprintf("%" PRIu64, e->num); break;
        }
        more = xasprintf("%s%s=%s\n", out, e->name, val);
        free(out);
        out = more;
    }
    return out;
}

int oci_systemd_cpu_mask(const char *list, uint8_t **mask, size_t *n, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(list);
    char *save = NULL;

    *mask = NULL;
    *n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(tok, '-');
        int64_t lo, hi;

        if (dash)
            *dash = '\0';
        if (parse_int64(tok, &lo) < 0 || (dash && parse_int64(dash + 1, &hi) < 0))
            goto bad;
        if (!dash)
            hi = lo;
        if (lo < 0 || hi < lo || hi >= 8192)
            goto bad;
        if ((size_t) hi / 8 + 1 > *n) {
            size_t want = (size_t) hi / 8 + 1;
            *mask = xrealloc(*mask, want);
            memset(*mask + *n, 0, want - *n);
            *n = want;
        }
        for (int64_t c = lo; c <= hi; c++)
            (*mask)[c / 8] |= (uint8_t) (1u << (c % 8));
    }
    return 0;
bad:
    free(*mask);
    *mask = NULL;
    *n = 0;
    return oci_error_set(err, 0, "\"%s\": not a cpu list (such as 0-3,8)", list);
}

/* "max" or a number, as the v2 files take it. */
static int limit_value(const struct oci_cg_write *w, uint64_t *out, oci_err_t *err)
{
    int64_t v;

    if (strcmp(w->value, "max") == 0) {
        *out = UINT64_MAX;
        return 0;
    }
    if (parse_int64(w->value, &v) < 0 || v < 0)
        return oci_error_set(err, 0, "%s: \"%s\" is not a limit", w->field, w->value);
    *out = (uint64_t) v;
    return 0;
}

static int mask_prop(struct oci_sd_props *out, const char *name, const struct oci_cg_write *w, oci_err_t *err)
{
    uint8_t *mask;
    size_t n;
    struct oci_sd_prop *p;

    if (oci_systemd_cpu_mask(w->value, &mask, &n, err) < 0)
        return oci_error_wrap(err, "%s", w->field);
    p = add_prop(out, name, 'y');
    p->bytes = mask;
    p->n_bytes = n;
    return 0;
}

/* cpu.max "QUOTA [PERIOD]": systemd counts the quota per second of CPU time, in whole percents
 * (10 ms): rounded up, so that the cgroup file written after it can take the exact value. */
static int cpu_max_props(struct oci_sd_props *out, const struct oci_cg_write *w, oci_err_t *err)
{
    char quota[32];
    unsigned long long period = 100000;
    int64_t q;

    if (sscanf(w->value, "%31s %llu", quota, &period) < 1 || period == 0)
        return oci_error_set(err, 0, "%s: \"%s\" is not a quota", w->field, w->value);
    oci_sd_props_add_num(out, "CPUQuotaPeriodUSec", 't', period);
    if (strcmp(quota, "max") == 0) {
        oci_sd_props_add_num(out, "CPUQuotaPerSecUSec", 't', UINT64_MAX);
        return 0;
    }
    if (parse_int64(quota, &q) < 0 || q <= 0)
        return oci_error_set(err, 0, "%s: \"%s\" is not a quota", w->field, w->value);
    uint64_t per_sec = (uint64_t) q * 1000000 / period;
    if ((uint64_t) q * 1000000 % period)
        per_sec++;
    per_sec = (per_sec + 9999) / 10000 * 10000;
    oci_sd_props_add_num(out, "CPUQuotaPerSecUSec", 't', per_sec);
    return 0;
}

static int write_to_prop(struct oci_sd_props *out, const struct oci_cg_write *w, oci_err_t *err)
{
    static const struct { const char *file, *prop; } limits[] = {
        { "memory.max", "MemoryMax" },
        { "memory.low", "MemoryLow" },
        { "memory.high", "MemoryHigh" },
        { "memory.swap.max", "MemorySwapMax" },
        { "pids.max", "TasksMax" },
        { "cpu.weight", "CPUWeight" },
    };
    uint64_t v = 0;

    /* memory.swap.max "max" that only follows a memory limit (optional write): systemd's
     * default is already no limit */
    if (w->optional)
        return 0;
    for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
        if (strcmp(w->file, limits[i].file) != 0)
            continue;
        if (limit_value(w, &v, err) < 0)
            return -1;
        oci_sd_props_add_num(out, limits[i].prop, 't', v);
        return 0;
    }
    if (strcmp(w->file, "cpu.max") == 0)
        return cpu_max_props(out, w, err);
    if (strcmp(w->file, "cpuset.cpus") == 0)
        return mask_prop(out, "AllowedCPUs", w, err);
    if (strcmp(w->file, "cpuset.mems") == 0)
        return mask_prop(out, "AllowedMemoryNodes", w, err);
    /* blockIO.weight (not a device's): io.weight's "default N" */
    if (w->alt_file && strcmp(w->alt_file, "io.weight") == 0 && !w->per_device &&
        strncmp(w->alt_value, "default ", 8) == 0) {
        int64_t weight;
        if (parse_int64(w->alt_value + 8, &weight) < 0 || weight <= 0)
            return oci_error_set(err, 0, "%s: \"%s\" is not a weight", w->field, w->alt_value);
        oci_sd_props_add_num(out, "IOWeight", 't', (uint64_t) weight);
    }
    return 0;
}

int oci_systemd_resource_props(const struct oci_resources *r, struct oci_sd_props *out, oci_err_t *err)
{
    struct oci_cg_writes w = { 0 };
    int ret = 0;

    if (r == NULL)
        return 0;
    if (oci_cg_translate_v2(r, &w, err) < 0)
        return -1;
    for (size_t i = 0; i < w.len && ret == 0; i++)
        ret = write_to_prop(out, &w.v[i], err);
    oci_cg_writes_free(&w);
    return ret;
}

/* ---- devices ----------------------------------------------------------------------------- */

/* The name of TYPE's MAJOR in /proc/devices' text ("Character devices:" then " 1 mem"...). */
static char *proc_devices_name(const char *text, char type, int64_t major)
{
    const char *want = type == 'c' ? "Character devices:" : "Block devices:";
    const char *line = text;
    bool in = false;

    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t) (nl - line) : strlen(line);
        long long m;
        char name[64];

        if (len == 0)
            in = false;
        else if (strncmp(line, want, strlen(want)) == 0)
            in = true;
        else if (in && sscanf(line, "%lld %63s", &m, name) == 2 && m == major)
            return xstrdup(name);
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static void add_pair(struct oci_sd_prop *p, char *path, const char *access)
{
    p->pairs = xrealloc(p->pairs, 2 * (p->n_pairs + 1) * sizeof(*p->pairs));
    p->pairs[2 * p->n_pairs] = path;
    p->pairs[2 * p->n_pairs + 1] = xstrdup(access);
    p->n_pairs++;
}

/* One allow rule as a DeviceAllow entry; NULL when systemd cannot name it. */
static char *device_allow_path(const struct oci_cg_device_rule *rule, const char *proc_devices)
{
    const char *kind = rule->type == 'c' ? "char" : "block";
    cleanup_free char *name = NULL;

    if (rule->type != 'c' && rule->type != 'b')
        return NULL;
    if (rule->major < 0)
        return xasprintf("%s-*", kind);
    if (rule->minor >= 0)
        return xasprintf("/dev/%s/%lld:%lld", kind, (long long) rule->major, (long long) rule->minor);
    name = proc_devices ? proc_devices_name(proc_devices, rule->type, rule->major) : NULL;
    return name ? xasprintf("%s-%s", kind, name) : NULL;
}

void oci_systemd_device_props(const struct oci_resources *r, const char *proc_devices, struct oci_sd_props *out)
{
    struct oci_cg_device_rule *rules;
    size_t n;
    struct oci_sd_prop list = { 0 };
    bool all = false;

    /* an empty list first: SetUnitProperties adds to the list it has */
    add_prop(out, "DeviceAllow", 'D');
    oci_cg_device_rules(r, &rules, &n);
    for (size_t i = 0; i < n && !all; i++) {
        char *path;
        if (!rules[i].allow)
            continue;
        path = device_allow_path(&rules[i], proc_devices);
        if (path == NULL)
            all = true;
        else
            add_pair(&list, path, rules[i].access);
    }
    free(rules);
    if (all) {
        for (size_t j = 0; j < 2 * list.n_pairs; j++)
            free(list.pairs[j]);
        free(list.pairs);
        oci_sd_props_add_str(out, "DevicePolicy", "auto");
        return;
    }
    oci_sd_props_add_str(out, "DevicePolicy", "strict");
    add_prop(out, "DeviceAllow", 'D');
    out->v[out->len - 1].pairs = list.pairs;
    out->v[out->len - 1].n_pairs = list.n_pairs;
}

/* ---- annotations ------------------------------------------------------------------------- */

#define SD_ANNOTATION "org.systemd.property."

static int parse_number(const char *text, bool is_signed, int64_t min, uint64_t max, uint64_t *out)
{
    char *end;

    errno = 0;
    if (is_signed) {
        long long v = strtoll(text, &end, 10);
        if (errno || end == text || *end || v < min || (v > 0 && (uint64_t) v > max))
            return -1;
        *out = (uint64_t) v;
    } else {
        unsigned long long v;
        if (*text == '-')
            return -1;
        v = strtoull(text, &end, 10);
        if (errno || end == text || *end || v > max)
            return -1;
        *out = v;
    }
    return 0;
}

/* One GVariant text value into P (its name already set). */
static int parse_variant(const char *value, struct oci_sd_prop *p)
{
    static const struct { const char *word; char type; bool is_signed; int64_t min; uint64_t max; } nums[] = {
        { "uint64 ", 't', false, 0, UINT64_MAX },
        { "int64 ", 'x', true, INT64_MIN, INT64_MAX },
        { "uint32 ", 'u', false, 0, UINT32_MAX },
        { "int32 ", 'i', true, INT32_MIN, INT32_MAX },
    };
    size_t len = strlen(value);

    if (len >= 2 && (value[0] == '\'' || value[0] == '"') && value[len - 1] == value[0]) {
        p->type = 's';
        p->str = xstrndup(value + 1, len - 2);
        return 0;
    }
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
        p->type = 'b';
        p->num = value[0] == 't';
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
        if (strncmp(value, nums[i].word, strlen(nums[i].word)) != 0)
            continue;
        p->type = nums[i].type;
        return parse_number(value + strlen(nums[i].word), nums[i].is_signed, nums[i].min, nums[i].max, &p->num);
    }
    p->type = 'i';   /* a bare integer is an int32 in GVariant text */
    return parse_number(value, true, INT32_MIN, INT32_MAX, &p->num);
}

/* NAMESec in seconds -> NAMEUSec in microseconds (runc's conversion). */
static int sec_to_usec(struct oci_sd_prop *p)
{
    size_t len = strlen(p->name);
    char *name;

    if (len <= 3 || strcmp(p->name + len - 3, "Sec") != 0 || (len > 4 && strcmp(p->name + len - 4, "USec") == 0))
        return 0;
    if (p->type == 's' || p->type == 'b' || ((p->type == 'x' || p->type == 'i') && (int64_t) p->num < 0))
        return -1;
    if (p->num > UINT64_MAX / 1000000)
        return -1;
    name = xasprintf("%.*sUSec", (int) (len - 3), p->name);
    free(p->name);
    p->name = name;
    p->type = 't';
    p->num *= 1000000;
    return 0;
}

static bool valid_prop_name(const char *name)
{
    if (*name < 'A' || *name > 'Z')
        return false;
    for (const char *c = name; *c; c++)
        if (!(*c >= 'A' && *c <= 'Z') && !(*c >= 'a' && *c <= 'z') && !(*c >= '0' && *c <= '9'))
            return false;
    return true;
}

int oci_systemd_annotation_props(const struct oci_map *annotations, struct oci_sd_props *out, oci_err_t *err)
{
    for (size_t i = 0; annotations && i < annotations->len; i++) {
        const char *key = annotations->items[i].key, *value = annotations->items[i].value;
        const char *name = key + strlen(SD_ANNOTATION);
        struct oci_sd_prop *p;

        if (strncmp(key, SD_ANNOTATION, strlen(SD_ANNOTATION)) != 0)
            continue;
        if (!valid_prop_name(name))
            return oci_error_set(err, 0, "annotations \"%s\": \"%s\" is not a systemd property name", key, name);
        p = add_prop(out, name, 0);
        if (parse_variant(value, p) < 0)
            return oci_error_set(err, 0, "annotations \"%s\": \"%s\" is not a value systemd takes ('string', true, "
                                 "uint64 N, int64 N, uint32 N, int32 N or N)", key, value);
        if (sec_to_usec(p) < 0)
            return oci_error_set(err, 0, "annotations \"%s\": \"%s\" is not a number of seconds", key, value);
    }
    return 0;
}

/* stats.c: the container's resource usage from v1 or v2 files, as runc's events JSON. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/cgroups/stats.h"
#include "ocirun/core/utils.h"
#include "cgroups/layout.h"
#include "core/json_gen.h"

/* The directory that has CONTROLLER's files: its v1 hierarchy, else the unified one. */
static const char *dir_of(const struct oci_cgroup *cg, const char *controller, bool *v1)
{
    const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, controller);

    *v1 = d != NULL;
    if (d == NULL)
        d = cgroup_unified_dir(cg);
    return d ? d->path : NULL;
}

static char *read_text(const char *dir, const char *file)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return NULL;
    }
    return text;
}

/* A single number; "max" reads as 0 (no limit), as runc reports it for v2. */
static uint64_t read_u64(const char *dir, const char *file)
{
    cleanup_free char *text = dir ? read_text(dir, file) : NULL;
    uint64_t v = 0;

    if (text && strncmp(text, "max", 3) != 0)
        v = strtoull(text, NULL, 10);
    return v;
}

/* "key value" lines (cpu.stat, memory.stat, memory.events, memory.oom_control). */
static uint64_t keyed_u64(const char *text, const char *key)
{
    size_t n = strlen(key);

    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, n) == 0 && p[n] == ' ')
            return strtoull(p + n + 1, NULL, 10);
    return 0;
}

static uint64_t keyed_file(const char *dir, const char *file, const char *key)
{
    cleanup_free char *text = dir ? read_text(dir, file) : NULL;

    return text ? keyed_u64(text, key) : 0;
}

static void cpu_stats(const struct oci_cgroup *cg, struct oci_cgroup_stats *s)
{
    bool v1;
    const char *acct = dir_of(cg, "cpuacct", &v1);
    const char *cpu;

    if (v1) {
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t) hz : 10000000ULL;
        s->cpu_total = read_u64(acct, "cpuacct.usage");
        s->cpu_user = keyed_file(acct, "cpuacct.stat", "user") * ns_per_tick;
        s->cpu_kernel = keyed_file(acct, "cpuacct.stat", "system") * ns_per_tick;
        cpu = dir_of(cg, "cpu", &v1);
        s->throttled_time = keyed_file(cpu, "cpu.stat", "throttled_time");
    } else {
        cpu = acct;
        s->cpu_total = keyed_file(cpu, "cpu.stat", "usage_usec") * 1000;
        s->cpu_user = keyed_file(cpu, "cpu.stat", "user_usec") * 1000;
        s->cpu_kernel = keyed_file(cpu, "cpu.stat", "system_usec") * 1000;
        s->throttled_time = keyed_file(cpu, "cpu.stat", "throttled_usec") * 1000;
    }
    s->periods = keyed_file(cpu, "cpu.stat", "nr_periods");
    s->throttled_periods = keyed_file(cpu, "cpu.stat", "nr_throttled");
}

static void memory_stats(const struct oci_cgroup *cg, struct oci_cgroup_stats *s)
{
    bool v1;
    const char *dir = dir_of(cg, "memory", &v1);

    if (dir == NULL)
        return;
    s->mem_stat = read_text(dir, "memory.stat");
    if (v1) {
        s->mem_usage = read_u64(dir, "memory.usage_in_bytes");
        s->mem_limit = read_u64(dir, "memory.limit_in_bytes");
        s->mem_max = read_u64(dir, "memory.max_usage_in_bytes");
        s->mem_failcnt = read_u64(dir, "memory.failcnt");
        s->mem_cache = s->mem_stat ? keyed_u64(s->mem_stat, "cache") : 0;
        s->swap_usage = read_u64(dir, "memory.memsw.usage_in_bytes");
        s->swap_limit = read_u64(dir, "memory.memsw.limit_in_bytes");
        s->oom_kills = keyed_file(dir, "memory.oom_control", "oom_kill");
    } else {
        s->mem_usage = read_u64(dir, "memory.current");
        s->mem_limit = read_u64(dir, "memory.max");
        s->mem_max = read_u64(dir, "memory.peak");
        s->mem_failcnt = keyed_file(dir, "memory.events", "max");
        s->mem_cache = s->mem_stat ? keyed_u64(s->mem_stat, "file") : 0;
        /* runc reports memory+swap here, as v1 does */
        s->swap_usage = read_u64(dir, "memory.swap.current") + s->mem_usage;
        s->swap_limit = read_u64(dir, "memory.swap.max");
        s->oom_kills = keyed_file(dir, "memory.events", "oom_kill");
    }
}

static void io_stats(const struct oci_cgroup *cg, struct oci_cgroup_stats *s)
{
    const char *dir = dir_of(cg, "blkio", &s->io_v1);

    if (!s->io_v1)
        dir = dir_of(cg, "io", &s->io_v1);
    if (dir == NULL)
        return;
    if (s->io_v1) {
        s->io_bytes = read_text(dir, "blkio.throttle.io_service_bytes_recursive");
        s->io_ios = read_text(dir, "blkio.throttle.io_serviced_recursive");
    } else {
        s->io_bytes = read_text(dir, "io.stat");
    }
}

int oci_cgroup_stats(const struct oci_cgroup *cg, struct oci_cgroup_stats *s)
{
    bool v1;
    const char *pids;

    memset(s, 0, sizeof(*s));
    if (cg->n_dirs == 0)
        return -1;
    cpu_stats(cg, s);
    memory_stats(cg, s);
    io_stats(cg, s);
    pids = dir_of(cg, "pids", &v1);
    s->pids_current = read_u64(pids, "pids.current");
    s->pids_limit = read_u64(pids, "pids.max");
    return 0;
}

void oci_cgroup_stats_free(struct oci_cgroup_stats *s)
{
    free(s->mem_stat);
    free(s->io_bytes);
    free(s->io_ios);
    s->mem_stat = s->io_bytes = s->io_ios = NULL;
}

uint64_t oci_cgroup_oom_kills(const struct oci_cgroup *cg)
{
    bool v1;
    const char *dir = dir_of(cg, "memory", &v1);

    if (dir == NULL)
        return 0;
    return v1 ? keyed_file(dir, "memory.oom_control", "oom_kill") : keyed_file(dir, "memory.events", "oom_kill");
}

const char *oci_cgroup_oom_watch_file(const struct oci_cgroup *cg, bool *v1)
{
    return dir_of(cg, "memory", v1);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void key_u64(yajl_gen g, const char *k, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long) v);

    oci_json_gen_str(g, k);
    yajl_gen_number(g, buf, (size_t) n);
}

static void gen_memory_entry(yajl_gen g, const char *k, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
    oci_json_gen_str(g, k);
    yajl_gen_map_open(g);
    key_u64(g, "limit", limit);
    key_u64(g, "usage", usage);
    key_u64(g, "max", max);
    key_u64(g, "failcnt", failcnt);
    yajl_gen_map_close(g);
}

static void gen_raw(yajl_gen g, const char *stat)
{
    oci_json_gen_str(g, "raw");
    yajl_gen_map_open(g);
    for (const char *p = stat; p && *p; ) {
        const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
        if (sp && (nl == NULL || sp < nl)) {
            cleanup_free char *k = xstrndup(p, (size_t) (sp - p));
            key_u64(g, k, strtoull(sp + 1, NULL, 10));
        }
        p = nl ? nl + 1 : NULL;
    }
    yajl_gen_map_close(g);
}

static void gen_io_entry(yajl_gen g, unsigned major, unsigned minor, const char *op, uint64_t value)
{
    yajl_gen_map_open(g);
    key_u64(g, "major", major);
    key_u64(g, "minor", minor);
    oci_json_gen_str(g, "op");
    oci_json_gen_str(g, op);
    key_u64(g, "value", value);
    yajl_gen_map_close(g);
}

/* v1: "8:0 Read 4096" lines (and a "Total" line, skipped). */
static void gen_io_v1(yajl_gen g, const char *k, const char *text)
{
    oci_json_gen_str(g, k);
    yajl_gen_array_open(g);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        unsigned major, minor;
        unsigned long long v;
        char op[16];
        if (sscanf(p, "%u:%u %15s %llu", &major, &minor, op, &v) == 4)
            gen_io_entry(g, major, minor, op, v);
    }
    yajl_gen_array_close(g);
}

/* v2: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." lines, as runc maps them. */
static void gen_io_v2(yajl_gen g, const char *k, const char *text, const char *rkey, const char *wkey)
{
    oci_json_gen_str(g, k);
    yajl_gen_array_open(g);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        unsigned major, minor;
        const char *eol = strchr(p, '\n') ? strchr(p, '\n') : p + strlen(p);
        cleanup_free char *line = xstrndup(p, (size_t) (eol - p));
        char *r = strstr(line, rkey), *w = strstr(line, wkey);
        if (sscanf(line, "%u:%u", &major, &minor) != 2)
            continue;
        if (r)
            gen_io_entry(g, major, minor, "Read", strtoull(r + strlen(rkey), NULL, 10));
        if (w)
            gen_io_entry(g, major, minor, "Write", strtoull(w + strlen(wkey), NULL, 10));
    }
    yajl_gen_array_close(g);
}

static void gen_blkio(yajl_gen g, const struct oci_cgroup_stats *s)
{
    oci_json_gen_str(g, "blkio");
    yajl_gen_map_open(g);
    if (s->io_v1) {
        gen_io_v1(g, "ioServiceBytesRecursive", s->io_bytes);
        gen_io_v1(g, "ioServicedRecursive", s->io_ios);
    } else {
        gen_io_v2(g, "ioServiceBytesRecursive", s->io_bytes, " rbytes=", " wbytes=");
        gen_io_v2(g, "ioServicedRecursive", s->io_bytes, " rios=", " wios=");
    }
    yajl_gen_map_close(g);
}

static void gen_stats(yajl_gen g, const struct oci_cgroup_stats *s)
{
    yajl_gen_map_open(g);
    oci_json_gen_str(g, "cpu");
    yajl_gen_map_open(g);
    oci_json_gen_str(g, "usage");
    yajl_gen_map_open(g);
    key_u64(g, "total", s->cpu_total);
    key_u64(g, "kernel", s->cpu_kernel);
    key_u64(g, "user", s->cpu_user);
    yajl_gen_map_close(g);
    oci_json_gen_str(g, "throttling");
    yajl_gen_map_open(g);
    key_u64(g, "periods", s->periods);
    key_u64(g, "throttledPeriods", s->throttled_periods);
    key_u64(g, "throttledTime", s->throttled_time);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    oci_json_gen_str(g, "memory");
    yajl_gen_map_open(g);
    key_u64(g, "cache", s->mem_cache);
    gen_memory_entry(g, "usage", s->mem_limit, s->mem_usage, s->mem_max, s->mem_failcnt);
    gen_memory_entry(g, "swap", s->swap_limit, s->swap_usage, 0, 0);
    gen_raw(g, s->mem_stat);
    yajl_gen_map_close(g);
    oci_json_gen_str(g, "pids");
    yajl_gen_map_open(g);
    key_u64(g, "current", s->pids_current);
    key_u64(g, "limit", s->pids_limit);
    yajl_gen_map_close(g);
    gen_blkio(g, s);
    yajl_gen_map_close(g);
}

char *oci_event_json(const char *type, const char *id, const struct oci_cgroup_stats *s)
{
    yajl_gen g = oci_json_gen_new(NULL);

    yajl_gen_map_open(g);
    oci_json_gen_str(g, "type");
    oci_json_gen_str(g, type);
    oci_json_gen_str(g, "id");
    oci_json_gen_str(g, id);
    if (s) {
        oci_json_gen_str(g, "data");
        gen_stats(g, s);
    }
    yajl_gen_map_close(g);
    return oci_json_gen_finish(g, NULL);
}

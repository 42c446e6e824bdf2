/* update.c: `ocirun update`: change the resource limits of a running or paused container. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "ocirun/container/container.h"
#include "ocirun/core/utils.h"
#include "cli.h"

static const char update_help[] =
    "Usage: ocirun update [OPTIONS] ID\n\n"
    "Update the resource limits of a running or paused container. Options may come before\n"
    "or after ID; given flags override the same fields of --resources.\n\n"
    "  -r, --resources FILE       linux.resources JSON from FILE (\"-\": standard input)\n"
    "      --blkio-weight N       block IO weight (10-1000)\n"
    "      --cpu-period US        CPU CFS period\n"
    "      --cpu-quota US         CPU CFS quota (-1: none)\n"
    "      --cpu-share N          CPU shares (relative weight)\n"
    "      --cpu-rt-period US     realtime period\n"
    "      --cpu-rt-runtime US    realtime runtime\n"
    "      --cpu-idle 0|1         SCHED_IDLE for the cgroup\n"
    "      --cpuset-cpus LIST     CPUs allowed (0-3, 0,1)\n"
    "      --cpuset-mems LIST     memory nodes allowed\n"
    "      --memory BYTES         memory limit (512m, 1g, -1: unlimited)\n"
    "      --memory-reservation BYTES  soft limit\n"
    "      --memory-swap BYTES    memory+swap limit (-1: unlimited)\n"
    "      --kernel-memory BYTES  ignored (kernel memory limits are gone from Linux), as runc\n"
    "      --kernel-memory-tcp BYTES  kernel TCP buffer limit (cgroup v1)\n"
    "      --pids-limit N         maximum number of tasks (<= 0: unlimited)\n"
    "      --l3-cache-schema S, --mem-bw-schema S  Intel RDT (not supported by this build)\n"
    "  -h, --help                 print this help\n";

enum {
    OPT_BLKIO = 256, OPT_CPU_PERIOD, OPT_CPU_QUOTA, OPT_CPU_SHARE, OPT_RT_PERIOD, OPT_RT_RUNTIME, OPT_CPU_IDLE,
    OPT_CPUS, OPT_MEMS, OPT_MEMORY, OPT_MEM_RES, OPT_MEM_SWAP, OPT_KMEM, OPT_KMEM_TCP, OPT_PIDS, OPT_L3, OPT_MBW,
};

/* 512, 512k, 1.5g, 2GiB: binary multiples as docker and runc read them; -1 for unlimited. */
static int parse_bytes(const char *opt, const char *s, int64_t *out)
{
    static const char units[] = "bkmgtp";
    char *end;
    double v;
    const char *u;

    if (strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno || v < 0)
        goto bad;
    while (*end == ' ')
        end++;
    if (*end) {
        u = strchr(units, (char) (*end | 0x20));
        if (u == NULL)
            goto bad;
        for (int i = 0; i < u - units; i++)
            v *= 1024;
        end++;
        if ((*end | 0x20) == 'i')
            end++;
        if ((*end | 0x20) == 'b')
            end++;
        if (*end)
            goto bad;
    }
    if (v > 9.2e18)
        goto bad;
    *out = (int64_t) v;
    return 0;
bad:
    return cli_usage_error("update", "%s: invalid size \"%s\" (a number, optionally with k, m, g, t)", opt, s);
}

static int parse_i64(const char *opt, const char *s, int64_t *out)
{
    if (parse_int64(s, out) < 0)
        return cli_usage_error("update", "%s: invalid number \"%s\"", opt, s);
    return 0;
}

struct update_flags {
    const char *resources_file;
    struct oci_resources r;
    struct oci_memory mem;
    struct oci_cpu cpu;
    struct oci_block_io bio;
    bool any_mem, any_cpu, any_bio;
};

static int set_i64(const char *opt, const char *arg, struct oci_opt_i64 *o, bool bytes)
{
    o->set = true;
    return bytes ? parse_bytes(opt, arg, &o->value) : parse_i64(opt, arg, &o->value);
}

static int set_u64(const char *opt, const char *arg, struct oci_opt_u64 *o)
{
    int64_t v;

    if (parse_i64(opt, arg, &v))
        return 1;
    if (v < 0)
        return cli_usage_error("update", "%s: must not be negative", opt);
    o->set = true;
    o->value = (uint64_t) v;
    return 0;
}

static int take_flag(int c, const char *arg, struct update_flags *f)
{
    int64_t v;

    switch (c) {
    case 'r': f->resources_file = arg; return 0;
    case OPT_BLKIO:
        if (parse_i64("--blkio-weight", arg, &v))
            return 1;
        if (v < 0 || v > 1000)
            return cli_usage_error("update", "--blkio-weight: must be 10-1000 (0: unchanged)");
        f->bio.weight = (struct oci_opt_u32) { true, (uint32_t) v };
        f->any_bio = true;
        return 0;
    case OPT_CPU_PERIOD: f->any_cpu = true; return set_u64("--cpu-period", arg, &f->cpu.period);
    case OPT_CPU_QUOTA: f->any_cpu = true; return set_i64("--cpu-quota", arg, &f->cpu.quota, false);
    case OPT_CPU_SHARE: f->any_cpu = true; return set_u64("--cpu-share", arg, &f->cpu.shares);
    case OPT_RT_PERIOD: f->any_cpu = true; return set_u64("--cpu-rt-period", arg, &f->cpu.realtime_period);
    case OPT_RT_RUNTIME: f->any_cpu = true; return set_i64("--cpu-rt-runtime", arg, &f->cpu.realtime_runtime, false);
    case OPT_CPU_IDLE: f->any_cpu = true; return set_i64("--cpu-idle", arg, &f->cpu.idle, false);
    case OPT_CPUS: f->any_cpu = true; f->cpu.cpus = (char *) arg; return 0;
    case OPT_MEMS: f->any_cpu = true; f->cpu.mems = (char *) arg; return 0;
    case OPT_MEMORY: f->any_mem = true; return set_i64("--memory", arg, &f->mem.limit, true);
    case OPT_MEM_RES: f->any_mem = true; return set_i64("--memory-reservation", arg, &f->mem.reservation, true);
    case OPT_MEM_SWAP: f->any_mem = true; return set_i64("--memory-swap", arg, &f->mem.swap, true);
    case OPT_KMEM: return parse_bytes("--kernel-memory", arg, &v);
    case OPT_KMEM_TCP: f->any_mem = true; return set_i64("--kernel-memory-tcp", arg, &f->mem.kernel_tcp, true);
    case OPT_PIDS: return set_i64("--pids-limit", arg, &f->r.pids_limit, false);
    case OPT_L3: case OPT_MBW:
        return cli_usage_error("update", "--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by this "
                               "build of ocirun");
    default: return cli_usage_error("update", "unknown option");
    }
}

/* --resources first, then every flag overrides its field. */
#define MERGE(dst, src, field) do { if ((src).field.set) (dst)->field = (src).field; } while (0)

static void merge_flags(struct oci_resources *r, struct update_flags *f)
{
    if (f->any_mem) {
        if (r->memory == NULL)
            r->memory = xzalloc(sizeof(*r->memory));
        MERGE(r->memory, f->mem, limit);
        MERGE(r->memory, f->mem, reservation);
        MERGE(r->memory, f->mem, swap);
        MERGE(r->memory, f->mem, kernel_tcp);
    }
    if (f->any_cpu) {
        if (r->cpu == NULL)
            r->cpu = xzalloc(sizeof(*r->cpu));
        MERGE(r->cpu, f->cpu, period);
        MERGE(r->cpu, f->cpu, quota);
        MERGE(r->cpu, f->cpu, shares);
        MERGE(r->cpu, f->cpu, realtime_period);
        MERGE(r->cpu, f->cpu, realtime_runtime);
        MERGE(r->cpu, f->cpu, idle);
        if (f->cpu.cpus) {
            free(r->cpu->cpus);
            r->cpu->cpus = xstrdup(f->cpu.cpus);
        }
        if (f->cpu.mems) {
            free(r->cpu->mems);
            r->cpu->mems = xstrdup(f->cpu.mems);
        }
    }
    if (f->any_bio) {
        if (r->block_io == NULL)
            r->block_io = xzalloc(sizeof(*r->block_io));
        MERGE(r->block_io, f->bio, weight);
    }
    if (f->r.pids_limit.set)
        r->pids_limit = f->r.pids_limit;
}

static int load_resources(const char *file, struct oci_resources **r, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    size_t len;

    if (file == NULL) {
        *r = xzalloc(sizeof(**r));
        return 0;
    }
    if (read_file_at(AT_FDCWD, strcmp(file, "-") == 0 ? "/dev/stdin" : file, &text, &len, err) < 0)
        return oci_error_wrap(err, "--resources");
    if (oci_resources_parse(text, len, r, err) < 0)
        return oci_error_wrap(err, "--resources %s", strcmp(file, "-") == 0 ? "(stdin)" : file);
    return 0;
}

int cmd_update(struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = {
        { "resources", required_argument, NULL, 'r' },
        { "blkio-weight", required_argument, NULL, OPT_BLKIO },
        { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
        { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
        { "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
        { "cpu-rt-period", required_argument, NULL, OPT_RT_PERIOD },
        { "cpu-rt-runtime", required_argument, NULL, OPT_RT_RUNTIME },
        { "cpu-idle", required_argument, NULL, OPT_CPU_IDLE },
        { "cpuset-cpus", required_argument, NULL, OPT_CPUS },
        { "cpuset-mems", required_argument, NULL, OPT_MEMS },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "memory-reservation", required_argument, NULL, OPT_MEM_RES },
        { "memory-swap", required_argument, NULL, OPT_MEM_SWAP },
        { "kernel-memory", required_argument, NULL, OPT_KMEM },
        { "kernel-memory-tcp", required_argument, NULL, OPT_KMEM_TCP },
        { "pids-limit", required_argument, NULL, OPT_PIDS },
        { "l3-cache-schema", required_argument, NULL, OPT_L3 },
        { "mem-bw-schema", required_argument, NULL, OPT_MBW },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct update_flags f = { 0 };
    struct oci_resources *r = NULL;
    oci_err_t err = NULL;
    const char *id;
    int c, ret;

    while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(update_help, stdout);
            return 0;
        }
        if (c == '?')
            return cli_usage_error("update", "unknown option \"%s\"", argv[optind - 1]);
        if (take_flag(c, optarg, &f))
            return 1;
    }
    if (cli_take_id("update", argc, argv, optind, &id))
        return 1;
    if (load_resources(f.resources_file, &r, &err) < 0)
        return cli_fail(&err);
    merge_flags(r, &f);
    ret = oci_container_update(g->root, id, r, &err);
    oci_resources_free(r);
    return ret < 0 ? cli_fail(&err) : 0;
}

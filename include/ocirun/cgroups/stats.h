/* stats.h: resource usage of a container's cgroups and runc's events JSON for it. */
#ifndef OCIRUN_CGROUP_STATS_H
#define OCIRUN_CGROUP_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include "ocirun/cgroups/cgroup.h"

struct oci_cgroup_stats {
    uint64_t cpu_total, cpu_user, cpu_kernel;          /* ns */
    uint64_t periods, throttled_periods, throttled_time;
    uint64_t mem_usage, mem_limit, mem_max, mem_failcnt, mem_cache;
    uint64_t swap_usage, swap_limit;                   /* memory+swap, as runc reports */
    char *mem_stat;                                    /* memory.stat as read (the "raw" map) */
    uint64_t pids_current, pids_limit;                 /* limit 0: none */
    uint64_t oom_kills;
    bool io_v1;                                        /* which format the io texts are in */
    char *io_bytes, *io_ios;                           /* v1 blkio.*_recursive; v2: io.stat in io_bytes */
};

/* Read what the hierarchies offer (missing files read as 0). -1 when the container has no cgroup. */
int oci_cgroup_stats(const struct oci_cgroup *cg, struct oci_cgroup_stats *s);
void oci_cgroup_stats_free(struct oci_cgroup_stats *s);
/* The kernel's count of OOM kills in the container's memory cgroup. */
uint64_t oci_cgroup_oom_kills(const struct oci_cgroup *cg);
/* The directory with the memory controller (memory.events / memory.oom_control live there). */
const char *oci_cgroup_oom_watch_file(const struct oci_cgroup *cg, bool *v1);

/* {"type": TYPE, "id": ID, "data": {cpu, memory, pids}} (data only with stats), one line. */
char *oci_event_json(const char *type, const char *id, const struct oci_cgroup_stats *s);

#endif

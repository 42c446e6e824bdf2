/* v1.h: the host's cgroup v1 hierarchies (mount points and controllers) and the v1 cpuset set-up. */
#ifndef OCIRUN_CGROUPS_V1_H
#define OCIRUN_CGROUPS_V1_H

#include <stddef.h>
#include "ocirun/core/error.h"

/* A mounted cgroup v1 hierarchy: its mount point and its controllers ("cpu,cpuacct"). */
struct cgroup_v1_mount {
    char *mount;
    char *key;
};

/* The host's v1 hierarchies (read once from /proc/self/mountinfo, cached). */
int cgroup_v1_mounts(const struct cgroup_v1_mount **out, size_t *n, oci_err_t *err);
/* A new v1 cpuset cgroup starts empty: copy cpuset.cpus/mems from its parent. */
int cgroup_cpuset_inherit(const char *dir, oci_err_t *err);

#endif

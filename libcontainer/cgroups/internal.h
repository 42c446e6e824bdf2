/* internal.h: what the cgroup files of libcontainer share: v1 mounts, resource writes, rmdir. */
#ifndef OCIRUN_CGROUP_INTERNAL_H
#define OCIRUN_CGROUP_INTERNAL_H

#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* A mounted cgroup v1 hierarchy: its mount point and its controllers ("cpu,cpuacct"). */
struct cgroup_v1_mount {
    char *mount;
    char *key;
};

/* The host's v1 hierarchies (read once from /proc/self/mountinfo, cached). */
int cgroup_v1_mounts(const struct cgroup_v1_mount **out, size_t *n, oci_err_t *err);
/* A new v1 cpuset cgroup starts empty: copy cpuset.cpus/mems from its parent. */
int cgroup_cpuset_inherit(const char *dir, oci_err_t *err);

/* Write linux.resources and the device rules into the container's directories. */
int cgroup_apply_spec(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err);

/* The container's unified directory (NULL: none), and the v1 one that has CONTROLLER. */
const struct oci_cgroup_dir *cgroup_unified_dir(const struct oci_cgroup *cg);
const struct oci_cgroup_dir *cgroup_v1_dir(const struct oci_cgroup *cg, const char *controller);

/* The caller's own path in hierarchy KEY ("unified" or a v1 controller list) per /proc/self/cgroup. */
int cgroup_own_path(const char *key, char **out, oci_err_t *err);

/* rmdir with bounded retries while the kernel still tears processes down (EBUSY). */
int cgroup_rmdir(const char *path, oci_err_t *err);

#endif

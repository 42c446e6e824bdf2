/* layout.h: lookups in the container's cgroup directories that the cgroups files share. */
#ifndef OCIRUN_CGROUPS_LAYOUT_H
#define OCIRUN_CGROUPS_LAYOUT_H

#include <stdbool.h>
#include "ocirun/cgroups/cgroup.h"

/* Is NAME one of the SEP-separated words of LIST? */
bool cgroup_list_has(const char *list, const char *name, char sep);

/* The container's unified directory (NULL: none), and the v1 one that has CONTROLLER. */
const struct oci_cgroup_dir *cgroup_unified_dir(const struct oci_cgroup *cg);
const struct oci_cgroup_dir *cgroup_v1_dir(const struct oci_cgroup *cg, const char *controller);

/* Append hierarchy KEY's directory PATH (taken over) to CG. */
void cgroup_add_dir(struct oci_cgroup *cg, const char *key, char *path);

#endif

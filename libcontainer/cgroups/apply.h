/* apply.h: linux.resources and the device rules written into the container's cgroup directories. */
#ifndef OCIRUN_CGROUPS_APPLY_H
#define OCIRUN_CGROUPS_APPLY_H

#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* Write linux.resources and the device rules into the container's directories. */
int cgroup_apply_spec(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err);

#endif

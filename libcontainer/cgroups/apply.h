/* apply.h: linux.resources and the device rules written into the container's cgroup directories. */
#ifndef OCIRUN_CGROUPS_APPLY_H
#define OCIRUN_CGROUPS_APPLY_H

#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/* Write linux.resources and the device rules into the container's directories. */
int cgroup_apply_spec(struct oci_cgroup *cg, const struct oci_spec *spec, oci_err_t *err);
/* check: the same routing and tests (controllers available in the hierarchy that would take
 * each write, the translation for this host's layout), nothing written, every problem kept. */
int cgroup_check_spec(struct oci_cgroup *cg, const struct oci_spec *spec, struct oci_report *r);

#endif

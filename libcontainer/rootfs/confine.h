/* confine.h: what narrows the container's view after the root switch: sysctl, readonly and masked paths. */
#ifndef OCIRUN_CONFINE_H
#define OCIRUN_CONFINE_H

#include "ocirun/core/error.h"
#include "process/namespaces.h"
#include "ocirun/spec/spec.h"

/* linux.sysctl, written through the container's procfs (checked to be a real procfs); a key
 * whose namespace the container does not have is an error. */
int oci_sysctl_apply(const struct oci_spec *spec, const struct oci_ns_plan *plan, oci_err_t *err);
/* linux.readonlyPaths then linux.maskedPaths; paths missing from the rootfs are skipped. */
int oci_paths_apply(const struct oci_spec *spec, oci_err_t *err);

#endif

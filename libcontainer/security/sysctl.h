/* sysctl.h: linux.sysctl, written in the init after the switch of root. */
#ifndef OCIRUN_SECURITY_SYSCTL_H
#define OCIRUN_SECURITY_SYSCTL_H

#include <stdbool.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* linux.sysctl, written through the container's procfs (checked to be a real procfs); a key
 * whose namespace the container does not have (HAS_NS[type] false) is an error. */
int oci_sysctl_apply(const struct oci_spec *spec, const bool has_ns[OCI_NS_COUNT], oci_err_t *err);

#endif

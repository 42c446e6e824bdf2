/* sysctl.h: linux.sysctl: the keys checked in the runtime, written in the init after the switch of root. */
#ifndef OCIRUN_SECURITY_SYSCTL_H
#define OCIRUN_SECURITY_SYSCTL_H

#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/* Every key must be well-formed and belong to a namespace the container lists (new or
 * joined): a system-wide key, or one of a namespace it shares with the host, would change the
 * host. No I/O; create runs it before anything is built, check with every problem reported. */
int oci_sysctl_check(const struct oci_spec *spec, struct oci_report *r);

/* linux.sysctl (checked by oci_sysctl_check), written through the container's procfs (checked
 * to be a real procfs). */
int oci_sysctl_apply(const struct oci_spec *spec, oci_err_t *err);

#endif

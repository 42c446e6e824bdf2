/* capabilities.h: process.capabilities: the five sets resolved from names and applied around the user switch. */
#ifndef OCIRUN_CAPABILITIES_H
#define OCIRUN_CAPABILITIES_H

#include <stdint.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

struct oci_caps {
    uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* A capability's number from its name ("CAP_SYS_ADMIN", any case); -1 when unknown. */
int oci_cap_from_name(const char *name);
/* The spec's name of capability CAP ("CAP_SYS_ADMIN"); NULL past the last these headers know. */
const char *oci_cap_name(int cap);
/* Names to bit masks; an unknown name, or one this kernel lacks, is an error naming the field. */
int oci_caps_resolve(const struct oci_capabilities *c, struct oci_caps *out, oci_err_t *err);
/* 0 when every capability of WANTED is in HAVE (the runtime's own bounding set); otherwise an
 * error naming the first missing one: the container cannot get what the runtime lacks. */
int oci_caps_check_bounding(uint64_t wanted, uint64_t have, oci_err_t *err);
/* check: both rules into a report, against this runtime's own bounding set (which the
 * container's init inherits): every unknown name, every capability it cannot have. */
int oci_caps_check(const struct oci_capabilities *c, struct oci_report *r);
/* Before the user switch: drop what is not in the bounding set, keep the rest across setuid. */
int oci_caps_prepare(const struct oci_caps *caps, oci_err_t *err);
/* After the user switch: effective, permitted, inheritable, then ambient. */
int oci_caps_apply(const struct oci_caps *caps, oci_err_t *err);
/* Without process.capabilities the other sets stay as they are, but nothing the runtime's
 * caller had may pass to the container's programs: inheritable and ambient are emptied
 * (CVE-2022-29162). */
int oci_caps_clear_inheritable(oci_err_t *err);

#endif

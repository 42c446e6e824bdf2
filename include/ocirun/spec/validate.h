/* validate.h: the rules of config.json that need more than one field, checked before anything is built. */
#ifndef OCIRUN_SPEC_VALIDATE_H
#define OCIRUN_SPEC_VALIDATE_H

#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/*
 * The spec-only rules that the parse cannot see field by field: what create needs (process,
 * root, a mount namespace), what it does not support (linux.netDevices, memoryPolicy,
 * intelRdt), and the cross-field rules that used to fail late in the container's setup
 * (hostname without a uts namespace, a new user namespace without id maps or without the
 * process's ids mapped, linux.personality.flags). No I/O: unit-tested without root.
 * create runs them with a first-problem report right after the parse, check with a collecting
 * one (after a collecting parse: what the parse refused is skipped, not reported twice).
 */
int oci_spec_validate(const struct oci_spec *spec, struct oci_report *r);

/* linux.personality: only the domain is supported (also what exec applies). */
int oci_spec_check_personality(const struct oci_spec *spec, struct oci_report *r);

#endif

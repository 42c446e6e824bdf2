/* linux.h: the entry points of the "linux" section's parser (linux.c) that spec.c calls. */
#ifndef OCIRUN_SPEC_LINUX_H
#define OCIRUN_SPEC_LINUX_H

#include "ocirun/spec/spec.h"
#include "spec/json.h"

/* linux section (linux.c) */
int spec_parse_linux(struct spec_ctx *c, yajl_val v, struct oci_linux **out);
void spec_linux_free(struct oci_linux *lx);
/* A linux.resources object on its own (update --resources). */
int spec_parse_resources(struct spec_ctx *c, yajl_val v, struct oci_resources *out);
void spec_resources_free(struct oci_resources *r);

#endif

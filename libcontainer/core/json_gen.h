/* json_gen.h: the yajl generator set-up and hand-over every JSON document of libcontainer shares. */
#ifndef OCIRUN_JSON_GEN_H
#define OCIRUN_JSON_GEN_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

/* A generator; INDENT non-NULL: pretty-printed with it. Aborts on OOM, like xmalloc. */
yajl_gen oci_json_gen_new(const char *indent);
/* The generated text (malloc'd, without the newline beautify mode ends with); frees G. */
char *oci_json_gen_finish(yajl_gen g, size_t *len);
/* A string, or a map key. */
void oci_json_gen_str(yajl_gen g, const char *s);

#endif

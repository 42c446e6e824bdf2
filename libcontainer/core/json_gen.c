/* json_gen.c: yajl generators: creation, string helper, and taking the text out. */
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/utils.h"
#include "core/json_gen.h"

yajl_gen oci_json_gen_new(const char *indent)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g == NULL)
        abort();
    if (indent) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, indent);
    }
    return g;
}

char *oci_json_gen_finish(yajl_gen g, size_t *len)
{
    const unsigned char *buf;
    size_t n;
    char *out;

    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
        abort();
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    out = xstrndup((const char *) buf, n);
    if (len)
        *len = n;
    yajl_gen_free(g);
    return out;
}

void oci_json_gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

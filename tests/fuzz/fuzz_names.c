/* fuzz_names.c: libFuzzer target for the name parsers: mounts[].options (oci_mount_opts_parse,
 * propagation names) and process.capabilities names (oci_caps_resolve). The input is split at
 * newlines into names; the first byte picks the capability set they go to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/error.h"
#include "ocirun/security/capabilities.h"
#include "ocirun/spec/mount_opts.h"
#include "ocirun/spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_capabilities caps = { 0 };
    struct oci_strv *sets[] = { &caps.bounding, &caps.effective, &caps.inheritable, &caps.permitted,
                                &caps.ambient };
    struct oci_mount_opts opts = { 0 };
    struct oci_caps out;
    oci_err_t err = NULL;
    char *text, **names, *save = NULL;
    size_t n = 0, cap = 8;
    unsigned pick = size ? data[0] : 0;

    text = malloc(size + 1);
    names = calloc(cap, sizeof(*names));
    if (text == NULL || names == NULL)
        goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *tok = strtok_r(size ? text + 1 : text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
        if (n + 1 >= cap) {
            char **grown = realloc(names, 2 * cap * sizeof(*names));
            if (grown == NULL)
                goto out;
            names = grown;
            cap *= 2;
        }
        names[n++] = tok;
        names[n] = NULL;
    }
    if (oci_mount_opts_parse(names, n, &opts, &err) == 0) {
        (void) oci_mount_flags_to_attr(opts.flags);
        (void) oci_mount_clear_to_attr(opts.flags, opts.clear);
        oci_mount_opts_free(&opts);
    }
    oci_error_free(&err);
    for (size_t i = 0; i < n; i++)
        (void) oci_mount_propagation_from_name(names[i]);
    for (size_t s = 0; s < 5; s++)
        if (pick & (1u << s))
            *sets[s] = (struct oci_strv) { names, n };
    (void) oci_caps_resolve(&caps, &out, &err);
    oci_error_free(&err);
out:
    free(names);
    free(text);
    return 0;
}

/* fuzz_resources.c: libFuzzer target for update --resources JSON (oci_resources_parse). */
#include <stddef.h>
#include <stdint.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_resources *r = NULL;
    oci_err_t err = NULL;

    if (oci_resources_parse((const char *) data, size, &r, &err) == 0)
        oci_resources_free(r);
    oci_error_free(&err);
    return 0;
}

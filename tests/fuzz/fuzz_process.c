/* fuzz_process.c: libFuzzer target for exec --process JSON (oci_process_parse). */
#include <stddef.h>
#include <stdint.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_process *p = NULL;
    oci_err_t err = NULL;

    if (oci_process_parse((const char *) data, size, &p, &err) == 0)
        oci_process_free(p);
    oci_error_free(&err);
    return 0;
}

/* fuzz_spec.c: libFuzzer target for the config.json parser (oci_spec_parse) and check's collecting parse. */
#include <stddef.h>
#include <stdint.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_spec *spec = NULL;
    oci_err_t err = NULL;

    if (oci_spec_parse((const char *) data, size, &spec, &err) == 0)
        oci_spec_free(spec);
    oci_error_free(&err);
    return 0;
}

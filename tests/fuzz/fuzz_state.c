/* fuzz_state.c: libFuzzer target for state.json as state, list and delete read it (oci_state_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/error.h"
#include "ocirun/state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_state *st = NULL;
    oci_err_t err = NULL;
    char *text = malloc(size + 1);

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (oci_state_parse(text, "fuzz", &st, &err) == 0) {
        /* what `state` prints from it, for every status */
        for (int s = OCI_STATUS_CREATING; s <= OCI_STATUS_STOPPED; s++)
            free(oci_state_to_json(st, (enum oci_status) s, s % 2));
        oci_state_free(st);
    }
    oci_error_free(&err);
    free(text);
    return 0;
}

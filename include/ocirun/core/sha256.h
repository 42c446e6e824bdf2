/* sha256.h: SHA-256 (FIPS 180-4), for content keys and integrity checks of the runtime's caches. */
#ifndef OCIRUN_CORE_SHA256_H
#define OCIRUN_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_SHA256_LEN 32

struct oci_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t buf[64];
    size_t used;
};

void oci_sha256_init(struct oci_sha256 *c);
void oci_sha256_update(struct oci_sha256 *c, const void *data, size_t len);
void oci_sha256_final(struct oci_sha256 *c, uint8_t out[OCI_SHA256_LEN]);
/* Tests: compute without the CPU's SHA extensions (ON), or with them where there are (off). */
void oci_sha256_force_portable(bool on);
/* The digest of DATA in one call. */
void oci_sha256(const void *data, size_t len, uint8_t out[OCI_SHA256_LEN]);

#endif

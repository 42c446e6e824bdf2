/* sha256.c: SHA-256 (FIPS 180-4), small and dependency-free: no crypto library at start-up. */
#include <stdbool.h>
#include <string.h>
#include "ocirun/core/sha256.h"

static const uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void block(struct oci_sha256 *c, const uint8_t *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h;

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 | (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* The same compression with the CPU's SHA extensions (x86 SHA-NI: about ten times fewer
 * instructions; most x86_64 servers since 2017-2019 have them). The state is kept as the
 * instructions want it: ABEF and CDGH, each with A (or C) in the highest lane. */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i t = _mm_loadu_si128((const __m128i *) &h[0]);   /* D C B A (high to low) */
    __m128i st1 = _mm_loadu_si128((const __m128i *) &h[4]); /* H G F E */
    __m128i st0;

    t = _mm_shuffle_epi32(t, 0xB1);                         /* C D A B */
    st1 = _mm_shuffle_epi32(st1, 0x1B);                     /* E F G H */
    st0 = _mm_alignr_epi8(t, st1, 8);                       /* A B E F */
    st1 = _mm_blend_epi16(st1, t, 0xF0);                    /* C D G H */
    for (; n > 0; n--, p += 64) {
        __m128i abef = st0, cdgh = st1, m[4];

        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * i)), swap);
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i msg;

            if (g >= 4) {
                /* W[4g..4g+3] from the four groups before it (in the slots they leave) */
                __m128i s = _mm_sha256msg1_epu32(m[g % 4], m[(g + 1) % 4]);
                s = _mm_add_epi32(s, _mm_alignr_epi8(m[(g + 3) % 4], m[(g + 2) % 4], 4));
                m[g % 4] = _mm_sha256msg2_epu32(s, m[(g + 3) % 4]);
            }
            msg = _mm_add_epi32(m[g % 4], _mm_loadu_si128((const __m128i *) &k[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
        }
        st0 = _mm_add_epi32(st0, abef);
        st1 = _mm_add_epi32(st1, cdgh);
    }
    t = _mm_shuffle_epi32(st0, 0x1B);                       /* F E B A */
    st1 = _mm_shuffle_epi32(st1, 0xB1);                     /* D C H G */
    st0 = _mm_blend_epi16(t, st1, 0xF0);                    /* D C B A */
    st1 = _mm_alignr_epi8(st1, t, 8);                       /* H G F E */
    _mm_storeu_si128((__m128i *) &h[0], st0);
    _mm_storeu_si128((__m128i *) &h[4], st1);
}

static int have = -1;

void oci_sha256_force_portable(bool on)
{
    have = on ? 0 : -1;
}

/* cpuid itself, and only once something is hashed: __builtin_cpu_supports would link libgcc's
 * constructor, which runs a dozen cpuid at every start of every command (each one exits to the
 * hypervisor in a VM: ~60 us of each `run` here). */
static bool have_shani(void)
{
    unsigned int a, b, c, d;

    if (have < 0)
        have = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) &&
               __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
    return have;
}
#else
void oci_sha256_force_portable(bool on)
{
    (void) on;
}
#endif

static void blocks(struct oci_sha256 *c, const uint8_t *p, size_t n)
{
#if defined(__x86_64__)
    if (have_shani()) {
        blocks_shani(c->h, p, n);
        return;
    }
#endif
    for (; n > 0; n--, p += 64)
        block(c, p);
}

void oci_sha256_init(struct oci_sha256 *c)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

    memcpy(c->h, iv, sizeof(iv));
    c->bytes = 0;
    c->used = 0;
}

void oci_sha256_update(struct oci_sha256 *c, const void *data, size_t len)
{
    const uint8_t *p = data;

    c->bytes += len;
    if (c->used) {
        size_t n = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->buf + c->used, p, n);
        c->used += n;
        p += n;
        len -= n;
        if (c->used < 64)
            return;
        blocks(c, c->buf, 1);
        c->used = 0;
    }
    blocks(c, p, len / 64);
    p += len / 64 * 64;
    len %= 64;
    memcpy(c->buf, p, len);
    c->used = len;
}

void oci_sha256_final(struct oci_sha256 *c, uint8_t out[OCI_SHA256_LEN])
{
    uint64_t bits = c->bytes * 8;
    uint8_t pad[72] = { 0x80 };
    size_t n = (c->used < 56 ? 56 : 120) - c->used;

    for (int i = 0; i < 8; i++)
        pad[n + i] = (uint8_t) (bits >> (56 - 8 * i));
    oci_sha256_update(c, pad, n + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t) (c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t) (c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t) (c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t) c->h[i];
    }
}

void oci_sha256(const void *data, size_t len, uint8_t out[OCI_SHA256_LEN])
{
    struct oci_sha256 c;

    oci_sha256_init(&c);
    oci_sha256_update(&c, data, len);
    oci_sha256_final(&c, out);
}

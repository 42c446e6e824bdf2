/* json.h: helpers shared by the config.json parser files: JSON path tracking, errors, typed getters. */
#ifndef OCIRUN_SPEC_INTERNAL_H
#define OCIRUN_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

/*
 * The JSON path of the value being parsed is a stack of borrowed pointers
 * (keys) and indexes: pushing costs nothing, and the path text is only
 * rendered when an error is reported.
 */
#define SPEC_MAX_DEPTH 16

struct spec_seg {
    const char *key;      /* NULL: an array index */
    size_t index;
};

struct spec_ctx {
    struct oci_report *report;   /* create: the first problem ends the parse; check: all are kept */
    unsigned depth;
    struct spec_seg segs[SPEC_MAX_DEPTH];
};

static inline void spec_push_key(struct spec_ctx *c, const char *key)
{
    if (c->depth < SPEC_MAX_DEPTH)
        c->segs[c->depth] = (struct spec_seg) { .key = key };
    c->depth++;
}

static inline void spec_push_index(struct spec_ctx *c, size_t index)
{
    if (c->depth < SPEC_MAX_DEPTH)
        c->segs[c->depth] = (struct spec_seg) { .key = NULL, .index = index };
    c->depth++;
}

static inline void spec_pop(struct spec_ctx *c)
{
    c->depth--;
}

/* Evaluate expr with key (or index) appended to the path. */
#define SPEC_AT_KEY(c, key, expr) ({ spec_push_key((c), (key)); int _r = (expr); spec_pop(c); _r; })
#define SPEC_AT_INDEX(c, i, expr) ({ spec_push_index((c), (i)); int _r = (expr); spec_pop(c); _r; })

/*
 * A failed field ends the parse for create (the first problem is its error). A collecting parse
 * (check) records it and goes on with the object's next field or the array's next item, so that
 * every problem of the document is reported; the struct is then partial (a refused field stays
 * NULL/unset, see oci_spec_parse_report). SPEC_TRY(c, expr): on failure return -1 unless
 * collecting. Nothing is evaluated beyond expr when it succeeds.
 */
static inline bool spec_stop(const struct spec_ctx *c)
{
    return !oci_report_collecting(c->report);
}
#define SPEC_TRY(c, expr) do { if ((expr) < 0 && spec_stop(c)) return -1; } while (0)

/* r, with a failure remembered in *failed: checks that need the field skip it (collecting). */
static inline int spec_track(bool *failed, int r)
{
    if (r < 0)
        *failed = true;
    return r;
}

/* Before yajl: JSON text nested deeper than SPEC_JSON_MAX_DEPTH (yajl's tree is freed
 * recursively: 10 million "[" crashed it) or a string with a \u0000 escape (yajl keeps C
 * strings: the rest would be cut off unseen) is refused, with the path of where it is. After:
 * an object with the same key twice (yajl_tree keeps both, readers take one) is refused. */
#define SPEC_JSON_MAX_DEPTH 128
/* A document larger than this is refused before it is parsed: yajl's tree takes ~4 times the
 * text (a 100 MB config.json: 410 MB), create would keep a copy in ROOT/ID and state.json its
 * annotations; real configurations are a few KiB. */
#define SPEC_JSON_MAX_BYTES (32 << 20)
#define SPEC_STR(x) #x
#define SPEC_XSTR(x) SPEC_STR(x)
int spec_json_scan(struct spec_ctx *c, const char *text);
int spec_json_check_keys(struct spec_ctx *c, yajl_val v);

/* Errors, all "<path>: <message>", recorded in the report. Each returns -1. */
int spec_fail(struct spec_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int spec_fail_type(struct spec_ctx *c, yajl_val v, const char *expected);
int spec_fail_missing(struct spec_ctx *c, const char *key);

/* A value rendered for messages: strings quoted, numbers raw, {...}, [...]. */
struct spec_vbuf { char s[112]; };
const char *spec_render(yajl_val v, struct spec_vbuf *buf);
const char *spec_render_str(const char *s, struct spec_vbuf *buf);

/* Member of an object (spec_json_check_keys refused duplicates); NULL when absent or JSON null. */
yajl_val spec_get(yajl_val obj, const char *key);

/* Index of s in names[0..n), or -1. */
int spec_lookup(const char *const *names, size_t n, const char *s);

/* Value-level parsers: the path already names v. */
int spec_val_str(struct spec_ctx *c, yajl_val v, char **out);
int spec_val_uint(struct spec_ctx *c, yajl_val v, uint64_t max, const char *what, uint64_t *out);
int spec_val_int(struct spec_ctx *c, yajl_val v, int64_t min, int64_t max, const char *what, int64_t *out);
int spec_val_object(struct spec_ctx *c, yajl_val v);

/*
 * Field-level parsers: look key up in obj; absent (or null) leaves *out
 * untouched and returns 0 unless required. `what` describes the accepted
 * values ("an unsigned 32-bit integer"); NULL means "an integer from MIN to MAX".
 */
int spec_field_str(struct spec_ctx *c, yajl_val obj, const char *key, bool required, char **out);
int spec_field_bool(struct spec_ctx *c, yajl_val obj, const char *key, bool *out, bool *set);
int spec_field_uint(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                    uint64_t max, const char *what, uint64_t *out, bool *set);
int spec_field_int(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                   int64_t min, int64_t max, const char *what, int64_t *out, bool *set);
int spec_field_strv(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_strv *out);
int spec_field_map(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_map *out);
/* *out = the object (or array) at key, NULL when absent. */
int spec_field_object(struct spec_ctx *c, yajl_val obj, const char *key, bool required, yajl_val *out);
int spec_field_array(struct spec_ctx *c, yajl_val obj, const char *key, yajl_val *out);

/*
 * A string that must be one of names[0..n): *index gets its position, *str
 * (when not NULL) a copy. Unknown values fail as "unknown <what> "value"".
 */
int spec_field_enum(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                    const char *const *names, size_t n, const char *what, int *index, char **str);
/* Every element of an already parsed string vector must be one of names. */
int spec_check_strv_enum(struct spec_ctx *c, const char *key, const struct oci_strv *v,
                         const char *const *names, size_t n, const char *what);

int spec_field_idmaps(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_idmaps *out);
/* path must be absolute */
int spec_check_abs(struct spec_ctx *c, const char *key, const char *path);

#define SPEC_U16 "an unsigned 16-bit integer"
#define SPEC_U32 "an unsigned 32-bit integer"
#define SPEC_U64 "an unsigned 64-bit integer"
#define SPEC_I32 "a 32-bit integer"
#define SPEC_I64 "a 64-bit integer"

static inline int spec_field_u32(struct spec_ctx *c, yajl_val o, const char *k, bool req, uint32_t *out)
{
    uint64_t v;
    bool set = false;
    int r = spec_field_uint(c, o, k, req, UINT32_MAX, SPEC_U32, &v, &set);
    if (set)
        *out = (uint32_t) v;
    return r;
}

static inline int spec_field_opt_u32(struct spec_ctx *c, yajl_val o, const char *k, struct oci_opt_u32 *out)
{
    uint64_t v;
    int r = spec_field_uint(c, o, k, false, UINT32_MAX, SPEC_U32, &v, &out->set);
    if (out->set)
        out->value = (uint32_t) v;
    return r;
}

static inline int spec_field_opt_u16(struct spec_ctx *c, yajl_val o, const char *k, struct oci_opt_u32 *out)
{
    uint64_t v;
    int r = spec_field_uint(c, o, k, false, UINT16_MAX, SPEC_U16, &v, &out->set);
    if (out->set)
        out->value = (uint32_t) v;
    return r;
}

static inline int spec_field_u64(struct spec_ctx *c, yajl_val o, const char *k, bool req, uint64_t *out)
{
    return spec_field_uint(c, o, k, req, UINT64_MAX, SPEC_U64, out, NULL);
}

static inline int spec_field_opt_u64(struct spec_ctx *c, yajl_val o, const char *k, struct oci_opt_u64 *out)
{
    return spec_field_uint(c, o, k, false, UINT64_MAX, SPEC_U64, &out->value, &out->set);
}

static inline int spec_field_i64(struct spec_ctx *c, yajl_val o, const char *k, bool req, int64_t *out)
{
    return spec_field_int(c, o, k, req, INT64_MIN, INT64_MAX, SPEC_I64, out, NULL);
}

static inline int spec_field_opt_i64(struct spec_ctx *c, yajl_val o, const char *k, struct oci_opt_i64 *out)
{
    return spec_field_int(c, o, k, false, INT64_MIN, INT64_MAX, SPEC_I64, &out->value, &out->set);
}

static inline int spec_field_i32(struct spec_ctx *c, yajl_val o, const char *k, bool req, int32_t *out)
{
    int64_t v;
    bool set = false;
    int r = spec_field_int(c, o, k, req, INT32_MIN, INT32_MAX, SPEC_I32, &v, &set);
    if (set)
        *out = (int32_t) v;
    return r;
}

static inline int spec_field_opt_bool(struct spec_ctx *c, yajl_val o, const char *k, struct oci_opt_bool *out)
{
    return spec_field_bool(c, o, k, &out->value, &out->set);
}

/* Array iteration: allocate n zeroed items (so a partial result is always freeable). */
static inline size_t spec_array_len(yajl_val arr)
{
    return arr ? arr->u.array.len : 0;
}

/* shared free helpers (json.c) */
void spec_strv_free(struct oci_strv *v);

#endif

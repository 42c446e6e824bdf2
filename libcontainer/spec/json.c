/* json.c: JSON-tree helpers of the config.json parser: path-named errors and typed field getters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/utils.h"
#include "spec/json.h"

#define SPEC_PATH_MAX 512
#define SPEC_STR_SHOWN 64   /* longest string shown in a message, in bytes */

/* Append to a fixed buffer, truncating silently: messages are best effort. */
struct sbuf { char *s; size_t cap, len; };

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + 1 >= b->cap)
        return;
    if (n > b->cap - 1 - b->len)
        n = b->cap - 1 - b->len;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static void sb_quote(struct sbuf *b, const char *s)
{
    size_t shown = 0;

    sb_add(b, "\"");
    for (; *s; s++, shown++) {
        unsigned char ch = (unsigned char) *s;
        char esc[8];

        if (shown >= SPEC_STR_SHOWN) {
            sb_add(b, "...");
            break;
        }
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char) ch;
            sb_addn(b, esc, 2);
        } else if (ch == '\n') {
            sb_add(b, "\\n");
        } else if (ch == '\t') {
            sb_add(b, "\\t");
        } else if (ch < 0x20 || ch == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            sb_add(b, esc);
        } else {
            sb_addn(b, (const char *) &ch, 1);
        }
    }
    sb_add(b, "\"");
}

const char *spec_render_str(const char *s, struct spec_vbuf *buf)
{
    struct sbuf b = { buf->s, sizeof(buf->s), 0 };

    buf->s[0] = '\0';
    sb_quote(&b, s);
    return buf->s;
}

const char *spec_render(yajl_val v, struct spec_vbuf *buf)
{
    if (v == NULL)
        return "null";
    switch (v->type) {
    case yajl_t_string:
        return spec_render_str(v->u.string, buf);
    case yajl_t_number:
        snprintf(buf->s, sizeof(buf->s), "%s", v->u.number.r);
        return buf->s;
    case yajl_t_object:
        return "{...}";
    case yajl_t_array:
        return "[...]";
    case yajl_t_true:
        return "true";
    case yajl_t_false:
        return "false";
    default:
        return "null";
    }
}

static bool is_plain_key(const char *k)
{
    if (*k == '\0')
        return false;
    for (; *k; k++) {
        char ch = *k;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* linux.namespaces[2].type; keys that are not identifiers as ["net.ipv4.ip_forward"] */
static void render_path(const struct spec_ctx *c, struct sbuf *b)
{
    unsigned n = c->depth < SPEC_MAX_DEPTH ? c->depth : SPEC_MAX_DEPTH;

    for (unsigned i = 0; i < n; i++) {
        const struct spec_seg *s = &c->segs[i];
        char idx[32];

        if (s->key == NULL) {
            snprintf(idx, sizeof(idx), "[%zu]", s->index);
            sb_add(b, idx);
        } else if (is_plain_key(s->key)) {
            if (i > 0)
                sb_add(b, ".");
            sb_add(b, s->key);
        } else {
            sb_add(b, "[");
            sb_quote(b, s->key);
            sb_add(b, "]");
        }
    }
    if (c->depth > SPEC_MAX_DEPTH)
        sb_add(b, "...");
}

int spec_fail(struct spec_ctx *c, const char *fmt, ...)
{
    char path[SPEC_PATH_MAX];
    struct sbuf b = { path, sizeof(path), 0 };
    cleanup_free char *msg = NULL;
    va_list ap;
    int n;

    path[0] = '\0';
    render_path(c, &b);
    va_start(ap, fmt);
    n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if (b.len == 0)
        oci_report_add(c->report, 0, "%s", msg);
    else
        oci_report_add(c->report, 0, "%s: %s", path, msg);
    return -1;
}

int spec_fail_type(struct spec_ctx *c, yajl_val v, const char *expected)
{
    struct spec_vbuf vb;

    return spec_fail(c, "expected %s, got %s", expected, spec_render(v, &vb));
}

int spec_fail_missing(struct spec_ctx *c, const char *key)
{
    return SPEC_AT_KEY(c, key, spec_fail(c, "missing required field"));
}

yajl_val spec_get(yajl_val obj, const char *key)
{
    yajl_val found = NULL;

    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *k = obj->u.object.keys[i];

        if (k && k[0] == key[0] && strcmp(k, key) == 0)
            found = obj->u.object.values[i];
    }
    return YAJL_IS_NULL(found) ? NULL : found;
}

int spec_lookup(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i] && strcmp(names[i], s) == 0)
            return (int) i;
    }
    return -1;
}

/*
 * Strings move from the yajl tree into the structs instead of being copied:
 * yajl allocates them with malloc and yajl_tree_free() frees a NULL string
 * fine. This halves the allocations of a parse; the rule it needs is that a
 * value (or map key) is never read again once it has been taken.
 */
static char *take_string(yajl_val v)
{
    char *s = v->u.string;

    v->u.string = NULL;
    return s;
}

int spec_val_str(struct spec_ctx *c, yajl_val v, char **out)
{
    if (!YAJL_IS_STRING(v))
        return spec_fail_type(c, v, "a string");
    *out = take_string(v);
    return 0;
}

int spec_val_object(struct spec_ctx *c, yajl_val v)
{
    return YAJL_IS_OBJECT(v) ? 0 : spec_fail_type(c, v, "an object");
}

/*
 * Integers are read from yajl's raw text, not its long long, so that the
 * whole uint64 range (rlimit "unlimited" is 18446744073709551615) is exact
 * and fractions or exponents are refused rather than truncated.
 */
static bool raw_integer(const char *s, bool *neg, uint64_t *mag)
{
    uint64_t m = 0;

    *neg = (*s == '-');
    if (*neg)
        s++;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        unsigned d;

        if (*s < '0' || *s > '9')
            return false;
        d = (unsigned) (*s - '0');
        if (m > (UINT64_MAX - d) / 10)
            return false;
        m = m * 10 + d;
    }
    *mag = m;
    return true;
}

static int fail_int(struct spec_ctx *c, yajl_val v, const char *what, int64_t min, uint64_t max)
{
    char range[96];

    if (what)
        return spec_fail_type(c, v, what);
    snprintf(range, sizeof(range), "an integer from %lld to %llu", (long long) min, (unsigned long long) max);
    return spec_fail_type(c, v, range);
}

int spec_val_uint(struct spec_ctx *c, yajl_val v, uint64_t max, const char *what, uint64_t *out)
{
    bool neg;
    uint64_t mag;

    if (!YAJL_IS_NUMBER(v) || !raw_integer(v->u.number.r, &neg, &mag) ||
        (neg && mag != 0) || mag > max)
        return fail_int(c, v, what, 0, max);
    *out = mag;
    return 0;
}

int spec_val_int(struct spec_ctx *c, yajl_val v, int64_t min, int64_t max, const char *what, int64_t *out)
{
    bool neg;
    uint64_t mag;
    int64_t val;

    if (!YAJL_IS_NUMBER(v) || !raw_integer(v->u.number.r, &neg, &mag))
        return fail_int(c, v, what, min, (uint64_t) max);
    if (neg) {
        if (mag > (uint64_t) INT64_MAX + 1)
            return fail_int(c, v, what, min, (uint64_t) max);
        val = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
    } else {
        if (mag > (uint64_t) INT64_MAX)
            return fail_int(c, v, what, min, (uint64_t) max);
        val = (int64_t) mag;
    }
    if (val < min || val > max)
        return fail_int(c, v, what, min, (uint64_t) max);
    *out = val;
    return 0;
}

int spec_field_str(struct spec_ctx *c, yajl_val obj, const char *key, bool required, char **out)
{
    yajl_val v = spec_get(obj, key);

    if (v == NULL)
        return required ? spec_fail_missing(c, key) : 0;
    return SPEC_AT_KEY(c, key, spec_val_str(c, v, out));
}

int spec_field_bool(struct spec_ctx *c, yajl_val obj, const char *key, bool *out, bool *set)
{
    yajl_val v = spec_get(obj, key);

    if (v == NULL)
        return 0;
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return SPEC_AT_KEY(c, key, spec_fail_type(c, v, "a boolean"));
    *out = YAJL_IS_TRUE(v);
    if (set)
        *set = true;
    return 0;
}

int spec_field_uint(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                    uint64_t max, const char *what, uint64_t *out, bool *set)
{
    yajl_val v = spec_get(obj, key);
    int r;

    if (v == NULL)
        return required ? spec_fail_missing(c, key) : 0;
    r = SPEC_AT_KEY(c, key, spec_val_uint(c, v, max, what, out));
    if (r == 0 && set)
        *set = true;
    return r;
}

int spec_field_int(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                   int64_t min, int64_t max, const char *what, int64_t *out, bool *set)
{
    yajl_val v = spec_get(obj, key);
    int r;

    if (v == NULL)
        return required ? spec_fail_missing(c, key) : 0;
    r = SPEC_AT_KEY(c, key, spec_val_int(c, v, min, max, what, out));
    if (r == 0 && set)
        *set = true;
    return r;
}

static int val_strv(struct spec_ctx *c, yajl_val v, struct oci_strv *out)
{
    size_t n;

    if (!YAJL_IS_ARRAY(v))
        return spec_fail_type(c, v, "an array of strings");
    n = v->u.array.len;
    out->v = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        yajl_val e = v->u.array.values[i];

        if (!YAJL_IS_STRING(e))
            return SPEC_AT_INDEX(c, i, spec_fail_type(c, e, "a string"));
        out->v[i] = take_string(e);
        out->len = i + 1;
    }
    return 0;
}

int spec_field_strv(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_strv *out)
{
    yajl_val v = spec_get(obj, key);

    if (v == NULL)
        return 0;
    return SPEC_AT_KEY(c, key, val_strv(c, v, out));
}

static int val_map(struct spec_ctx *c, yajl_val v, struct oci_map *out)
{
    size_t n;

    if (!YAJL_IS_OBJECT(v))
        return spec_fail_type(c, v, "an object");
    n = v->u.object.len;
    out->items = xzalloc(n * sizeof(*out->items));
    for (size_t i = 0; i < n; i++) {
        const char *k = v->u.object.keys[i];
        yajl_val e = v->u.object.values[i];

        if (!YAJL_IS_STRING(e))
            return SPEC_AT_KEY(c, k, spec_fail_type(c, e, "a string"));
        out->items[i].key = (char *) k;
        v->u.object.keys[i] = NULL;
        out->items[i].value = take_string(e);
        out->len = i + 1;
    }
    return 0;
}

int spec_field_map(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_map *out)
{
    yajl_val v = spec_get(obj, key);

    if (v == NULL)
        return 0;
    return SPEC_AT_KEY(c, key, val_map(c, v, out));
}

int spec_field_object(struct spec_ctx *c, yajl_val obj, const char *key, bool required, yajl_val *out)
{
    yajl_val v = spec_get(obj, key);

    *out = NULL;
    if (v == NULL)
        return required ? spec_fail_missing(c, key) : 0;
    if (!YAJL_IS_OBJECT(v))
        return SPEC_AT_KEY(c, key, spec_fail_type(c, v, "an object"));
    *out = v;
    return 0;
}

int spec_field_array(struct spec_ctx *c, yajl_val obj, const char *key, yajl_val *out)
{
    yajl_val v = spec_get(obj, key);

    *out = NULL;
    if (v == NULL)
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return SPEC_AT_KEY(c, key, spec_fail_type(c, v, "an array"));
    *out = v;
    return 0;
}

int spec_field_enum(struct spec_ctx *c, yajl_val obj, const char *key, bool required,
                    const char *const *names, size_t n, const char *what, int *index, char **str)
{
    yajl_val v = spec_get(obj, key);
    struct spec_vbuf vb;
    int i;

    if (v == NULL)
        return required ? spec_fail_missing(c, key) : 0;
    if (!YAJL_IS_STRING(v))
        return SPEC_AT_KEY(c, key, spec_fail_type(c, v, "a string"));
    i = spec_lookup(names, n, v->u.string);
    if (i < 0)
        return SPEC_AT_KEY(c, key, spec_fail(c, "unknown %s %s", what, spec_render(v, &vb)));
    if (index)
        *index = i;
    if (str)
        *str = take_string(v);
    return 0;
}

int spec_check_strv_enum(struct spec_ctx *c, const char *key, const struct oci_strv *v,
                         const char *const *names, size_t n, const char *what)
{
    struct spec_vbuf vb;

    for (size_t i = 0; i < v->len; i++) {
        if (spec_lookup(names, n, v->v[i]) < 0)
            SPEC_TRY(c, SPEC_AT_KEY(c, key, SPEC_AT_INDEX(c, i, spec_fail(c, "unknown %s %s", what,
                                                                         spec_render_str(v->v[i], &vb)))));
    }
    return 0;
}

int spec_check_abs(struct spec_ctx *c, const char *key, const char *path)
{
    struct spec_vbuf vb;

    if (path && path[0] == '/')
        return 0;
    return SPEC_AT_KEY(c, key, spec_fail(c, "must be an absolute path, got %s",
                                         spec_render_str(path ? path : "", &vb)));
}

/* One user namespace (or idmapped mount) range: all three fields, no 32-bit overflow. */
static int parse_idmap(struct spec_ctx *c, yajl_val v, struct oci_idmap *m)
{
    uint64_t size = 0;
    bool bad = false;

    if (spec_val_object(c, v) < 0)
        return -1;
    SPEC_TRY(c, spec_track(&bad, spec_field_u32(c, v, "containerID", true, &m->container_id)));
    SPEC_TRY(c, spec_track(&bad, spec_field_u32(c, v, "hostID", true, &m->host_id)));
    SPEC_TRY(c, spec_track(&bad, spec_field_uint(c, v, "size", true, UINT32_MAX, SPEC_U32, &size, NULL)));
    if (bad)
        return -1;   /* (collecting) the range checks below need all three */
    if (size == 0)
        return SPEC_AT_KEY(c, "size", spec_fail(c, "must be at least 1, got 0"));
    if ((uint64_t) m->container_id + size > (uint64_t) UINT32_MAX + 1)
        return spec_fail(c, "containerID %u + size %llu overflows the 32-bit id range",
                         m->container_id, (unsigned long long) size);
    if ((uint64_t) m->host_id + size > (uint64_t) UINT32_MAX + 1)
        return spec_fail(c, "hostID %u + size %llu overflows the 32-bit id range",
                         m->host_id, (unsigned long long) size);
    m->size = (uint32_t) size;
    return 0;
}

static int val_idmaps(struct spec_ctx *c, yajl_val arr, struct oci_idmaps *out)
{
    size_t n = arr->u.array.len;

    out->items = xzalloc(n * sizeof(*out->items));
    out->len = n;
    for (size_t i = 0; i < n; i++)
        SPEC_TRY(c, SPEC_AT_INDEX(c, i, parse_idmap(c, arr->u.array.values[i], &out->items[i])));
    return 0;
}

int spec_field_idmaps(struct spec_ctx *c, yajl_val obj, const char *key, struct oci_idmaps *out)
{
    yajl_val arr;

    if (spec_field_array(c, obj, key, &arr) < 0)
        return -1;
    if (arr == NULL)
        return 0;
    return SPEC_AT_KEY(c, key, val_idmaps(c, arr, out));
}

void spec_strv_free(struct oci_strv *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->len = 0;
}

void oci_map_free(struct oci_map *m)
{
    for (size_t i = 0; i < m->len; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->len = 0;
}

/* --- the text before yajl sees it, the tree after ---------------------------------------- */

struct scan_frame {
    bool object;
    bool expect_key;      /* object: the next string is a key */
    const char *key;      /* object: the current key in the text (escapes kept), or NULL */
    size_t key_len;
    size_t index;         /* array: the current element */
};

/* An error at the scanner's position: the path of FRAMES[0..n) rendered as spec_fail does. */
static int scan_fail(struct spec_ctx *c, const struct scan_frame *frames, size_t n, const char *msg)
{
    char *keys[SPEC_MAX_DEPTH] = { 0 };
    size_t k = 0;
    int ret;

    for (size_t i = 0; i < n && c->depth < SPEC_MAX_DEPTH; i++) {
        if (!frames[i].object) {
            spec_push_index(c, frames[i].index);
        } else if (frames[i].key) {
            keys[k] = xstrndup(frames[i].key, frames[i].key_len);
            spec_push_key(c, keys[k++]);
        }
    }
    ret = spec_fail(c, "%s", msg);
    c->depth = 0;
    for (size_t i = 0; i < k; i++)
        free(keys[i]);
    return ret;
}

/* Length of the UTF-8 sequence at P (its first byte >= 0x80), 0 when it is not one (overlong
 * forms, surrogates and code points past U+10FFFF included), as RFC 3629 says. */
static size_t utf8_len(const char *p)
{
    const unsigned char *u = (const unsigned char *) p;
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;

    if (u[0] >= 0xc2 && u[0] <= 0xdf)
        n = 2;
    else if (u[0] >= 0xe0 && u[0] <= 0xef)
        n = 3;
    else if (u[0] >= 0xf0 && u[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (u[0] == 0xe0)
        lo = 0xa0;
    else if (u[0] == 0xed)
        hi = 0x9f;
    else if (u[0] == 0xf0)
        lo = 0x90;
    else if (u[0] == 0xf4)
        hi = 0x8f;
    if (u[1] < lo || u[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (u[i] < 0x80 || u[i] > 0xbf)
            return 0;
    return n;
}

int spec_json_scan(struct spec_ctx *c, const char *text)
{
    struct scan_frame frames[SPEC_JSON_MAX_DEPTH];
    size_t n = 0;

    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '{':
        case '[':
            if (n == SPEC_JSON_MAX_DEPTH)
                return scan_fail(c, frames, n, "parse error: JSON nested deeper than "
                                 SPEC_XSTR(SPEC_JSON_MAX_DEPTH) " levels");
            frames[n++] = (struct scan_frame) { .object = *p == '{', .expect_key = *p == '{' };
            break;
        case '}':
        case ']':
            if (n > 0)
                n--;
            break;
        case ',':
            if (n > 0 && frames[n - 1].object)
                frames[n - 1].expect_key = true;
            else if (n > 0)
                frames[n - 1].index++;
            break;
        case '"': {
            const char *start = ++p;
            bool key = n > 0 && frames[n - 1].object && frames[n - 1].expect_key;

            for (; *p && *p != '"'; p++) {
                if ((unsigned char) *p >= 0x80) {
                    size_t n_utf8 = utf8_len(p);

                    if (n_utf8 == 0)
                        return scan_fail(c, frames, key ? n - 1 : n, key ?
                                         "parse error: a key is not valid UTF-8" :
                                         "parse error: the string is not valid UTF-8");
                    p += n_utf8 - 1;
                    continue;
                }
                if (*p != '\\')
                    continue;
                if (p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
                    return scan_fail(c, frames, key ? n - 1 : n, key ?
                                     "parse error: a key holds a NUL character (\\u0000)" :
                                     "parse error: the string holds a NUL character (\\u0000)");
                if (p[1])
                    p++;
            }
            if (key) {
                frames[n - 1].key = start;
                frames[n - 1].key_len = (size_t) (p - start);
                frames[n - 1].expect_key = false;
            }
            if (*p == '\0')
                return 0;   /* unterminated: yajl's error */
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

static int cmp_key_index(const void *a, const void *b, void *keys)
{
    const char *const *k = keys;
    int r = strcmp(k[*(const size_t *) a], k[*(const size_t *) b]);

    if (r != 0)
        return r;
    return *(const size_t *) a < *(const size_t *) b ? -1 : 1;
}

int spec_json_check_keys(struct spec_ctx *c, yajl_val v)
{
    if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++)
            if (SPEC_AT_INDEX(c, i, spec_json_check_keys(c, v->u.array.values[i])) < 0)
                return -1;
        return 0;
    }
    if (!YAJL_IS_OBJECT(v))
        return 0;
    size_t n = v->u.object.len;
    const char **keys = v->u.object.keys;
    if (n > 1) {
        cleanup_free size_t *order = xmalloc(n * sizeof(*order));

        for (size_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof(*order), cmp_key_index, (void *) keys);
        for (size_t i = 1; i < n; i++)
            if (strcmp(keys[order[i - 1]], keys[order[i]]) == 0) {
                struct spec_vbuf vb;
                return spec_fail(c, "duplicate key %s (a JSON object's keys must be unique)",
                                 spec_render_str(keys[order[i]], &vb));
            }
    }
    for (size_t i = 0; i < n; i++)
        if (SPEC_AT_KEY(c, keys[i], spec_json_check_keys(c, v->u.object.values[i])) < 0)
            return -1;
    return 0;
}

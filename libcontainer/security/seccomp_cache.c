/* seccomp_cache.c: compiled seccomp programs kept in the state root, keyed by the profile's hash, checked before use. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ocirun-version.h"
#include "ocirun/core/log.h"
#include "ocirun/core/sha256.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"

#include <sys/utsname.h>
#include "security/libseccomp.h"

/*
 * Translating a profile with libseccomp is most of what `create` and `exec` spend in user space
 * when engines send one (podman's default: ~350 rules, ~2.5 ms here); the program it yields
 * depends only on the profile, libseccomp (version, API level), the architecture and our own
 * code; a hit does not even load libseccomp (security/libseccomp.c). So it is kept, per state root, in ROOT/seccomp@cache/HASH ('@' is never in a container
 * id, so the directory is never taken for one). A file is used only when it is a regular file
 * of ours, of the size its header says, and its trailing SHA-256 matches: a torn write or a
 * damaged file is compiled anew, never loaded. What the root can write, only root (0700) can.
 */

#define CACHE_DIR "seccomp@cache"
#define CACHE_MAGIC "OCIBPF01"
#define CACHE_MAX_FILES 32
#define CACHE_MAX_INSNS 65536

struct cache_header {
    char magic[8];
    uint32_t flags;
    uint32_t notify;
    uint64_t len;
};

static void feed(struct oci_sha256 *c, const void *p, size_t n)
{
    uint64_t len = n;

    oci_sha256_update(c, &len, sizeof(len));
    oci_sha256_update(c, p, n);
}

static void feed_str(struct oci_sha256 *c, const char *s)
{
    if (s == NULL) {
        feed(c, "\xff", 1);   /* absent differs from "" */
        return;
    }
    feed(c, s, strlen(s));
}

static void feed_strv(struct oci_sha256 *c, const struct oci_strv *v)
{
    feed(c, &v->len, sizeof(v->len));
    for (size_t i = 0; i < v->len; i++)
        feed_str(c, v->v[i]);
}

static void feed_u32(struct oci_sha256 *c, struct oci_opt_u32 o)
{
    uint32_t v[2] = { o.set, o.set ? o.value : 0 };

    feed(c, v, sizeof(v));
}

#ifndef OCIRUN_NO_SECCOMP
/* The libseccomp that would compile the profile, named without loading it (a hit never loads
 * it): its file's identity changes with every package upgrade. Its API level follows the kernel,
 * hence the kernel's release and build. Only when that file is not where the build found it is
 * the library loaded to ask its version. */
static void feed_library(struct oci_sha256 *c)
{
    char id[PATH_MAX + 128];
    struct utsname u;
    oci_err_t err = NULL;

    if (oci_libseccomp_file_id(id, sizeof(id))) {
        feed_str(c, id);
    } else {
        const struct oci_libseccomp *sc = oci_libseccomp(&err);

        if (sc) {
            const struct scmp_version *v = sc->version();
            uint32_t lib[5] = { v->major, v->minor, v->micro, sc->api_get(), sc->arch_native() };
            feed(c, lib, sizeof(lib));
        } else {
            oci_error_free(&err);   /* the compile says it */
            feed_str(c, NULL);
        }
    }
    if (uname(&u) == 0) {
        feed_str(c, u.release);
        feed_str(c, u.version);
        feed_str(c, u.machine);
    }
}
#endif

/* Everything the program is made of (listenerPath and metadata are not: the agent gets them). */
static void profile_key(const struct oci_seccomp *s, uint8_t key[OCI_SHA256_LEN])
{
    struct oci_sha256 c;

    oci_sha256_init(&c);
    feed_str(&c, CACHE_MAGIC " " OCIRUN_VERSION " " OCIRUN_COMMIT);
#ifndef OCIRUN_NO_SECCOMP
    feed_library(&c);
#endif
    feed_str(&c, s->default_action);
    feed_u32(&c, s->default_errno_ret);
    feed_strv(&c, &s->architectures);
    feed_strv(&c, &s->flags);
    feed(&c, &s->n_syscalls, sizeof(s->n_syscalls));
    for (size_t i = 0; i < s->n_syscalls; i++) {
        const struct oci_syscall_rule *r = &s->syscalls[i];

        feed_strv(&c, &r->names);
        feed_str(&c, r->action);
        feed_u32(&c, r->errno_ret);
        feed(&c, &r->n_args, sizeof(r->n_args));
        for (size_t a = 0; a < r->n_args; a++) {
            uint64_t arg[4] = { r->args[a].index, r->args[a].value, r->args[a].value_two, r->args[a].op };
            feed(&c, arg, sizeof(arg));
        }
    }
    oci_sha256_final(&c, key);
}

static void key_name(const uint8_t key[OCI_SHA256_LEN], char name[2 * OCI_SHA256_LEN + 1])
{
    for (int i = 0; i < OCI_SHA256_LEN; i++)
        snprintf(name + 2 * i, 3, "%02x", key[i]);
}

/* The cached program NAME in DIR into OUT; false when it is absent or not to be trusted. */
static bool cache_read(int dir, const char *name, struct oci_seccomp_filter *out)
{
    cleanup_close int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free uint8_t *data = NULL;
    struct cache_header h;
    uint8_t sum[OCI_SHA256_LEN];
    struct stat st;
    size_t body;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (size_t) st.st_size < sizeof(h) + OCI_SHA256_LEN)
        return false;
    data = xmalloc((size_t) st.st_size);
    if (read_all(fd, data, (size_t) st.st_size) != st.st_size)
        return false;
    memcpy(&h, data, sizeof(h));
    if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.len == 0 || h.len > CACHE_MAX_INSNS)
        return false;
    body = sizeof(h) + h.len * sizeof(struct sock_filter);
    if ((size_t) st.st_size != body + OCI_SHA256_LEN)
        return false;
    oci_sha256(data, body, sum);
    if (memcmp(sum, data + body, OCI_SHA256_LEN) != 0)
        return false;
    out->len = h.len;
    out->flags = h.flags;
    out->notify = h.notify != 0;
    out->insns = xmalloc(h.len * sizeof(struct sock_filter));
    memcpy(out->insns, data + sizeof(h), h.len * sizeof(struct sock_filter));
    return true;
}

/* Keep the directory small: the oldest files go once there are more than CACHE_MAX_FILES. */
static void cache_trim(int dir)
{
    DIR *d;
    struct dirent *e;
    size_t n = 0;
    char oldest[NAME_MAX + 1] = "";
    struct timespec when = { 0 };

    d = fdopendir(dup(dir));
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (e->d_name[0] == '.' || fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        n++;
        if (oldest[0] == '\0' || st.st_mtim.tv_sec < when.tv_sec ||
            (st.st_mtim.tv_sec == when.tv_sec && st.st_mtim.tv_nsec < when.tv_nsec)) {
            when = st.st_mtim;
            snprintf(oldest, sizeof(oldest), "%s", e->d_name);
        }
    }
    closedir(d);
    if (n > CACHE_MAX_FILES && oldest[0])
        unlinkat(dir, oldest, 0);
}

/* Best effort: a cache that cannot be written only costs the next create a compile. */
static void cache_write(int dir, const char *name, const struct oci_seccomp_filter *f)
{
    struct cache_header h = { .flags = f->flags, .notify = f->notify, .len = f->len };
    size_t body = sizeof(h) + f->len * sizeof(struct sock_filter);
    cleanup_free uint8_t *data = xmalloc(body + OCI_SHA256_LEN);
    oci_err_t err = NULL;

    if (f->len == 0 || f->len > CACHE_MAX_INSNS)
        return;
    memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
    memcpy(data, &h, sizeof(h));
    memcpy(data + sizeof(h), f->insns, f->len * sizeof(struct sock_filter));
    oci_sha256(data, body, data + body);
    if (write_file_atomic_at(dir, name, data, body + OCI_SHA256_LEN, 0600, &err) < 0) {
        oci_debug("seccomp cache: %s", err->msg);
        oci_error_free(&err);
        return;
    }
    cache_trim(dir);
}

static int open_cache_dir(const char *root)
{
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (rootfd < 0)
        return -1;
    if (mkdirat(rootfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
        return -1;
    return openat(rootfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int oci_seccomp_compile_cached(const char *root, const struct oci_seccomp *s, struct oci_seccomp_filter *out,
                               bool *hit, oci_err_t *err)
{
    uint8_t key[OCI_SHA256_LEN];
    char name[2 * OCI_SHA256_LEN + 1];
    cleanup_close int dir = -1;

    *hit = false;
    memset(out, 0, sizeof(*out));
    if (s == NULL || root == NULL)
        return oci_seccomp_compile(s, out, err);
    profile_key(s, key);
    key_name(key, name);
    dir = open_cache_dir(root);
    if (dir >= 0 && cache_read(dir, name, out)) {
        *hit = true;
        return 0;
    }
    if (oci_seccomp_compile(s, out, err) < 0)
        return -1;
    if (dir >= 0)
        cache_write(dir, name, out);
    return 0;
}

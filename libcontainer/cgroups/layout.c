/* layout.c: the host's cgroup layout and the container's directories as a struct: lookups, state.json form, release. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/utils.h"
#include "cgroups/driver.h"
#include "cgroups/layout.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool is_cgroup2(const char *path)
{
    struct statfs sfs;

    return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

enum oci_cgroup_layout oci_cgroup_detect(const char **v2_mount)
{
    static enum oci_cgroup_layout cached = -1;
    static const char *cached_mount;
    struct statfs sfs;

    if ((int) cached != -1)
        goto out;
    cached_mount = NULL;
    if (statfs("/sys/fs/cgroup", &sfs) < 0) {
        cached = OCI_CGROUP_NONE;
    } else if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
        cached = OCI_CGROUP_V2;
        cached_mount = "/sys/fs/cgroup";
    } else if (is_cgroup2("/sys/fs/cgroup/unified")) {
        cached = OCI_CGROUP_HYBRID;
        cached_mount = "/sys/fs/cgroup/unified";
    } else {
        cached = OCI_CGROUP_V1;
    }
out:
    if (v2_mount)
        *v2_mount = cached_mount;
    return cached;
}

/* ---- paths ------------------------------------------------------------------------------- */

/* The caller's own path in the hierarchy KEY ("0::/x" for unified, "N:memory:/x" for v1). */
int oci_cgroup_own_path(const char *key, char **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    bool unified = strcmp(key, OCI_CGROUP_UNIFIED) == 0;
    char *save = NULL;

    if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, err) < 0)
        return -1;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

        if (unified && strncmp(line, "0::", 3) == 0) {
            *out = xstrdup(line + 3);
            return 0;
        }
        if (unified || c2 == NULL)
            continue;
        *c2 = '\0';
        if (strcmp(c1 + 1, key) == 0) {
            *out = xstrdup(c2 + 1);
            return 0;
        }
    }
    return oci_error_set(err, 0, "no \"%s\" entry in /proc/self/cgroup", key);
}

/* ---- the directories -------------------------------------------------------------------- */

/* Is NAME one of the comma-separated words of LIST? */
bool cgroup_list_has(const char *list, const char *name, char sep)
{
    size_t n = strlen(name);

    for (const char *p = list; p && *p; ) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

const struct oci_cgroup_dir *cgroup_unified_dir(const struct oci_cgroup *cg)
{
    return cg->n_dirs && strcmp(cg->dirs[0].key, OCI_CGROUP_UNIFIED) == 0 ? &cg->dirs[0] : NULL;
}

const struct oci_cgroup_dir *cgroup_v1_dir(const struct oci_cgroup *cg, const char *controller)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (strcmp(cg->dirs[i].key, OCI_CGROUP_UNIFIED) != 0 && cgroup_list_has(cg->dirs[i].key, controller, ','))
            return &cg->dirs[i];
    return NULL;
}

bool oci_cgroup_has_v1(const struct oci_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (strcmp(cg->dirs[i].key, OCI_CGROUP_UNIFIED) != 0)
            return true;
    return false;
}

void cgroup_add_dir(struct oci_cgroup *cg, const char *key, char *path)
{
    cg->dirs = xrealloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*cg->dirs));
    cg->dirs[cg->n_dirs++] = (struct oci_cgroup_dir) { .key = xstrdup(key), .path = path };
}

/* ---- state ------------------------------------------------------------------------------- */

void oci_cgroup_to_map(const struct oci_cgroup *cg, struct oci_map *out)
{
    out->len = cg->n_dirs;
    out->items = cg->n_dirs ? xmalloc(cg->n_dirs * sizeof(*out->items)) : NULL;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        out->items[i].key = cg->dirs[i].key;
        out->items[i].value = cg->dirs[i].path;
    }
}

void oci_cgroup_preexisting(const struct oci_cgroup *cg, struct oci_strv *out)
{
    out->len = 0;
    out->v = xmalloc((cg->n_dirs + 1) * sizeof(*out->v));
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].created)
            out->v[out->len++] = cg->dirs[i].key;
    out->v[out->len] = NULL;
}

static bool strv_has(const struct oci_strv *v, const char *s)
{
    for (size_t i = 0; v && i < v->len; i++)
        if (strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

void oci_cgroup_from_map(const struct oci_map *paths, bool created, const struct oci_strv *preexisting,
                         struct oci_cgroup *cg)
{
    memset(cg, 0, sizeof(*cg));
    cg->fd = -1;
    cg->created = created;
    for (size_t i = 0; i < paths->len; i++) {
        cgroup_add_dir(cg, paths->items[i].key, xstrdup(paths->items[i].value));
        /* state.json of an older ocirun has no list: every leaf counts as made */
        cg->dirs[i].created = created && !strv_has(preexisting, paths->items[i].key);
    }
}

void oci_cgroup_set_systemd(struct oci_cgroup *cg)
{
    const char *slash = cg->n_dirs ? strrchr(cg->dirs[0].path, '/') : NULL;

    free(cg->unit);
    cg->unit = slash && slash[1] ? xstrdup(slash + 1) : NULL;
}

void oci_cgroup_release(struct oci_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++) {
        free(cg->dirs[i].key);
        free(cg->dirs[i].path);
        free(cg->dirs[i].created_top);
    }
    cgroup_driver_of(cg)->placed(cg);
    free(cg->unit);
    free(cg->slice);
    cg->unit = cg->slice = NULL;
    free(cg->dirs);
    cg->dirs = NULL;
    cg->n_dirs = 0;
    cg->created = false;
    if (cg->fd >= 0)
        close(cg->fd);
    cg->fd = -1;
}

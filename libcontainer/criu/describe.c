/* describe.c: what CRIU is told about a container: external mounts, joined namespaces, cgroups, its config file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"
#include "cgroups/layout.h"
#include "criu/describe.h"
#include "rootfs/resolve.h"

/* ---- the request's lists ------------------------------------------------------------------ */

#define GROW(arr, n) ((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))))

void criu_req_add_ext_mnt(struct criu_req *r, const char *key, const char *val)
{
    for (size_t i = 0; i < r->n_ext_mnt; i++)
        if (strcmp(r->ext_mnt[i].key, key) == 0)
            return;   /* CRIU takes one mapping per mount point */
    GROW(r->ext_mnt, r->n_ext_mnt);
    r->ext_mnt[r->n_ext_mnt++] = (struct criu_pair) { xstrdup(key), xstrdup(val) };
}

void criu_req_add_external(struct criu_req *r, char *text)
{
    GROW(r->external, r->n_external);
    r->external[r->n_external++] = text;
}

void criu_req_add_join_ns(struct criu_req *r, const char *ns, const char *path)
{
    GROW(r->join_ns, r->n_join_ns);
    r->join_ns[r->n_join_ns++] = (struct criu_pair) { xstrdup(ns), xstrdup(path) };
}

void criu_req_add_inherit(struct criu_req *r, const char *key, int fd)
{
    GROW(r->inherit, r->n_inherit);
    r->inherit[r->n_inherit++] = (struct criu_inherit) { xstrdup(key), fd };
}

void criu_req_add_cg_root(struct criu_req *r, const char *ctrl, const char *path)
{
    GROW(r->cg_root, r->n_cg_root);
    r->cg_root[r->n_cg_root++] = (struct criu_cg_root) { ctrl ? xstrdup(ctrl) : NULL, xstrdup(path) };
}

void criu_req_free(struct criu_req *r)
{
    for (size_t i = 0; i < r->n_ext_mnt; i++) {
        free(r->ext_mnt[i].key);
        free(r->ext_mnt[i].val);
    }
    for (size_t i = 0; i < r->n_external; i++)
        free(r->external[i]);
    for (size_t i = 0; i < r->n_join_ns; i++) {
        free(r->join_ns[i].key);
        free(r->join_ns[i].val);
    }
    /* Our stdio is passed as it is; every other inherited fd was opened for the request. */
    for (size_t i = 0; i < r->n_inherit; i++) {
        free(r->inherit[i].key);
        if (r->inherit[i].fd > 2)
            close(r->inherit[i].fd);
    }
    for (size_t i = 0; i < r->n_cg_root; i++) {
        free(r->cg_root[i].ctrl);
        free(r->cg_root[i].path);
    }
    free(r->ext_mnt);
    free(r->external);
    free(r->join_ns);
    free(r->inherit);
    free(r->cg_root);
    free(r->root);
    free(r->config_file);
    free(r->freeze_cgroup);
    if (r->images_fd >= 0)
        close(r->images_fd);
    if (r->work_fd >= 0)
        close(r->work_fd);
    memset(r, 0, sizeof(*r));
    r->images_fd = r->work_fd = -1;
}

/* ---- options ------------------------------------------------------------------------------- */

int oci_criu_parse_cg_mode(const char *s, enum oci_criu_cg_mode *out, oci_err_t *err)
{
    static const char *const names[] = { "soft", "full", "strict", "ignore" };
    static const enum oci_criu_cg_mode modes[] = { OCI_CRIU_CG_SOFT, OCI_CRIU_CG_FULL, OCI_CRIU_CG_STRICT,
                                                   OCI_CRIU_CG_IGNORE };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = modes[i];
            return 0;
        }
    }
    return oci_error_set_code(err, EINVAL, "--manage-cgroups-mode \"%s\": use soft, full, strict or ignore", s);
}

int oci_criu_parse_empty_ns(const char *s, uint32_t *mask, oci_err_t *err)
{
    /* runc leaves the network to others (CNI, the engine) and so accepts only it */
    if (strcmp(s, "network") != 0)
        return oci_error_set_code(err, EINVAL, "--empty-ns \"%s\": namespace is not supported (only \"network\")", s);
    *mask |= CLONE_NEWNET;
    return 0;
}

/* ---- mounts -------------------------------------------------------------------------------- */

/* DEST as the mount table of the container shows it: symlinks in the image resolved inside
 * ROOTFS (a destination "/data" that is a link to "/srv/data" is mounted at /srv/data). */
char *criu_mount_point(int rootfd, const char *rootfs, const char *dest)
{
    cleanup_close int fd = oci_root_open(rootfd, dest, O_PATH | O_CLOEXEC);
    char link[OCI_PROC_FD_PATH_MAX];
    char buf[PATH_MAX];
    size_t rlen = strlen(rootfs);
    ssize_t n;

    if (fd < 0)
        return oci_path_clean(dest);
    oci_proc_fd_path(link, fd);
    n = readlink(link, buf, sizeof(buf) - 1);
    if (n <= 0)
        return oci_path_clean(dest);
    buf[n] = '\0';
    if (strncmp(buf, rootfs, rlen) != 0 || (buf[rlen] != '/' && buf[rlen] != '\0'))
        return oci_path_clean(dest);
    return xstrdup(buf[rlen] ? buf + rlen : "/");
}

static bool is_bind(const struct oci_mount *m)
{
    struct oci_mount_opts opts = { 0 };
    oci_err_t err = NULL;
    bool bind = false;

    if (oci_mount_opts_parse(m->options.v, m->options.len, &opts, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    bind = (opts.bind || (m->type && strcmp(m->type, "bind") == 0)) && !(opts.flags & MS_REMOUNT) && m->source;
    oci_mount_opts_free(&opts);
    return bind;
}

static bool has_ns(const struct oci_spec *spec, enum oci_ns_type t)
{
    return oci_spec_namespace(spec, t) != NULL;
}

/* "cgroup" on a v1 or hybrid host without a cgroup namespace: the container's own directory
 * of each hierarchy bound from the host (rootfs/cgroup_mount.c), so external mounts. */
static void cgroup_v1_binds(struct criu_req *r, const char *dest, const struct oci_cgroup *cg, bool restore)
{
    for (size_t i = 0; i < cg->n_dirs; i++) {
        const char *key = cg->dirs[i].key;
        const char *name = strcmp(key, OCI_CGROUP_UNIFIED) == 0 ? "unified"
                           : strncmp(key, "name=", 5) == 0 ? key + 5 : key;
        cleanup_free char *mp = xasprintf("%s/%s", strcmp(dest, "/") == 0 ? "" : dest, name);
        criu_req_add_ext_mnt(r, mp, restore ? cg->dirs[i].path : mp);
    }
}

/* The default devices and linux.devices: bound from the host where mknod is not allowed (a
 * user namespace, no CAP_MKNOD), so external mounts (a name CRIU does not find is unused). */
static void device_mounts(struct criu_req *r, const struct oci_spec *spec)
{
    static const char *const defaults[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                            "/dev/tty" };

    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
        criu_req_add_ext_mnt(r, defaults[i], defaults[i]);
    for (size_t i = 0; spec->linux_ && i < spec->linux_->n_devices; i++) {
        cleanup_free char *p = oci_path_clean(spec->linux_->devices[i].path);
        criu_req_add_ext_mnt(r, p, p);
    }
}

/* linux.maskedPaths: a file is masked with a bind of /dev/null: external, named "/dev/null"
 * (restore binds the host's), as runc names it. Directories are read-only tmpfs CRIU dumps. */
static int masked_files(struct criu_req *r, const struct oci_spec *spec, pid_t pid, oci_err_t *err)
{
    cleanup_free char *proot = xasprintf("/proc/%d/root", pid);
    cleanup_close int rootfd = -1;

    if (spec->linux_ == NULL || spec->linux_->masked_paths.len == 0)
        return 0;
    rootfd = open(proot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open %s", proot);
    for (size_t i = 0; i < spec->linux_->masked_paths.len; i++) {
        const char *p = spec->linux_->masked_paths.v[i];
        cleanup_close int fd = oci_root_open(rootfd, p, O_PATH | O_CLOEXEC);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode))
            continue;
        cleanup_free char *clean = oci_path_clean(p);
        criu_req_add_ext_mnt(r, clean, "/dev/null");
    }
    return 0;
}

int criu_describe_mounts(struct criu_req *r, const struct criu_container *c, oci_err_t *err)
{
    const struct oci_spec *spec = c->spec;
    bool restore = r->kind == CRIU_KIND_RESTORE;
    cleanup_close int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (rootfd < 0)
        return oci_error_sys(err, "open the rootfs %s", c->rootfs);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        cleanup_free char *mp = criu_mount_point(rootfd, c->rootfs, m->destination);

        if (is_bind(m)) {
            cleanup_free char *src = m->source[0] == '/' ? xstrdup(m->source)
                                                          : xasprintf("%s/%s", c->bundle, m->source);
            criu_req_add_ext_mnt(r, mp, restore ? src : mp);
        } else if (m->type && strcmp(m->type, "cgroup") == 0 && !has_ns(spec, OCI_NS_CGROUP) &&
                   oci_cgroup_detect(NULL) != OCI_CGROUP_V2 && c->cg) {
            cgroup_v1_binds(r, mp, c->cg, restore);
        }
    }
    device_mounts(r, spec);
    if (restore) {
        if (spec->linux_ && spec->linux_->masked_paths.len)
            criu_req_add_ext_mnt(r, "/dev/null", "/dev/null");
        return 0;
    }
    return masked_files(r, spec, c->pid, err);
}

/* ---- namespaces ---------------------------------------------------------------------------- */

/* CRIU's names for the namespaces it can join by path at restore. */
static const char *join_name(enum oci_ns_type t)
{
    switch (t) {
    case OCI_NS_IPC: return "ipc";
    case OCI_NS_UTS: return "uts";
    case OCI_NS_USER: return "user";
    default: return NULL;
    }
}

static const char *ext_key(enum oci_ns_type t)
{
    return t == OCI_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
}

/* What CRIU cannot restore: checked at checkpoint too, since a dump without --leave-running
 * ends the container and an image that cannot be restored would lose it. */
int criu_check_restorable(const struct oci_spec *spec, oci_err_t *err)
{
    if (!has_ns(spec, OCI_NS_MOUNT))
        return oci_error_set_code(err, EINVAL, "config.json: linux.namespaces: the container has no mount namespace "
                             "of its own: CRIU cannot checkpoint or restore it");
    for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++) {
        const struct oci_namespace *ns = &spec->linux_->namespaces[i];

        if (ns->path == NULL || ns->type == OCI_NS_NETWORK || ns->type == OCI_NS_PID || join_name(ns->type))
            continue;
        return oci_error_set_code(err, EINVAL, "config.json: linux.namespaces[%zu]: a %s namespace joined by path "
                             "(\"%s\") cannot be restored by CRIU", i, oci_ns_type_name(ns->type), ns->path);
    }
    return 0;
}

/* net and pid joined by path: external at dump ("net[INODE]:extRootNetNS"), given back as an
 * inherited fd of the same key at restore; ipc, uts, user: joined by CRIU at restore. */
int criu_describe_namespaces(struct criu_req *r, const struct oci_spec *spec, oci_err_t *err)
{
    bool restore = r->kind == CRIU_KIND_RESTORE;

    if (criu_check_restorable(spec, err) < 0)
        return -1;
    for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++) {
        const struct oci_namespace *ns = &spec->linux_->namespaces[i];
        bool external = ns->type == OCI_NS_NETWORK || ns->type == OCI_NS_PID;
        struct stat st;

        if (ns->path == NULL)
            continue;
        if (!external) {
            if (restore)
                criu_req_add_join_ns(r, join_name(ns->type), ns->path);
            continue;
        }
        if (!restore) {
            if (stat(ns->path, &st) < 0)
                return oci_error_sys(err, "linux.namespaces[%zu] \"%s\"", i, ns->path);
            criu_req_add_external(r, xasprintf("%s[%llu]:%s", ns->type == OCI_NS_NETWORK ? "net" : "pid",
                                               (unsigned long long) st.st_ino, ext_key(ns->type)));
            continue;
        }
        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return oci_error_sys(err, "linux.namespaces[%zu]: the %s namespace to restore into, \"%s\"", i,
                                 oci_ns_type_name(ns->type), ns->path);
        criu_req_add_inherit(r, ext_key(ns->type), fd);
    }
    return 0;
}

/* ---- cgroups and the configuration file ----------------------------------------------------- */

/* dump: CRIU freezes the tasks through the cgroup (the v1 freezer, else cgroup v2's). */
void criu_describe_freezer(struct criu_req *r, const struct oci_cgroup *cg)
{
    const struct oci_cgroup_dir *d = cgroup_v1_dir(cg, "freezer");

    if (d == NULL)
        d = cgroup_unified_dir(cg);
    if (d)
        r->freeze_cgroup = xstrdup(d->path);
}

/* restore: the tasks' cgroups of the image are put below the new container's in each
 * hierarchy (paths as /proc/PID/cgroup gives them; the unified one for every hierarchy not
 * named, which on a pure v2 host is all there is). */
void criu_describe_cg_roots(struct criu_req *r, const struct oci_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++) {
        const struct oci_cgroup_dir *d = &cg->dirs[i];
        const char *rel = d->path + d->mount_len;

        criu_req_add_cg_root(r, strcmp(d->key, OCI_CGROUP_UNIFIED) == 0 ? NULL : d->key, *rel ? rel : "/");
    }
}

char *criu_config_file(const struct oci_spec *spec)
{
    for (size_t i = 0; i < spec->annotations.len; i++)
        if (strcmp(spec->annotations.items[i].key, CRIU_CONFIG_ANNOTATION) == 0)
            return spec->annotations.items[i].value[0] ? xstrdup(spec->annotations.items[i].value) : NULL;
    return xstrdup(CRIU_DEFAULT_CONFIG);
}

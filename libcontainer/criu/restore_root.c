/* restore_root.c: the rootfs made ready for CRIU's restore in criu's own mount namespace: mount point, mountpoints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"
#include "criu/describe.h"
#include "criu/restore_root.h"
#include "rootfs/mount_api.h"
#include "rootfs/resolve.h"

/* Is DEST below one of the tmpfs destinations (whose contents CRIU restores itself)? */
static bool under_tmpfs(const struct oci_spec *spec, const char *dest)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        size_t n;

        if (m->type == NULL || strcmp(m->type, "tmpfs") != 0)
            continue;
        n = strlen(m->destination);
        while (n > 1 && m->destination[n - 1] == '/')
            n--;
        if (strncmp(dest, m->destination, n) == 0 && dest[n] == '/')
            return true;
    }
    return false;
}

static bool bind_entry(const struct oci_mount *m, bool *recursive)
{
    struct oci_mount_opts opts = { 0 };
    oci_err_t err = NULL;
    bool bind;

    if (oci_mount_opts_parse(m->options.v, m->options.len, &opts, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    bind = (opts.bind || (m->type && strcmp(m->type, "bind") == 0)) && !(opts.flags & MS_REMOUNT) && m->source;
    *recursive = opts.rbind;
    oci_mount_opts_free(&opts);
    return bind;
}

struct temp_binds {
    char **paths;
    size_t n;
};

static void temp_binds_undo(struct temp_binds *t)
{
    while (t->n > 0) {
        char *p = t->paths[--t->n];
        umount2(p, MNT_DETACH);
        free(p);
    }
    free(t->paths);
}

/* One mounts[] entry's mountpoint, as create makes it; a bind's source is bound there for a
 * moment, so that the mountpoints of the binds nested in it are made inside it. */
static int make_mountpoint(const struct criu_container *c, int rootfd, size_t i, struct temp_binds *t, oci_err_t *err)
{
    const struct oci_mount *m = &c->spec->mounts[i];
    cleanup_free char *src = NULL;
    cleanup_close int fd = -1;
    bool recursive = false, bind = bind_entry(m, &recursive);
    struct stat st;

    if ((m->type && strcmp(m->type, "cgroup") == 0) || under_tmpfs(c->spec, m->destination))
        return 0;   /* a v2 cgroup mountpoint comes with /sys; CRIU restores a tmpfs's contents */
    if (bind) {
        src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", c->bundle, m->source);
        if (stat(src, &st) < 0)
            return oci_error_sys(err, "mounts[%zu] \"%s\": bind source \"%s\"", i, m->destination, src);
    }
    fd = oci_root_ensure(rootfd, m->destination, bind && !S_ISDIR(st.st_mode), err);
    if (fd < 0)
        return oci_error_wrap(err, "mounts[%zu] \"%s\": create the mountpoint", i, m->destination);
    if (!bind)
        return 0;
    if (oci_rootfs_bind_fd(src, fd, recursive, false, err) < 0)
        return oci_error_wrap(err, "mounts[%zu] \"%s\"", i, m->destination);
    {
        cleanup_free char *mp = criu_mount_point(rootfd, c->rootfs, m->destination);
        t->paths = xrealloc(t->paths, (t->n + 1) * sizeof(char *));
        t->paths[t->n++] = xasprintf("%s%s", c->rootfs, strcmp(mp, "/") == 0 ? "" : mp);
    }
    return 0;
}

int criu_prepare_restore_root(const struct criu_container *c, oci_err_t *err)
{
    struct temp_binds t = { 0 };
    cleanup_close int rootfd = -1;
    int ret = 0;

    /* CRIU wants its root to be a mount point (whose parent is not overmounted). */
    if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return oci_error_sys(err, "bind the rootfs %s onto itself for criu", c->rootfs);
    rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open the rootfs %s", c->rootfs);
    for (size_t i = 0; i < c->spec->n_mounts && ret == 0; i++)
        ret = make_mountpoint(c, rootfd, i, &t, err);
    temp_binds_undo(&t);
    return ret;
}

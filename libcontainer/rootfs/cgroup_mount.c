/* cgroup_mount.c: a "cgroup" mount on a v1 or hybrid host: a tmpfs with one mount per hierarchy, as runc builds it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"
#include "cgroups/v1.h"
#include "rootfs/cgroup_mount.h"

/* A new filesystem of TYPE configured by KEY (a v1 controller list, or NULL), detached. */
static int new_cgroupfs(const char *type, const char *key, uint64_t attrs, oci_err_t *err)
{
    cleanup_close int fsfd = fsopen(type, FSOPEN_CLOEXEC);
    cleanup_free char *copy = xstrdup(key ? key : "");
    char *save = NULL;
    int mfd;

    if (fsfd < 0)
        return oci_error_sys(err, "fsopen %s", type);
    for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        int r = strncmp(c, "name=", 5) == 0 ? fsconfig(fsfd, FSCONFIG_SET_STRING, "name", c + 5, 0)
                                            : fsconfig(fsfd, FSCONFIG_SET_FLAG, c, NULL, 0);
        if (r < 0)
            return oci_error_sys(err, "%s option %s", type, c);
    }
    if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return oci_error_sys(err, "create %s %s", type, key ? key : "");
    mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int) attrs);
    if (mfd < 0)
        return oci_error_sys(err, "fsmount %s", type);
    return mfd;
}

/* Without a cgroup namespace a fresh mount would show the host's whole hierarchy: bind the
 * container's own directory instead (our cgroup, as /proc/self/cgroup names it). */
static int bind_own_cgroup(const char *mount_point, const char *key, uint64_t attrs, oci_err_t *err)
{
    cleanup_free char *own = NULL;
    cleanup_free char *src = NULL;
    struct mount_attr a = { .attr_set = attrs };
    int tree;

    if (oci_cgroup_own_path(key, &own, err) < 0)
        return -1;
    src = xasprintf("%s%s", mount_point, own);
    tree = (int) open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0)
        return oci_error_sys(err, "open_tree %s", src);
    if (attrs && mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
        int e = errno;
        close(tree);
        errno = e;
        return oci_error_sys(err, "mount_setattr %s", src);
    }
    return tree;
}

/* The directory name of a hierarchy: its controllers, or "systemd" for "name=systemd". */
static const char *dir_name(const char *key)
{
    return strncmp(key, "name=", 5) == 0 ? key + 5 : key;
}

static int mount_hierarchy(int tmpdir, const char *name, int mfd, oci_err_t *err)
{
    if (mkdirat(tmpdir, name, 0755) < 0 && errno != EEXIST)
        return oci_error_sys(err, "mkdir %s", name);
    if (move_mount(mfd, "", tmpdir, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return oci_error_sys(err, "move_mount %s", name);
    return 0;
}

/* "cpu,cpuacct" is reachable as cpu and cpuacct too. */
static int link_controllers(int tmpdir, const char *key, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(key);
    char *save = NULL;

    if (strchr(key, ',') == NULL)
        return 0;
    for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
        if (strncmp(c, "name=", 5) != 0 && symlinkat(key, tmpdir, c) < 0 && errno != EEXIST)
            return oci_error_sys(err, "symlink %s", c);
    return 0;
}

static int add_hierarchy(int tmpdir, const struct cgroup_v1_mount *h, bool cgroupns, uint64_t attrs, oci_err_t *err)
{
    cleanup_close int mfd = cgroupns ? new_cgroupfs("cgroup", h->key, attrs, err)
                                     : bind_own_cgroup(h->mount, h->key, attrs, err);

    if (mfd < 0 || mount_hierarchy(tmpdir, dir_name(h->key), mfd, err) < 0)
        return oci_error_wrap(err, "cgroup hierarchy %s", h->key);
    return link_controllers(tmpdir, h->key, err);
}

static int add_unified(int tmpdir, bool cgroupns, uint64_t attrs, oci_err_t *err)
{
    const char *v2;
    cleanup_close int mfd = -1;

    if (oci_cgroup_detect(&v2) != OCI_CGROUP_HYBRID)
        return 0;
    mfd = cgroupns ? new_cgroupfs("cgroup2", NULL, attrs, err) : bind_own_cgroup(v2, OCI_CGROUP_UNIFIED, attrs, err);
    if (mfd < 0 || mount_hierarchy(tmpdir, "unified", mfd, err) < 0)
        return oci_error_wrap(err, "cgroup2 (unified)");
    return 0;
}

int oci_rootfs_mount_cgroup_v1(int destfd, unsigned long flags, bool cgroupns, oci_err_t *err)
{
    const struct cgroup_v1_mount *v1;
    uint64_t attrs = oci_mount_flags_to_attr(flags) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    cleanup_close int tmpfs = -1, tmpdir = -1, fsfd = -1;
    struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
    size_t n;

    if (cgroup_v1_mounts(&v1, &n, err) < 0)
        return -1;
    fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
    if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
        fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return oci_error_sys(err, "tmpfs for the cgroup hierarchies");
    /* Writable while the hierarchies go in; read-only at the end if asked. */
    tmpfs = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int) (attrs & ~(uint64_t) MOUNT_ATTR_RDONLY));
    if (tmpfs < 0)
        return oci_error_sys(err, "fsmount tmpfs");
    /* Attached first: mounts go beneath attached mounts only. */
    if (move_mount(tmpfs, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return oci_error_sys(err, "move_mount the cgroup tmpfs");
    tmpdir = openat(tmpfs, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tmpdir < 0)
        return oci_error_sys(err, "open the cgroup tmpfs");
    for (size_t i = 0; i < n; i++)
        if (add_hierarchy(tmpdir, &v1[i], cgroupns, attrs, err) < 0)
            return -1;
    if (add_unified(tmpdir, cgroupns, attrs, err) < 0)
        return -1;
    if ((flags & MS_RDONLY) && mount_setattr(tmpfs, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
        return oci_error_sys(err, "make the cgroup tmpfs read-only");
    return 0;
}

/* devices.c: the container's /dev: default devices, linux.devices, the /dev symlinks and /dev/ptmx. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include "ocirun/core/utils.h"
#include "rootfs/devices.h"
#include "rootfs/mount_api.h"
#include "rootfs/resolve.h"

/* One node to create, from linux.devices or the spec's default list. */
struct dev_node {
    const char *path;
    mode_t type;           /* S_IFCHR, S_IFBLK, S_IFIFO */
    unsigned int major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

/* config-linux.md "Default Devices" (/dev/console and /dev/ptmx are handled elsewhere). */
static const struct dev_node default_devices[] = {
    { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },
    { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
    { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },
    { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
    { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 },
    { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

/* runtime-linux.md "Dev symbolic links". */
static const struct { const char *name, *target; } dev_symlinks[] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
};

static bool dir_is_tmpfs(int dirfd)
{
    struct statfs st;

    return fstatfs(dirfd, &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static bool node_matches(const struct stat *st, const struct dev_node *d)
{
    if ((st->st_mode & S_IFMT) != d->type)
        return false;
    return d->type == S_IFIFO || st->st_rdev == makedev(d->major, d->minor);
}

/* Something is already at NAME: a matching node is kept; anything else is replaced only in a
 * tmpfs /dev (ours); in the image's own /dev it is an error, as the spec requires. */
static int handle_existing(int dirfd, const char *name, const struct dev_node *d, bool for_bind,
                           bool *keep, oci_err_t *err)
{
    struct stat st;

    *keep = false;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : oci_error_sys(err, "stat");
    if (for_bind ? S_ISREG(st.st_mode) || node_matches(&st, d) : node_matches(&st, d)) {
        *keep = true;
        return 0;
    }
    if (!dir_is_tmpfs(dirfd))
        return oci_error_set(err, EEXIST, "a different file already exists");
    if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
        return oci_error_sys(err, "remove the existing file");
    return 0;
}

/* In a user namespace mknod is not allowed: bind the host's node onto an empty file. */
static int bind_device(int dirfd, const char *name, const struct dev_node *d, bool legacy, oci_err_t *err)
{
    cleanup_close int fd = -1;
    bool keep;

    if (handle_existing(dirfd, name, d, true, &keep, err) < 0)
        return -1;
    if (!keep) {
        fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (fd < 0)
            return oci_error_sys(err, "create bind target");
        close(fd);
    }
    fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return oci_error_sys(err, "open bind target");
    return oci_rootfs_bind_fd(d->path, fd, false, legacy, err);
}

static int mknod_device(int dirfd, const char *name, const struct dev_node *d, oci_err_t *err)
{
    mode_t old_umask;
    bool keep;
    int ret;

    if (handle_existing(dirfd, name, d, false, &keep, err) < 0)
        return -1;
    if (keep)
        return 0;
    /* fileMode is exact: the init's umask must not trim it. */
    old_umask = umask(0);
    ret = mknodat(dirfd, name, d->type | (d->mode & 07777), makedev(d->major, d->minor));
    umask(old_umask);
    if (ret < 0)
        return oci_error_sys(err, "mknod");
    if (fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return oci_error_sys(err, "chown %u:%u", d->uid, d->gid);
    return 0;
}

static int create_device(const struct oci_rootfs_opts *o, int rootfd, const struct dev_node *d, oci_err_t *err)
{
    cleanup_free char *name = NULL;
    cleanup_close int dirfd = oci_root_open_parent(rootfd, d->path, &name, err);
    oci_err_t mknod_err = NULL;

    if (dirfd < 0)
        return -1;
    /* FIFOs need no privilege; device nodes made in a user namespace would not work anyway. */
    if (o->userns && d->type != S_IFIFO)
        return bind_device(dirfd, name, d, o->legacy_mount_api, err);
    if (mknod_device(dirfd, name, d, &mknod_err) == 0)
        return 0;
    /* Without CAP_MKNOD (or in a nodev context) fall back to a bind of the host's node, as runc. */
    if (oci_error_errno(&mknod_err) != EPERM || d->type == S_IFIFO) {
        *err = mknod_err;
        return -1;
    }
    oci_error_free(&mknod_err);
    return bind_device(dirfd, name, d, o->legacy_mount_api, err);
}

static int device_from_spec(const struct oci_device *sd, struct dev_node *d, oci_err_t *err)
{
    const char *t = sd->type ? sd->type : "";

    if (sd->path == NULL || sd->path[0] != '/')
        return oci_error_set(err, 0, "path must be absolute");
    if (strcmp(t, "c") == 0 || strcmp(t, "u") == 0)
        d->type = S_IFCHR;
    else if (strcmp(t, "b") == 0)
        d->type = S_IFBLK;
    else if (strcmp(t, "p") == 0)
        d->type = S_IFIFO;
    else
        return oci_error_set(err, 0, "unknown device type \"%s\"", t);
    if (d->type != S_IFIFO && (sd->major < 0 || sd->minor < 0 || sd->major > 0xfffff || sd->minor > 0xfffff))
        return oci_error_set(err, 0, "major/minor out of range");
    d->path = sd->path;
    d->major = (unsigned int) (sd->major < 0 ? 0 : sd->major);
    d->minor = (unsigned int) (sd->minor < 0 ? 0 : sd->minor);
    d->mode = sd->file_mode.set ? (mode_t) (sd->file_mode.value & 07777) : 0666;
    d->uid = sd->uid.set ? sd->uid.value : 0;
    d->gid = sd->gid.set ? sd->gid.value : 0;
    return 0;
}

int oci_devices_check(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;

    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        struct dev_node d;
        oci_err_t e = NULL;

        if (lx->devices[i].path == NULL || lx->devices[i].type == NULL)
            continue;   /* (refused by a collecting parse) */
        if (device_from_spec(&lx->devices[i], &d, &e) < 0) {
            oci_error_wrap(&e, "linux.devices[%zu] \"%s\"", i, lx->devices[i].path);
            if (oci_report_err(r, &e) < 0)
                return -1;
        }
    }
    return 0;
}

static bool spec_has_device(const struct oci_linux *lx, const char *path)
{
    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        cleanup_free char *a = lx->devices[i].path ? oci_path_clean(lx->devices[i].path) : NULL;

        if (a && strcmp(a, path) == 0)
            return true;
    }
    return false;
}

static int create_devices(const struct oci_rootfs_opts *o, int rootfd, oci_err_t *err)
{
    const struct oci_linux *lx = o->spec->linux_;

    for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
        /* linux.devices may redefine a default device (mode, owner). */
        if (spec_has_device(lx, default_devices[i].path))
            continue;
        if (create_device(o, rootfd, &default_devices[i], err) < 0)
            return oci_error_wrap(err, "default device \"%s\"", default_devices[i].path);
    }
    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        struct dev_node d;

        if (device_from_spec(&lx->devices[i], &d, err) < 0 || create_device(o, rootfd, &d, err) < 0)
            return oci_error_wrap(err, "linux.devices[%zu] \"%s\"", i,
                                  lx->devices[i].path ? lx->devices[i].path : "");
    }
    return 0;
}

/* A symlink the container expects; whatever the image already has there is left alone. */
static int dev_symlink(int devfd, const char *name, const char *target, oci_err_t *err)
{
    if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
        return oci_error_sys(err, "/dev/%s: symlink to %s", name, target);
    return 0;
}

static int create_symlinks(int devfd, oci_err_t *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(dev_symlinks); i++)
        if (dev_symlink(devfd, dev_symlinks[i].name, dev_symlinks[i].target, err) < 0)
            return -1;
    /* Only when the kernel has one to point to (runc's rule). */
    if (access("/proc/kcore", F_OK) == 0 && dev_symlink(devfd, "core", "/proc/kcore", err) < 0)
        return -1;
    return 0;
}

/* The devpts instance's own ptmx, so that ptys opened in the container belong to it. */
static int create_ptmx(int devfd, oci_err_t *err)
{
    struct stat st;

    if (fstatat(devfd, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        unlinkat(devfd, "ptmx", S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
        return oci_error_sys(err, "/dev/ptmx: remove");
    if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
        return oci_error_sys(err, "/dev/ptmx: symlink to pts/ptmx");
    return 0;
}

int oci_devices_setup(const struct oci_rootfs_opts *o, int rootfd, bool has_devpts, oci_err_t *err)
{
    cleanup_close int devfd = -1;

    if (create_devices(o, rootfd, err) < 0)
        return -1;
    devfd = oci_root_ensure(rootfd, "/dev", false, err);
    if (devfd < 0)
        return oci_error_wrap(err, "/dev");
    if (create_symlinks(devfd, err) < 0)
        return -1;
    if (has_devpts && create_ptmx(devfd, err) < 0)
        return -1;
    /* /dev/console belongs to terminal support (process.terminal), done by the console code. */
    return 0;
}

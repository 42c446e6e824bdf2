/* paths.c: linux.readonlyPaths and linux.maskedPaths, resolved by fd inside the new root. */
/* They run after the switch of root, where /proc is the container's own: mounts are made by fd
 * with the new mount API, never through a /proc/self/fd path that a mount in the config or a
 * fake /proc in the image could redirect (CVE-2025-52881). Kernels without that API fall back
 * to mount(2) on /proc/self/fd paths, only after checking that this directory is a procfs
 * with nothing mounted over it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/mount.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "rootfs/paths.h"
#include "rootfs/resolve.h"

/* For the mount(2) fallback: /proc/self/fd must be the real one (see the top of the file). */
static int check_proc_fd_dir(oci_err_t *err)
{
    cleanup_close int procfd = oci_procfs_open_root("/proc", err);
    cleanup_close int selffd = -1, fddir = -1;

    if (procfd >= 0)
        selffd = oci_procfs_open_self(procfd, err);
    if (selffd >= 0)
        fddir = oci_procfs_open_at(selffd, "fd", O_PATH | O_DIRECTORY, err);
    return fddir < 0 ? -1 : 0;
}

/* Attach the detached mount MNTFD onto the open TARGET. */
static int attach(int mntfd, int target)
{
    return move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* A read-only recursive copy of what is at FD, put on top of it. -ENOSYS: no new mount API. */
static int readonly_by_fd(int fd)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
    cleanup_close int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);

    if (tree < 0)
        return -errno;
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 || attach(tree, fd) < 0)
        return -errno;
    return 0;
}

static int make_readonly(int rootfd, const char *field, size_t i, const char *path, oci_err_t *err)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
    cleanup_close int fd = oci_root_open(rootfd, path, O_PATH | O_NOFOLLOW);
    cleanup_close int top = -1;
    char target[OCI_PROC_FD_PATH_MAX];
    int r;

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return oci_error_set(err, -fd, "%s[%zu] \"%s\": open", field, i, path);
    r = readonly_by_fd(fd);
    if (r != -ENOSYS)
        return r < 0 ? oci_error_set(err, -r, "%s[%zu] \"%s\": read-only bind", field, i, path) : 0;
    if (check_proc_fd_dir(err) < 0)
        return oci_error_wrap(err, "%s[%zu] \"%s\"", field, i, path);
    oci_proc_fd_path(target, fd);
    if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return oci_error_sys(err, "%s[%zu] \"%s\": bind onto itself", field, i, path);
    /* The fd still names what was under the new bind: reopen to reach the bind itself. */
    top = oci_root_open(rootfd, path, O_PATH | O_NOFOLLOW);
    if (top < 0)
        return oci_error_set(err, -top, "%s[%zu] \"%s\": reopen", field, i, path);
    if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
        return oci_error_sys(err, "%s[%zu] \"%s\": mount_setattr read-only", field, i, path);
    return 0;
}

/* /dev/null by fd, checked to be the real 1:3 character device (CVE-2025-31133). */
static int open_dev_null(int rootfd, oci_err_t *err)
{
    cleanup_close int fd = oci_root_open(rootfd, "/dev/null", O_PATH | O_NOFOLLOW);
    struct stat st;

    if (fd < 0)
        return oci_error_set(err, -fd, "linux.maskedPaths: open /dev/null");
    if (fstat(fd, &st) < 0)
        return oci_error_sys(err, "linux.maskedPaths: stat /dev/null");
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
        return oci_error_set(err, 0, "linux.maskedPaths: /dev/null is not the null device (1:3)");
    return steal_fd(&fd);
}

/* An empty read-only tmpfs, detached. -errno on failure (-ENOSYS: no new mount API). */
static int empty_tmpfs(void)
{
    cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
    int mfd;

    if (fsfd < 0)
        return -errno;
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
        fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
        fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -errno;
    mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
    return mfd < 0 ? -errno : mfd;
}

/* Mask by fd: the directory FD gets an empty tmpfs, a file gets NULL_FD bound on it. */
static int mask_by_fd(int fd, bool is_dir, int null_fd)
{
    cleanup_close int mnt = is_dir ? empty_tmpfs()
                                   : open_tree(null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

    if (mnt < 0)
        return is_dir ? mnt : -errno;
    return attach(mnt, fd) < 0 ? -errno : 0;
}

static int mask_path(int rootfd, size_t i, const char *path, int *null_fd, oci_err_t *err)
{
    cleanup_close int fd = oci_root_open(rootfd, path, O_PATH | O_NOFOLLOW);
    char target[OCI_PROC_FD_PATH_MAX], source[OCI_PROC_FD_PATH_MAX];
    struct stat st;
    int r;

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return oci_error_set(err, -fd, "linux.maskedPaths[%zu] \"%s\": open", i, path);
    if (fstat(fd, &st) < 0)
        return oci_error_sys(err, "linux.maskedPaths[%zu] \"%s\": stat", i, path);
    if (!S_ISDIR(st.st_mode) && *null_fd < 0 && (*null_fd = open_dev_null(rootfd, err)) < 0)
        return -1;
    r = mask_by_fd(fd, S_ISDIR(st.st_mode), *null_fd);
    if (r != -ENOSYS)
        return r < 0 ? oci_error_set(err, -r, "linux.maskedPaths[%zu] \"%s\": mask", i, path) : 0;
    if (check_proc_fd_dir(err) < 0)
        return oci_error_wrap(err, "linux.maskedPaths[%zu] \"%s\"", i, path);
    oci_proc_fd_path(target, fd);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0,mode=0555") < 0)
            return oci_error_sys(err, "linux.maskedPaths[%zu] \"%s\": mount tmpfs", i, path);
        return 0;
    }
    oci_proc_fd_path(source, *null_fd);
    if (mount(source, target, NULL, MS_BIND, NULL) < 0)
        return oci_error_sys(err, "linux.maskedPaths[%zu] \"%s\": bind /dev/null", i, path);
    return 0;
}

int oci_paths_apply(const struct oci_spec *spec, oci_err_t *err)
{
    const struct oci_linux *lx = spec->linux_;
    cleanup_close int null_fd = -1;
    cleanup_close int rootfd = -1;

    if (lx == NULL || (lx->readonly_paths.len == 0 && lx->masked_paths.len == 0))
        return 0;
    rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open /");
    for (size_t i = 0; i < lx->readonly_paths.len; i++)
        if (make_readonly(rootfd, "linux.readonlyPaths", i, lx->readonly_paths.v[i], err) < 0)
            return -1;
    for (size_t i = 0; i < lx->masked_paths.len; i++)
        if (mask_path(rootfd, i, lx->masked_paths.v[i], &null_fd, err) < 0)
            return -1;
    return 0;
}

/* paths.c: linux.readonlyPaths and linux.maskedPaths, resolved by fd inside the new root. */
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
#include "ocirun/confine.h"
#include "ocirun/rootfs.h"
#include "ocirun/utils.h"

static int make_readonly(int rootfd, const char *field, size_t i, const char *path, oci_err_t *err)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
    cleanup_close int fd = oci_root_open(rootfd, path, O_PATH | O_NOFOLLOW);
    cleanup_close int top = -1;
    char target[OCI_PROC_FD_PATH_MAX];

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return oci_error_set(err, -fd, "%s[%zu] \"%s\": open", field, i, path);
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

static int mask_path(int rootfd, size_t i, const char *path, int *null_fd, oci_err_t *err)
{
    cleanup_close int fd = oci_root_open(rootfd, path, O_PATH | O_NOFOLLOW);
    char target[OCI_PROC_FD_PATH_MAX], source[OCI_PROC_FD_PATH_MAX];
    struct stat st;

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return oci_error_set(err, -fd, "linux.maskedPaths[%zu] \"%s\": open", i, path);
    if (fstat(fd, &st) < 0)
        return oci_error_sys(err, "linux.maskedPaths[%zu] \"%s\": stat", i, path);
    oci_proc_fd_path(target, fd);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0,mode=0555") < 0)
            return oci_error_sys(err, "linux.maskedPaths[%zu] \"%s\": mount tmpfs", i, path);
        return 0;
    }
    if (*null_fd < 0 && (*null_fd = open_dev_null(rootfd, err)) < 0)
        return -1;
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

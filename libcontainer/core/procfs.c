/* procfs.c: open and write /proc files through a verified procfs handle (see procfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"

int oci_procfs_check(int fd, const char *what, oci_err_t *err)
{
    struct statfs sfs;

    if (fstatfs(fd, &sfs) < 0)
        return oci_error_sys(err, "fstatfs %s", what);
    if (sfs.f_type != PROC_SUPER_MAGIC)
        return oci_error_set(err, 0, "%s is not on a procfs", what);
    return 0;
}

int oci_procfs_open_root(const char *path, oci_err_t *err)
{
    cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return oci_error_sys(err, "open %s", path);
    if (oci_procfs_check(fd, path, err) < 0)
        return -1;
    return steal_fd(&fd);
}

static int procfs_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC), .resolve = resolve };
    long fd;

    do
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return (int) fd;
}

int oci_procfs_open_self(int procfd, oci_err_t *err)
{
    /* "self" is an ordinary symlink to "<pid>": followed, but only beneath the procfs root. */
    cleanup_close int fd = procfs_openat2(procfd, "self", O_PATH | O_DIRECTORY,
                                          RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);

    if (fd < 0)
        return oci_error_sys(err, "open /proc/self");
    if (oci_procfs_check(fd, "/proc/self", err) < 0)
        return -1;
    return steal_fd(&fd);
}

int oci_procfs_open_at(int dirfd, const char *path, int flags, oci_err_t *err)
{
    const uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    cleanup_close int fd = procfs_openat2(dirfd, path, flags, resolve);

    if (fd < 0 && errno == EXDEV)
        return oci_error_set(err, EXDEV, "open %s in procfs: something is mounted over it", path);
    if (fd < 0)
        return oci_error_sys(err, "open %s in procfs", path);
    if (oci_procfs_check(fd, path, err) < 0)
        return -1;
    return steal_fd(&fd);
}

int oci_procfs_write_at(int dirfd, const char *path, const char *data, size_t len, oci_err_t *err)
{
    cleanup_close int fd = oci_procfs_open_at(dirfd, path, O_WRONLY, err);

    if (fd < 0)
        return -1;
    if (write_all(fd, data, len) < 0)
        return oci_error_sys(err, "write %s in procfs", path);
    return 0;
}

void oci_proc_fd_path(char buf[OCI_PROC_FD_PATH_MAX], int fd)
{
    snprintf(buf, OCI_PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

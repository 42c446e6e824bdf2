/* procfs.c: open and check procfs handles (see procfs.h for why). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "ocirun/procfs.h"
#include "ocirun/utils.h"

int oci_procfs_check(int fd, const char *what, oci_err_t *err)
{
    struct statfs sfs;

    if (fstatfs(fd, &sfs) < 0)
        return oci_error_sys(err, "fstatfs %s", what);
    if (sfs.f_type != PROC_SUPER_MAGIC)
        return oci_error_set(err, 0, "%s is not a procfs (mount one in mounts[])", what);
    return 0;
}

int oci_procfs_open(oci_err_t *err)
{
    cleanup_close int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return oci_error_sys(err, "open /proc");
    if (oci_procfs_check(fd, "/proc", err) < 0)
        return -1;
    return steal_fd(&fd);
}

/* Without openat2 (Linux < 5.6) only the last component is protected; the fstatfs check
 * below still refuses anything that is not procfs. */
static int procfs_openat_raw(int procfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t) (flags | O_NOFOLLOW | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd;

    do
        fd = syscall(SYS_openat2, procfd, path, &how, sizeof(how));
    while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    if (fd < 0 && errno == ENOSYS)
        fd = openat(procfd, path, flags | O_NOFOLLOW | O_CLOEXEC);
    return (int) fd;
}

int oci_procfs_openat(int procfd, const char *path, int flags, oci_err_t *err)
{
    cleanup_close int fd = procfs_openat_raw(procfd, path, flags);
    cleanup_free char *what = xasprintf("/proc/%s", path);

    if (fd < 0)
        return oci_error_sys(err, "open %s", what);
    if (oci_procfs_check(fd, what, err) < 0)
        return -1;
    return steal_fd(&fd);
}

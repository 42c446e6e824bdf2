/* mount_api.c: the mount primitives the rootfs files share: new mount API calls, bind by fd, bind remounts. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "rootfs/mount_api.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

/* ---- mount primitives ---- */

/* Append the messages the kernel logged on an fs_context fd ("e tmpfs: Bad value for 'size'"). */
int rootfs_fs_context_error(int fsfd, oci_err_t *err, int errnum, const char *what)
{
    char buf[512], log[1024] = "";
    ssize_t n;

    while ((n = read(fsfd, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        while (n > 0 && buf[n - 1] == '\n')
            buf[--n] = '\0';
        if (n > 2 && buf[1] == ' ')
            snprintf(log + strlen(log), sizeof(log) - strlen(log), "%s%s", log[0] ? "; " : "", buf + 2);
    }
    if (log[0])
        return oci_error_set(err, errnum, "%s (%s)", what, log);
    return oci_error_set(err, errnum, "%s", what);
}

int rootfs_move_onto(int mntfd, int destfd, oci_err_t *err)
{
    if (move_mount(mntfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return oci_error_sys(err, "move_mount");
    return 0;
}

int rootfs_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation, int userns_fd)
{
    struct mount_attr attr = {
        .attr_set = set,
        .attr_clr = clr,
        .propagation = propagation,
        .userns_fd = (uint64_t) (userns_fd < 0 ? 0 : userns_fd),
    };

    return mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr));
}

/* Flags of the mount at PATH as MS_* (for a bind remount that must keep locked flags). */
unsigned long rootfs_mount_flags_of(const char *path)
{
    static const struct { unsigned long st, ms; } map[] = {
        { ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
        { ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
        { ST_RELATIME, MS_RELATIME }, { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW },
    };
    struct statvfs st;
    unsigned long flags = 0;

    if (statvfs(path, &st) < 0)
        return 0;
    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (st.f_flag & map[i].st)
            flags |= map[i].ms;
    return flags;
}

/* mount(2) MS_BIND|MS_REMOUNT with FLAGS; in a user namespace some flags of the source are
 * locked and must be repeated, so retry with them on EPERM. */
int rootfs_remount_bind(const char *path, unsigned long flags)
{
    const unsigned long per_mount = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                    MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW;

    flags &= per_mount;
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0)
        return 0;
    if (errno != EPERM)
        return -1;
    flags |= rootfs_mount_flags_of(path) & ~MS_RDONLY;
    return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
}

int rootfs_legacy_bind(const char *source, int dest_fd, bool recursive, oci_err_t *err)
{
    char target[OCI_PROC_FD_PATH_MAX];

    oci_proc_fd_path(target, dest_fd);
    if (mount(source, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
        return oci_error_sys(err, "bind mount \"%s\"", source);
    return 0;
}

/* A detached copy of SOURCE (open_tree), or -ENOSYS when the kernel lacks the new API. */
int rootfs_clone_tree(const char *source, bool recursive, oci_err_t *err)
{
    int fd = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));

    if (fd < 0 && errno == ENOSYS)
        return -ENOSYS;
    if (fd < 0)
        return oci_error_sys(err, "open_tree \"%s\"", source);
    return fd;
}

int oci_rootfs_bind_fd(const char *source, int dest_fd, bool recursive, bool legacy, oci_err_t *err)
{
    cleanup_close int tree = -1;

    if (!legacy) {
        tree = rootfs_clone_tree(source, recursive, err);
        if (tree >= 0)
            return rootfs_move_onto(tree, dest_fd, err);
        if (tree != -ENOSYS)
            return -1;
    }
    return rootfs_legacy_bind(source, dest_fd, recursive, err);
}

/* mount_api.h: mount primitives shared by the rootfs files (new mount API first, mount(2) as the fallback). */
#ifndef OCIRUN_ROOTFS_MOUNT_API_H
#define OCIRUN_ROOTFS_MOUNT_API_H

#include <stdbool.h>
#include <stdint.h>
#include "ocirun/core/error.h"

/* Bind-mount host path SOURCE onto the open DEST_FD (O_PATH), as rbind when RECURSIVE; LEGACY:
 * mount(2) through /proc/self/fd only. */
int oci_rootfs_bind_fd(const char *source, int dest_fd, bool recursive, bool legacy, oci_err_t *err);

/* An error for WHAT with the messages the kernel logged on the fs_context FSFD appended
 * ("e tmpfs: Bad value for 'size'"). */
int rootfs_fs_context_error(int fsfd, oci_err_t *err, int errnum, const char *what);
/* move_mount of the detached MNTFD onto DESTFD. */
int rootfs_move_onto(int mntfd, int destfd, oci_err_t *err);
/* mount_setattr on FD (AT_RECURSIVE with RECURSIVE); USERNS_FD >= 0 idmaps it. -1 with errno. */
int rootfs_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation, int userns_fd);
/* Flags of the mount at PATH as MS_* (for a bind remount that must keep locked flags). */
unsigned long rootfs_mount_flags_of(const char *path);
/* mount(2) MS_BIND|MS_REMOUNT with FLAGS, repeating the flags a user namespace locks. -1 with errno. */
int rootfs_remount_bind(const char *path, unsigned long flags);
/* mount(2) MS_BIND of SOURCE onto DEST_FD through /proc/self/fd. */
int rootfs_legacy_bind(const char *source, int dest_fd, bool recursive, oci_err_t *err);
/* A detached copy of SOURCE (open_tree), or -ENOSYS when the kernel lacks the new API. */
int rootfs_clone_tree(const char *source, bool recursive, oci_err_t *err);

#endif

/* rootfs.h: the container's root filesystem: mounts[], /dev, and the switch of root. */
#ifndef OCIRUN_ROOTFS_H
#define OCIRUN_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

struct oci_rootfs_opts {
    const struct oci_spec *spec;
    const char *rootfs;   /* absolute path of the rootfs directory (already resolved from the bundle) */
    const char *bundle;   /* absolute bundle dir: relative mount sources resolve against it */
    bool userns;          /* init is in a new user namespace: linux.devices/default devices are bind-mounted from the host instead of mknod */
    bool no_pivot;        /* --no-pivot: MS_MOVE the rootfs onto / and chroot instead of pivot_root */
    bool legacy_mount_api; /* use only mount(2) through /proc/self/fd (what happens on ENOSYS); for tests */
};

/* Everything before the switch of root: rootfs propagation made private, rootfs bind-mounted onto itself, every mounts[] entry in order, default devices + linux.devices, /dev symlinks, /dev/ptmx. Errors name the field: `mounts[3] "/data": mount tmpfs: No such device`. */
int oci_rootfs_prepare(const struct oci_rootfs_opts *o, oci_err_t *err);
/* The switch: pivot_root (old root detached with MNT_DETACH) or --no-pivot, chdir("/"), then root.readonly (remount the root bind read-only) and linux.rootfsPropagation applied. */
int oci_rootfs_finish(const struct oci_rootfs_opts *o, oci_err_t *err);

/*
 * Helpers shared by rootfs.c and devices.c. Paths are container paths, resolved under ROOTFD
 * with RESOLVE_IN_ROOT (symlinks in the image cannot lead outside the rootfs).
 */


/* openat2 under the root; returns the fd or -errno. */
int oci_root_open(int rootfd, const char *path, int flags);
/* Open PATH (O_PATH), creating missing directories (0755) and, when AS_FILE, the last component
 * as an empty regular file. Returns the fd or a negative error. */
int oci_root_ensure(int rootfd, const char *path, bool as_file, oci_err_t *err);
/* Open (creating) the parent directory of PATH; *NAME gets its last component (malloc'ed).
 * Returns the directory fd (O_PATH, usable as the dirfd of *at calls). */
int oci_root_open_parent(int rootfd, const char *path, char **name, oci_err_t *err);
/* Bind-mount host path SOURCE onto the open DEST_FD (O_PATH), as rbind when RECURSIVE. */
int oci_rootfs_bind_fd(const char *source, int dest_fd, bool recursive, bool legacy, oci_err_t *err);
/* Lexically clean an absolute or relative path ("//dev/./pts/" -> "/dev/pts"). */
char *oci_path_clean(const char *path);

/* devices.c: default devices + linux.devices, /dev symlinks and, with a devpts at /dev/pts,
 * /dev/ptmx -> pts/ptmx. */
int oci_devices_setup(const struct oci_rootfs_opts *o, int rootfd, bool has_devpts, oci_err_t *err);

/* A "cgroup" mount on a v1 or hybrid host: a tmpfs at DESTFD with each v1 hierarchy (and the
 * unified one) mounted in it, fresh when the container has its own cgroup namespace, else its
 * own directories bound; FLAGS are the mount's MS_* flags (ro applies to all of it). */
int oci_rootfs_mount_cgroup_v1(int destfd, unsigned long flags, bool cgroupns, oci_err_t *err);

#endif

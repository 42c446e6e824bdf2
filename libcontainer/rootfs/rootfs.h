/* rootfs.h: the container's root filesystem: prepared (mounts[], /dev) in the init, then the switch of root. */
#ifndef OCIRUN_ROOTFS_H
#define OCIRUN_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
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
    const int *bind_sources; /* per mounts[] entry: its bind source opened by the runtime (oci_rootfs_open_bind_sources), -1; or NULL */
};

/* Everything before the switch of root: rootfs propagation made private, rootfs bind-mounted onto itself, every mounts[] entry in order, default devices + linux.devices, /dev symlinks, /dev/ptmx. Errors name the field: `mounts[3] "/data": mount tmpfs: No such device`. */
int oci_rootfs_prepare(const struct oci_rootfs_opts *o, oci_err_t *err);
/* The switch: pivot_root (old root detached with MNT_DETACH), or --no-pivot (the host's procfs and sysfs taken away, MS_MOVE, chroot); chdir("/"), then the read-only tmpfs and /dev mounts, root.readonly (remount the root bind read-only) and linux.rootfsPropagation applied. */
int oci_rootfs_finish(const struct oci_rootfs_opts *o, oci_err_t *err);

/* For an init in a new user namespace, whose root may be refused on the way to a bind source
 * (0700 directories of the host's root): the runtime, root on the host, opens each bind source
 * of mounts[] (O_PATH) inside the init's mount namespace (so that what the init clones from
 * them keeps the locks of its copied mounts) and passes the fds on; the init binds from them.
 * *FDS gets one fd per mounts[] entry (-1 where none), or NULL without bind mounts. Errors name
 * the entry. */
int oci_rootfs_open_bind_sources(const struct oci_spec *spec, const char *bundle, int **fds, oci_err_t *err);
void oci_rootfs_close_bind_sources(int *fds, size_t n);

#endif

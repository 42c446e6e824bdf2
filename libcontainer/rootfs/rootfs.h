/* rootfs.h: the container's root filesystem: prepared (mounts[], /dev) in the init, then the switch of root. */
#ifndef OCIRUN_ROOTFS_H
#define OCIRUN_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/spec.h"

struct oci_rootfs_opts {
    const struct oci_spec *spec;
    const char *rootfs;   /* absolute path of the rootfs directory (already resolved from the bundle) */
    const char *bundle;   /* absolute bundle dir: relative mount sources resolve against it */
    bool userns;          /* init is in a new user namespace: linux.devices/default devices are bind-mounted from the host instead of mknod */
    bool no_pivot;        /* --no-pivot: MS_MOVE the rootfs onto / and chroot instead of pivot_root */
    bool legacy_mount_api; /* use only mount(2) through /proc/self/fd (what happens on ENOSYS); for tests */
};

/* In the runtime (create and check): root.path, relative to BUNDLE unless absolute, resolved
 * (*out, malloc'ed) and required to be a directory: `config.json: root.path "x": Not a directory`. */
int oci_rootfs_resolve(const char *bundle, const struct oci_root *root, char **out, oci_err_t *err);
/* check: process.cwd in ROOTFS (resolved inside it) is not an existing non-directory (the init
 * creates a missing one); a cwd at or below a mounts[] destination is the mount's business. */
int oci_rootfs_check_cwd(const char *rootfs, const struct oci_spec *spec, struct oci_report *r);

/* Everything before the switch of root: rootfs propagation made private, rootfs bind-mounted onto itself, every mounts[] entry in order, default devices + linux.devices, /dev symlinks, /dev/ptmx. Errors name the field: `mounts[3] "/data": mount tmpfs: No such device`. */
int oci_rootfs_prepare(const struct oci_rootfs_opts *o, oci_err_t *err);
/* The switch: pivot_root (old root detached with MNT_DETACH) or --no-pivot, chdir("/"), then root.readonly (remount the root bind read-only) and linux.rootfsPropagation applied. */
int oci_rootfs_finish(const struct oci_rootfs_opts *o, oci_err_t *err);

#endif

/* rootfs.h: the container's root filesystem: prepared (mounts[], /dev) in the init, then the switch of root. */
#ifndef OCIRUN_ROOTFS_H
#define OCIRUN_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
    const int *bind_sources; /* per mounts[] entry: its bind source opened by the runtime (oci_rootfs_open_bind_sources), -1; or NULL */
};

/* In the runtime (create and check): root.path, relative to BUNDLE unless absolute, resolved
 * (*out, malloc'ed) and required to be a directory: `config.json: root.path "x": Not a directory`. */
int oci_rootfs_resolve(const char *bundle, const struct oci_root *root, char **out, oci_err_t *err);
/* check: process.cwd in ROOTFS (resolved inside it) is not an existing non-directory (the init
 * creates a missing one); a cwd at or below a mounts[] destination is the mount's business. */
int oci_rootfs_check_cwd(const char *rootfs, const struct oci_spec *spec, struct oci_report *r);
/* Whether the container has a mount namespace of its own. Without one (the spec lets it share
 * the runtime's, runc runs it) its mounts go into the caller's namespace below the rootfs,
 * bound onto itself by the runtime; the root switch is a chroot; nothing else changes there. */
bool oci_rootfs_has_mount_ns(const struct oci_spec *spec);

/* Everything before the switch of root: rootfs propagation made private, rootfs bind-mounted onto itself, every mounts[] entry in order, default devices + linux.devices, /dev symlinks, /dev/ptmx. Errors name the field: `mounts[3] "/data": mount tmpfs: No such device`. */
int oci_rootfs_prepare(const struct oci_rootfs_opts *o, oci_err_t *err);
/* The switch: pivot_root (old root detached with MNT_DETACH), or --no-pivot (the host's procfs and sysfs taken away, MS_MOVE, chroot), or a chroot without a mount namespace; chdir("/"), then the read-only tmpfs and /dev mounts, root.readonly (remount the root bind read-only) and linux.rootfsPropagation applied. */
int oci_rootfs_finish(const struct oci_rootfs_opts *o, oci_err_t *err);

/* In the runtime, before clone, when the container has no mount namespace: ROOTFS bound onto
 * itself (recursively) in our namespace, *MNT_ID the id of that bind (for the unbind). */
int oci_rootfs_bind_host(const char *rootfs, uint64_t *mnt_id, oci_err_t *err);
/* Detach that bind, and with it every mount the container made below its rootfs; nothing when
 * the mount on top of ROOTFS is no longer MNT_ID (another namespace, or gone). */
void oci_rootfs_unbind_host(const char *rootfs, uint64_t mnt_id);

/* For an init in a new user namespace, whose root may be refused on the way to a bind source
 * (0700 directories of the host's root): the runtime, root on the host, opens each bind source
 * of mounts[] (O_PATH) inside the init's mount namespace (so that what the init clones from
 * them keeps the locks of its copied mounts) and passes the fds on; the init binds from them.
 * *FDS gets one fd per mounts[] entry (-1 where none), or NULL without bind mounts. Errors name
 * the entry. */
int oci_rootfs_open_bind_sources(const struct oci_spec *spec, const char *bundle, int **fds, oci_err_t *err);
void oci_rootfs_close_bind_sources(int *fds, size_t n);

#endif

/* cgroup_mount.h: a "cgroup" mount in the rootfs on a v1 or hybrid host. */
#ifndef OCIRUN_ROOTFS_CGROUP_MOUNT_H
#define OCIRUN_ROOTFS_CGROUP_MOUNT_H

#include <stdbool.h>
#include "ocirun/core/error.h"

/* A tmpfs at DESTFD with each v1 hierarchy (and the unified one) mounted in it, fresh when the
 * container has its own cgroup namespace, else its own directories bound; FLAGS are the mount's
 * MS_* flags (ro applies to all of it). */
int oci_rootfs_mount_cgroup_v1(int destfd, unsigned long flags, bool cgroupns, oci_err_t *err);

#endif

/* mounts.h: one mounts[] entry of config.json, mounted under the rootfs. */
#ifndef OCIRUN_ROOTFS_MOUNTS_H
#define OCIRUN_ROOTFS_MOUNTS_H

#include <stddef.h>
#include "ocirun/core/error.h"
#include "rootfs/rootfs.h"

/* Mount O->spec->mounts[I] under ROOTFD; errors are prefixed `mounts[I] "DEST"`. */
int rootfs_mount_entry(const struct oci_rootfs_opts *o, int rootfd, size_t i, oci_err_t *err);

#endif

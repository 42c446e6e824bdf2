/* mounts.h: one mounts[] entry of config.json, mounted under the rootfs. */
#ifndef OCIRUN_ROOTFS_MOUNTS_H
#define OCIRUN_ROOTFS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "ocirun/spec/mount_opts.h"
#include "rootfs/rootfs.h"

/* Mount O->spec->mounts[I] under ROOTFD; errors are prefixed `mounts[I] "DEST"`. */
int rootfs_mount_entry(const struct oci_rootfs_opts *o, int rootfd, size_t i, oci_err_t *err);

/* check: what rootfs_mount_entry would refuse before mounting anything (options, a bind's
 * source missing, no type, idmap without maps), each with its error; BUNDLE as create's. */
int oci_rootfs_check_mounts(const struct oci_spec *spec, const char *bundle, struct oci_report *r);
/* Whether entry M (with its parsed OPTS) asks for a read-only tmpfs or /dev: it is mounted
 * read-write so that devices, modes and the console can be set up, and made read-only with the
 * root switch (runc's order). */
bool rootfs_mount_ro_deferred(const struct oci_mount *m, const struct oci_mount_opts *opts);

#endif

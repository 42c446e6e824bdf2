/* devices.h: /dev in the rootfs: the default devices and linux.devices, its symlinks and ptmx. */
#ifndef OCIRUN_ROOTFS_DEVICES_H
#define OCIRUN_ROOTFS_DEVICES_H

#include <stdbool.h>
#include "ocirun/core/error.h"
#include "ocirun/core/report.h"
#include "rootfs/rootfs.h"

/* Default devices + linux.devices (mknod, or binds from the host in a user namespace), /dev
 * symlinks and, with a devpts at /dev/pts, /dev/ptmx -> pts/ptmx. */
int oci_devices_setup(const struct oci_rootfs_opts *o, int rootfd, bool has_devpts, oci_err_t *err);
/* check: every linux.devices entry converts as oci_devices_setup converts it (numbers in range). */
int oci_devices_check(const struct oci_spec *spec, struct oci_report *r);

#endif

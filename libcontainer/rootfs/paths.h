/* paths.h: linux.readonlyPaths and linux.maskedPaths, applied in the init after the switch of root. */
#ifndef OCIRUN_ROOTFS_PATHS_H
#define OCIRUN_ROOTFS_PATHS_H

#include "ocirun/core/error.h"
#include "ocirun/spec/spec.h"

/* linux.readonlyPaths then linux.maskedPaths; paths missing from the rootfs are skipped. */
int oci_paths_apply(const struct oci_spec *spec, oci_err_t *err);

#endif

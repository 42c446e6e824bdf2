/* restore_root.h: the rootfs made ready for CRIU's restore in criu's private mount namespace. */
#ifndef OCIRUN_CRIU_RESTORE_ROOT_H
#define OCIRUN_CRIU_RESTORE_ROOT_H

#include "ocirun/core/error.h"
#include "criu/describe.h"

/* In criu's own mount namespace (its mounts private), before its exec: the rootfs bound onto
 * itself (CRIU's root must be a mount point) and the mountpoints of mounts[] made as create
 * makes them (not below a tmpfs, whose contents CRIU restores), a bind's nested mountpoints
 * inside its source. Nothing of this reaches the caller's mount namespace. */
int criu_prepare_restore_root(const struct criu_container *c, oci_err_t *err);

#endif

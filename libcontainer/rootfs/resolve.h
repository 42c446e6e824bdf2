/* resolve.h: container paths resolved under the rootfs fd, so that symlinks in the image cannot lead outside it. */
#ifndef OCIRUN_ROOTFS_RESOLVE_H
#define OCIRUN_ROOTFS_RESOLVE_H

#include <stdbool.h>
#include "ocirun/core/error.h"

/* Paths are container paths, resolved under ROOTFD with RESOLVE_IN_ROOT. */

/* openat2 under the root; returns the fd or -errno. */
int oci_root_open(int rootfd, const char *path, int flags);
/* Open PATH (O_PATH), creating missing directories (0755) and, when AS_FILE, the last component
 * as an empty regular file. Returns the fd or a negative error. */
int oci_root_ensure(int rootfd, const char *path, bool as_file, oci_err_t *err);
/* Open (creating) the parent directory of PATH; *NAME gets its last component (malloc'ed).
 * Returns the directory fd (O_PATH, usable as the dirfd of *at calls). */
int oci_root_open_parent(int rootfd, const char *path, char **name, oci_err_t *err);
/* Lexically clean an absolute or relative path ("//dev/./pts/" -> "/dev/pts"). */
char *oci_path_clean(const char *path);

#endif

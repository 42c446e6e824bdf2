/* rootless.h: who runs ocirun: the default state root per user and runc's --rootless choice. */
#ifndef OCIRUN_ROOTLESS_H
#define OCIRUN_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>
#include "ocirun/core/error.h"

#define OCI_DEFAULT_ROOT "/run/ocirun"

/* The default --root: /run/ocirun for root; $XDG_RUNTIME_DIR/ocirun for any other user (and
 * for root inside a user namespace with XDG_RUNTIME_DIR set and USER not root, as runc), else
 * /run/ocirun. Malloc'd. */
char *oci_default_root(void);
/* The same rule for given ids and environment (pure): XDG and USER may be NULL. */
char *oci_default_root_for(uid_t euid, bool in_userns, const char *xdg, const char *user);

/* Inside a user namespace other than the initial one (/proc/self/uid_map is not the identity
 * map of all ids)? */
bool oci_in_user_namespace(void);

/* --rootless VALUE: "true", "false" or "auto" (euid != 0, or in a user namespace), as runc
 * (which also takes "" and AUTO for auto, and Go's 1/t/T/TRUE/True and 0/f/F/FALSE/False). */
int oci_rootless_parse(const char *value, bool *rootless, oci_err_t *err);

#endif

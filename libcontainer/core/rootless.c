/* rootless.c: the default state root of the calling user and the --rootless choice (runc's rules). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/core/rootless.h"
#include "ocirun/core/utils.h"

bool oci_in_user_namespace(void)
{
    cleanup_free char *map = NULL;
    oci_err_t err = NULL;
    unsigned long inside, outside, count;

    if (read_file_at(AT_FDCWD, "/proc/self/uid_map", &map, NULL, &err) < 0) {
        oci_error_free(&err);
        return false;   /* no user namespaces in this kernel */
    }
    if (sscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3)
        return true;    /* an empty map: a new namespace not set up yet */
    return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

/* runc honours XDG_RUNTIME_DIR for a non-root user, and for root in a user namespace unless
 * USER says root (sudo inside a rootless namespace keeps the real root's directory). */
static bool honour_xdg(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *user = getenv("USER");

    if (xdg == NULL || *xdg == '\0')
        return false;
    if (geteuid() != 0)
        return true;
    return oci_in_user_namespace() && (user == NULL || strcmp(user, "root") != 0);
}

char *oci_default_root(void)
{
    if (honour_xdg())
        return xasprintf("%s/ocirun", getenv("XDG_RUNTIME_DIR"));
    return xstrdup(OCI_DEFAULT_ROOT);
}

int oci_rootless_parse(const char *value, bool *rootless, oci_err_t *err)
{
    if (strcmp(value, "true") == 0) {
        *rootless = true;
    } else if (strcmp(value, "false") == 0) {
        *rootless = false;
    } else if (strcmp(value, "auto") == 0) {
        *rootless = geteuid() != 0 || oci_in_user_namespace();
    } else {
        return oci_error_set(err, 0, "--rootless: \"%s\" is not true, false or auto", value);
    }
    return 0;
}

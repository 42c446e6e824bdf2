/* rootless.c: the default state root of the calling user and the --rootless choice (runc's rules). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
char *oci_default_root_for(uid_t euid, bool in_userns, const char *xdg, const char *user)
{
    bool honour = xdg && *xdg && (euid != 0 || (in_userns && (user == NULL || strcmp(user, "root") != 0)));

    return honour ? xasprintf("%s/ocirun", xdg) : xstrdup(OCI_DEFAULT_ROOT);
}

char *oci_default_root(void)
{
    uid_t euid = geteuid();

    /* no /proc read for a plain root's commands (the usual case of engines) */
    return oci_default_root_for(euid, euid == 0 && getenv("XDG_RUNTIME_DIR") && oci_in_user_namespace(),
                                getenv("XDG_RUNTIME_DIR"), getenv("USER"));
}

static bool one_of(const char *value, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(value, *words) == 0)
            return true;
    return false;
}

/* runc's words: "" or auto in any case, and Go's strconv.ParseBool forms. */
int oci_rootless_parse(const char *value, bool *rootless, oci_err_t *err)
{
    static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
    static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };

    if (one_of(value, yes)) {
        *rootless = true;
    } else if (one_of(value, no)) {
        *rootless = false;
    } else if (*value == '\0' || strcasecmp(value, "auto") == 0) {
        *rootless = geteuid() != 0 || oci_in_user_namespace();
    } else {
        return oci_error_set(err, 0, "--rootless: \"%s\" is not true, false or auto", value);
    }
    return 0;
}

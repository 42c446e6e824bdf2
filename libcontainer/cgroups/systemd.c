/* systemd.c: the systemd form of linux.cgroupsPath ("slice:prefix:name") and where it leads. */
#include <stdlib.h>
#include <string.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/utils.h"

/* "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice (systemd's slice nesting). */
static char *slice_path(const char *slice)
{
    size_t len = strlen(slice) - strlen(".slice");
    char *out = xstrdup("");

    if (strcmp(slice, "-.slice") == 0)
        return out;
    for (size_t i = 0; i <= len; i++) {
        char *next;
        if (i != len && slice[i] != '-')
            continue;
        next = xasprintf("%s/%.*s.slice", out, (int) i, slice);
        free(out);
        out = next;
    }
    return out;
}

int oci_cgroup_parse_systemd_path(const char *path, const char *id, struct oci_systemd_path *out, oci_err_t *err)
{
    cleanup_free char *copy = xstrdup(path && *path ? path : "");
    char *prefix, *name;
    const char *slice;

    memset(out, 0, sizeof(*out));
    if (*copy == '\0') {
        /* runc's default: system.slice, unit "runc-ID.scope"; ours says ocirun */
        free(copy);
        copy = xasprintf("system.slice:ocirun:%s", id);
    }
    prefix = strchr(copy, ':');
    name = prefix ? strchr(prefix + 1, ':') : NULL;
    if (name == NULL || strchr(name + 1, ':'))
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": the systemd driver wants slice:prefix:name", path);
    *prefix++ = '\0';
    *name++ = '\0';
    slice = *copy ? copy : "system.slice";
    if (strchr(slice, '/') || strlen(slice) <= strlen(".slice") ||
        strcmp(slice + strlen(slice) - strlen(".slice"), ".slice") != 0)
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": \"%s\" is not a slice name (x.slice)", path, slice);
    if (*name == '\0' || strchr(name, '/') || strchr(prefix, '/'))
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": the unit name must not be empty or contain '/'", path);
    out->slice = xstrdup(slice);
    /* a name that is a slice itself is used as is (runc) */
    if (strlen(name) > strlen(".slice") && strcmp(name + strlen(name) - strlen(".slice"), ".slice") == 0)
        out->unit = xstrdup(name);
    else
        out->unit = *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
    {
        cleanup_free char *sp = slice_path(slice);
        out->path = xasprintf("%s/%s", sp, out->unit);
    }
    return 0;
}

void oci_systemd_path_free(struct oci_systemd_path *p)
{
    free(p->slice);
    free(p->unit);
    free(p->path);
    memset(p, 0, sizeof(*p));
}

/* v1.c: cgroup v1 hierarchies: finding their mounts, and the cpuset quirk of new groups. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocirun/core/utils.h"
#include "cgroups/v1.h"

/* Super options that are not controllers. */
static bool is_controller_option(const char *opt)
{
    static const char *const not_controllers[] = { "rw", "ro", "xattr", "noprefix", "clone_children",
                                                   "cpuset_v2_mode", "favordynmods" };

    for (size_t i = 0; i < ARRAY_SIZE(not_controllers); i++)
        if (strcmp(opt, not_controllers[i]) == 0)
            return false;
    return strncmp(opt, "release_agent=", 14) != 0;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct" (the order /proc/self/cgroup uses). */
static char *controllers_of(const char *super_opts)
{
    cleanup_free char *copy = xstrdup(super_opts);
    char *save = NULL, *key = xstrdup("");

    for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
        char *next;
        if (!is_controller_option(opt))
            continue;
        next = *key ? xasprintf("%s,%s", key, opt) : xstrdup(opt);
        free(key);
        key = next;
    }
    return key;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS". Only
 * hierarchies mounted at their root: a sub-tree mount would shift every path. */
static bool parse_v1_line(char *line, struct cgroup_v1_mount *m)
{
    char *fields[6], *save = NULL, *dash, *fstype, *src, *super;
    int i = 0;

    dash = strstr(line, " - ");
    if (dash == NULL)
        return false;
    *dash = '\0';
    for (char *t = strtok_r(line, " ", &save); t && i < 6; t = strtok_r(NULL, " ", &save))
        fields[i++] = t;
    save = NULL;
    fstype = strtok_r(dash + 3, " ", &save);
    src = strtok_r(NULL, " ", &save);
    super = strtok_r(NULL, " ", &save);
    if (i < 5 || fstype == NULL || src == NULL || super == NULL || strcmp(fstype, "cgroup") != 0 ||
        strcmp(fields[3], "/") != 0)
        return false;
    m->mount = xstrdup(fields[4]);
    m->key = controllers_of(super);
    return true;
}

static bool have_key(const struct cgroup_v1_mount *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].key, key) == 0)
            return true;
    return false;
}

int cgroup_v1_mounts(const struct cgroup_v1_mount **out, size_t *n, oci_err_t *err)
{
    static struct cgroup_v1_mount *cached;
    static size_t n_cached;
    static bool done;
    cleanup_free char *text = NULL;
    char *save = NULL;

    if (!done) {
        if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL, err) < 0)
            return -1;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            struct cgroup_v1_mount m;
            if (!parse_v1_line(line, &m))
                continue;
            if (*m.key == '\0' || have_key(cached, n_cached, m.key)) {
                free(m.mount);
                free(m.key);
                continue;
            }
            cached = xrealloc(cached, (n_cached + 1) * sizeof(*cached));
            cached[n_cached++] = m;
        }
        done = true;
    }
    *out = cached;
    *n = n_cached;
    return 0;
}

static int copy_from_parent(const char *dir, const char *file, oci_err_t *err)
{
    cleanup_free char *mine = xasprintf("%s/%s", dir, file);
    cleanup_free char *parent_dir = xstrdup(dir);
    cleanup_free char *theirs = NULL;
    cleanup_free char *value = NULL;
    cleanup_free char *current = NULL;
    size_t len;

    *strrchr(parent_dir, '/') = '\0';
    theirs = xasprintf("%s/%s", parent_dir, file);
    if (read_file_at(AT_FDCWD, mine, &current, NULL, err) < 0)
        return -1;
    if (current[0] != '\0' && current[0] != '\n')
        return 0;
    if (read_file_at(AT_FDCWD, theirs, &value, &len, err) < 0)
        return -1;
    return write_file_at(AT_FDCWD, mine, value, len, 0, err);
}

int cgroup_cpuset_inherit(const char *dir, oci_err_t *err)
{
    if (copy_from_parent(dir, "cpuset.cpus", err) < 0 || copy_from_parent(dir, "cpuset.mems", err) < 0)
        return oci_error_wrap(err, "cpuset cgroup %s", dir);
    return 0;
}

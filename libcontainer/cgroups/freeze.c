/* freeze.c: pause and resume: the v1 freezer or cgroup.freeze on v2, with bounded waits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/utils.h"

#define FREEZE_WAIT_MS 5000

/* The v1 freezer hierarchy when mounted (runc's choice on hybrid hosts), else the unified one. */
static const struct oci_cgroup_dir *freezer_dir(const struct oci_cgroup *cg, bool *v1)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (strcmp(cg->dirs[i].key, "freezer") == 0) {
            *v1 = true;
            return &cg->dirs[i];
        }
    *v1 = false;
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (strcmp(cg->dirs[i].key, OCI_CGROUP_UNIFIED) == 0)
            return &cg->dirs[i];
    return NULL;
}

static bool read_is(const char *dir, const char *file, const char *want)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    cleanup_free char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    return strstr(text, want) != NULL;
}

static bool frozen_now(const char *dir, bool v1, bool freeze)
{
    if (v1)
        return read_is(dir, "freezer.state", freeze ? "FROZEN" : "THAWED");
    return read_is(dir, "cgroup.events", freeze ? "frozen 1" : "frozen 0");
}

static int write_freeze(const char *dir, bool v1, bool freeze, oci_err_t *err)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, v1 ? "freezer.state" : "cgroup.freeze");
    const char *value = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");

    return write_file_at(AT_FDCWD, path, value, strlen(value), 0, err);
}

int oci_cgroup_freeze(const struct oci_cgroup *cg, bool freeze, oci_err_t *err)
{
    struct timespec pause = { 0, 1000000 };
    const struct oci_cgroup_dir *d;
    uint64_t deadline = now_ns() + (uint64_t) FREEZE_WAIT_MS * 1000000;
    bool v1;

    d = freezer_dir(cg, &v1);
    if (d == NULL)
        return oci_error_set(err, 0, "no cgroup to %s (no freezer on this host)", freeze ? "freeze" : "thaw");
    if (write_freeze(d->path, v1, freeze, err) < 0)
        return -1;
    /* v1 may stay FREEZING while a task is in an uninterruptible sleep: ask again, bounded. */
    while (!frozen_now(d->path, v1, freeze)) {
        if (now_ns() > deadline) {
            if (freeze)
                write_freeze(d->path, v1, false, NULL);
            return oci_error_set(err, ETIMEDOUT, "%s %s: not done after %d ms", freeze ? "freeze" : "thaw",
                                 d->path, FREEZE_WAIT_MS);
        }
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 50000000)
            pause.tv_nsec *= 2;
        if (v1 && write_freeze(d->path, v1, freeze, err) < 0)
            return -1;
    }
    return 0;
}

bool oci_cgroup_frozen(const struct oci_cgroup *cg)
{
    bool v1;
    const struct oci_cgroup_dir *d = freezer_dir(cg, &v1);

    if (d == NULL)
        return false;
    /* A frozen ancestor freezes us too: cgroup.events says so, cgroup.freeze does not. */
    return v1 ? read_is(d->path, "freezer.state", "FROZEN") || read_is(d->path, "freezer.state", "FREEZING")
              : read_is(d->path, "cgroup.freeze", "1") || read_is(d->path, "cgroup.events", "frozen 1");
}

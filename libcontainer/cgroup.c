/* cgroup.c: cgroup2 placement of the container: detect the host layout, create, kill, remove. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "ocirun/cgroup.h"
#include "ocirun/utils.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool is_cgroup2(const char *path)
{
    struct statfs sfs;

    return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

enum oci_cgroup_layout oci_cgroup_detect(const char **v2_mount)
{
    static enum oci_cgroup_layout cached = -1;
    static const char *cached_mount;
    struct statfs sfs;

    if ((int) cached != -1)
        goto out;
    cached_mount = NULL;
    if (statfs("/sys/fs/cgroup", &sfs) < 0) {
        cached = OCI_CGROUP_NONE;
    } else if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
        cached = OCI_CGROUP_V2;
        cached_mount = "/sys/fs/cgroup";
    } else if (is_cgroup2("/sys/fs/cgroup/unified")) {
        cached = OCI_CGROUP_HYBRID;
        cached_mount = "/sys/fs/cgroup/unified";
    } else {
        cached = OCI_CGROUP_V1;
    }
out:
    if (v2_mount)
        *v2_mount = cached_mount;
    return cached;
}

/* The caller's own cgroup2 path ("0::/x/y" in /proc/self/cgroup). */
static int own_cgroup2_path(char **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    char *line;

    if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, err) < 0)
        return -1;
    for (line = text; line && *line; ) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "0::", 3) == 0) {
            *out = xstrdup(line + 3);
            return 0;
        }
        line = next;
    }
    return oci_error_set(err, 0, "no cgroup2 entry in /proc/self/cgroup");
}

static int resolve_path(const char *cgroups_path, const char *id, char **out, oci_err_t *err)
{
    cleanup_free char *own = NULL;

    if (cgroups_path == NULL || *cgroups_path == '\0') {
        *out = xasprintf("/%s", id);
        return 0;
    }
    if (strstr(cgroups_path, "..") != NULL)
        return oci_error_set(err, 0, "linux.cgroupsPath \"%s\": must not contain \"..\"", cgroups_path);
    if (cgroups_path[0] == '/') {
        *out = xstrdup(cgroups_path);
        return 0;
    }
    if (own_cgroup2_path(&own, err) < 0)
        return oci_error_wrap(err, "linux.cgroupsPath \"%s\"", cgroups_path);
    *out = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, cgroups_path);
    return 0;
}

/* mkdir -p of the parents, remembering the highest one made so a failed create can undo it. */
static int make_parents(struct oci_cgroup *cg, const char *parent, const char *mnt, oci_err_t *err)
{
    cleanup_free char *buf = xstrdup(parent);
    size_t skip = strlen(mnt);

    for (char *p = buf + skip + 1; p <= buf + strlen(parent); p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0755) == 0) {
            if (cg->created_top == NULL)
                cg->created_top = xstrdup(buf);
        } else if (errno != EEXIST) {
            return oci_error_sys(err, "mkdir %s", buf);
        }
        *p = saved;
    }
    return 0;
}

int oci_cgroup_create(const char *cgroups_path, const char *id, bool systemd, struct oci_cgroup *cg, oci_err_t *err)
{
    cleanup_free char *rel = NULL;
    cleanup_free char *parent = NULL;
    const char *mnt;
    char *slash;

    cg->path = NULL;
    cg->created_top = NULL;
    cg->fd = -1;
    cg->created = false;
    if (systemd)
        return oci_error_set(err, 0, "--systemd-cgroup: the systemd cgroup driver is not available in this build; use cgroupfs paths");
    if (oci_cgroup_detect(&mnt) == OCI_CGROUP_NONE || mnt == NULL)
        return 0;
    if (resolve_path(cgroups_path, id, &rel, err) < 0)
        return -1;

    cg->path = xasprintf("%s%s", mnt, rel);
    parent = xstrdup(cg->path);
    slash = strrchr(parent, '/');
    *slash = '\0';
    if (make_parents(cg, parent, mnt, err) < 0)
        goto fail;
    if (mkdir(cg->path, 0755) == 0)
        cg->created = true;
    else if (errno != EEXIST) {
        oci_error_sys(err, "mkdir %s", cg->path);
        goto fail;
    }
    cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->fd < 0) {
        oci_error_sys(err, "open %s", cg->path);
        goto fail;
    }
    return 0;
fail:
    oci_error_wrap(err, "linux.cgroupsPath \"%s\"", cgroups_path ? cgroups_path : rel);
    oci_cgroup_destroy_created(cg);
    oci_cgroup_release(cg);
    return -1;
}

void oci_cgroup_destroy_created(struct oci_cgroup *cg)
{
    cleanup_free char *dir = NULL;
    char *slash;

    if (cg->path == NULL || !cg->created)
        return;
    oci_cgroup_signal_all(cg->path, SIGKILL, NULL);
    if (oci_cgroup_remove(cg->path, NULL) < 0 || cg->created_top == NULL)
        return;
    dir = xstrdup(cg->path);
    while ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        if (strlen(dir) < strlen(cg->created_top) || rmdir(dir) < 0)
            break;
    }
}

void oci_cgroup_release(struct oci_cgroup *cg)
{
    free(cg->created_top);
    cg->created_top = NULL;
    if (cg->fd >= 0)
        close(cg->fd);
    cg->fd = -1;
    free(cg->path);
    cg->path = NULL;
}

bool oci_cgroup_populated(const char *path)
{
    cleanup_free char *file = xasprintf("%s/cgroup.procs", path);
    cleanup_free char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, file, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    return text[0] != '\0';
}

static int signal_listed_pids(const char *path, int sig, oci_err_t *err)
{
    cleanup_free char *file = xasprintf("%s/cgroup.procs", path);
    cleanup_free char *text = NULL;
    char *save = NULL;

    if (read_file_at(AT_FDCWD, file, &text, NULL, err) < 0)
        return -1;
    for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
        int64_t pid;
        if (parse_int64(tok, &pid) == 0 && pid > 0 && kill((pid_t) pid, sig) < 0 && errno != ESRCH)
            return oci_error_sys(err, "kill %lld", (long long) pid);
    }
    return 0;
}

int oci_cgroup_signal_all(const char *path, int sig, oci_err_t *err)
{
    if (sig == SIGKILL) {
        cleanup_free char *file = xasprintf("%s/cgroup.kill", path);
        cleanup_close int fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, "1", 1) == 1)
            return 0;
    }
    return signal_listed_pids(path, sig, err);
}

int oci_cgroup_remove(const char *path, oci_err_t *err)
{
    struct timespec pause = { 0, 1000000 };

    /* The kernel frees a cgroup a moment after its last process is reaped. */
    for (int i = 0; i < 1000; i++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY)
            break;
        if (i % 100 == 99)
            oci_cgroup_signal_all(path, SIGKILL, NULL);
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 10000000)
            pause.tv_nsec *= 2;
    }
    return oci_error_sys(err, "remove cgroup %s", path);
}

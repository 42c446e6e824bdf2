/* manage.c: the container's cgroup directories in every hierarchy: paths, create, enter, signal, remove. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/cgroups/resources.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "cgroups/apply.h"
#include "cgroups/driver.h"
#include "cgroups/layout.h"
#include "cgroups/v1.h"

/* ---- paths ------------------------------------------------------------------------------- */

static int check_cgroups_path(const char *cgroups_path, struct oci_report *r)
{
    if (strstr(cgroups_path, "..") != NULL)
        return oci_report_add(r, 0, "linux.cgroupsPath \"%s\": must not contain \"..\"", cgroups_path);
    return 0;
}

/* The container's path inside one hierarchy, as /proc/PID/cgroup will show it. */
static int resolve_path(const char *cgroups_path, const char *id, const char *key, char **out, oci_err_t *err)
{
    cleanup_free char *own = NULL;

    if (cgroups_path == NULL || *cgroups_path == '\0') {
        *out = xasprintf("/%s", id);
        return 0;
    }
    if (cgroups_path[0] == '/') {
        *out = xstrdup(cgroups_path);
        return 0;
    }
    if (oci_cgroup_own_path(key, &own, err) < 0)
        return oci_error_wrap(err, "linux.cgroupsPath \"%s\"", cgroups_path);
    *out = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, cgroups_path);
    return 0;
}

/* ---- create ------------------------------------------------------------------------------ */

/* mkdir -p of DIR below MNT, remembering the highest directory made so a failed create can
 * undo it. A v1 cpuset cgroup cannot take a process while its cpus or mems are empty (ENOSPC),
 * and a new one starts empty: every level, new or not (another create may have made it a
 * moment ago), gets its parent's when empty, from the top down, as runc does. */
static int make_dirs(struct oci_cgroup_dir *d, size_t mnt_len, bool cpuset, oci_err_t *err)
{
    cleanup_free char *buf = xstrdup(d->path);
    size_t len = strlen(buf);

    for (char *p = buf + mnt_len + 1; p <= buf + len; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        bool leaf = *p == '\0';
        *p = '\0';
        if (mkdir(buf, 0755) == 0) {
            if (leaf)
                d->created = true;
            else if (d->created_top == NULL)
                d->created_top = xstrdup(buf);
        } else if (errno != EEXIST) {
            return oci_error_sys(err, "mkdir %s", buf);
        }
        if (cpuset && cgroup_cpuset_inherit(buf, err) < 0)
            return -1;
        *p = saved;
    }
    return 0;
}

/* The directory of hierarchy KEY (mounted at MNT) joins CG, planned only: `created` says
 * whether the leaf does not exist yet, i.e. whether making it will be ours. */
static int plan_dir(struct oci_cgroup *cg, const char *cgroups_path, const char *id, const char *key,
                    const char *mnt, oci_err_t *err)
{
    char *rel = NULL;
    struct oci_cgroup_dir *d;

    if (resolve_path(cgroups_path, id, key, &rel, err) < 0)
        return -1;
    cgroup_add_dir(cg, key, xasprintf("%s%s", mnt, rel));
    free(rel);
    d = &cg->dirs[cg->n_dirs - 1];
    d->mount_len = strlen(mnt);
    d->created = access(d->path, F_OK) < 0 && errno == ENOENT;
    if (d->created)
        cg->created = true;
    return 0;
}

/* CGROUPS_PATH: linux.cgroupsPath, or the systemd driver's expanded path. */
static int plan_all_dirs(const char *cgroups_path, const char *id, struct oci_cgroup *cg, oci_err_t *err)
{
    const char *v2_mount;
    enum oci_cgroup_layout layout = oci_cgroup_detect(&v2_mount);
    const struct cgroup_v1_mount *v1 = NULL;
    size_t n_v1 = 0;

    if (v2_mount && plan_dir(cg, cgroups_path, id, OCI_CGROUP_UNIFIED, v2_mount, err) < 0)
        return -1;
    if (layout == OCI_CGROUP_V1 || layout == OCI_CGROUP_HYBRID) {
        if (cgroup_v1_mounts(&v1, &n_v1, err) < 0)
            return -1;
        for (size_t i = 0; i < n_v1; i++)
            if (plan_dir(cg, cgroups_path, id, v1[i].key, v1[i].mount, err) < 0)
                return -1;
    }
    return 0;
}

/* mkdir -p every planned directory; `created` becomes what really happened. */
static int make_all_dirs(struct oci_cgroup *cg, oci_err_t *err)
{
    cg->created = false;
    for (size_t i = 0; i < cg->n_dirs; i++) {
        struct oci_cgroup_dir *d = &cg->dirs[i];
        bool cpuset = strstr(d->key, "cpuset") != NULL && strcmp(d->key, OCI_CGROUP_UNIFIED) != 0;

        d->created = false;
        if (make_dirs(d, d->mount_len, cpuset, err) < 0)
            return -1;
        if (d->created)
            cg->created = true;
    }
    return 0;
}

/* The systemd driver's unit, slice and expanded path (PATH, the caller's). */
static int systemd_plan(const char *cgroups_path, const char *id, struct oci_cgroup *cg, char **path,
                        oci_err_t *err);

/* What oci_cgroup_create would refuse, found with the same code but nothing made: the
 * directories are only planned, the writes routed and tested but not done. */
static int check_plan(const struct oci_spec *spec, const char *id, bool systemd, struct oci_cgroup *cg,
                      struct oci_report *r)
{
    const char *cgroups_path = spec->linux_ ? spec->linux_->cgroups_path : NULL;
    cleanup_free char *sd_path = NULL;
    oci_err_t e = NULL;

    if (systemd && systemd_plan(cgroups_path, id, cg, &sd_path, &e) < 0)
        return oci_report_err(r, &e);
    if (plan_all_dirs(sd_path ? sd_path : cgroups_path, id, cg, &e) < 0) {
        if (cgroups_path)
            oci_error_wrap(&e, "linux.cgroupsPath \"%s\"", cgroups_path);
        return oci_report_err(r, &e);
    }
    /* An existing cgroup (the path is the caller's choice) that is frozen. */
    if (oci_cgroup_frozen(cg) && oci_report_add(r, 0, "the cgroup is frozen (paused); thaw it first") < 0)
        return -1;
    if (spec->linux_ && spec->linux_->resources && spec->linux_->resources->partial)
        return 0;   /* (refused in part by a collecting parse) */
    return cgroup_check_spec(cg, spec, r);
}

int oci_cgroup_check(const struct oci_spec *spec, const char *id, bool systemd, struct oci_report *r)
{
    const char *cgroups_path = spec->linux_ ? spec->linux_->cgroups_path : NULL;
    struct oci_cgroup cg = { .fd = -1 };
    int ret;

    if (oci_cgroup_detect(NULL) == OCI_CGROUP_NONE)
        return 0;
    if (cgroups_path && check_cgroups_path(cgroups_path, r) < 0)
        return -1;
    if (cgroups_path && strstr(cgroups_path, ".."))
        return 0;   /* (collecting) nothing to plan */
    ret = check_plan(spec, id, systemd, &cg, r);
    oci_cgroup_release(&cg);
    return ret;
}

static int systemd_plan(const char *cgroups_path, const char *id, struct oci_cgroup *cg, char **path,
                        oci_err_t *err)
{
    struct oci_systemd_path sp;

    if (oci_cgroup_parse_systemd_path(cgroups_path, id, &sp, err) < 0)
        return oci_error_wrap(err, "--systemd-cgroup");
    if (!oci_cgroup_systemd_available()) {
        int ret = oci_error_set(err, 0, "--systemd-cgroup: this ocirun was built without sd-bus (libsystemd-dev): "
                                "unit %s in %s cannot be started; use the cgroupfs driver with "
                                "linux.cgroupsPath \"%s\"", sp.unit, sp.slice, sp.path);
        oci_systemd_path_free(&sp);
        return ret;
    }
    if (strlen(sp.unit) > strlen(".slice") && strcmp(sp.unit + strlen(sp.unit) - strlen(".slice"), ".slice") == 0) {
        int ret = oci_error_set(err, 0, "--systemd-cgroup: linux.cgroupsPath \"%s\": the container's unit %s is a "
                                "slice; only a scope (slice:prefix:name) can hold its processes",
                                cgroups_path, sp.unit);
        oci_systemd_path_free(&sp);
        return ret;
    }
    cg->unit = steal_pointer(&sp.unit);
    cg->slice = steal_pointer(&sp.slice);
    *path = steal_pointer(&sp.path);
    oci_systemd_path_free(&sp);
    return 0;
}

static int collect_pids(const char *dir, int depth, pid_t **pids, size_t *n, oci_err_t *err);

/* As runc 1.1: a cgroup that already holds processes is used, with a warning. */
static void warn_if_populated(const struct oci_cgroup *cg)
{
    size_t most = 0;

    for (size_t i = 0; i < cg->n_dirs; i++) {
        cleanup_free pid_t *pids = NULL;
        size_t n = 0;
        oci_err_t err = NULL;

        if (cg->dirs[i].created)
            continue;
        if (collect_pids(cg->dirs[i].path, 0, &pids, &n, &err) < 0)
            oci_error_free(&err);
        if (n > most)
            most = n;
    }
    if (most)
        oci_warn("container's cgroup is not empty: %zu process(es) found", most);
}

/* DIR/FILE's text ("" when unreadable). */
static char *read_text(const char *dir, const char *file)
{
    cleanup_free char *path = xasprintf("%s/%s", dir, file);
    char *text = NULL;
    oci_err_t err = NULL;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return xstrdup("");
    }
    return text;
}

/* A process cloned into a frozen cgroup would stop before it could report anything. On a hybrid
 * host pause uses the v1 freezer, but the unified hierarchy freezes too: both are looked at.
 * (freezer.state and cgroup.events say so for a frozen ancestor too; cgroup.freeze, set on the
 * cgroup itself, only matters for one that existed before.) */
static int refuse_frozen(const struct oci_cgroup *cg, oci_err_t *err)
{
    const struct oci_cgroup_dir *u = cgroup_unified_dir(cg);
    const struct oci_cgroup_dir *f = cgroup_v1_dir(cg, "freezer");
    const char *what = NULL;

    if (f) {
        cleanup_free char *state = read_text(f->path, "freezer.state");
        if (strstr(state, "FROZEN") || strstr(state, "FREEZING"))
            what = "freezer.state";
    }
    if (what == NULL && u) {
        cleanup_free char *events = read_text(u->path, "cgroup.events");
        cleanup_free char *freeze = u->created ? NULL : read_text(u->path, "cgroup.freeze");
        if (strstr(events, "frozen 1"))
            what = "cgroup.events";
        else if (freeze && freeze[0] == '1')
            what = "cgroup.freeze";
    }
    if (what)
        return oci_error_set(err, 0, "container's cgroup unexpectedly frozen (%s/%s): thaw it first",
                             what[0] == 'f' ? f->path : u->path, what);
    return 0;
}

/* Once a cgroup was killed (cgroup.kill), this kernel kills at birth every process cloned into
 * it (CLONE_INTO_CGROUP) from a cgroup that was not: it compares the two cgroups' kill counts.
 * The init would die before it could say anything. One throwaway child tells (a fork, paid
 * only for a cgroup that existed before). */
static bool kills_clones(int cgroup_fd)
{
    struct clone_args args = {
        .flags = CLONE_INTO_CGROUP,
        .exit_signal = SIGCHLD,
        .cgroup = (uint64_t) cgroup_fd,
    };
    pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
    int status;

    if (pid < 0)
        return false;   /* cannot tell (pids.max...): the real clone will say */
    if (pid == 0)
        _exit(0);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* What a cgroup may already hold or be; the leaf existed before this create (it did not make
 * it) in the rarer case. */
static int check_usable(const struct oci_cgroup *cg, oci_err_t *err)
{
    const struct oci_cgroup_dir *u = cgroup_unified_dir(cg);
    bool any = false;

    for (size_t i = 0; i < cg->n_dirs; i++)
        any |= !cg->dirs[i].created;
    if (any)
        warn_if_populated(cg);
    if (refuse_frozen(cg, err) < 0)
        return -1;
    if (any && u && !u->created && cg->fd >= 0 && kills_clones(cg->fd))
        return oci_error_set(err, 0, "cgroup %s was killed before (cgroup.kill) and the kernel kills every "
                             "process started into it: remove it (rmdir) or use another linux.cgroupsPath", u->path);
    return 0;
}

int oci_cgroup_plan(const struct oci_spec *spec, const char *id, bool systemd, struct oci_cgroup *cg, oci_err_t *err)
{
    const char *cgroups_path = spec->linux_ ? spec->linux_->cgroups_path : NULL;
    cleanup_free char *sd_path = NULL;

    memset(cg, 0, sizeof(*cg));
    cg->fd = -1;
    if (oci_cgroup_detect(NULL) == OCI_CGROUP_NONE) {
        if (systemd)
            return oci_error_set(err, 0, "--systemd-cgroup: this host has no cgroup filesystem");
        return 0;
    }
    if (cgroups_path) {
        struct oci_report r = OCI_REPORT_FIRST(err);
        if (check_cgroups_path(cgroups_path, &r) < 0)
            return -1;
    }
    if (systemd && systemd_plan(cgroups_path, id, cg, &sd_path, err) < 0)
        return -1;
    if (plan_all_dirs(sd_path ? sd_path : cgroups_path, id, cg, err) < 0) {
        oci_cgroup_release(cg);
        return -1;
    }
    return 0;
}

int oci_cgroup_make(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err)
{
    const char *cgroups_path = spec->linux_ ? spec->linux_->cgroups_path : NULL;

    if (cg->n_dirs == 0)
        return 0;
    if (cg->unit) {
        /* systemd makes what it manages; the leaves that were missing at plan are ours */
        cleanup_free bool *planned = xmalloc(cg->n_dirs * sizeof(*planned));
        for (size_t i = 0; i < cg->n_dirs; i++)
            planned[i] = cg->dirs[i].created;
        if (cgroup_driver_of(cg)->start(cg, spec, err) < 0) {
            /* nothing of the unit is left; nothing else was made */
            oci_cgroup_release(cg);
            return -1;
        }
        if (make_all_dirs(cg, err) < 0)
            goto fail;
        for (size_t i = 0; i < cg->n_dirs; i++) {
            cg->dirs[i].created |= planned[i];
            cg->created |= cg->dirs[i].created;
        }
    } else if (make_all_dirs(cg, err) < 0) {
        goto fail;
    }
    if (strcmp(cg->dirs[0].key, OCI_CGROUP_UNIFIED) == 0) {
        cg->fd = open(cg->dirs[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->fd < 0) {
            oci_error_sys(err, "open %s", cg->dirs[0].path);
            goto fail;
        }
    }
    /* (a scope is new: StartTransientUnit refuses a unit that exists) */
    if (cg->unit == NULL && check_usable(cg, err) < 0)
        goto fail;
    return 0;
fail:
    if (cgroups_path)
        oci_error_wrap(err, "linux.cgroupsPath \"%s\"", cgroups_path);
    oci_cgroup_destroy_created(cg);
    oci_cgroup_release(cg);
    return -1;
}

int oci_cgroup_apply(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err)
{
    const char *cgroups_path = spec->linux_ ? spec->linux_->cgroups_path : NULL;

    if (cg->n_dirs == 0 || cgroup_apply_spec(cg, spec, err) == 0)
        return 0;
    if (cg->unit)
        return oci_error_wrap(err, "systemd unit %s", cg->unit);
    if (cgroups_path)
        oci_error_wrap(err, "linux.cgroupsPath \"%s\"", cgroups_path);
    return -1;
}

/* May this user make D's leaf (write to its nearest existing parent) or enter it (write its
 * cgroup.procs)? Judged with the effective ids, as the mkdir and the write will be. */
static bool rootless_writable(const struct oci_cgroup_dir *d)
{
    cleanup_free char *p = xstrdup(d->path);
    cleanup_free char *procs = xasprintf("%s/cgroup.procs", d->path);
    char *slash;

    if (access(d->path, F_OK) == 0)
        return faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
    while ((slash = strrchr(p, '/')) != NULL && slash > p + d->mount_len) {
        *slash = '\0';
        if (access(p, F_OK) == 0)
            return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
    }
    return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
}

/* Does linux.resources ask for a limit (device rules aside: without a cgroup the user has no
 * device it could not open anyway, as with runc's rootless)? */
static bool wants_limits(const struct oci_spec *spec)
{
    const struct oci_resources *r = spec->linux_ ? spec->linux_->resources : NULL;
    struct oci_cg_writes w = { 0 };
    oci_err_t e = NULL;
    bool any;

    if (r == NULL)
        return false;
    if (oci_cg_translate_v2(r, &w, &e) < 0) {
        oci_error_free(&e);
        return true;
    }
    any = w.len > 0;
    oci_cg_writes_free(&w);
    return any;
}

int oci_cgroup_rootless_filter(const struct oci_spec *spec, struct oci_cgroup *cg, oci_err_t *err)
{
    cleanup_free char *skipped = NULL;
    bool limits = wants_limits(spec);
    size_t kept = 0;

    for (size_t i = 0; i < cg->n_dirs; i++) {
        struct oci_cgroup_dir *d = &cg->dirs[i];

        if (rootless_writable(d)) {
            cg->dirs[kept++] = *d;
            continue;
        }
        if (limits) {
            oci_error_set(err, 0, "rootless: linux.resources sets limits, but uid %u may not create "
                          "cgroup %s (no delegation of the %s hierarchy): remove the limits or delegate "
                          "a cgroup to this user", (unsigned) geteuid(), d->path, d->key);
            for (size_t j = i; j < cg->n_dirs; j++)
                cg->dirs[kept++] = cg->dirs[j];
            cg->n_dirs = kept;
            return -1;
        }
        if (oci_log_debug_enabled()) {
            char *more = xasprintf("%s%s%s", skipped ? skipped : "", skipped ? ", " : "", d->path);
            free(skipped);
            skipped = more;
        }
        free(d->key);
        free(d->path);
        free(d->created_top);
    }
    cg->n_dirs = kept;
    cg->created = false;
    for (size_t i = 0; i < cg->n_dirs; i++)
        cg->created |= cg->dirs[i].created;
    if (skipped)
        oci_debug("rootless: uid %u may not write these cgroups, skipped: %s", (unsigned) geteuid(), skipped);
    return 0;
}

int oci_cgroup_create(const struct oci_spec *spec, const char *id, bool systemd, struct oci_cgroup *cg, oci_err_t *err)
{
    if (oci_cgroup_plan(spec, id, systemd, cg, err) < 0 || oci_cgroup_make(spec, cg, err) < 0)
        return -1;
    if (oci_cgroup_apply(spec, cg, err) < 0) {
        oci_cgroup_destroy_created(cg);
        oci_cgroup_release(cg);
        return -1;
    }
    return 0;
}

void oci_cgroup_placed(struct oci_cgroup *cg)
{
    cgroup_driver_of(cg)->placed(cg);
}

int oci_cgroup_enter_v1(const struct oci_cgroup *cg, pid_t pid, oci_err_t *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", pid);

    for (size_t i = 0; i < cg->n_dirs; i++) {
        cleanup_free char *procs = NULL;

        if (strcmp(cg->dirs[i].key, OCI_CGROUP_UNIFIED) == 0)
            continue;
        procs = xasprintf("%s/cgroup.procs", cg->dirs[i].path);
        if (write_file_at(AT_FDCWD, procs, buf, (size_t) n, 0, err) < 0)
            return oci_error_wrap(err, "enter cgroup %s", cg->dirs[i].key);
    }
    return 0;
}

/* ---- teardown ---------------------------------------------------------------------------- */

static bool dir_populated(const char *path)
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

bool oci_cgroup_populated(const struct oci_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (dir_populated(cg->dirs[i].path))
            return true;
    return false;
}

/* cgroup.procs of DIR and of every cgroup below it. */
static int collect_pids(const char *dir, int depth, pid_t **pids, size_t *n, oci_err_t *err)
{
    cleanup_free char *file = xasprintf("%s/cgroup.procs", dir);
    cleanup_free char *text = NULL;
    cleanup_dir DIR *d = NULL;
    struct dirent *de;
    char *save = NULL;

    if (read_file_at(AT_FDCWD, file, &text, NULL, err) < 0)
        return -1;
    for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
        int64_t pid;
        if (parse_int64(tok, &pid) < 0 || pid <= 0)
            continue;
        *pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
        (*pids)[(*n)++] = (pid_t) pid;
    }
    if (depth >= 16 || (d = opendir(dir)) == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        cleanup_free char *sub = NULL;
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        sub = xasprintf("%s/%s", dir, de->d_name);
        if (collect_pids(sub, depth + 1, pids, n, err) < 0)
            return -1;
    }
    return 0;
}

int oci_cgroup_pids(const struct oci_cgroup *cg, pid_t **pids, size_t *n, oci_err_t *err)
{
    *pids = NULL;
    *n = 0;
    if (cg->n_dirs == 0)
        return 0;
    if (collect_pids(cg->dirs[0].path, 0, pids, n, err) < 0) {
        free(*pids);
        *pids = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

/* Every process of PATH and of the cgroups the container made below it. */
static int signal_listed_pids(const char *path, int sig, oci_err_t *err)
{
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;

    if (collect_pids(path, 0, &pids, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH)
            return oci_error_sys(err, "kill %d", pids[i]);
    return 0;
}

/* The container may have made cgroups of its own below its one (systemd, nested runtimes):
 * they go first, deepest first. */
static void remove_children(const char *dir, int depth)
{
    cleanup_dir DIR *d = depth < 16 ? opendir(dir) : NULL;
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        cleanup_free char *sub = NULL;
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        sub = xasprintf("%s/%s", dir, de->d_name);
        remove_children(sub, depth + 1);
        rmdir(sub);
    }
}

static bool cgroup_kill(const char *path)
{
    cleanup_free char *file = xasprintf("%s/cgroup.kill", path);
    cleanup_close int fd = open(file, O_WRONLY | O_CLOEXEC);

    return fd >= 0 && write(fd, "1", 1) == 1;
}

/* Every process is in every hierarchy: one list is enough. The unified one has cgroup.kill,
 * used only on a cgroup this container made: a cgroup that existed before may hold others'
 * processes, and once killed it kills every process later cloned into it (see kills_clones).
 * Without cgroup.kill the list of pids is read, then signalled: a process forked in between
 * would escape. Frozen, nobody forks; the signals are delivered when the cgroup thaws (a
 * paused container stays paused). */
int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, oci_err_t *err)
{
    bool froze;
    int ret;

    if (cg->n_dirs == 0)
        return 0;
    if (sig == SIGKILL && cg->dirs[0].created && cgroup_kill(cg->dirs[0].path))
        return 0;
    /* signal 0 delivers nothing: no need to stop the forks */
    froze = sig != 0 && !oci_cgroup_frozen(cg) && oci_cgroup_freeze(cg, true, NULL) == 0;
    ret = signal_listed_pids(cg->dirs[0].path, sig, err);
    if (froze)
        oci_cgroup_freeze(cg, false, NULL);
    return ret;
}

static int cgroup_rmdir(const char *path, oci_err_t *err)
{
    struct timespec pause = { 0, 1000000 };

    /* The kernel frees a cgroup a moment after its last process is reaped. */
    for (int i = 0; i < 1000; i++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY)
            break;
        remove_children(path, 0);
        if (i % 100 == 99)
            signal_listed_pids(path, SIGKILL, NULL);
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 10000000)
            pause.tv_nsec *= 2;
    }
    return oci_error_sys(err, "remove cgroup %s", path);
}

int oci_cgroup_remove(const struct oci_cgroup *cg, oci_err_t *err)
{
    int ret = cgroup_driver_of(cg)->stop(cg, err);

    for (size_t i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].created && cgroup_rmdir(cg->dirs[i].path, ret < 0 ? NULL : err) < 0)
            ret = -1;
    return ret;
}

void oci_cgroup_destroy_created(struct oci_cgroup *cg)
{
    if (!cg->created || cg->n_dirs == 0)
        return;
    oci_cgroup_placed(cg);
    /* Our init is dead by now; what else a cgroup that existed before holds is not ours. */
    if (cg->dirs[0].created)
        oci_cgroup_signal_all(cg, SIGKILL, NULL);
    if (cg->unit) {
        oci_err_t e = NULL;
        if (cgroup_driver_of(cg)->stop(cg, &e) < 0) {
            oci_warn("%s", e->msg);
            oci_error_free(&e);
        }
    }
    for (size_t i = 0; i < cg->n_dirs; i++) {
        struct oci_cgroup_dir *d = &cg->dirs[i];
        cleanup_free char *dir = NULL;
        char *slash;

        if (!d->created || cgroup_rmdir(d->path, NULL) < 0 || d->created_top == NULL)
            continue;
        dir = xstrdup(d->path);
        while ((slash = strrchr(dir, '/')) != NULL) {
            *slash = '\0';
            if (strlen(dir) < strlen(d->created_top) || rmdir(dir) < 0)
                break;
        }
    }
}

/* lsm.c: AppArmor profile and SELinux labels: checked in the runtime, written by the init before exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <linux/magic.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/lsm.h"

/*
 * A label the host cannot apply is an error, never silently dropped: a container asked to be
 * confined must not run unconfined. This is runc's behaviour (its init fails writing the
 * AppArmor profile, its validator refuses process.selinuxLabel, the kernel refuses the
 * context= that it adds for linux.mountLabel); crun instead ignores the fields when the module
 * is disabled. We refuse in the runtime, before anything is created, with a message that says
 * why, instead of failing in the init on the kernel's EINVAL.
 */

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

bool oci_lsm_apparmor_enabled(void)
{
    cleanup_close int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    char c = 0;

    if (fd < 0 || read(fd, &c, 1) != 1 || c != 'Y')
        return false;
    return access("/proc/self/attr/apparmor/exec", F_OK) == 0 || access("/proc/self/attr/exec", F_OK) == 0;
}

/* SELinux is spoken to through its filesystem and xattrs directly, not through libselinux:
 * linking it would run its constructor (mount-table scan) at every ocirun start. */
#define SELINUXFS "/sys/fs/selinux"
#define SELINUX_XATTR "security.selinux"

bool oci_lsm_selinux_enabled(void)
{
#ifdef HAVE_SELINUX
    struct statfs sfs;

    return statfs(SELINUXFS, &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
#else
    return false;
#endif
}

#ifdef HAVE_SELINUX
/* The kernel validates a context written to selinuxfs's "context" file. */
static int selinux_check_context(const char *label)
{
    cleanup_close int fd = open(SELINUXFS "/context", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return -1;
    return write(fd, label, strlen(label) + 1) < 0 ? -1 : 0;
}
#endif

char *oci_lsm_apparmor_exec_value(const char *profile)
{
    return xasprintf("exec %s", profile);
}

char *oci_lsm_mount_data(const char *data, const char *label)
{
    if (data == NULL || data[0] == '\0')
        return xasprintf("context=\"%s\"", label);
    return xasprintf("%s,context=\"%s\"", data, label);
}

bool oci_lsm_mount_takes_label(const char *type)
{
    /* proc and sysfs cannot be labelled; a bind creates no filesystem; cgroup is served by
     * cgroup2, which runc does not label either; mqueue gets its label on its root after the
     * mount (as with runc). */
    static const char *const unlabelled[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind" };

    if (!is_set(type))
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(unlabelled); i++)
        if (strcmp(type, unlabelled[i]) == 0)
            return false;
    return true;
}

char *oci_lsm_fsconfig_value(const char *key, char *value)
{
    static const char *const contexts[] = { "context", "fscontext", "defcontext", "rootcontext" };
    size_t n = strlen(value);

    if (n < 2 || value[0] != '"' || value[n - 1] != '"')
        return value;
    for (size_t i = 0; i < ARRAY_SIZE(contexts); i++)
        if (strcmp(key, contexts[i]) == 0) {
            value[n - 1] = '\0';
            return value + 1;
        }
    return value;
}

/* A new filesystem of a labelled type: bind mounts and remounts create none. */
static bool mount_gets_label(const struct oci_mount *m, const struct oci_mount_opts *opts)
{
    return !opts->bind && !(opts->flags & MS_REMOUNT) && oci_lsm_mount_takes_label(m->type);
}

void oci_lsm_label_mount_opts(const struct oci_spec *spec, const struct oci_mount *m, struct oci_mount_opts *opts)
{
    const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
    char *data;

    if (!is_set(label) || !mount_gets_label(m, opts) || !oci_lsm_selinux_enabled())
        return;
    data = oci_lsm_mount_data(opts->data, label);
    free(opts->data);
    opts->data = data;
}

int oci_lsm_label_mount_root(const struct oci_spec *spec, const struct oci_mount *m,
                             const struct oci_mount_opts *opts, int mfd, oci_err_t *err)
{
    const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;

    if (!is_set(label) || opts->bind || m->type == NULL || strcmp(m->type, "mqueue") != 0 ||
        !oci_lsm_selinux_enabled())
        return 0;
#ifdef HAVE_SELINUX
    char path[OCI_PROC_FD_PATH_MAX];

    oci_proc_fd_path(path, mfd);
    if (setxattr(path, SELINUX_XATTR, label, strlen(label) + 1, 0) < 0)
        return oci_error_sys(err, "linux.mountLabel \"%s\": setxattr security.selinux", label);
#else
    (void) mfd;
    (void) err;
#endif
    return 0;
}

/* ---- the runtime's check ---- */

static int check_selinux_context(const char *field, const char *label, struct oci_report *r)
{
    if (!oci_lsm_selinux_enabled())
        return oci_report_add(r, 0, "%s \"%s\": SELinux is disabled or not supported on this host", field, label);
#ifdef HAVE_SELINUX
    if (selinux_check_context(label) < 0)
        return oci_report_add(r, errno, "%s \"%s\": not a valid SELinux context", field, label);
#endif
    return 0;
}

/* Without SELinux, linux.mountLabel matters only if a mount would carry it (as with runc). */
static int check_mount_label(const struct oci_spec *spec, const char *label, struct oci_report *r)
{
    if (oci_lsm_selinux_enabled())
        return check_selinux_context("linux.mountLabel", label, r);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        struct oci_mount_opts opts = { 0 };
        oci_err_t e = NULL;
        bool labelled;

        if (m->destination == NULL)
            continue;   /* (refused by a collecting parse) */
        if (oci_mount_opts_parse(m->options.v, m->options.len, &opts, &e) < 0) {
            oci_error_wrap(&e, "mounts[%zu] \"%s\"", i, m->destination);
            if (oci_report_err(r, &e) < 0)
                return -1;
            continue;
        }
        labelled = mount_gets_label(m, &opts);
        oci_mount_opts_free(&opts);
        if (labelled)
            return oci_report_add(r, 0, "linux.mountLabel \"%s\": SELinux is disabled or not supported on "
                                  "this host (mounts[%zu] \"%s\" would carry it)", label, i, m->destination);
    }
    return 0;
}

int oci_lsm_check_report(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_process *p = spec->process;
    const char *mount_label = spec->linux_ ? spec->linux_->mount_label : NULL;

    if (p && is_set(p->apparmor_profile) && !oci_lsm_apparmor_enabled() &&
        oci_report_add(r, 0, "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
                       p->apparmor_profile) < 0)
        return -1;
    if (p && is_set(p->selinux_label) && check_selinux_context("process.selinuxLabel", p->selinux_label, r) < 0)
        return -1;
    if (is_set(mount_label) && check_mount_label(spec, mount_label, r) < 0)
        return -1;
    return 0;
}

int oci_lsm_check(const struct oci_spec *spec, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    return oci_lsm_check_report(spec, &r);
}

/* ---- the init's write ---- */

/* The init is single-threaded: /proc/self/attr is its thread's attr too. */
static int write_attr(int selffd, const char *path, const char *value, oci_err_t *err)
{
    cleanup_close int fd = oci_procfs_open_at(selffd, path, O_WRONLY, err);

    if (fd < 0)
        return -1;
    if (write(fd, value, strlen(value)) < 0)
        return oci_error_sys(err, "write /proc/self/%s", path);
    return 0;
}

/* AppArmor's own attr directory (Linux >= 5.8, LSM stacking), else the shared legacy file. */
static int apply_apparmor(int selffd, const char *profile, oci_err_t *err)
{
    cleanup_free char *value = oci_lsm_apparmor_exec_value(profile);
    cleanup_close int dir = oci_procfs_open_at(selffd, "attr/apparmor", O_PATH | O_DIRECTORY, err);

    if (dir >= 0)
        return write_attr(selffd, "attr/apparmor/exec", value, err);
    if (oci_error_errno(err) != ENOENT)
        return -1;
    oci_error_free(err);
    return write_attr(selffd, "attr/exec", value, err);
}

static int open_self(oci_err_t *err)
{
    cleanup_close int procfd = oci_procfs_open_root("/proc", err);

    if (procfd < 0)
        return -1;
    return oci_procfs_open_self(procfd, err);
}

int oci_lsm_apply_exec(const struct oci_process *p, oci_err_t *err)
{
    const char *field = is_set(p->apparmor_profile) ? "process.apparmorProfile" : "process.selinuxLabel";
    cleanup_close int selffd = -1;

    if (!is_set(p->apparmor_profile) && !is_set(p->selinux_label))
        return 0;
    selffd = open_self(err);
    if (selffd < 0)
        return oci_error_wrap(err, "%s", field);
    if (is_set(p->apparmor_profile) && apply_apparmor(selffd, p->apparmor_profile, err) < 0)
        return oci_error_wrap(err, "process.apparmorProfile \"%s\"", p->apparmor_profile);
    if (is_set(p->selinux_label) && write_attr(selffd, "attr/exec", p->selinux_label, err) < 0)
        return oci_error_wrap(err, "process.selinuxLabel \"%s\"", p->selinux_label);
    return 0;
}

int oci_lsm_set_keycreate(const struct oci_process *p, bool reset, oci_err_t *err)
{
    cleanup_close int selffd = -1;

    if (!is_set(p->selinux_label))
        return 0;
    selffd = open_self(err);
    if (selffd < 0 || write_attr(selffd, "attr/keycreate", reset ? "" : p->selinux_label, err) < 0)
        return oci_error_wrap(err, "process.selinuxLabel \"%s\": session keyring label", p->selinux_label);
    return 0;
}

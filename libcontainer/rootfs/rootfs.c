/* rootfs.c: the container's root: propagation, the rootfs bound onto itself, mounts[] and /dev, then pivot_root and root.readonly. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/spec/mount_opts.h"
#include "rootfs/devices.h"
#include "rootfs/mount_api.h"
#include "rootfs/mounts.h"
#include "rootfs/resolve.h"
#include "rootfs/rootfs.h"

static bool path_is(const char *path, const char *clean)
{
    cleanup_free char *c = NULL;

    if (path == NULL)
        return false;
    c = oci_path_clean(path);
    return strcmp(c, clean) == 0;
}

/* ---- the root and the cwd, checked in the runtime ---- */

int oci_rootfs_resolve(const char *bundle, const struct oci_root *root, char **out, oci_err_t *err)
{
    cleanup_free char *path = root->path[0] == '/' ? xstrdup(root->path) : xasprintf("%s/%s", bundle, root->path);
    struct stat st;
    int e = 0;

    *out = realpath(path, NULL);
    if (*out == NULL)
        return oci_error_sys(err, "config.json: root.path \"%s\"", root->path);
    /* Else the init would fail on it (O_DIRECTORY) after everything else was built. */
    if (stat(*out, &st) < 0)
        e = errno;
    else if (!S_ISDIR(st.st_mode))
        e = ENOTDIR;
    if (e) {
        free(*out);
        *out = NULL;
        return oci_error_set(err, e, "config.json: root.path \"%s\"", root->path);
    }
    return 0;
}

/* A mounts[] entry at PATH or above it: what it mounts decides, not the image. */
static bool under_a_mount(const struct oci_spec *spec, const char *path)
{
    cleanup_free char *clean = oci_path_clean(path);
    size_t n;

    for (size_t i = 0; i < spec->n_mounts; i++) {
        cleanup_free char *dest = spec->mounts[i].destination ? oci_path_clean(spec->mounts[i].destination) : NULL;

        if (dest == NULL)
            continue;
        n = strlen(dest);
        if (strcmp(dest, "/") == 0 || (strncmp(clean, dest, n) == 0 && (clean[n] == '/' || clean[n] == '\0')))
            return true;
    }
    return false;
}

int oci_rootfs_check_cwd(const char *rootfs, const struct oci_spec *spec, struct oci_report *r)
{
    const char *cwd = spec->process ? spec->process->cwd : NULL;
    cleanup_close int rootfd = -1;
    cleanup_close int fd = -1;
    struct stat st;

    if (cwd == NULL || strcmp(cwd, "/") == 0 || under_a_mount(spec, cwd))
        return 0;
    rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_report_add(r, errno, "open rootfs %s", rootfs);
    /* A missing directory is created by the init; an existing file cannot be entered. */
    fd = oci_root_open(rootfd, cwd, O_PATH);
    if (fd == -ENOTDIR || (fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)))
        return oci_report_add(r, 0, "process.cwd \"%s\": not a directory in the rootfs", cwd);
    return 0;
}

/* ---- preparation of the rootfs mount ---- */

bool oci_rootfs_has_mount_ns(const struct oci_spec *spec)
{
    return oci_spec_namespace(spec, OCI_NS_MOUNT) != NULL;
}

/* linux.rootfsPropagation as MS_* flags; 0 when unset. */
static int root_propagation(const struct oci_rootfs_opts *o, unsigned long *out, oci_err_t *err)
{
    const char *name = o->spec->linux_ ? o->spec->linux_->rootfs_propagation : NULL;
    long flag;

    *out = 0;
    if (name == NULL || name[0] == '\0')
        return 0;
    flag = oci_mount_propagation_from_name(name);
    if (flag < 0)
        return oci_error_set(err, 0, "linux.rootfsPropagation \"%s\": unknown propagation", name);
    if (o->no_pivot && oci_rootfs_has_mount_ns(o->spec) && (flag & MS_PRIVATE))
        return oci_error_set(err, 0, "linux.rootfsPropagation \"%s\": [r]private is not safe without pivot_root", name);
    *out = (unsigned long) flag;
    return 0;
}

/* Decode the octal escapes of a mountinfo field in place. */
static void mountinfo_unescape(char *s)
{
    char *w = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
            *w++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
            s += 3;
        } else {
            *w++ = *s;
        }
    }
    *w = '\0';
}

/* pivot_root and MS_MOVE refuse a shared parent mount: make the mount holding the rootfs
 * private when it is shared (it is a copy in our namespace; the host is not affected). */
static int make_rootfs_parent_private(const char *rootfs, oci_err_t *err)
{
    cleanup_free char *info = NULL;
    struct statx stx;
    size_t len;
    char *line, *save = NULL;

    if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
        return oci_error_sys(err, "root.path \"%s\": statx", rootfs);
    if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &info, &len, err) < 0)
        return -1;
    for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mountpoint[PATH_MAX + 1];
        unsigned long long id;
        int pos = 0;

        if (sscanf(line, "%llu %*u %*s %*s %4096s %*s%n", &id, mountpoint, &pos) < 2 || id != stx.stx_mnt_id)
            continue;
        if (strstr(line + pos, " shared:") == NULL)
            return 0;
        mountinfo_unescape(mountpoint);
        if (mount(NULL, mountpoint, NULL, MS_PRIVATE, NULL) < 0)
            return oci_error_sys(err, "root.path \"%s\": make parent mount %s private", rootfs, mountpoint);
        return 0;
    }
    return 0;
}

static int prepare_root_mount(const struct oci_rootfs_opts *o, oci_err_t *err)
{
    unsigned long prop;

    if (root_propagation(o, &prop, err) < 0)
        return -1;
    /* Nothing we mount may reach the host: everything becomes a slave, unless the config asks
     * for [r]shared, which only makes sense if the host's peer groups are kept. The other
     * propagation types are applied to the new root once it is in place. */
    if (!(prop & MS_SHARED))
        prop = MS_SLAVE | MS_REC;
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        return oci_error_sys(err, "make / %s", (prop & MS_SHARED) ? o->spec->linux_->rootfs_propagation : "rslave");
    /* After rslave nothing is shared: the mount table need not be read. */
    if ((prop & MS_SHARED) && make_rootfs_parent_private(o->rootfs, err) < 0)
        return -1;
    if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return oci_error_sys(err, "root.path \"%s\": bind mount onto itself", o->rootfs);
    return 0;
}

/* runc's rule: /dev is set up unless the config bind-mounts one. */
static bool needs_dev_setup(const struct oci_spec *spec, bool *has_devpts)
{
    bool setup = true;

    *has_devpts = false;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        bool bind = (m->type && strcmp(m->type, "bind") == 0);

        for (size_t k = 0; k < m->options.len; k++)
            if (strcmp(m->options.v[k], "bind") == 0 || strcmp(m->options.v[k], "rbind") == 0)
                bind = true;
        if (bind && path_is(m->destination, "/dev"))
            setup = false;
        if (m->type && strcmp(m->type, "devpts") == 0 && path_is(m->destination, "/dev/pts"))
            *has_devpts = true;
    }
    return setup;
}

int oci_rootfs_prepare(const struct oci_rootfs_opts *o, oci_err_t *err)
{
    cleanup_close int rootfd = -1;
    bool has_devpts;

    if (o->rootfs == NULL || o->rootfs[0] != '/')
        return oci_error_set(err, 0, "root.path \"%s\": must be resolved to an absolute path",
                             o->rootfs ? o->rootfs : "");
    /* Without a mount namespace of its own the container's mounts go into the caller's, under
     * the rootfs the runtime bound onto itself (oci_rootfs_bind_host): nothing else of the
     * caller's mount table may change, its propagation least of all. */
    if (oci_rootfs_has_mount_ns(o->spec) && prepare_root_mount(o, err) < 0)
        return -1;
    /* Opened after the self-bind so lookups see the mounts made on top of it. */
    rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "root.path \"%s\"", o->rootfs);
    for (size_t i = 0; i < o->spec->n_mounts; i++)
        if (rootfs_mount_entry(o, rootfd, i, err) < 0)
            return -1;
    if (needs_dev_setup(o->spec, &has_devpts) && oci_devices_setup(o, rootfd, has_devpts, err) < 0)
        return -1;
    return 0;
}

/* ---- the switch of root ---- */

static int do_pivot_root(const char *rootfs, oci_err_t *err)
{
    cleanup_close int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int newroot = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (oldroot < 0 || newroot < 0)
        return oci_error_sys(err, "pivot_root: open %s", oldroot < 0 ? "/" : rootfs);
    if (fchdir(newroot) < 0)
        return oci_error_sys(err, "pivot_root: chdir %s", rootfs);
    /* Stack the old root on the new one, then detach it from "." */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return oci_error_sys(err, "pivot_root");
    if (fchdir(oldroot) < 0)
        return oci_error_sys(err, "pivot_root: chdir old root");
    /* The unmount must not propagate to the host's copies of these mounts. */
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return oci_error_sys(err, "pivot_root: make old root rslave");
    if (umount2(".", MNT_DETACH) < 0)
        return oci_error_sys(err, "pivot_root: detach old root");
    if (chdir("/") < 0)
        return oci_error_sys(err, "pivot_root: chdir /");
    return 0;
}

/* A whole procfs or sysfs of the host (root "/"), mounted outside the new root? */
static bool host_proc_or_sys(const char *line, const char *rootfs, char *mountpoint)
{
    char root[PATH_MAX + 1], fstype[64];
    const char *sep = strstr(line, " - ");
    size_t n = strlen(rootfs);

    if (sep == NULL || sscanf(line, "%*u %*u %*s %4096s %4096s", root, mountpoint) < 2 ||
        sscanf(sep + 3, "%63s", fstype) < 1)
        return false;
    if (strcmp(root, "/") != 0 || (strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0))
        return false;
    mountinfo_unescape(mountpoint);
    return !(strncmp(mountpoint, rootfs, n) == 0 && (mountpoint[n] == '\0' || mountpoint[n] == '/'));
}

/* chroot leaves the old root in our mount namespace: a host /proc or /sys there, fully visible,
 * would let a nested user namespace mount a fresh procfs or sysfs whatever maskedPaths hide (the
 * kernel only checks that one fully visible instance exists in the namespace). Take them away
 * first, as runc does: detach them, or cover them with an empty tmpfs where they are locked
 * (mounts copied into a user namespace cannot be unmounted). Our own mount namespace only. */
static int hide_host_proc_and_sys(const char *rootfs, oci_err_t *err)
{
    cleanup_close int procfd = oci_procfs_open_root("/proc", err);
    cleanup_close int selffd = -1, fd = -1;
    cleanup_free char *info = NULL;
    cleanup_strv char **covered = NULL;
    char *line, *save = NULL;
    size_t len, n_covered = 0;

    if (procfd < 0 || (selffd = oci_procfs_open_self(procfd, err)) < 0 ||
        (fd = oci_procfs_open_at(selffd, "mountinfo", O_RDONLY, err)) < 0 ||
        read_fd_all(fd, &info, &len, err) < 0)
        return oci_error_wrap(err, "no-pivot: read mountinfo");
    for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mp[PATH_MAX + 1];
        bool done = false;

        if (!host_proc_or_sys(line, rootfs, mp))
            continue;
        /* Mounts stacked at one place: the tmpfs on top hides them all (and unmounting the
         * next one by that path would take the tmpfs away again). */
        for (size_t i = 0; i < n_covered && !done; i++)
            done = strcmp(covered[i], mp) == 0;
        if (done)
            continue;
        /* Gone already with a parent detached before it. */
        if (mount(NULL, mp, NULL, MS_SLAVE | MS_REC, NULL) < 0 && errno == ENOENT)
            continue;
        if (umount2(mp, MNT_DETACH) == 0)
            continue;
        if ((errno != EINVAL && errno != EPERM) || mount("tmpfs", mp, "tmpfs", MS_RDONLY, "size=0,mode=0555") < 0)
            return oci_error_sys(err, "no-pivot: take away the host's %s", mp);
        covered = xrealloc(covered, (n_covered + 2) * sizeof(*covered));
        covered[n_covered++] = xstrdup(mp);
        covered[n_covered] = NULL;
    }
    return 0;
}

static int do_move_root(const char *rootfs, oci_err_t *err)
{
    if (hide_host_proc_and_sys(rootfs, err) < 0)
        return -1;
    if (chdir(rootfs) < 0)
        return oci_error_sys(err, "no-pivot: chdir %s", rootfs);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
        return oci_error_sys(err, "no-pivot: move %s onto /", rootfs);
    if (chroot(".") < 0)
        return oci_error_sys(err, "no-pivot: chroot");
    if (chdir("/") < 0)
        return oci_error_sys(err, "no-pivot: chdir /");
    return 0;
}

/* No mount namespace of our own: the caller's mounts stay as they are (runc moves the rootfs
 * onto the caller's "/" with --no-pivot; we never do), the rootfs becomes our root. */
static int do_chroot(const char *rootfs, oci_err_t *err)
{
    if (chdir(rootfs) < 0)
        return oci_error_sys(err, "chroot: chdir %s", rootfs);
    if (chroot(".") < 0)
        return oci_error_sys(err, "chroot %s", rootfs);
    if (chdir("/") < 0)
        return oci_error_sys(err, "chroot: chdir /");
    return 0;
}

/* root.readonly: only the root mount itself; mounts[] keep their own flags. */
static int make_root_readonly(oci_err_t *err)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

    if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) == 0)
        return 0;
    if (errno == ENOSYS && rootfs_remount_bind("/", rootfs_mount_flags_of("/") | MS_RDONLY) == 0)
        return 0;
    return oci_error_sys(err, "root.readonly: remount / read-only");
}

/* Only an "ro" option can make a mount deferred: the others need not be parsed again. */
static bool has_ro_option(const struct oci_mount *m)
{
    for (size_t k = 0; k < m->options.len; k++)
        if (strcmp(m->options.v[k], "ro") == 0)
            return true;
    return false;
}

/* The read-only tmpfs and /dev mounts that were left writable for their set-up
 * (rootfs_mount_ro_deferred): read-only now, that mount only (its submounts keep theirs). */
static int remount_deferred_readonly(const struct oci_spec *spec, oci_err_t *err)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
    cleanup_close int rootfd = -1;

    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        struct oci_mount_opts opts = { 0 };
        cleanup_close int fd = -1;
        bool deferred;

        if (!has_ro_option(m))
            continue;
        /* (a parse error was refused when it was mounted) */
        deferred = oci_mount_opts_parse(m->options.v, m->options.len, &opts, NULL) == 0 &&
                   rootfs_mount_ro_deferred(m, &opts);
        oci_mount_opts_free(&opts);
        if (!deferred)
            continue;
        if (rootfd < 0 && (rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            return oci_error_sys(err, "open /");
        fd = oci_root_open(rootfd, m->destination, O_PATH | O_DIRECTORY);
        if (fd < 0)
            return oci_error_set(err, -fd, "mounts[%zu] \"%s\": reopen to make it read-only", i, m->destination);
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0)
            continue;
        if (errno == ENOSYS &&
            rootfs_remount_bind(m->destination, rootfs_mount_flags_of(m->destination) | MS_RDONLY) == 0)
            continue;
        return oci_error_sys(err, "mounts[%zu] \"%s\": remount read-only", i, m->destination);
    }
    return 0;
}

static int switch_root(const struct oci_rootfs_opts *o, oci_err_t *err)
{
    if (!oci_rootfs_has_mount_ns(o->spec))
        return do_chroot(o->rootfs, err);
    return (o->no_pivot ? do_move_root : do_pivot_root)(o->rootfs, err);
}

int oci_rootfs_finish(const struct oci_rootfs_opts *o, oci_err_t *err)
{
    unsigned long prop;

    if (root_propagation(o, &prop, err) < 0)
        return -1;
    if (switch_root(o, err) < 0)
        return -1;
    if (remount_deferred_readonly(o->spec, err) < 0)
        return -1;
    if (o->spec->root && o->spec->root->readonly && make_root_readonly(err) < 0)
        return -1;
    if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
        return oci_error_sys(err, "linux.rootfsPropagation \"%s\"", o->spec->linux_->rootfs_propagation);
    return 0;
}

/* ---- the caller's mount namespace (no mount namespace of the container's own) ---- */

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif

/* The id of the mount at FD/PATH: the unique 64-bit one where the kernel has it (6.8), else the
 * old one. The same kernel answers create and delete, so both ask the same question. */
static int mount_id_of(int fd, const char *path, int flags, uint64_t *id)
{
    struct statx stx;

    if (statx(fd, path, flags, STATX_MNT_ID_UNIQUE, &stx) < 0)
        return -1;
    if (!(stx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID))) {
        errno = ENOTSUP;
        return -1;
    }
    *id = stx.stx_mnt_id;
    return 0;
}

int oci_rootfs_bind_host(const char *rootfs, uint64_t *mnt_id, oci_err_t *err)
{
    cleanup_close int tree = open_tree(AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

    *mnt_id = 0;
    if (tree < 0 && errno != ENOSYS)
        return oci_error_sys(err, "root.path \"%s\": bind onto itself", rootfs);
    if (tree >= 0) {
        if (mount_id_of(tree, "", AT_EMPTY_PATH, mnt_id) < 0)
            return oci_error_sys(err, "root.path \"%s\": statx of its bind", rootfs);
        if (move_mount(tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            *mnt_id = 0;
            return oci_error_sys(err, "root.path \"%s\": bind onto itself", rootfs);
        }
        return 0;
    }
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return oci_error_sys(err, "root.path \"%s\": bind onto itself", rootfs);
    if (mount_id_of(AT_FDCWD, rootfs, 0, mnt_id) < 0) {
        umount2(rootfs, MNT_DETACH);
        return oci_error_sys(err, "root.path \"%s\": statx of its bind", rootfs);
    }
    return 0;
}

void oci_rootfs_unbind_host(const char *rootfs, uint64_t mnt_id)
{
    uint64_t now;

    /* Only while our bind is still the top mount there: never someone else's. */
    if (mnt_id == 0 || rootfs == NULL || mount_id_of(AT_FDCWD, rootfs, AT_NO_AUTOMOUNT, &now) < 0 || now != mnt_id)
        return;
    umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
}

/* mounts.c: one mounts[] entry of config.json mounted inside the rootfs: new filesystems, binds, idmaps, tmpcopyup. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/core/procfs.h"
#include "ocirun/core/rootless.h"
#include "ocirun/core/utils.h"
#include "ocirun/security/lsm.h"
#include "ocirun/spec/mount_opts.h"
#include "rootfs/cgroup_mount.h"
#include "rootfs/mount_api.h"
#include "rootfs/mounts.h"
#include "rootfs/resolve.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* What a mount needs while it is being set up. */
struct mount_job {
    const struct oci_rootfs_opts *o;
    const struct oci_mount *m;
    size_t index;          /* in mounts[] */
    struct oci_mount_opts opts;
    int rootfd;
    int destfd;            /* the mount point, O_PATH */
    int tree;              /* a bind's detached source (open_tree), made by the prelude, or -1 */
};

/* ---- user namespace for idmapped mounts ---- */

static int write_map(pid_t host_pid, const char *file, const struct oci_idmaps *maps, oci_err_t *err)
{
    cleanup_free char *path = xasprintf("%d/%s", host_pid, file);
    cleanup_free char *text = xstrdup("");
    cleanup_close int procfd = -1;

    for (size_t i = 0; i < maps->len; i++) {
        char *t = xasprintf("%s%u %u %u\n", text, maps->items[i].container_id,
                            maps->items[i].host_id, maps->items[i].size);
        free(text);
        text = t;
    }
    procfd = oci_procfs_open_root("/proc", err);
    if (procfd < 0 || oci_procfs_write_at(procfd, path, text, strlen(text), err) < 0)
        return oci_error_wrap(err, "idmap: write %s", file);
    return 0;
}

/* The pid of PIDFD's process as the host /proc sees it: the init may be in its own pid
 * namespace while /proc is still the host's until the root switch. */
static pid_t pidfd_host_pid(int pidfd)
{
    char path[64];
    cleanup_free char *info = NULL;
    const char *line;
    size_t len;

    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    if (read_file_at(AT_FDCWD, path, &info, &len, NULL) < 0)
        return -1;
    line = strstr(info, "\nPid:");
    return line ? (pid_t) strtol(line + 5, NULL, 10) : -1;
}

/* A user namespace with the given mappings, held by a short-lived child; returns its fd. */
static int make_userns(const struct oci_idmaps *uids, const struct oci_idmaps *gids, oci_err_t *err)
{
    struct clone_args args = { .flags = CLONE_NEWUSER | CLONE_PIDFD, .exit_signal = SIGCHLD };
    cleanup_close int pidfd = -1;
    char path[64];
    pid_t pid, host_pid;
    int fd = -1;

    args.pidfd = (uint64_t) (uintptr_t) &pidfd;
    pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0)
        return oci_error_sys(err, "idmap: clone3 CLONE_NEWUSER");
    if (pid == 0) {
        /* Nothing to do but exist until the parent has the namespace fd. */
        for (;;)
            pause();
    }
    host_pid = pidfd_host_pid(pidfd);
    if (host_pid <= 0) {
        oci_error_set(err, 0, "idmap: cannot find the helper process in /proc");
        goto out;
    }
    if (write_map(host_pid, "uid_map", uids, err) < 0 || write_map(host_pid, "gid_map", gids, err) < 0)
        goto out;
    snprintf(path, sizeof(path), "/proc/%d/ns/user", host_pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        oci_error_sys(err, "idmap: open %s", path);
out:
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return fd;
}

/* The mount's own mappings, else the container's (as runc does for idmap without mappings);
 * or the container's joined user namespace (*joined, its path). */
static int idmap_maps(const struct oci_spec *spec, const struct oci_mount *m, const struct oci_idmaps **uids,
                      const struct oci_idmaps **gids, const char **joined, oci_err_t *err)
{
    const struct oci_linux *lx = spec->linux_;

    *uids = &m->uid_mappings;
    *gids = &m->gid_mappings;
    *joined = NULL;
    if ((*uids)->len == 0 && (*gids)->len == 0 && lx) {
        for (size_t i = 0; i < lx->n_namespaces; i++)
            if (lx->namespaces[i].type == OCI_NS_USER && lx->namespaces[i].path) {
                *joined = lx->namespaces[i].path;
                return 0;
            }
        *uids = &lx->uid_mappings;
        *gids = &lx->gid_mappings;
    }
    if ((*uids)->len == 0 || (*gids)->len == 0)
        return oci_error_set(err, 0, "idmap: uidMappings and gidMappings are required");
    return 0;
}

static int idmap_userns(const struct mount_job *j, oci_err_t *err)
{
    const struct oci_idmaps *uids, *gids;
    const char *joined;

    if (idmap_maps(j->o->spec, j->m, &uids, &gids, &joined, err) < 0)
        return -1;
    if (joined) {
        /* never blocks on a fifo; mount_setattr says if it is no user namespace */
        int fd = open(joined, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return oci_error_sys(err, "idmap: open %s", joined);
        return fd;
    }
    return make_userns(uids, gids, err);
}

/* ---- copy for tmpcopyup ---- */

static int copy_tree(int srcdir, int dstdir, oci_err_t *err);

static int copy_regular(int srcdir, int dstdir, const char *name, const struct stat *st, oci_err_t *err)
{
    cleanup_close int in = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int out = -1;
    char buf[65536];
    ssize_t n;

    if (in < 0)
        return oci_error_sys(err, "tmpcopyup: open %s", name);
    out = openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
    if (out < 0)
        return oci_error_sys(err, "tmpcopyup: create %s", name);
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write_all(out, buf, (size_t) n) < 0)
            return oci_error_sys(err, "tmpcopyup: write %s", name);
    if (n < 0)
        return oci_error_sys(err, "tmpcopyup: read %s", name);
    return 0;
}

static int copy_entry(int srcdir, int dstdir, const char *name, oci_err_t *err)
{
    struct stat st;
    struct timespec times[2];

    if (fstatat(srcdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return oci_error_sys(err, "tmpcopyup: stat %s", name);
    if (S_ISDIR(st.st_mode)) {
        cleanup_close int s = -1, d = -1;

        if (mkdirat(dstdir, name, st.st_mode & 07777) < 0)
            return oci_error_sys(err, "tmpcopyup: mkdir %s", name);
        s = openat(srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        d = openat(dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            return oci_error_sys(err, "tmpcopyup: open directory %s", name);
        if (copy_tree(s, d, err) < 0)
            return -1;
    } else if (S_ISREG(st.st_mode)) {
        if (copy_regular(srcdir, dstdir, name, &st, err) < 0)
            return -1;
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(srcdir, name, target, sizeof(target) - 1);

        if (n < 0)
            return oci_error_sys(err, "tmpcopyup: readlink %s", name);
        target[n] = '\0';
        if (symlinkat(target, dstdir, name) < 0)
            return oci_error_sys(err, "tmpcopyup: symlink %s", name);
    } else if (mknodat(dstdir, name, st.st_mode, st.st_rdev) < 0) {
        return oci_error_sys(err, "tmpcopyup: mknod %s", name);
    }
    if (fchownat(dstdir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return oci_error_sys(err, "tmpcopyup: chown %s", name);
    if (!S_ISLNK(st.st_mode) && fchmodat(dstdir, name, st.st_mode & 07777, 0) < 0)
        return oci_error_sys(err, "tmpcopyup: chmod %s", name);
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    utimensat(dstdir, name, times, AT_SYMLINK_NOFOLLOW);
    return 0;
}

static int copy_tree(int srcdir, int dstdir, oci_err_t *err)
{
    int dupfd = fcntl(srcdir, F_DUPFD_CLOEXEC, 3);
    cleanup_dir DIR *dir = NULL;
    struct dirent *de;

    if (dupfd < 0 || (dir = fdopendir(dupfd)) == NULL) {
        if (dupfd >= 0)
            close(dupfd);
        return oci_error_sys(err, "tmpcopyup: opendir");
    }
    while ((errno = 0, de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (copy_entry(srcdir, dstdir, de->d_name, err) < 0)
            return -1;
    }
    if (errno)
        return oci_error_sys(err, "tmpcopyup: readdir");
    return 0;
}

/* Copy the directory under the mount point into the new (still detached or just mounted) fs. */
static int copy_up(int underlying, int mnt_root, oci_err_t *err)
{
    cleanup_close int dst = openat(mnt_root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dst < 0)
        return oci_error_sys(err, "tmpcopyup: open the new tmpfs");
    return copy_tree(underlying, dst, err);
}

/* ---- one mounts[] entry ---- */

static bool job_is_bind(const struct mount_job *j)
{
    return j->opts.bind || (j->m->type && strcmp(j->m->type, "bind") == 0);
}

/* The host path a bind mount copies: relative sources are relative to the bundle. */
static char *source_path(const struct oci_mount *m, const char *bundle)
{
    if (m->source[0] == '/' || bundle == NULL)
        return xstrdup(m->source);
    return xasprintf("%s/%s", bundle, m->source);
}

static char *bind_source(const struct mount_job *j)
{
    return source_path(j->m, j->o->bundle);
}

/* This entry's source as the runtime opened it for us (oci_rootfs_open_bind_sources), or -1. */
static int source_fd(const struct mount_job *j)
{
    return j->o->bind_sources ? j->o->bind_sources[j->index] : -1;
}

/* The filesystem type to create: "cgroup" on a pure v2 host is cgroup2 (the v1 layout is
 * built by cgroup_mount.c). */
static const char *job_fstype(const struct mount_job *j)
{
    if (strcmp(j->m->type, "cgroup") == 0)
        return "cgroup2";
    return j->m->type;
}

/* Options set on the new filesystem context, mirroring what mount(2) passes as sb flags. */
static int configure_fs(int fsfd, const struct mount_job *j, bool *unsupported)
{
    static const struct { unsigned long ms; const char *key; } sb_flags[] = {
        { MS_RDONLY, "ro" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
        { MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
    };
    cleanup_free char *data = xstrdup(j->opts.data);
    char *p = data;

    if (j->m->source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", j->m->source, 0) < 0)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
        if ((j->opts.flags & sb_flags[i].ms) && fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].key, NULL, 0) < 0)
            return -1;
    /* Split data on commas outside double quotes (SELinux contexts contain commas). */
    while (p && *p) {
        char *opt = p, *eq;
        bool quoted = false;

        for (; *p && (quoted || *p != ','); p++)
            if (*p == '"')
                quoted = !quoted;
        if (*p)
            *p++ = '\0';
        if (*opt == '\0')
            continue;
        eq = strchr(opt, '=');
        if (eq) {
            *eq = '\0';
            eq = oci_lsm_fsconfig_value(opt, eq + 1);   /* now the value */
        }
        if (fsconfig(fsfd, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, opt, eq, 0) < 0) {
            *unsupported = (errno == EINVAL || errno == EOPNOTSUPP);
            return -1;
        }
    }
    return 0;
}

/* "mount TYPE", and why when a user namespace (rootless) was refused it: only the filesystems
 * the kernel marks for it mount there. Keeps errno. */
static char *mount_what(const char *fstype, int e)
{
    char *what;

    if (e == EPERM && oci_in_user_namespace())
        what = xasprintf("mount %s: not a filesystem a user namespace may mount (tmpfs, proc, sysfs, devpts, "
                         "mqueue, overlay, fuse are; bind a host directory instead)", fstype);
    else
        what = xasprintf("mount %s", fstype);
    errno = e;
    return what;
}

/* A new detached filesystem mount from fsopen/fsmount; -ENOSYS/-EOPNOTSUPP ask for mount(2). */
static int new_fs_mount(const struct mount_job *j, oci_err_t *err)
{
    const char *fstype = job_fstype(j);
    cleanup_close int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
    bool unsupported = false;
    int mfd;

    if (fsfd < 0 && errno == ENOSYS)
        return -ENOSYS;
    if (fsfd < 0) {
        cleanup_free char *what = mount_what(fstype, errno);
        return oci_error_sys(err, "%s", what);
    }
    if (configure_fs(fsfd, j, &unsupported) < 0 || fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
        cleanup_free char *what = NULL;
        int saved = errno;

        what = mount_what(fstype, saved);
        rootfs_fs_context_error(fsfd, err, saved, what);
        return unsupported ? -EOPNOTSUPP : -1;
    }
    mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int) oci_mount_flags_to_attr(j->opts.flags));
    if (mfd < 0)
        return oci_error_sys(err, "fsmount %s", fstype);
    return mfd;
}

/* mount(2) of a new filesystem at the destination, through /proc/self/fd. */
static int legacy_fs_mount(const struct mount_job *j, oci_err_t *err)
{
    char target[OCI_PROC_FD_PATH_MAX];

    oci_proc_fd_path(target, j->destfd);
    if (mount(j->m->source, target, job_fstype(j), j->opts.flags & ~(MS_BIND | MS_REC), j->opts.data) < 0) {
        cleanup_free char *what = mount_what(job_fstype(j), errno);
        return oci_error_sys(err, "%s", what);
    }
    return 0;
}

/* The root of what is now mounted at the destination. */
static int reopen_dest(const struct mount_job *j, oci_err_t *err)
{
    int fd = oci_root_open(j->rootfd, j->m->destination, O_PATH);

    if (fd < 0)
        return oci_error_set(err, -fd, "reopen the mount point");
    return fd;
}

/* A new filesystem; returns an fd on the attached mount. */
static int mount_fs(const struct mount_job *j, oci_err_t *err)
{
    cleanup_close int under = -1;
    cleanup_close int mfd = -1;

    if (j->opts.tmpcopyup) {
        under = openat(j->destfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (under < 0)
            return oci_error_sys(err, "tmpcopyup: open the mount point");
    }
    if (!j->o->legacy_mount_api && !(j->opts.flags & (MS_SILENT | MS_I_VERSION))) {
        mfd = new_fs_mount(j, err);
        if (mfd >= 0) {
            if (under >= 0 && copy_up(under, mfd, err) < 0)
                return -1;
            if (rootfs_move_onto(mfd, j->destfd, err) < 0)
                return -1;
            return steal_fd(&mfd);
        }
        if (mfd != -ENOSYS && mfd != -EOPNOTSUPP)
            return -1;
    }
    if (mfd == -EOPNOTSUPP) {
        /* fsconfig parses options one by one and may refuse what mount(2) accepts: retry
         * with mount(2), but keep the first error, it carries the filesystem's own message. */
        cleanup_error oci_err_t legacy_err = NULL;

        if (legacy_fs_mount(j, &legacy_err) < 0)
            return -1;
        oci_error_free(err);
    } else {
        oci_error_free(err);
        if (legacy_fs_mount(j, err) < 0)
            return -1;
    }
    mfd = reopen_dest(j, err);
    if (mfd < 0)
        return -1;
    if (under >= 0 && copy_up(under, mfd, err) < 0)
        return -1;
    return steal_fd(&mfd);
}

/* Per-mount flags of a bind (ro, nosuid, ...) and idmap, on the detached tree. */
static int bind_attrs_on_tree(const struct mount_job *j, int tree, oci_err_t *err)
{
    uint64_t set = oci_mount_flags_to_attr(j->opts.flags);
    uint64_t clr = oci_mount_clear_to_attr(j->opts.flags, j->opts.clear);

    if ((set | clr) && rootfs_setattr_fd(tree, false, set, clr, 0, -1) < 0)
        return oci_error_sys(err, "mount_setattr");
    if (j->opts.idmap) {
        cleanup_close int userns = idmap_userns(j, err);

        if (userns < 0)
            return -1;
        if (rootfs_setattr_fd(tree, j->opts.ridmap, MOUNT_ATTR_IDMAP, 0, 0, userns) < 0)
            return oci_error_sys(err, "mount_setattr MOUNT_ATTR_IDMAP");
    }
    return 0;
}

static int legacy_bind_job(const struct mount_job *j, const char *source, oci_err_t *err)
{
    char target[OCI_PROC_FD_PATH_MAX];
    cleanup_close int mfd = -1;
    const unsigned long ignored = MS_BIND | MS_REC | MS_REMOUNT;

    if (j->opts.idmap)
        return oci_error_set(err, ENOSYS, "idmap mounts need the new mount API");
    if (rootfs_legacy_bind(source, j->destfd, j->opts.rbind, err) < 0)
        return -1;
    mfd = reopen_dest(j, err);
    if (mfd < 0)
        return -1;
    if ((j->opts.flags & ~ignored) || j->opts.clear) {
        oci_proc_fd_path(target, mfd);
        if (rootfs_remount_bind(target, j->opts.flags) < 0)
            return oci_error_sys(err, "remount bind");
    }
    return steal_fd(&mfd);
}

/* A detached copy of SOURCE, or of the runtime's fd on it; -ENOSYS without the new API. */
static int clone_source(const struct mount_job *j, const char *source, oci_err_t *err)
{
    cleanup_free char *name = NULL;
    int tree;

    if (source_fd(j) < 0)
        return rootfs_clone_tree(source, j->opts.rbind, err);
    tree = open_tree(source_fd(j), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                           (j->opts.rbind ? AT_RECURSIVE : 0));
    if (tree >= 0 || errno == ENOSYS)
        return tree >= 0 ? tree : -ENOSYS;
    name = bind_source(j);
    return oci_error_sys(err, "open_tree \"%s\"", name);
}

/* A bind mount of SOURCE; returns an fd on the attached mount. */
static int mount_bind(struct mount_job *j, const char *source, oci_err_t *err)
{
    char fd_path[OCI_PROC_FD_PATH_MAX];
    cleanup_close int tree = -1;

    if (source_fd(j) >= 0) {
        /* Its path may be out of our reach (rootfs.h): mount(2) takes the fd's link. */
        oci_proc_fd_path(fd_path, source_fd(j));
        source = fd_path;
    }
    if (!j->o->legacy_mount_api) {
        tree = j->tree >= 0 ? steal_fd(&j->tree) : clone_source(j, source, err);
        if (tree >= 0) {
            if (bind_attrs_on_tree(j, tree, err) < 0 || rootfs_move_onto(tree, j->destfd, err) < 0)
                return -1;
            return steal_fd(&tree);
        }
        if (tree != -ENOSYS)
            return -1;
    }
    return legacy_bind_job(j, source, err);
}

/* Where the host keeps the cgroup2 hierarchy (pure v2 or the hybrid "unified" mount). */
static const char *host_cgroup2_path(void)
{
    struct statfs st;

    if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
        return "/sys/fs/cgroup";
    return "/sys/fs/cgroup/unified";
}

/* sysfs (and cgroup) cannot be mounted in a user namespace that does not own a network
 * namespace: bind the host's instead, with the same flags. */
static int mount_fs_or_host_bind(struct mount_job *j, oci_err_t *err)
{
    const char *type = j->m->type;
    const char *host;
    int mfd = mount_fs(j, err);

    if (mfd >= 0 || !j->o->userns || oci_error_errno(err) != EPERM)
        return mfd;
    if (strcmp(type, "sysfs") == 0)
        host = "/sys";
    else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
        host = host_cgroup2_path();
    else
        return mfd;
    oci_error_free(err);
    j->opts.bind = j->opts.rbind = true;
    /* The host's submounts come along: keep them as read-only as the mount asked for. */
    if (j->opts.flags & MS_RDONLY) {
        j->opts.rec_attr_set |= MOUNT_ATTR_RDONLY;
        j->opts.rec_attr_clr &= ~(uint64_t) MOUNT_ATTR_RDONLY;
    }
    return mount_bind(j, host, err);
}

/* Propagation options in order, then the recursive attributes (rro, rnosuid, ...). */
static int apply_after_mount(const struct mount_job *j, int mfd, oci_err_t *err)
{
    for (size_t i = 0; i < j->opts.n_propagation; i++) {
        unsigned long p = j->opts.propagation[i];

        if (rootfs_setattr_fd(mfd, p & MS_REC, 0, 0, p & ~MS_REC, -1) == 0)
            continue;
        if (errno == ENOSYS) {
            char target[OCI_PROC_FD_PATH_MAX];

            oci_proc_fd_path(target, mfd);
            if (mount(NULL, target, NULL, p, NULL) == 0)
                continue;
        }
        return oci_error_sys(err, "set propagation");
    }
    if ((j->opts.rec_attr_set | j->opts.rec_attr_clr) &&
        rootfs_setattr_fd(mfd, true, j->opts.rec_attr_set, j->opts.rec_attr_clr, 0, -1) < 0)
        return oci_error_sys(err, "mount_setattr AT_RECURSIVE");
    return 0;
}

/* "remount" changes what is already mounted at the destination: nothing is created. */
static int remount_existing(struct mount_job *j, oci_err_t *err)
{
    char target[OCI_PROC_FD_PATH_MAX];
    unsigned long flags = j->opts.flags | (job_is_bind(j) ? MS_BIND : 0);
    cleanup_close int mfd = -1;

    j->destfd = oci_root_open(j->rootfd, j->m->destination, O_PATH);
    if (j->destfd < 0)
        return oci_error_set(err, -j->destfd, "remount: open the mount point");
    oci_proc_fd_path(target, j->destfd);
    if (mount(j->m->source, target, j->m->type, flags & ~MS_REC, j->opts.data) < 0)
        return oci_error_sys(err, "remount");
    mfd = reopen_dest(j, err);
    if (mfd < 0)
        return -1;
    return apply_after_mount(j, mfd, err);
}

/* "cgroup" on a host with v1 hierarchies means their layout, as runc gives it; cgroup2 otherwise. */
static bool wants_v1_layout(const struct mount_job *j)
{
    enum oci_cgroup_layout l;

    if (strcmp(j->m->type, "cgroup") != 0)
        return false;
    l = oci_cgroup_detect(NULL);
    return l == OCI_CGROUP_V1 || l == OCI_CGROUP_HYBRID;
}

/* proc and sysfs only go onto a directory (or where nothing is yet): a symlink planted in the
 * image must not move them (runc's rule, and its wording). */
static int check_ordinary_dir(const struct mount_job *j, oci_err_t *err)
{
    const char *type = j->m->type;
    cleanup_close int fd = -1;
    struct stat st;

    if (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0)
        return 0;
    fd = oci_root_open(j->rootfd, j->m->destination, O_PATH | O_NOFOLLOW);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return oci_error_set(err, -fd, "open the mount point");
    if (fstat(fd, &st) < 0)
        return oci_error_sys(err, "stat the mount point");
    if (!S_ISDIR(st.st_mode))
        return oci_error_set(err, 0, "filesystem \"%s\" must be mounted on ordinary directory (it is %s)", type,
                             S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
    return 0;
}

bool rootfs_mount_ro_deferred(const struct oci_mount *m, const struct oci_mount_opts *opts)
{
    cleanup_free char *dest = NULL;
    bool bind = opts->bind || (m->type && strcmp(m->type, "bind") == 0);

    if (bind || !(opts->flags & MS_RDONLY) || (opts->flags & MS_REMOUNT) || m->destination == NULL)
        return false;
    if (m->type && strcmp(m->type, "tmpfs") == 0)
        return true;
    dest = oci_path_clean(m->destination);
    return strcmp(dest, "/dev") == 0;
}

/* The type of a bind's source. When mounting with the new API its detached copy (j->tree) is
 * made here and the type read from that fd: the source path is walked once, not twice. The
 * errors stay those of a stat, then of open_tree, as they were. */
static int stat_bind_source(struct mount_job *j, const char *source, struct stat *st, oci_err_t *err)
{
    if (source_fd(j) >= 0)
        return fstat(source_fd(j), st) < 0 ? oci_error_sys(err, "bind source \"%s\"", source) : 0;
    if (j->rootfd >= 0 && !j->o->legacy_mount_api) {
        int tree = rootfs_clone_tree(source, j->opts.rbind, err);

        if (tree >= 0) {
            j->tree = tree;
            return fstat(tree, st) < 0 ? oci_error_sys(err, "bind source \"%s\"", source) : 0;
        }
        if (tree != -ENOSYS && stat(source, st) == 0)
            return -1;          /* open_tree's own error */
        oci_error_free(err);
    }
    if (stat(source, st) < 0)
        return oci_error_sys(err, "bind source \"%s\"", source);
    return 0;
}

/* What an entry needs before anything is mounted (also check's rule): a bind has a source,
 * which exists (*source, resolved against the bundle; *as_file when it is not a directory: a
 * file is bound onto a file); anything else has a type and no idmap, and proc or sysfs a
 * directory to go onto. */
static int mount_prelude(struct mount_job *j, char **source, bool *as_file, oci_err_t *err)
{
    const struct oci_mount *m = j->m;

    *source = NULL;
    *as_file = false;
    if (job_is_bind(j)) {
        struct stat st;

        if (m->source == NULL)
            return oci_error_set(err, 0, "bind mount without a source");
        *source = bind_source(j);
        if (stat_bind_source(j, *source, &st, err) < 0)
            return -1;
        *as_file = !S_ISDIR(st.st_mode);
    } else if (m->type == NULL || m->type[0] == '\0') {
        return oci_error_set(err, 0, "no type and not a bind mount");
    } else if (j->opts.idmap) {
        return oci_error_set(err, 0, "idmap is only supported on bind mounts");
    } else if (j->rootfd >= 0 && check_ordinary_dir(j, err) < 0) {   /* (check has no rootfs fd) */
        return -1;
    }
    return 0;
}

static int do_mount_job(struct mount_job *j, oci_err_t *err)
{
    const struct oci_mount *m = j->m;
    cleanup_free char *source = NULL;
    cleanup_close int mfd = -1;
    bool as_file = false;

    if (j->opts.flags & MS_REMOUNT)
        return remount_existing(j, err);
    if (mount_prelude(j, &source, &as_file, err) < 0)
        return -1;
    /* /dev gets its devices and every tmpfs its mode before it turns read-only: that happens
     * with the root switch (oci_rootfs_finish), as runc does. */
    if (rootfs_mount_ro_deferred(m, &j->opts))
        j->opts.flags &= ~MS_RDONLY;
    j->destfd = oci_root_ensure(j->rootfd, m->destination, as_file, err);
    if (j->destfd < 0)
        return -1;
    if (source) {
        j->opts.bind = true;
        mfd = mount_bind(j, source, err);
    } else if (wants_v1_layout(j)) {
        return oci_rootfs_mount_cgroup_v1(j->destfd, j->opts.flags,
                                          oci_spec_namespace(j->o->spec, OCI_NS_CGROUP) != NULL, err);
    } else {
        mfd = mount_fs_or_host_bind(j, err);
    }
    if (mfd < 0 || oci_lsm_label_mount_root(j->o->spec, m, &j->opts, mfd, err) < 0)
        return -1;
    return apply_after_mount(j, mfd, err);
}

int rootfs_mount_entry(const struct oci_rootfs_opts *o, int rootfd, size_t i, oci_err_t *err)
{
    const struct oci_mount *m = &o->spec->mounts[i];
    struct mount_job j = { .o = o, .m = m, .index = i, .rootfd = rootfd, .destfd = -1, .tree = -1 };
    int ret;

    if (m->destination == NULL || m->destination[0] == '\0')
        return oci_error_set(err, 0, "mounts[%zu]: destination is required", i);
    ret = oci_mount_opts_parse(m->options.v, m->options.len, &j.opts, err);
    if (ret == 0) {
        oci_lsm_label_mount_opts(o->spec, m, &j.opts);
        ret = do_mount_job(&j, err);
    }
    oci_mount_opts_free(&j.opts);
    if (j.destfd >= 0)
        close(j.destfd);
    if (j.tree >= 0)
        close(j.tree);
    if (ret < 0)
        return oci_error_wrap(err, "mounts[%zu] \"%s\"", i, m->destination);
    return 0;
}

/* The prelude's rules and the idmap's maps of one entry, nothing mounted. */
static int check_entry(struct mount_job *j, oci_err_t *err)
{
    cleanup_free char *source = NULL;
    const struct oci_idmaps *uids, *gids;
    const char *joined;
    bool as_file;

    if (oci_mount_opts_parse(j->m->options.v, j->m->options.len, &j->opts, err) < 0)
        return -1;
    if (j->opts.flags & MS_REMOUNT)
        return 0;
    if (mount_prelude(j, &source, &as_file, err) < 0)
        return -1;
    if (j->opts.idmap && idmap_maps(j->o->spec, j->m, &uids, &gids, &joined, err) < 0)
        return -1;
    return 0;
}

int oci_rootfs_check_mounts(const struct oci_spec *spec, const char *bundle, struct oci_report *r)
{
    const struct oci_rootfs_opts o = { .spec = spec, .bundle = bundle };

    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct mount_job j = { .o = &o, .m = &spec->mounts[i], .rootfd = -1, .destfd = -1, .tree = -1 };
        oci_err_t e = NULL;
        int ret;

        if (j.m->destination == NULL)
            continue;   /* (refused by a collecting parse) */
        ret = check_entry(&j, &e);
        oci_mount_opts_free(&j.opts);
        if (ret < 0) {
            oci_error_wrap(&e, "mounts[%zu] \"%s\"", i, j.m->destination);
            if (oci_report_err(r, &e) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- bind sources opened by the runtime ---- */

void oci_rootfs_close_bind_sources(int *fds, size_t n)
{
    for (size_t i = 0; fds && i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}

/* Whether M makes a new bind mount of a host path (not a remount, not a filesystem). */
static int is_bind_entry(const struct oci_mount *m, bool *bind, oci_err_t *err)
{
    struct oci_mount_opts opts = { 0 };
    int ret = oci_mount_opts_parse(m->options.v, m->options.len, &opts, err);

    if (ret == 0)
        *bind = (opts.bind || (m->type && strcmp(m->type, "bind") == 0)) && !(opts.flags & MS_REMOUNT) &&
                m->source != NULL && m->destination != NULL;
    oci_mount_opts_free(&opts);
    return ret;
}

int oci_rootfs_open_bind_sources(const struct oci_spec *spec, const char *bundle, int **fds_out, oci_err_t *err)
{
    int *fds = NULL;

    *fds_out = NULL;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct oci_mount *m = &spec->mounts[i];
        cleanup_free char *source = NULL;
        bool bind = false;

        if (is_bind_entry(m, &bind, err) < 0) {
            oci_rootfs_close_bind_sources(fds, spec->n_mounts);
            return oci_error_wrap(err, "mounts[%zu] \"%s\"", i, m->destination ? m->destination : "");
        }
        if (!bind)
            continue;
        if (fds == NULL) {
            fds = xmalloc(spec->n_mounts * sizeof(*fds));
            for (size_t k = 0; k < spec->n_mounts; k++)
                fds[k] = -1;
        }
        source = source_path(m, bundle);
        fds[i] = open(source, O_PATH | O_CLOEXEC);
        if (fds[i] < 0) {
            oci_error_sys(err, "mounts[%zu] \"%s\": bind source \"%s\"", i, m->destination, source);
            oci_rootfs_close_bind_sources(fds, spec->n_mounts);
            return -1;
        }
    }
    *fds_out = fds;
    return 0;
}

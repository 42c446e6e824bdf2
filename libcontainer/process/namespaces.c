/* namespaces.c: check, plan, join and create the container's namespaces; write user-ns id maps and time offsets. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/nsfs.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "process/namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Joined in this order: user first (it grants the rights for the rest), mount last
 * (joining it earlier would change how the other paths resolve). */
static const enum oci_ns_type join_order[] = {
    OCI_NS_USER, OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS,
    OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT,
};

static int open_ns_path(const struct oci_namespace *ns, size_t index, int *fd_out, oci_err_t *err)
{
    /* O_NONBLOCK: a fifo at that path would block the open for good (it fails the type check). */
    cleanup_close int fd = open(ns->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int type;

    if (fd < 0)
        return oci_error_sys(err, "linux.namespaces[%zu].path \"%s\": open", index, ns->path);
    type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0)
        return oci_error_sys(err, "linux.namespaces[%zu].path \"%s\": not a namespace file", index, ns->path);
    if (type != oci_ns_clone_flag(ns->type))
        return oci_error_set(err, 0, "linux.namespaces[%zu].path \"%s\": not a %s namespace",
                             index, ns->path, oci_ns_type_name(ns->type));
    *fd_out = steal_fd(&fd);
    return 0;
}

/* The file of /proc/self/ns a kernel with this namespace type has. */
static const char *ns_proc_name(enum oci_ns_type t)
{
    static const char *const names[OCI_NS_COUNT] = {
        [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt", [OCI_NS_IPC] = "ipc",
        [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user", [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
    };
    return names[t];
}

int oci_ns_check(const struct oci_spec *spec, struct oci_report *r)
{
    const struct oci_linux *lx = spec->linux_;

    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];
        cleanup_free char *proc = NULL;
        oci_err_t e = NULL;
        int fd = -1;

        if (ns->type >= OCI_NS_COUNT)
            continue;   /* (refused by a collecting parse) */
        proc = xasprintf("/proc/self/ns/%s", ns_proc_name(ns->type));
        /* clone3 would fail with a bare EINVAL. */
        if (access(proc, F_OK) < 0) {
            if (oci_report_add(r, 0, "linux.namespaces[%zu].type: this kernel has no %s namespace (no %s)", i,
                               oci_ns_type_name(ns->type), proc) < 0)
                return -1;
            continue;
        }
        if (ns->path == NULL)
            continue;
        if (open_ns_path(ns, i, &fd, &e) < 0) {
            if (oci_report_err(r, &e) < 0)
                return -1;
            continue;
        }
        close(fd);
    }
    return 0;
}

int oci_ns_plan_build(const struct oci_spec *spec, struct oci_ns_plan *plan, oci_err_t *err)
{
    const struct oci_linux *lx = spec->linux_;
    int new_flags = 0;

    memset(plan, 0, sizeof(*plan));
    for (int i = 0; i < OCI_NS_COUNT; i++)
        plan->join_fd[i] = -1;

    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];

        plan->has[ns->type] = true;
        if (ns->path && *ns->path) {
            if (open_ns_path(ns, i, &plan->join_fd[ns->type], err) < 0) {
                oci_ns_plan_close(plan);
                return -1;
            }
        } else {
            new_flags |= oci_ns_clone_flag(ns->type);
        }
    }
    plan->new_user = (new_flags & CLONE_NEWUSER) != 0;

    /* A cgroup namespace must be created after the init sits in its cgroup, and time
     * offsets can only be written before anything enters the time namespace: the init
     * unshares both itself. */
    plan->unshare_flags = new_flags & (CLONE_NEWCGROUP | CLONE_NEWTIME);
    new_flags &= ~(CLONE_NEWCGROUP | CLONE_NEWTIME);

    if (plan->join_fd[OCI_NS_USER] >= 0) {
        /* Namespaces created before joining the user ns would belong to ours. */
        plan->unshare_flags |= new_flags;
        plan->clone_flags = 0;
        plan->need_fork = (new_flags & CLONE_NEWPID) != 0;
    } else {
        plan->clone_flags = new_flags;
    }
    if (plan->join_fd[OCI_NS_PID] >= 0)
        plan->need_fork = true;
    return 0;
}

void oci_ns_plan_close(struct oci_ns_plan *plan)
{
    for (int i = 0; i < OCI_NS_COUNT; i++) {
        if (plan->join_fd[i] >= 0)
            close(plan->join_fd[i]);
        plan->join_fd[i] = -1;
    }
}

int oci_ns_join_and_unshare(struct oci_ns_plan *plan, const struct oci_spec *spec, oci_err_t *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
        enum oci_ns_type t = join_order[i];
        int fd = plan->join_fd[t];

        if (fd < 0)
            continue;
        if (setns(fd, oci_ns_clone_flag(t)) < 0)
            return oci_error_sys(err, "setns %s namespace", oci_ns_type_name(t));
        close(fd);
        plan->join_fd[t] = -1;
        if (t == OCI_NS_USER && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
            return oci_error_sys(err, "become root in the joined user namespace");
    }
    if (plan->unshare_flags && unshare(plan->unshare_flags) < 0)
        return oci_error_sys(err, "unshare namespaces (flags 0x%x)", plan->unshare_flags);
    if (plan->unshare_flags & CLONE_NEWTIME)
        return oci_ns_write_time_offsets(spec, err);
    return 0;
}

static int write_map(int procfd, pid_t pid, const char *file, const struct oci_idmaps *maps, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    cleanup_free char *path = xasprintf("%d/%s", pid, file);
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (f == NULL)
        return oci_error_sys(err, "open_memstream");
    for (size_t i = 0; i < maps->len; i++)
        fprintf(f, "%u %u %u\n", maps->items[i].container_id, maps->items[i].host_id, maps->items[i].size);
    fclose(f);
    if (oci_procfs_write_at(procfd, path, text, len, err) < 0)
        return oci_error_wrap(err, "linux.%s", strcmp(file, "uid_map") == 0 ? "uidMappings" : "gidMappings");
    return 0;
}

/* An unprivileged user may write, itself, only a map of its own id, one id big. */
static bool self_map(const struct oci_idmaps *maps, unsigned id)
{
    return maps->len == 1 && maps->items[0].host_id == id && maps->items[0].size == 1;
}

/* The first NAME in PATH (the shadow helpers are in /usr/bin on Debian), NULL if none. */
static char *find_helper(const char *name)
{
    const char *path = getenv("PATH");
    cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;

    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *file = xasprintf("%s/%s", dir, name);
        if (dir[0] == '/' && access(file, X_OK) == 0)
            return file;
        free(file);
    }
    return NULL;
}

/* More than its own id: newuidmap/newgidmap (setuid root, from shadow's uidmap package) write
 * the map when /etc/subuid or /etc/subgid give this user the ids. */
static int write_map_helper(pid_t pid, const char *file, const struct oci_idmaps *maps, oci_err_t *err)
{
    const char *helper = strcmp(file, "uid_map") == 0 ? "newuidmap" : "newgidmap";
    const char *field = strcmp(file, "uid_map") == 0 ? "uidMappings" : "gidMappings";
    cleanup_free char *exe = find_helper(helper);
    struct oci_hook h = { .timeout = { .set = true, .value = 10 } };
    size_t n = 0;
    int ret;

    if (exe == NULL)
        return oci_error_set(err, EPERM, "linux.%s: uid %u may map only its own id itself, and %s is not "
                             "installed (Debian: apt install uidmap; subordinate ids in /etc/sub%cid)",
                             field, (unsigned) geteuid(), helper, file[0]);
    h.path = exe;
    h.args.v = xzalloc((2 + 3 * maps->len + 1) * sizeof(char *));
    h.args.v[n++] = xstrdup(helper);
    h.args.v[n++] = xasprintf("%d", pid);
    for (size_t i = 0; i < maps->len; i++) {
        h.args.v[n++] = xasprintf("%u", maps->items[i].container_id);
        h.args.v[n++] = xasprintf("%u", maps->items[i].host_id);
        h.args.v[n++] = xasprintf("%u", maps->items[i].size);
    }
    h.args.len = n;
    ret = oci_hook_run(&h, NULL, NULL, err);
    if (ret < 0)
        oci_error_wrap(err, "linux.%s: %s (are the ids given to uid %u in /etc/sub%cid?)", field, exe,
                       (unsigned) geteuid(), file[0]);
    for (size_t i = 0; i < n; i++)
        free(h.args.v[i]);
    free(h.args.v);
    return ret;
}

int oci_ns_write_id_maps(pid_t pid, const struct oci_spec *spec, oci_err_t *err)
{
    const struct oci_linux *lx = spec->linux_;
    cleanup_close int procfd = -1;
    cleanup_free char *setgroups = xasprintf("%d/setgroups", pid);
    /* root, also of a user namespace (rootless podman's): CAP_SETUID over the ids it has */
    bool privileged = geteuid() == 0;

    /* oci_spec_validate made sure both are there. */
    procfd = oci_procfs_open_root("/proc", err);
    if (procfd < 0)
        return oci_error_wrap(err, "linux.uidMappings");
    if (privileged || self_map(&lx->uid_mappings, geteuid())) {
        if (write_map(procfd, pid, "uid_map", &lx->uid_mappings, err) < 0)
            return -1;
    } else if (write_map_helper(pid, "uid_map", &lx->uid_mappings, err) < 0) {
        return -1;
    }
    if (privileged)
        return write_map(procfd, pid, "gid_map", &lx->gid_mappings, err);
    if (self_map(&lx->gid_mappings, getegid())) {
        /* the kernel lets an unprivileged gid_map in only once setgroups is denied */
        if (oci_procfs_write_at(procfd, setgroups, "deny", 4, err) < 0)
            return oci_error_wrap(err, "linux.gidMappings: deny setgroups");
        return write_map(procfd, pid, "gid_map", &lx->gid_mappings, err);
    }
    return write_map_helper(pid, "gid_map", &lx->gid_mappings, err);
}

int oci_ns_write_time_offsets(const struct oci_spec *spec, oci_err_t *err)
{
    const struct oci_linux *lx = spec->linux_;
    cleanup_close int procfd = -1, selffd = -1;
    cleanup_free char *text = NULL;
    size_t len = 0;
    FILE *f;

    if (lx == NULL || lx->n_time_offsets == 0)
        return 0;
    f = open_memstream(&text, &len);
    if (f == NULL)
        return oci_error_sys(err, "open_memstream");
    for (size_t i = 0; i < lx->n_time_offsets; i++)
        fprintf(f, "%s %lld %u\n", lx->time_offsets[i].clock,
                (long long) lx->time_offsets[i].secs, lx->time_offsets[i].nanosecs);
    fclose(f);
    procfd = oci_procfs_open_root("/proc", err);
    if (procfd >= 0)
        selffd = oci_procfs_open_self(procfd, err);
    if (selffd < 0 || oci_procfs_write_at(selffd, "timens_offsets", text, len, err) < 0)
        return oci_error_wrap(err, "linux.timeOffsets");
    return 0;
}

/* setns(CLONE_NEWNS) puts us at the namespace's root: go back to ROOT and CWD as they were. */
static int restore_root_and_cwd(int root, int cwd, oci_err_t *err)
{
    if (fchdir(root) < 0 || chroot(".") < 0 || fchdir(cwd) < 0)
        return oci_error_sys(err, "restore our root and working directory");
    return 0;
}

int oci_ns_in_mount_ns_of(pid_t pid, int (*fn)(void *arg, oci_err_t *err), void *arg, oci_err_t *err)
{
    cleanup_close int ours = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    int ret;

    if (ours < 0 || root < 0 || cwd < 0)
        return oci_error_sys(err, "open our mount namespace, root and working directory");
    if (pidfd < 0)
        return oci_error_sys(err, "pidfd_open %d", (int) pid);
    if (setns(pidfd, CLONE_NEWNS) < 0)
        return oci_error_sys(err, "setns into the mount namespace of %d", (int) pid);
    ret = fn(arg, err);
    /* Not expected to fail (we hold the fds, we are root): if it does, the caller fails the
     * create, whose clean-up works by fds and by paths that mean the same in that copy. */
    if (setns(ours, CLONE_NEWNS) < 0 || restore_root_and_cwd(root, cwd, NULL) < 0) {
        oci_error_free(err);
        return oci_error_sys(err, "back into our mount namespace, root and working directory");
    }
    return ret;
}

int oci_ns_pid_members(pid_t init, pid_t **pids, size_t *n, oci_err_t *err)
{
    char path[64];
    struct stat theirs, ours;
    cleanup_dir DIR *proc = NULL;
    struct dirent *de;

    *pids = NULL;
    *n = 0;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) init);
    if (stat(path, &theirs) < 0)
        return errno == ENOENT ? 0 : oci_error_sys(err, "stat %s", path);
    if (stat("/proc/self/ns/pid", &ours) < 0)
        return oci_error_sys(err, "stat /proc/self/ns/pid");
    if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
        *pids = xmalloc(sizeof(**pids));
        (*pids)[(*n)++] = init;
        return 0;
    }
    proc = opendir("/proc");
    if (proc == NULL)
        return oci_error_sys(err, "opendir /proc");
    while ((de = readdir(proc)) != NULL) {
        struct stat st;
        int64_t pid;

        if (parse_int64(de->d_name, &pid) < 0 || pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%lld/ns/pid", (long long) pid);
        if (stat(path, &st) < 0 || st.st_ino != theirs.st_ino || st.st_dev != theirs.st_dev)
            continue;
        *pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
        (*pids)[(*n)++] = (pid_t) pid;
    }
    return 0;
}

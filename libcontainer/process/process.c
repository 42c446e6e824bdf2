/* process.c: rlimits, oom score, cwd, user, PATH lookup and exec of the container's process. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/process.h"
#include "ocirun/spec/validate.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Key permission bits (the kernel's include/linux/key.h, not in the uapi headers). */
#define KEY_POS_ALL 0x3f000000u
#define KEY_USR_VIEW 0x00010000u
#define KEY_USR_READ 0x00020000u
#define KEY_USR_SEARCH 0x00080000u
#define KEY_USR_LINK 0x00100000u
#define KEY_OTH_SEARCH 0x00000008u
/* What KEYCTL_JOIN_SESSION_KEYRING gives a keyring it creates. */
#define KEYRING_JOIN_PERM (KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK)

/* Raising a hard limit above the caller's needs CAP_SYS_RESOURCE (in the initial user
 * namespace: a new user namespace does not give it): the init's setrlimit fails with EPERM. */
static int report_raise_refused(const struct oci_rlimit *r, size_t i, rlim_t cur_max, struct oci_report *rep)
{
    return oci_report_add(rep, EPERM, "process.rlimits[%zu] %s: setrlimit soft %llu hard %llu "
                          "(raising the hard limit above %llu needs CAP_SYS_RESOURCE)",
                          i, r->type, (unsigned long long) r->soft, (unsigned long long) r->hard,
                          (unsigned long long) cur_max);
}

int oci_process_apply_rlimits(const struct oci_process *p, oci_err_t *err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct oci_rlimit *r = &p->rlimits[i];
        struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };

        if (setrlimit(r->resource, &lim) < 0) {
            int e = errno;
            struct rlimit cur;
            struct oci_report rep = OCI_REPORT_FIRST(err);

            if (e == EPERM && getrlimit(r->resource, &cur) == 0 && r->hard > cur.rlim_max)
                return report_raise_refused(r, i, cur.rlim_max, &rep);
            return oci_error_set(err, e, "process.rlimits[%zu] %s: setrlimit soft %llu hard %llu", i, r->type,
                                 (unsigned long long) r->soft, (unsigned long long) r->hard);
        }
    }
    return 0;
}

/* Whether the caller's effective set has CAP (the init inherits the runtime's). */
static bool have_effective_cap(int cap)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { { 0 } };

    if (syscall(SYS_capget, &hdr, data) < 0)
        return true;   /* cannot tell: let create decide */
    return (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

int oci_process_check_rlimits(const struct oci_process *p, struct oci_report *rep)
{
    bool can_raise = have_effective_cap(CAP_SYS_RESOURCE);

    for (size_t i = 0; i < p->n_rlimits && !can_raise; i++) {
        const struct oci_rlimit *r = &p->rlimits[i];
        struct rlimit cur;

        if (r->resource < 0 || getrlimit(r->resource, &cur) < 0)
            continue;   /* (refused by a collecting parse) */
        if (r->hard > cur.rlim_max && report_raise_refused(r, i, cur.rlim_max, rep) < 0)
            return -1;
    }
    return 0;
}

int oci_process_join_keyring(const char *id, enum oci_keyring_perm perm, oci_err_t *err)
{
    char name[OCI_KEYRING_NAME_MAX];
    uint32_t add = perm == OCI_KEYRING_OWNER_SEARCH ? KEY_USR_SEARCH : KEY_OTH_SEARCH;
    long serial;

    snprintf(name, sizeof(name), "_ses.%s", id);
    serial = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
    /* A kernel without keyrings: there are no session keys to share either (runc too). */
    if (serial < 0 && errno == ENOSYS)
        return 0;
    if (serial < 0)
        return oci_error_sys(err, "join a new session keyring \"%s\" (keyctl; --no-new-keyring keeps the caller's)",
                             name);
    /* Searchable, so that a later exec finds it by name (the runtime-created keyring's
     * permissions are known: no KEYCTL_DESCRIBE round trip). */
    if (perm != OCI_KEYRING_JOIN &&
        syscall(SYS_keyctl, KEYCTL_SETPERM, serial, KEYRING_JOIN_PERM | add, 0, 0) < 0)
        return oci_error_sys(err, "session keyring \"%s\": keyctl(KEYCTL_SETPERM)", name);
    return 0;
}

/* The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1: with the utilization clamps); glibc
 * before 2.41 has neither it nor a sched_setattr wrapper. */
struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

int oci_process_apply_scheduler(const struct oci_process *p, oci_err_t *err)
{
    const struct oci_scheduler *s = p->scheduler;
    struct sched_attr_v1 attr;

    if (s == NULL)
        return 0;
    attr = (struct sched_attr_v1) {
        .size = sizeof(attr),
        .sched_policy = (uint32_t) s->policy_value,
        .sched_flags = s->flag_bits,
        .sched_nice = s->nice,
        .sched_priority = (uint32_t) s->priority,
        .sched_runtime = s->runtime,
        .sched_deadline = s->deadline,
        .sched_period = s->period,
    };
    if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0)
        return 0;
    /* With CONFIG_RT_GROUP_SCHED a real-time policy also needs run time in the cpu cgroup. */
    if (errno == EPERM && s->policy_value != SCHED_OTHER && s->policy_value != SCHED_BATCH &&
        s->policy_value != SCHED_IDLE)
        return oci_error_sys(err, "process.scheduler (policy %s, priority %d): sched_setattr (a real-time "
                             "policy needs CAP_SYS_NICE, and real-time run time in the container's cpu cgroup: "
                             "linux.resources.cpu.realtimeRuntime)", s->policy, (int) s->priority);
    return oci_error_sys(err, "process.scheduler (policy %s, nice %d, priority %d): sched_setattr",
                         s->policy, (int) s->nice, (int) s->priority);
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int oci_process_apply_io_priority(const struct oci_process *p, oci_err_t *err)
{
    const struct oci_io_priority *io = p->io_priority;

    if (io == NULL)
        return 0;
    /* This process (the container's processes inherit it), as runc sets it. */
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (io->class_value << IOPRIO_CLASS_SHIFT) | io->priority) < 0)
        return oci_error_sys(err, "process.ioPriority (class %s, priority %d): ioprio_set", io->class_, io->priority);
    return 0;
}

int oci_process_apply_cpu_affinity(const struct oci_process *p, enum oci_affinity_step step, oci_err_t *err)
{
    const struct oci_cpu_affinity *a = p->exec_cpu_affinity;
    const char *field = step == OCI_AFFINITY_INITIAL ? "initial" : "final";
    const cpu_set_t *set;
    const char *list;
    cpu_set_t all;

    if (a == NULL)
        return 0;
    if (step == OCI_AFFINITY_INITIAL) {
        if (!a->has_initial)
            return 0;
        set = &a->initial_set;
        list = a->initial;
    } else if (a->has_final) {
        set = &a->final_set;
        list = a->final_;
    } else if (a->has_initial) {
        /* initial alone: the container's CPUs once it is there (the kernel narrows "all" to its
         * cpuset), not initial's. */
        memset(&all, 0xff, sizeof(all));
        set = &all;
        list = "";
    } else {
        return 0;
    }
    if (sched_setaffinity(0, sizeof(*set), set) < 0)
        return oci_error_sys(err, "process.execCPUAffinity.%s \"%s\": sched_setaffinity", field, list);
    return 0;
}

int oci_process_apply_oom_score_adj(const struct oci_process *p, oci_err_t *err)
{
    cleanup_close int procfd = -1, selffd = -1;
    char buf[32];
    int n;

    if (!p->oom_score_adj.set)
        return 0;
    n = snprintf(buf, sizeof(buf), "%lld", (long long) p->oom_score_adj.value);
    procfd = oci_procfs_open_root("/proc", err);
    if (procfd >= 0)
        selffd = oci_procfs_open_self(procfd, err);
    if (selffd < 0 || oci_procfs_write_at(selffd, "oom_score_adj", buf, (size_t) n, err) < 0)
        return oci_error_wrap(err, "process.oomScoreAdj %lld", (long long) p->oom_score_adj.value);
    return 0;
}

/* After the chdir: the kernel names a directory the root cannot reach "(unreachable)/..."
 * (glibc's getcwd turns that into ENOENT, so ask the kernel directly). A cwd such as
 * /proc/self/fd/N landing on one of the runtime's fds would hand the container a way out
 * of its root (CVE-2024-21626). */
static int check_cwd_inside_root(const char *cwd, oci_err_t *err)
{
    char buf[PATH_MAX];
    long n = syscall(SYS_getcwd, buf, sizeof(buf));

    if (n < 0 && errno != ENOENT)
        return oci_error_sys(err, "process.cwd \"%s\": getcwd", cwd);
    if (n < 0 || buf[0] != '/')
        return oci_error_set(err, 0, "process.cwd \"%s\": resolves outside the container's root filesystem", cwd);
    return 0;
}

int oci_process_apply_personality(const struct oci_spec *spec, oci_err_t *err)
{
    const struct oci_personality *p = spec->linux_ ? spec->linux_->personality : NULL;
    unsigned long persona;

    struct oci_report r = OCI_REPORT_FIRST(err);

    if (p == NULL)
        return 0;
    /* exec applies it too, from the configuration create saved (checked again: it is read again). */
    if (oci_spec_check_personality(spec, &r) < 0)
        return -1;
    persona = strcmp(p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
    if (personality(persona) < 0)
        return oci_error_sys(err, "linux.personality.domain %s: personality", p->domain);
    return 0;
}

int oci_process_enter_cwd(const struct oci_process *p, oci_err_t *err)
{
    const char *cwd = p->cwd ? p->cwd : "/";

    if (chdir(cwd) < 0)
        return oci_error_sys(err, "process.cwd \"%s\": chdir", cwd);
    return check_cwd_inside_root(cwd, err);
}

/* An anonymous pipe or socket: an object of the caller's handed to us alone, not a file of the
 * host (a named FIFO lives on a real filesystem; a socket's inode is always sockfs's). */
static bool anonymous_stream(int fd, const struct stat *st)
{
    struct statfs sfs;

    if (S_ISSOCK(st->st_mode))
        return true;
    return S_ISFIFO(st->st_mode) && fstatfs(fd, &sfs) == 0 && sfs.f_type == PIPEFS_MAGIC;
}

int oci_process_own_stdio(const struct oci_process *p, oci_err_t *err)
{
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;

        if (fstat(fd, &st) < 0 || st.st_uid == p->user.uid || !anonymous_stream(fd, &st))
            continue;
        /* The uid only, as runc (the gid may be the one the caller wants). EINVAL: the uid is
         * not mapped in our user namespace; EPERM: the pipe's owner or group is not (a caller
         * outside it). The process still has the fd itself then. */
        if (fchown(fd, p->user.uid, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM)
            return oci_error_sys(err, "process.user.uid %u: fchown stdio fd %d", p->user.uid, fd);
    }
    return 0;
}

int oci_process_switch_user(const struct oci_process *p, oci_err_t *err)
{
    const struct oci_user *u = &p->user;

    /* Drop the runtime's own supplementary groups even when none are configured. */
    if (setgroups(u->n_additional_gids, u->additional_gids) < 0 && !(errno == EPERM && u->n_additional_gids == 0))
        return oci_error_sys(err, "process.user.additionalGids: setgroups");
    /* EINVAL: an id the user namespace does not map (exec --user; a rootless map of one id) */
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return oci_error_sys(err, "process.user.gid %u%s: setresgid", u->gid,
                             errno == EINVAL ? " (not mapped in the container's user namespace)" : "");
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return oci_error_sys(err, "process.user.uid %u%s: setresuid", u->uid,
                             errno == EINVAL ? " (not mapped in the container's user namespace)" : "");
    if (u->umask.set)
        umask(u->umask.value & 0777);
    return 0;
}

int oci_process_apply_no_new_privs(const struct oci_process *p, oci_err_t *err)
{
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return oci_error_sys(err, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
    return 0;
}

/* Go's lower-case errno texts: engines match them ("no such file or directory"). */
static const char *go_strerror(int e)
{
    switch (e) {
    case ENOENT: return "no such file or directory";
    case EACCES: return "permission denied";
    case ENOTDIR: return "not a directory";
    case ELOOP: return "too many levels of symbolic links";
    case ENOEXEC: return "exec format error";
    default: return strerror(e);
    }
}

static int executable_at(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (access(path, X_OK) < 0)
        return -errno;
    return 0;
}

static const char *env_get(const struct oci_process *p, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < p->env.len; i++)
        if (strncmp(p->env.v[i], name, n) == 0 && p->env.v[i][n] == '=')
            return p->env.v[i] + n + 1;
    return NULL;
}

int oci_process_find_executable(const struct oci_process *p, char **out, oci_err_t *err)
{
    const char *name = p->args.v[0];
    const char *path_env;
    cleanup_free char *dirs = NULL;
    char *save = NULL;

    if (strchr(name, '/')) {
        int r = executable_at(name);
        /* Go's wording, as runc reports it: a failed stat names the path, a file without
         * execute permission does not. */
        if (r == -EACCES || r == -EISDIR)
            return oci_error_set(err, 0, "exec: \"%s\": %s", name, r == -EISDIR ? "is a directory" : go_strerror(-r));
        if (r < 0)
            return oci_error_set(err, 0, "exec: \"%s\": stat %s: %s", name, name, go_strerror(-r));
        *out = xstrdup(name);
        return 0;
    }
    path_env = env_get(p, "PATH");
    dirs = xstrdup(path_env ? path_env : DEFAULT_PATH);
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        cleanup_free char *cand = xasprintf("%s/%s", *d ? d : ".", name);
        if (executable_at(cand) == 0) {
            *out = steal_pointer(&cand);
            return 0;
        }
    }
    return oci_error_set(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* The container's /etc/passwd, if it is a regular file: the image (or, for exec, the running
 * container) controls it, and a fifo there would block the open for good, with the runtime
 * asleep in clone3 until we exec. */
static FILE *open_passwd(void)
{
    int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    FILE *f;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (f = fdopen(fd, "re")) == NULL) {
        close(fd);
        return NULL;
    }
    return f;
}

/* HOME of uid from the container's /etc/passwd (runc sets it when the config does not). */
static char *home_of(uid_t uid)
{
    cleanup_fclose FILE *f = open_passwd();
    char line[1024];

    while (f && fgets(line, sizeof(line), f)) {
        char *fields[7];
        char *s = line;
        int n = 0;

        for (; n < 7 && s; n++)
            fields[n] = strsep(&s, ":");
        if (n == 7 && (uid_t) strtoul(fields[2], NULL, 10) == uid && *fields[2]) {
            fields[5][strcspn(fields[5], "\n")] = '\0';
            if (*fields[5])
                return xstrdup(fields[5]);
        }
    }
    return xstrdup("/");
}

char **oci_process_build_env(const struct oci_process *p)
{
    bool has_home = env_get(p, "HOME") != NULL;
    char **envp = xzalloc((p->env.len + 2) * sizeof(char *));
    size_t n = 0;

    for (size_t i = 0; i < p->env.len; i++)
        envp[n++] = xstrdup(p->env.v[i]);
    if (!has_home) {
        cleanup_free char *home = home_of(p->user.uid);
        envp[n++] = xasprintf("HOME=%s", home);
    }
    envp[n] = NULL;
    return envp;
}

int oci_process_exec(const struct oci_process *p, const char *path, char **envp, oci_err_t *err)
{
    execve(path, p->args.v, envp);
    int e = errno;
    return oci_error_set_code(err, e, "exec %s: %s", p->args.v[0], go_strerror(e));
}

int oci_process_listen_fds(void)
{
    const char *pid = getenv("LISTEN_PID");
    const char *fds = getenv("LISTEN_FDS");
    int64_t p, n;

    /* As sd_listen_fds: only when the fds were meant for us. */
    if (pid == NULL || fds == NULL || parse_int64(pid, &p) < 0 || p != getpid())
        return 0;
    if (parse_int64(fds, &n) < 0 || n <= 0 || n > 1 << 16)
        return 0;
    return (int) n;
}

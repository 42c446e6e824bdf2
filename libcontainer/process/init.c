/* init.c: the container's setup process: namespaces, rootfs, process attributes, wait for start, exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include "ocirun/core/log.h"
#include "ocirun/core/procfs.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "ocirun/process/process.h"
#include "ocirun/process/sync.h"
#include "ocirun/security/capabilities.h"
#include "ocirun/security/lsm.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/security/sysctl.h"
#include "ocirun/state/state.h"
#include "process/init.h"
#include "process/terminal.h"
#include "rootfs/paths.h"
#include "rootfs/resolve.h"
#include "rootfs/rootfs.h"

__attribute__((noreturn)) void oci_init_fail(int sync_fd, oci_err_t *err)
{
    oci_sync_send(sync_fd, OCI_SYNC_ERROR, oci_error_errno(err), (err && *err) ? (*err)->msg : "container setup failed");
    _exit(1);
}

__attribute__((noreturn)) static void init_fail(struct oci_init_ctx *ctx, oci_err_t *err)
{
    oci_init_fail(ctx->sync_fd, err);
}

int oci_init_fork_into_pid_ns(int sync_fd, oci_err_t *err)
{
    int gate[2];
    pid_t pid;
    char c;

    if (pipe2(gate, O_CLOEXEC) < 0)
        return oci_error_sys(err, "pipe");
    pid = fork();
    if (pid < 0)
        return oci_error_sys(err, "fork into the pid namespace");
    if (pid > 0) {
        oci_sync_send(sync_fd, OCI_SYNC_PID, pid, NULL);
        /* Not waiting for our exit (mm teardown) saves the new process a few hundred us. */
        if (write(gate[1], "", 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(gate[1]);
    while (read(gate[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(gate[0]);
    return 0;
}

int oci_init_join_keyring(const struct oci_process *p, const char *id, enum oci_keyring_perm perm, oci_err_t *err)
{
    if (oci_lsm_set_keycreate(p, false, err) < 0 || oci_process_join_keyring(id, perm, err) < 0)
        return -1;
    return oci_lsm_set_keycreate(p, true, err);
}

/* Right after the namespaces, as in runc: the createContainer and startContainer hooks run
 * with the container's keyring too. In a user namespace the keyring is searchable by "other"
 * rather than by its owner (runc's choice, so an exec there makes a keyring of its own). */
static int join_keyring(struct oci_init_ctx *ctx, oci_err_t *err)
{
    enum oci_keyring_perm perm = ctx->plan->has[OCI_NS_USER] ? OCI_KEYRING_OTHER_SEARCH : OCI_KEYRING_OWNER_SEARCH;

    if (ctx->no_new_keyring)
        return 0;
    return oci_init_join_keyring(ctx->spec->process, ctx->id, perm, err);
}

/* Without a uts namespace there are none (oci_spec_validate refused them). */
static int set_names(const struct oci_spec *spec, oci_err_t *err)
{
    if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
        return oci_error_sys(err, "hostname \"%s\": sethostname", spec->hostname);
    if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
        return oci_error_sys(err, "domainname \"%s\": setdomainname", spec->domainname);
    return 0;
}

/* The runtime writes the id maps of our new user namespace (and puts us in the v1 cgroups,
 * which we may no longer do there), sends the bind sources it opened for us, then lets us go. */
static int wait_for_go(struct oci_init_ctx *ctx, oci_err_t *err)
{
    for (;;) {
        struct oci_sync_msg msg;
        size_t n = ctx->spec->n_mounts;
        int fd;

        if (oci_sync_recv_fd(ctx->sync_fd, &msg, &fd, err) < 0)
            return -1;
        if (msg.type != OCI_SYNC_MOUNT_FD) {
            if (fd >= 0)
                close(fd);
            return oci_sync_check(&msg, OCI_SYNC_GO, err);
        }
        if (fd < 0 || msg.value < 0 || (size_t) msg.value >= n) {
            if (fd >= 0)
                close(fd);
            return oci_error_set(err, 0, "bad bind source message from the runtime");
        }
        if (ctx->bind_sources == NULL) {
            ctx->bind_sources = xmalloc(n * sizeof(int));
            for (size_t i = 0; i < n; i++)
                ctx->bind_sources[i] = -1;
        }
        ctx->bind_sources[msg.value] = fd;
    }
}

static int enter_namespaces(struct oci_init_ctx *ctx, oci_err_t *err)
{
    if (ctx->wait_for_go && wait_for_go(ctx, err) < 0)
        return -1;
    /* An unprivileged runtime (/proc/PID/uid_map is root's once we are not dumpable) wrote our
     * id maps: only this user's own processes could reach us meanwhile, nothing of the
     * container runs yet. */
    if (ctx->dumpable_for_maps)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* "0": ourselves, before the cgroup namespace takes our cgroups as its root. */
    if (ctx->v1_cgroups && oci_cgroup_enter_v1(ctx->v1_cgroups, 0, err) < 0)
        return -1;
    if (ctx->plan->new_user && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
        return oci_error_sys(err, "become root in the new user namespace");
    if (oci_ns_join_and_unshare(ctx->plan, ctx->spec, err) < 0)
        return -1;
    if (ctx->plan->need_fork && oci_init_fork_into_pid_ns(ctx->sync_fd, err) < 0)
        return -1;
    return 0;
}

/* process.cwd is created while the rootfs is still writable (root.readonly comes with the
 * switch), resolved inside the rootfs so that an image symlink cannot point it elsewhere. */
static int create_cwd(struct oci_init_ctx *ctx, oci_err_t *err)
{
    const char *cwd = ctx->spec->process->cwd;
    cleanup_close int rootfd = -1;
    int fd;

    if (cwd == NULL || strcmp(cwd, "/") == 0)
        return 0;
    rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open rootfs %s", ctx->rootfs);
    fd = oci_root_ensure(rootfd, cwd, false, err);
    if (fd < 0)
        return oci_error_wrap(err, "process.cwd \"%s\"", cwd);
    close(fd);
    return 0;
}

/* process.terminal: a pty of the container's devpts becomes its /dev/console and our stdio;
 * the master goes to the runtime. Done before the root switch: root.readonly comes with it. */
static int setup_terminal(struct oci_init_ctx *ctx, oci_err_t *err)
{
    cleanup_close int rootfd = -1;
    cleanup_close int master = -1;
    int slave = -1;

    rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return oci_error_sys(err, "open rootfs %s", ctx->rootfs);
    if (oci_terminal_open(rootfd, ctx->spec->process, ctx->tty_size_from_stdin, &master, &slave, err) < 0)
        return -1;
    if (oci_terminal_mount_console(rootfd, slave, err) < 0 ||
        oci_sync_send_fd(ctx->sync_fd, OCI_SYNC_CONSOLE_FD, master) < 0) {
        close(slave);
        return err && *err ? -1 : oci_error_set(err, 0, "process.terminal: send the terminal to the runtime");
    }
    return oci_terminal_attach(slave, err);
}

/* Not needed once the mounts are made. */
static void close_bind_sources(struct oci_init_ctx *ctx)
{
    for (size_t i = 0; ctx->bind_sources && i < ctx->spec->n_mounts; i++)
        if (ctx->bind_sources[i] >= 0)
            close(ctx->bind_sources[i]);
    free(ctx->bind_sources);
    ctx->bind_sources = NULL;
}

static int setup_rootfs(struct oci_init_ctx *ctx, oci_err_t *err)
{
    struct oci_rootfs_opts ro = {
        .spec = ctx->spec,
        .rootfs = ctx->rootfs,
        .bundle = ctx->bundle,
        .userns = ctx->plan->has[OCI_NS_USER],   /* new or joined */
        .no_pivot = ctx->no_pivot,
        .bind_sources = ctx->bind_sources,
    };
    int ret = oci_rootfs_prepare(&ro, err);

    close_bind_sources(ctx);
    if (ret < 0)
        return -1;
    if (create_cwd(ctx, err) < 0)
        return -1;
    oci_phase(&ctx->phases, "mounts");
    if (oci_hooks_init_create(ctx, err) < 0)
        return -1;
    if (ctx->spec->process->terminal) {
        if (setup_terminal(ctx, err) < 0)
            return -1;
    } else if (setsid() < 0) {
        /* a session of its own, as runc's init has (the terminal's attach makes one too):
         * CRIU checkpoints only a session whose leader is inside the container */
        return oci_error_sys(err, "setsid");
    }
    if (oci_rootfs_finish(&ro, err) < 0)
        return -1;
    oci_phase(&ctx->phases, "terminal+root switch");
    /* sysctl first: the usual readonlyPaths include /proc/sys. */
    if (oci_sysctl_apply(ctx->spec, err) < 0)
        return -1;
    if (oci_paths_apply(ctx->spec, err) < 0)
        return -1;
    oci_phase(&ctx->phases, "sysctl+masked/readonly paths");
    return 0;
}

/* Our /proc/self/fd through a checked procfs: the fifo is reopened there after the switch. */
static int open_proc_fd_dir(oci_err_t *err)
{
    cleanup_close int procfd = oci_procfs_open_root("/proc", err);
    cleanup_close int selffd = -1;

    if (procfd < 0)
        return -1;
    selffd = oci_procfs_open_self(procfd, err);
    if (selffd < 0)
        return -1;
    return oci_procfs_open_at(selffd, "fd", O_PATH | O_DIRECTORY, err);
}

static int load_seccomp(const struct oci_launch *l, oci_err_t *err);

/* Once started: the startContainer hooks, then the filter they made us hold back (see
 * oci_hooks_init_start), as close to exec as it would have been. */
static int start_container(struct oci_init_ctx *ctx, struct oci_launch *l, oci_err_t *err)
{
    if (oci_hooks_init_start(ctx, l->envp, l->seccomp_pending ? l->seccomp : NULL, err) < 0)
        return -1;
    if (l->seccomp_pending && load_seccomp(l, err) < 0)
        return -1;
    l->seccomp_pending = false;
    /* The CAP_SYS_ADMIN that loading needed goes now. */
    if (l->caps_pending && oci_caps_apply(&l->caps, err) < 0)
        return -1;
    l->caps_pending = false;
    return 0;
}

/* Block until `start` opens the exec fifo, then tell it we are going, or why we are not (one
 * write of at most PIPE_BUF: `start` reads it whole). The fifo is reopened through our own
 * /proc/PID/fd directory, opened before the root switch so that it works whether or not the
 * container mounts a procfs. */
static int wait_for_start(struct oci_init_ctx *ctx, struct oci_launch *l, int proc_fd_dir, oci_err_t *err)
{
    char name[16];
    cleanup_close int fd = -1;

    snprintf(name, sizeof(name), "%d", ctx->fifo_fd);
    do
        fd = openat(proc_fd_dir, name, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return oci_error_sys(err, "open exec fifo");
    if (start_container(ctx, l, err) < 0) {
        char buf[PIPE_BUF];
        int n = snprintf(buf, sizeof(buf), "%c%s", OCI_FIFO_FAILED, (*err)->msg);

        write_all(fd, buf, n < 0 ? 1 : (size_t) n >= sizeof(buf) ? sizeof(buf) - 1 : (size_t) n);
        return -1;
    }
    if (write_all(fd, "0", 1) < 0)
        return oci_error_sys(err, "write exec fifo");
    return 0;
}

/* Loading a filter needs no_new_privs or CAP_SYS_ADMIN: without the first, load it while we
 * still hold the second, unless the process keeps it anyway. Otherwise as late as possible,
 * so that few of our own syscalls run under the container's filter. */
static bool seccomp_after_user_switch(const struct oci_process *p, const struct oci_caps *caps)
{
    if (p->no_new_privileges)
        return true;
    return (caps->effective & (1ULL << CAP_SYS_ADMIN)) != 0;
}

/* Drop our copy of the listener. From here on any syscall of ours may be notified: while we
 * hold the listener, one the agent never answers (it went away, it never got the fd) would
 * block us for good; once only the agent holds it, its going away makes such syscalls fail
 * with ENOSYS instead. close_range is the first choice: a profile that notifies close
 * rarely notifies close_range too. */
static void drop_listener(int fd)
{
    if (syscall(SYS_close_range, fd, fd, 0) < 0)
        close(fd);
}

/* A notify listener fd goes to the runtime, which hands it to the agent (sendmsg cannot be
 * notified: linux.c refuses it, and write, which our messages may use). */
static int load_seccomp(const struct oci_launch *l, oci_err_t *err)
{
    int listener = -1;
    int ret = 0;

    if (l->seccomp == NULL || l->seccomp->insns == NULL)
        return 0;
    if (oci_seccomp_load(l->seccomp, &listener, err) < 0)
        return -1;
    if (listener < 0)
        return 0;
    if (oci_sync_send_fd(l->sync_fd, OCI_SYNC_SECCOMP_FD, listener) < 0)
        ret = oci_error_set(err, 0, "linux.seccomp: send the notify fd to the runtime");
    drop_listener(listener);
    return ret;
}

static void reset_signals(void)
{
    sigset_t all;

    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
}

/* systemd socket activation: the fds sit right after stdio; LISTEN_PID is the pid the program
 * will see as its own (getpid() here, after any pid-namespace fork). */
static void add_listen_env(struct oci_launch *l)
{
    size_t n = strv_len(l->envp);

    if (l->listen_fds <= 0)
        return;
    l->envp = xrealloc(l->envp, (n + 3) * sizeof(char *));
    l->envp[n++] = xasprintf("LISTEN_FDS=%d", l->listen_fds);
    l->envp[n++] = xasprintf("LISTEN_PID=%d", (int) getpid());
    l->envp[n] = NULL;
}

int oci_init_apply_process(struct oci_launch *l, oci_err_t *err)
{
    const struct oci_process *p = l->process;
    struct oci_caps caps = { 0 }, held;
    bool seccomp_late;

    if (oci_process_apply_rlimits(p, err) < 0 || oci_process_apply_scheduler(p, err) < 0 ||
        oci_process_apply_io_priority(p, err) < 0 || oci_process_enter_cwd(p, err) < 0 ||
        oci_process_own_stdio(p, err) < 0)
        return -1;
    l->envp = oci_process_build_env(p);
    add_listen_env(l);
    /* Without process.capabilities the process gets none (as runc): CAPS stays empty. */
    if ((p->capabilities && oci_caps_resolve(p->capabilities, &caps, err) < 0) || oci_caps_prepare(&caps, err) < 0)
        return -1;
    seccomp_late = seccomp_after_user_switch(p, &caps);
    /* A filter held back for the startContainer hooks, which a process without no_new_privs
     * and without CAP_SYS_ADMIN could not load itself: we keep that capability until it is
     * loaded, then drop to the process's own (start_container). */
    l->caps_pending = !seccomp_late && l->defer_seccomp && l->seccomp && l->seccomp->insns;
    if (!seccomp_late && !l->caps_pending && load_seccomp(l, err) < 0)
        return -1;
    l->seccomp_pending = (seccomp_late || l->caps_pending) && l->defer_seccomp;
    if (oci_process_switch_user(p, err) < 0)
        return -1;
    l->caps = caps;
    held = caps;
    if (l->caps_pending) {
        held.effective |= 1ULL << CAP_SYS_ADMIN;
        held.permitted |= 1ULL << CAP_SYS_ADMIN;
    }
    if (oci_caps_apply(&held, err) < 0)
        return -1;
    if (oci_process_apply_no_new_privs(p, err) < 0 || oci_process_find_executable(p, &l->exe, err) < 0 ||
        oci_process_apply_personality(l->spec, err) < 0 || oci_lsm_apply_exec(p, err) < 0)
        return -1;
    /* Nothing of the runtime's may reach the container but stdio and passed fds. */
    syscall(SYS_close_range, 3 + l->keep_fds, ~0U, CLOSE_RANGE_CLOEXEC);
    if (seccomp_late && !l->seccomp_pending && load_seccomp(l, err) < 0)
        return -1;
    return 0;
}

__attribute__((noreturn)) void oci_init_exec(struct oci_launch *l)
{
    oci_err_t err = NULL;

    reset_signals();
    oci_process_exec(l->process, l->exe, l->envp, &err);
    /* A notified syscall nobody can answer any more fails with ENOSYS. */
    if (oci_error_errno(&err) == ENOSYS && l->spec->linux_ &&
        oci_seccomp_notifies(l->spec->linux_->seccomp, "execve"))
        oci_error_wrap(&err, "linux.seccomp: execve is under SCMP_ACT_NOTIFY and no agent holds the listener "
                       "any more (did the agent exit?)");
    oci_init_fail(l->sync_fd, &err);
}

__attribute__((noreturn)) void oci_init_main(struct oci_init_ctx *ctx)
{
    const struct oci_process *p = ctx->spec->process;
    cleanup_close int proc_fd_dir = -1;
    struct oci_launch launch = {
        .spec = ctx->spec,
        .process = p,
        .seccomp = ctx->seccomp,
        .sync_fd = ctx->sync_fd,
        .keep_fds = ctx->listen_fds + ctx->preserve_fds,
        .listen_fds = ctx->listen_fds,
        /* A notify listener must reach the runtime before READY: such a filter is not held
         * back for the hooks. */
        .defer_seccomp = ctx->seccomp && ctx->seccomp->insns && !ctx->seccomp->notify &&
                         oci_hooks_has(&ctx->spec->hooks, OCI_HOOK_START_CONTAINER),
    };
    struct oci_sync_msg msg;
    oci_err_t err = NULL;

    /* Die with the runtime while it still owns us. Not dumpable until exec (CVE-2016-9962):
     * nothing in the container may ptrace us or open our /proc files while we hold the
     * runtime's fds; execve makes the process dumpable again. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!ctx->dumpable_for_maps)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (getppid() == 1)
        _exit(1);
    /* Until exec: `state` tells an init still waiting for start by this name. */
    prctl(PR_SET_NAME, OCI_INIT_COMM, 0, 0, 0);
    oci_phases_start(&ctx->phases);

    /* Before joining any namespace: /proc is still the runtime's own (our mount namespace is
     * a fresh copy of its), not one a joined mount namespace or the bundle could provide. */
    if (oci_process_apply_oom_score_adj(p, &err) < 0)
        init_fail(ctx, &err);
    if (ctx->shared_start_time) {
        int ret = oci_proc_stat_path("/proc/self/stat", ctx->shared_start_time, NULL);
        if (ret < 0) {
            oci_error_set(&err, -ret, "read /proc/self/stat");
            init_fail(ctx, &err);
        }
    }
    if (enter_namespaces(ctx, &err) < 0)
        init_fail(ctx, &err);
    if (join_keyring(ctx, &err) < 0)
        init_fail(ctx, &err);
    oci_phase(&ctx->phases, "namespaces");   /* the keyring included */
    if (ctx->fifo_fd >= 0 && (proc_fd_dir = open_proc_fd_dir(&err)) < 0)
        init_fail(ctx, &err);
    if (set_names(ctx->spec, &err) < 0)
        init_fail(ctx, &err);
    if (setup_rootfs(ctx, &err) < 0)
        init_fail(ctx, &err);
    if (oci_init_apply_process(&launch, &err) < 0)
        init_fail(ctx, &err);
    oci_phase(&ctx->phases, "process attributes");   /* seccomp included */

    /* The runtime may exit now (create, run --detach): we must outlive it. */
    prctl(PR_SET_PDEATHSIG, 0);
    if (oci_sync_send(ctx->sync_fd, OCI_SYNC_READY, getpid(), ctx->phases.len ? ctx->phases.text : NULL) < 0)
        _exit(1);
    if (ctx->fifo_fd >= 0) {
        /* create: the runtime saves our pid, then lets us wait for start; should it die
         * before that, nothing would ever find us: the socket's EOF ends us instead. */
        if (oci_sync_expect(ctx->sync_fd, OCI_SYNC_GO, &msg, &err) < 0)
            _exit(1);
        if (wait_for_start(ctx, &launch, proc_fd_dir, &err) < 0)
            _exit(1);
    } else if (ctx->shared_start_time == NULL) {
        /* run; a shared init has no go to wait for: the runtime sleeps until we exec. */
        if (oci_sync_expect(ctx->sync_fd, OCI_SYNC_GO, &msg, &err) < 0)
            _exit(1);
        if (start_container(ctx, &launch, &err) < 0)
            init_fail(ctx, &err);
    }
    oci_init_exec(&launch);
}

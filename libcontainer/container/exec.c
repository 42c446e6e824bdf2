/* exec.c: `ocirun exec`: one clone3 into the container's cgroup and pid namespace, setns into the others, exec. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/container/container.h"
#include "ocirun/container/exec.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/clone.h"
#include "ocirun/process/process.h"
#include "ocirun/process/sync.h"
#include "ocirun/security/capabilities.h"
#include "ocirun/security/lsm.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/spec/spec.h"
#include "ocirun/state/state.h"
#include "process/init.h"
#include "process/relay.h"
#include "process/terminal.h"
#include "container/waits.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Everything one exec holds, released by exec_finish. */
struct exec_run {
    const struct oci_exec_opts *o;
    struct oci_state *st;
    struct oci_spec *spec;
    struct oci_cgroup cg;
    struct oci_seccomp_filter seccomp;
    int pidfd;                 /* the container's init */
    int ns_flags;              /* CLONE_NEW* of the namespaces that differ from ours */
    int listen_fds;
    int sync[2];
    int tty_master;            /* a foreground terminal: the pty master the child sent */
    int runtime_pidfd;         /* ours, for the child's check that we still live */
    struct oci_clone_stack stack;
    pid_t pid;                 /* the process: what clone3 returned */
};

static void exec_finish(struct exec_run *r)
{
    oci_state_free(r->st);
    oci_spec_free(r->spec);
    oci_cgroup_release(&r->cg);
    oci_seccomp_filter_free(&r->seccomp);
    close_fd(&r->pidfd);
    close_fd(&r->sync[0]);
    close_fd(&r->sync[1]);
    close_fd(&r->tty_master);
    close_fd(&r->runtime_pidfd);
    oci_clone_stack_release(&r->stack);
}

/* ---- the process to run ---- */

static int load_process_file(const char *path, struct oci_process **out, oci_err_t *err)
{
    cleanup_free char *text = NULL;
    size_t len;

    if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
        return oci_error_wrap(err, "--process");
    if (oci_process_parse(text, len, out, err) < 0)
        return oci_error_wrap(err, "--process %s", path);
    return 0;
}

/* The container's configuration as create saved it (seccomp, personality, labels, and the base
 * process without --process). */
static int build_process(struct exec_run *r, oci_err_t *err)
{
    const struct oci_exec_opts *o = r->o;
    struct oci_process *p;

    if (o->process_file) {
        if (load_process_file(o->process_file, &p, err) < 0)
            return -1;
        oci_process_free(r->spec->process);
        r->spec->process = p;
    } else {
        if (r->spec->process == NULL)
            return oci_error_set(err, 0, "config.json: process: missing required field");
        if (oci_exec_apply_opts(o, r->spec->process, err) < 0)
            return -1;
    }
    return 0;
}

static int check_process(const struct exec_run *r, oci_err_t *err)
{
    const struct oci_process *p = r->spec->process;
    struct oci_caps caps;

    if (p->args.len == 0)
        return oci_error_set(err, 0, "process args cannot be empty");
    /* A terminal needs someone to hold its master: the console socket's owner, or us. */
    if (p->terminal && r->o->console_socket == NULL && r->o->detach)
        return oci_error_set(err, 0, "a terminal (--tty, or terminal in the --process file) with --detach needs "
                             "--console-socket (nobody would hold the terminal once ocirun returns)");
    if (!p->terminal && r->o->console_socket)
        return oci_error_set(err, 0, "--console-socket \"%s\": no terminal was asked for (--tty, or terminal in "
                             "the --process file), there is none to send", r->o->console_socket);
    /* Caught here rather than half way into the container. */
    if (p->capabilities && oci_caps_resolve(p->capabilities, &caps, err) < 0)
        return -1;
    return oci_lsm_check(r->spec, err);
}

/* ---- what to join ---- */

static const struct { const char *name; int flag; } ns_files[] = {
    { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* The init's namespaces that are not ours (setns refuses to "join" our own user namespace). */
static int differing_namespaces(pid_t init, int *flags, oci_err_t *err)
{
    *flags = 0;
    for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++) {
        char path[64];
        struct stat theirs, ours;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", init, ns_files[i].name);
        if (stat(path, &theirs) < 0) {
            if (errno == ENOENT && i == ARRAY_SIZE(ns_files) - 1)   /* kernel without time namespaces */
                continue;
            return oci_error_sys(err, "stat %s", path);
        }
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_files[i].name);
        if (stat(path, &ours) < 0)
            return oci_error_sys(err, "stat %s", path);
        if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
            *flags |= ns_files[i].flag;
    }
    return 0;
}

/* The container's cgroups (or the --cgroup sub-cgroups) and the unified one's fd for clone3. */
static int open_cgroups(struct exec_run *r, oci_err_t *err)
{
    oci_cgroup_from_map(&r->st->cgroup_paths, false, NULL, &r->cg);
    if (r->o->cgroups.len && oci_exec_sub_cgroups(&r->cg, &r->o->cgroups, err) < 0)
        return -1;
    for (size_t i = 0; i < r->cg.n_dirs; i++) {
        if (strcmp(r->cg.dirs[i].key, OCI_CGROUP_UNIFIED) != 0)
            continue;
        r->cg.fd = open(r->cg.dirs[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r->cg.fd < 0)
            return oci_error_sys(err, "cgroup %s", r->cg.dirs[i].path);
    }
    return 0;
}

/* ---- the child ---- */

/* A pty of the container's devpts (we are in its mount namespace: "/" is its root) becomes our
 * controlling terminal and stdio; the master goes to the runtime. */
static int child_terminal(struct exec_run *r, oci_err_t *err)
{
    cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int master = -1;
    int slave = -1;

    if (rootfd < 0)
        return oci_error_sys(err, "open the container's root");
    if (oci_terminal_open(rootfd, r->spec->process, !r->o->detach && r->o->console_socket == NULL, &master, &slave,
                          err) < 0)
        return -1;
    if (oci_sync_send_fd(r->sync[1], OCI_SYNC_CONSOLE_FD, master) < 0) {
        close(slave);
        return oci_error_set(err, 0, "terminal: send the pty master to the runtime");
    }
    return oci_terminal_attach(slave, err);
}

__attribute__((noreturn)) static void child_fail(struct exec_run *r, oci_err_t *err)
{
    oci_init_fail(r->sync[1], err);
}

/* PR_SET_PDEATHSIG only covers a runtime that dies after it was set. */
static bool runtime_gone(const struct exec_run *r)
{
    struct pollfd p = { .fd = r->runtime_pidfd, .events = POLLIN };

    return poll(&p, 1, 0) != 0;
}

/* Runs in our memory while we sleep (oci_clone_run): it only reads R, allocates what it needs
 * and ends in exec or _exit. Already in the container's pid namespace and cgroup. */
static int exec_child(void *arg)
{
    struct exec_run *r = arg;
    const struct oci_process *p = r->spec->process;
    struct oci_launch l = {
        .spec = r->spec,
        .process = p,
        .seccomp = &r->seccomp,
        .sync_fd = r->sync[1],
        .keep_fds = r->listen_fds + r->o->preserve_fds,
        .listen_fds = r->listen_fds,
    };
    int ns_flags = r->ns_flags & ~CLONE_NEWPID;
    oci_err_t err = NULL;

    /* Not dumpable before entering the container (CVE-2016-9962): its processes must not
     * ptrace us or open our /proc files while we hold the runtime's fds. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (runtime_gone(r))
        _exit(1);
    close(r->sync[0]);
    /* Through the host's /proc, before any namespace changes what /proc is. */
    if (oci_process_apply_oom_score_adj(p, &err) < 0)
        child_fail(r, &err);
    /* "0": ourselves, whatever our pid is in the namespace we already are in. */
    if (oci_cgroup_has_v1(&r->cg) && oci_cgroup_enter_v1(&r->cg, 0, &err) < 0)
        child_fail(r, &err);
    if (oci_process_apply_cpu_affinity(p, OCI_AFFINITY_FINAL, &err) < 0)
        child_fail(r, &err);
    if (ns_flags && setns(r->pidfd, ns_flags) < 0) {
        oci_error_sys(&err, "setns into the container's namespaces (flags 0x%x)", ns_flags);
        child_fail(r, &err);
    }
    if (!r->st->no_new_keyring && oci_init_join_keyring(p, r->st->id, OCI_KEYRING_JOIN, &err) < 0)
        child_fail(r, &err);
    if (p->terminal && child_terminal(r, &err) < 0)
        child_fail(r, &err);
    if (oci_init_apply_process(&l, &err) < 0)
        child_fail(r, &err);
    /* The process outlives us with --detach. In the foreground it is ours to wait for and
     * relay: it dies with us rather than run on without its caller (the user switch cleared
     * the signal, so it is set again, then checked against a death that came first). The
     * runtime's pidfd is close-on-exec. */
    if (r->o->detach) {
        prctl(PR_SET_PDEATHSIG, 0);
    } else {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (runtime_gone(r))
            _exit(1);
    }
    oci_init_exec(&l);
}

/* The child starts in the container's pid namespace (we join it for our children only): no
 * second fork. It shares our memory until it execs unless it must join a time namespace, or
 * its seccomp filter notifies an agent: that agent gets the listener from us, and we would
 * sleep in clone3 while the child's syscalls after the load wait for it. */
static bool child_may_share_memory(const struct exec_run *r)
{
    return oci_clone_shares_memory() && !(r->ns_flags & CLONE_NEWTIME) && !r->seccomp.notify;
}

static int clone_child(struct exec_run *r, oci_err_t *err)
{
    struct clone_args args = { .exit_signal = SIGCHLD };
    bool share = child_may_share_memory(r);
    pid_t pid;

    if (r->cg.fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t) r->cg.fd;
    }
    r->runtime_pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
    if (r->runtime_pidfd < 0)
        return oci_error_sys(err, "pidfd_open of ourselves");
    /* Unprivileged, we have rights over the container's pid namespace only inside its user
     * namespace (ours: we made it): we join both, and the child starts in them. */
    if ((r->ns_flags & CLONE_NEWUSER) && geteuid() != 0) {
        int flags = CLONE_NEWUSER | (r->ns_flags & CLONE_NEWPID);
        if (setns(r->pidfd, flags) < 0)
            return oci_error_sys(err, "setns into the container's user%s namespace",
                                 flags & CLONE_NEWPID ? " and pid" : "");
        r->ns_flags &= ~flags;
    }
    if ((r->ns_flags & CLONE_NEWPID) && setns(r->pidfd, CLONE_NEWPID) < 0)
        return oci_error_sys(err, "setns into the container's pid namespace");
    /* Ours, before the child is cloned into the cgroup: it inherits it (we keep it too). */
    if (oci_process_apply_cpu_affinity(r->spec->process, OCI_AFFINITY_INITIAL, err) < 0)
        return -1;
    pid = oci_clone_run(&args, share, &r->stack, exec_child, r);
    if (pid < 0)
        return oci_error_sys(err, "clone3 into the container's cgroup");
    r->pid = pid;
    close_fd(&r->sync[1]);
    return 0;
}

/* ---- waiting for the exec ---- */

static int forward_seccomp_fd(struct exec_run *r, int listener, oci_err_t *err)
{
    pid_t init = r->st->pid;
    int ret;

    /* The process state names the process the filter belongs to. */
    r->st->pid = r->pid;
    ret = oci_seccomp_send_listener(r->spec->linux_->seccomp, listener, r->st, OCI_STATUS_RUNNING, err);
    r->st->pid = init;
    close(listener);
    return ret;
}

/* The terminal and a seccomp fd may come, an error, or EOF: the socket is close-on-exec, so
 * EOF means the process exec'd. */
static int wait_exec(struct exec_run *r, oci_err_t *err)
{
    cleanup_free char *what = xasprintf("exec in container \"%s\"", r->o->id);
    struct oci_sync_msg msg;
    oci_err_t eof = NULL;

    for (;;) {
        int fd;

        /* A child that shared our memory has exec'd or failed by now: nothing to wait for. */
        if (oci_wait_readable(r->sync[0], OCI_SETUP_WAIT_MS, what, "its setup process", "exec", r->pid, err) < 0)
            return -1;
        if (oci_sync_recv_fd(r->sync[0], &msg, &fd, &eof) < 0) {
            oci_error_free(&eof);
            return 0;
        }
        if (msg.type == OCI_SYNC_CONSOLE_FD) {
            if (oci_terminal_hand_over(r->o->console_socket, fd, &r->tty_master, err) < 0)
                return -1;
            continue;
        }
        if (msg.type == OCI_SYNC_SECCOMP_FD) {
            if (fd < 0)
                return oci_error_set(err, 0, "exec setup process sent no seccomp notify fd");
            if (forward_seccomp_fd(r, fd, err) < 0)
                return -1;
            continue;
        }
        if (fd >= 0)
            close(fd);
        if (msg.type != OCI_SYNC_ERROR)
            return oci_error_set(err, 0, "unexpected message %u from the exec setup process", msg.type);
        return oci_sync_check(&msg, OCI_SYNC_ERROR, err);
    }
}

static void kill_and_reap(struct exec_run *r)
{
    if (r->pid > 0 && !oci_kill_reap(r->pid, 0))
        oci_warn("exec process %d did not die within %d s of SIGKILL", r->pid, OCI_KILL_WAIT_MS / 1000);
    r->pid = 0;
}

/* ---- exec ---- */

static int prepare(struct exec_run *r, struct oci_phases *ph, oci_err_t *err)
{
    bool cached = false;
    if (oci_container_open_live(r->o->root, r->o->id, r->o->ignore_paused, &r->st, &r->spec, &r->pidfd, err) < 0)
        return -1;
    if (build_process(r, err) < 0 || check_process(r, err) < 0)
        return -1;
    oci_phase(ph, "state+config+process");
    if (differing_namespaces(r->st->pid, &r->ns_flags, err) < 0)
        return -1;
    if (open_cgroups(r, err) < 0)
        return -1;
    if (r->spec->linux_ && oci_seccomp_compile_cached(r->o->root, r->spec->linux_->seccomp, &r->seccomp, &cached,
                                                      err) < 0)
        return -1;
    oci_phase(ph, cached ? "namespaces+cgroups+seccomp (cached)" : "namespaces+cgroups+seccomp compile");
    r->listen_fds = oci_process_listen_fds();
    if (oci_sync_pair(r->sync, err) < 0)
        return -1;
    return 0;
}

static int start(struct exec_run *r, struct oci_phases *ph, oci_err_t *err)
{
    if (clone_child(r, err) < 0 || wait_exec(r, err) < 0) {
        kill_and_reap(r);
        return -1;
    }
    oci_phase(ph, "clone to exec");
    if (r->o->pid_file && oci_pid_file_write(r->o->pid_file, r->pid, err) < 0) {
        kill_and_reap(r);
        return -1;
    }
    return 0;
}

int oci_exec(const struct oci_exec_opts *o, int *exit_status, oci_err_t *err)
{
    struct exec_run r = {
        .o = o, .pidfd = -1, .sync = { -1, -1 }, .tty_master = -1, .runtime_pidfd = -1, .cg = { .fd = -1 },
    };
    struct oci_tty_saved saved_tty = { .fd = -1 };
    struct oci_phases ph;
    sigset_t set, old;
    int status = 0;
    int ret;

    *exit_status = 255;
    if (!o->detach && oci_relay_block_signals(&set, &old) < 0)
        return oci_error_sys(err, "sigprocmask");
    oci_phases_start(&ph);
    ret = prepare(&r, &ph, err);
    if (ret == 0)
        ret = start(&r, &ph, err);
    oci_phases_log(&ph, "exec");
    if (ret == 0 && o->detach) {
        *exit_status = 0;
    } else if (ret == 0) {
        if (r.tty_master >= 0)
            oci_terminal_raw(&saved_tty);
        ret = oci_relay_until_exit(r.pid, &set, r.tty_master, NULL, &status, err);
        oci_terminal_restore(&saved_tty);
        if (ret == 0)
            *exit_status = oci_exit_code(status);
    }
    if (!o->detach)
        sigprocmask(SIG_SETMASK, &old, NULL);
    exec_finish(&r);
    return ret;
}

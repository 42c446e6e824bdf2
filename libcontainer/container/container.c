/* container.c: the runtime side of the lifecycle: create, start, run, state, kill, delete, list. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include "ocirun/cgroups/cgroup.h"
#include "ocirun/container/container.h"
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/clone.h"
#include "ocirun/process/hooks.h"
#include "ocirun/process/process.h"
#include "ocirun/process/sync.h"
#include "ocirun/security/lsm.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/security/sysctl.h"
#include "ocirun/spec/spec.h"
#include "ocirun/spec/validate.h"
#include "ocirun/state/state.h"
#include "process/init.h"
#include "process/namespaces.h"
#include "process/notify.h"
#include "process/relay.h"
#include "process/terminal.h"
#include "container/waits.h"
#include "rootfs/rootfs.h"

/* Everything create builds, so that a failure at any step can take it all down again. */
struct build {
    const struct oci_create_opts *o;
    struct oci_spec *spec;
    char *config_text;        /* config.json's bytes as read, saved for exec (then freed) */
    size_t config_len;
    char *bundle;
    char *rootfs;
    int state_dir;
    bool state_dir_made;
    struct oci_cgroup cg;
    struct oci_ns_plan plan;
    struct oci_seccomp_filter seccomp;
    int sync[2];
    pid_t child;              /* what clone returned */
    pid_t init;               /* the container's init (child, or its child after a pid-ns fork) */
    int listen_fds;           /* LISTEN_FDS meant for us, passed on */
    bool foreground;          /* run without --detach: we stay and may relay a terminal */
    bool shared_init;         /* the init borrowed our memory until its exec (run only) */
    uint64_t init_start_time; /* written there by a shared init (its /proc stat start time) */
    struct oci_clone_stack stack;
    int tty_master;           /* process.terminal: the pty master the init sent, until handed on */
    int *bind_sources;        /* a new user namespace: mounts[]' bind sources opened for the init, or NULL */
    uint64_t host_mnt_id;     /* no mount namespace: the rootfs bound onto itself in ours (its id) */
    struct oci_notify notify; /* NOTIFY_SOCKET: the container's socket (run) */
};

static void build_init(struct build *b, const struct oci_create_opts *o)
{
    memset(b, 0, sizeof(*b));
    b->o = o;
    b->state_dir = -1;
    b->cg.fd = -1;
    b->sync[0] = b->sync[1] = -1;
    b->tty_master = -1;
    b->notify = (struct oci_notify) OCI_NOTIFY_INIT;
    for (int i = 0; i < OCI_NS_COUNT; i++)
        b->plan.join_fd[i] = -1;
}

static void build_state(const struct build *b, struct oci_state *st);

/* The poststart and poststop hooks of create/run: failures are warnings. */
static void build_hooks_warn(const struct build *b, enum oci_hook_kind kind)
{
    struct oci_hook_exec x = oci_hook_exec_runtime(b->bundle);
    struct oci_state st;
    char now[64];

    if (!oci_hooks_has(&b->spec->hooks, kind))
        return;
    build_state(b, &st);
    now_rfc3339(now, sizeof(now));
    st.created = now;
    oci_hooks_run_warn(&b->spec->hooks, kind, &st, &x);
}

/* Release what the runtime holds; with `destroy`, also kill and remove what was built. */
static void build_finish(struct build *b, bool destroy)
{
    bool started = b->child > 0 || b->init > 0;

    if (destroy) {
        /* Bounded: a process in an uninterruptible sleep would keep us here for good. */
        if (b->init > 0 && b->init != b->child && !oci_kill_reap(b->init, __WALL))
            oci_warn("container init %d did not die within %d s of SIGKILL", b->init, OCI_KILL_WAIT_MS / 1000);
        if (b->child > 0 && !oci_kill_reap(b->child, 0))
            oci_warn("container setup process %d did not die within %d s of SIGKILL", b->child,
                     OCI_KILL_WAIT_MS / 1000);
        oci_cgroup_destroy_created(&b->cg);
        oci_rootfs_unbind_host(b->rootfs, b->host_mnt_id);
        if (b->state_dir_made)
            oci_state_remove_dir(b->o->root, b->o->id, NULL);
        /* As after delete: the container existed (runc runs them on a failed create too). */
        if (started)
            build_hooks_warn(b, OCI_HOOK_POSTSTOP);
    }
    oci_cgroup_release(&b->cg);
    oci_ns_plan_close(&b->plan);
    oci_seccomp_filter_free(&b->seccomp);
    close_fd(&b->sync[0]);
    close_fd(&b->sync[1]);
    close_fd(&b->state_dir);
    close_fd(&b->tty_master);
    oci_rootfs_close_bind_sources(b->bind_sources, b->spec ? b->spec->n_mounts : 0);
    b->bind_sources = NULL;
    oci_notify_close(&b->notify);
    oci_clone_stack_release(&b->stack);
    oci_spec_free(b->spec);
    free(b->config_text);
    free(b->bundle);
    free(b->rootfs);
}

/* The spec's own rules and the host's LSM, before anything is built (check runs the same). */
static int validate_spec(const struct oci_spec *spec, oci_err_t *err)
{
    struct oci_report r = OCI_REPORT_FIRST(err);

    if (oci_spec_validate(spec, &r) < 0 || oci_sysctl_check(spec, &r) < 0 || oci_lsm_check_report(spec, &r) < 0)
        return -1;
    return 0;
}

static int resolve_paths(struct build *b, oci_err_t *err)
{
    cleanup_free char *config = NULL;
    const char *bundle = b->o->bundle ? b->o->bundle : ".";

    b->bundle = realpath(bundle, NULL);
    if (b->bundle == NULL)
        return oci_error_sys(err, "bundle \"%s\": cannot open %s/config.json", bundle, bundle);
    config = xasprintf("%s/config.json", b->bundle);
    if (oci_spec_load_at(AT_FDCWD, config, &b->spec, &b->config_text, &b->config_len, err) < 0)
        return -1;
    if (validate_spec(b->spec, err) < 0)
        return -1;
    return oci_rootfs_resolve(b->bundle, b->spec->root, &b->rootfs, err);
}

/* A terminal needs someone to hold its master: the console socket's owner, or us in the
 * foreground. */
static int check_console(const struct build *b, oci_err_t *err)
{
    bool terminal = b->spec->process->terminal;

    if (terminal && b->o->console_socket == NULL && !b->foreground)
        return oci_error_set(err, 0, "config.json: process.terminal is true: --console-socket is required "
                             "with create and run --detach (nobody would hold the terminal once ocirun returns)");
    if (!terminal && b->o->console_socket)
        return oci_error_set(err, 0, "--console-socket \"%s\": process.terminal is false, there is no "
                             "terminal to send", b->o->console_socket);
    return 0;
}

/* Every cgroup leaf was made by this create (or there are none): a shared init's pid is saved
 * only once it has exec'd, and a run killed before that is cleaned up through its cgroup,
 * which must then hold nothing but the container. */
static bool cgroup_all_ours(const struct oci_cgroup *cg)
{
    for (size_t i = 0; i < cg->n_dirs; i++)
        if (!cg->dirs[i].created)
            return false;
    return true;
}

/* `run` with nothing for us to do between clone and exec (no id maps, no hooks before start,
 * no second fork, no time namespace, which needs an mm of its own) lets the init borrow our
 * memory until it execs (oci_clone_run): it puts itself into the v1 hierarchies and goes from
 * READY straight to exec while we sleep. Not with a seccomp notify filter: its syscalls after
 * the load (close, execve, ...) may wait for the agent, which only gets the listener from us,
 * and we would sleep in clone3 until the exec: a deadlock nothing could bound. */
static bool init_may_share_memory(const struct build *b, bool with_fifo)
{
    return !with_fifo && oci_clone_shares_memory() && !b->plan.new_user && !b->plan.need_fork &&
           !b->plan.has[OCI_NS_TIME] && !oci_hooks_need_sync(&b->spec->hooks) && !b->seccomp.notify &&
           cgroup_all_ours(&b->cg);
}

struct init_start {
    struct build *b;
    struct oci_init_ctx ctx;
};

static int init_child(void *arg)
{
    struct init_start *is = arg;
    struct build *b = is->b;

    /* The state lock must not outlive `create` in us: `start` takes it. */
    close(b->state_dir);
    close(b->sync[0]);
    if (b->cg.fd >= 0)
        close(b->cg.fd);
    oci_init_main(&is->ctx);
}

static pid_t clone_init(struct build *b, int fifo_fd, bool share, oci_err_t *err)
{
    struct clone_args args = {
        .flags = (uint64_t) b->plan.clone_flags,
        .exit_signal = SIGCHLD,
    };
    /* The init's copy: it marks the namespace fds it closed, ours stay ours to close. */
    struct oci_ns_plan plan = b->plan;
    struct init_start is = {
        .b = b,
        .ctx = {
            .spec = b->spec,
            .plan = &plan,
            .rootfs = b->rootfs,
            .bundle = b->bundle,
            .sync_fd = b->sync[1],
            .fifo_fd = fifo_fd,
            .no_pivot = b->o->no_pivot,
            .preserve_fds = b->o->preserve_fds,
            .listen_fds = b->listen_fds,
            .seccomp = &b->seccomp,
            /* Only we can write its id maps; its v1 hierarchies (which CLONE_INTO_CGROUP
             * cannot do) it enters itself, unless its new user namespace forbids it. */
            .wait_for_go = b->plan.new_user,
            .dumpable_for_maps = b->plan.new_user && geteuid() != 0,
            .v1_cgroups = !b->plan.new_user && oci_cgroup_has_v1(&b->cg) ? &b->cg : NULL,
            .shared_start_time = share ? &b->init_start_time : NULL,
            .tty_size_from_stdin = b->foreground && b->o->console_socket == NULL,
            .id = b->o->id,
            .hooks_sync = oci_hooks_need_sync(&b->spec->hooks),
            .no_new_keyring = b->o->no_new_keyring,
        },
    };
    pid_t pid;

    if (b->cg.fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t) b->cg.fd;
    }
    pid = oci_clone_run(&args, share, &b->stack, init_child, &is);
    if (pid < 0 && errno == EPERM && geteuid() != 0 && !b->plan.has[OCI_NS_USER])
        return oci_error_sys(err, "clone3 (namespace flags 0x%x): uid %u may create namespaces only with a user "
                             "namespace of its own (linux.namespaces \"user\" with uidMappings and gidMappings, as "
                             "'ocirun spec --rootless' writes)", b->plan.clone_flags, (unsigned) geteuid());
    if (pid < 0)
        return oci_error_sys(err, "clone3 (namespace flags 0x%x)", b->plan.clone_flags);
    return pid;
}

static void build_state(const struct build *b, struct oci_state *st)
{
    *st = (struct oci_state) {
        .id = (char *) b->o->id,
        .pid = b->init,
        .bundle = b->bundle,
        .rootfs = b->rootfs,
        .owner = "",
        .annotations = b->spec->annotations,
        .cgroup_created = b->cg.created,
        .systemd_cgroup = b->o->systemd_cgroup,
        .no_new_keyring = b->o->no_new_keyring,
        .poststart = b->spec->hooks.poststart,
        .poststop = b->spec->hooks.poststop,
        .start_hooks_ms = oci_hooks_timeout_ms(&b->spec->hooks, OCI_HOOK_START_CONTAINER),
        .host_rootfs_mount = b->host_mnt_id,
    };
}

static int write_state(struct build *b, bool creating, oci_err_t *err)
{
    struct oci_state st;
    char created[64];
    int ret;

    build_state(b, &st);
    now_rfc3339(created, sizeof(created));
    st.created = created;
    st.creating = creating;
    st.pid_start_time = b->init_start_time;
    oci_cgroup_to_map(&b->cg, &st.cgroup_paths);
    oci_cgroup_preexisting(&b->cg, &st.cgroup_preexisting);
    if (st.cgroup_preexisting.len == 0) {
        free(st.cgroup_preexisting.v);
        st.cgroup_preexisting.v = NULL;
    }
    ret = oci_state_write(b->state_dir, &st, err);
    free(st.cgroup_paths.items);   /* the strings belong to b->cg */
    free(st.cgroup_preexisting.v);
    return ret;
}

/* While building, state.json says what exists so far (struct oci_state's `creating`): written
 * before the cgroup directories exist, it lets `delete --force` find and remove what a create
 * killed half way made. The init itself never outlives a runtime that dies before its final
 * state: until then it dies with us (PR_SET_PDEATHSIG) or on the sync socket's EOF. */
static int save_creating_state(struct build *b, oci_err_t *err)
{
    return write_state(b, true, err);
}

static int save_state(struct build *b, oci_err_t *err)
{
    char state_char;

    /* A shared init wrote its start time before its exec: reading /proc/PID/stat now would
     * wait for the exec to finish (exec_update_lock). */
    if (!b->shared_init && oci_proc_stat(b->init, &b->init_start_time, &state_char) < 0)
        return oci_error_set(err, ESRCH, "container init %d exited during setup", b->init);
    if (write_state(b, false, err) < 0)
        return -1;
    if (b->o->pid_file && oci_pid_file_write(b->o->pid_file, b->init, err) < 0)
        return -1;
    return 0;
}

static int forward_seccomp_fd(struct build *b, int listener_fd, oci_err_t *err)
{
    struct oci_state st;
    char now[64];
    int ret;

    if (listener_fd < 0)
        return oci_error_set(err, 0, "container setup process sent no seccomp notify fd");
    build_state(b, &st);
    now_rfc3339(now, sizeof(now));
    st.created = now;
    ret = oci_seccomp_send_listener(b->spec->linux_->seccomp, listener_fd, &st, OCI_STATUS_CREATING, err);
    close(listener_fd);
    return ret;
}

/* The init has its namespaces and mounts and waits before pivot_root: prestart, then
 * createRuntime, here in ours; then tell it its pid as we see it (for the state of its hooks). */
static int run_runtime_hooks(struct build *b, oci_err_t *err)
{
    struct oci_hook_exec x = oci_hook_exec_runtime(b->bundle);
    struct oci_state st;
    char now[64];

    build_state(b, &st);
    now_rfc3339(now, sizeof(now));
    st.created = now;
    if (oci_hooks_run(&b->spec->hooks, OCI_HOOK_PRESTART, &st, &x, err) < 0 ||
        oci_hooks_run(&b->spec->hooks, OCI_HOOK_CREATE_RUNTIME, &st, &x, err) < 0) {
        oci_sync_send(b->sync[0], OCI_SYNC_ERROR, 0, "a runtime hook failed");
        return -1;
    }
    if (oci_sync_send(b->sync[0], OCI_SYNC_GO, b->init, NULL) < 0)
        return oci_error_set(err, 0, "container setup process exited unexpectedly");
    return 0;
}

/* Wait for the init's report; after a pid-ns fork, the pid first, then reap the middle process.
 * The hooks request (only with such hooks) and a seccomp notify fd may come before the report. */
static int wait_ready(struct build *b, oci_err_t *err)
{
    /* Every message is bounded: the createContainer hooks run in the init before READY. */
    int64_t bound = oci_wait_bound(OCI_SETUP_WAIT_MS,
                                   oci_hooks_timeout_ms(&b->spec->hooks, OCI_HOOK_CREATE_CONTAINER));
    cleanup_free char *what = xasprintf("container \"%s\"", b->o->id);
    struct oci_sync_msg msg;

    b->init = b->child;
    if (b->plan.need_fork) {
        if (oci_wait_readable(b->sync[0], bound, what, "its setup process", "report", b->child, err) < 0)
            return -1;
        int ret = oci_sync_expect_pid(b->sync[0], b->child, &b->init, err);
        b->child = 0;
        if (ret < 0)
            return -1;
    }
    for (;;) {
        int fd;

        if (oci_wait_readable(b->sync[0], bound, what, "its setup process", "report", b->init, err) < 0 ||
            oci_sync_recv_fd(b->sync[0], &msg, &fd, err) < 0)
            return -1;
        if (msg.type == OCI_SYNC_CONSOLE_FD) {
            if (oci_terminal_hand_over(b->o->console_socket, fd, &b->tty_master, err) < 0)
                return -1;
            continue;
        }
        if (msg.type == OCI_SYNC_HOOKS) {
            if (fd >= 0)
                close(fd);
            if (run_runtime_hooks(b, err) < 0)
                return -1;
            continue;
        }
        if (msg.type != OCI_SYNC_SECCOMP_FD) {
            if (fd >= 0)
                close(fd);
            break;
        }
        if (forward_seccomp_fd(b, fd, err) < 0)
            return -1;
    }
    if (msg.type == OCI_SYNC_READY && msg.text[0])
        oci_debug("container setup process: %s", msg.text);
    return oci_sync_check(&msg, OCI_SYNC_READY, err);
}

static int open_bind_sources(void *arg, oci_err_t *err)
{
    struct build *b = arg;

    return oci_rootfs_open_bind_sources(b->spec, b->bundle, &b->bind_sources, err);
}

/* A new user namespace may keep its root from the bind sources (0700 directories on the way):
 * we open them, as root on the host, in the init's new mount namespace (so that its copies of
 * our mounts, locked to its user namespace, are what it binds), and pass them on before GO. */
static int send_bind_sources(struct build *b, oci_err_t *err)
{
    if (!(b->plan.clone_flags & CLONE_NEWNS) || b->spec->n_mounts == 0)
        return 0;
    /* An unprivileged runtime may not enter that namespace (it is the init's user namespace's),
     * and reaches nothing its init, root of a namespace mapped to this user, could not. (Root
     * of a user namespace, as under rootless podman, owns the init's and may.) */
    if (geteuid() != 0)
        return 0;
    if (oci_ns_in_mount_ns_of(b->child, open_bind_sources, b, err) < 0)
        return -1;
    for (size_t i = 0; b->bind_sources && i < b->spec->n_mounts; i++) {
        if (b->bind_sources[i] < 0)
            continue;
        if (oci_sync_send_fd_value(b->sync[0], OCI_SYNC_MOUNT_FD, (int32_t) i, b->bind_sources[i]) < 0)
            return oci_error_set(err, 0, "container setup process exited unexpectedly");
    }
    oci_rootfs_close_bind_sources(b->bind_sources, b->spec->n_mounts);
    b->bind_sources = NULL;
    return 0;
}

/* Without a mount namespace of its own the container's mounts go into ours, below the rootfs
 * bound onto itself here (so that one detach takes them all away again). */
static int prepare_rootfs_sources(struct build *b, oci_err_t *err)
{
    if (!oci_rootfs_has_mount_ns(b->spec))
        return oci_rootfs_bind_host(b->rootfs, &b->host_mnt_id, err);
    return 0;
}

/* The NOTIFY_SOCKET mount: ROOT/ID/notify at /run/notify, read-only (runc's options). */
static void add_notify_mount(struct oci_spec *spec, char *source)
{
    static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro" };
    struct oci_mount *m;

    spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
    m = &spec->mounts[spec->n_mounts++];
    *m = (struct oci_mount) { .destination = xstrdup(OCI_NOTIFY_MOUNT), .source = source };
    m->options.v = xzalloc((ARRAY_SIZE(opts) + 1) * sizeof(char *));
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        m->options.v[m->options.len++] = xstrdup(opts[i]);
}

/* The process's NOTIFY_SOCKET is the container's socket (an own one in process.env is replaced). */
static void set_notify_env(struct oci_process *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->env.len; i++) {
        if (strncmp(p->env.v[i], "NOTIFY_SOCKET=", 14) == 0)
            free(p->env.v[i]);
        else
            p->env.v[n++] = p->env.v[i];
    }
    p->env.v = xrealloc(p->env.v, (n + 2) * sizeof(char *));
    p->env.v[n++] = xstrdup(OCI_NOTIFY_ENV);
    p->env.v[n] = NULL;
    p->env.len = n;
}

/* NOTIFY_SOCKET set by the caller (podman --sdnotify=container, a systemd unit), as runc: the
 * container's own socket directory ROOT/ID/notify, bound at /run/notify; run binds the socket
 * now, before the process can send, create leaves that to start. */
static int prepare_notify(struct build *b, bool with_fifo, oci_err_t *err)
{
    cleanup_free char *root = NULL;

    if (b->o->notify_socket == NULL)
        return 0;
    if (mkdirat(b->state_dir, OCI_NOTIFY_DIR, 0755) < 0)
        return oci_error_sys(err, "NOTIFY_SOCKET: mkdir %s/%s/%s", b->o->root, b->o->id, OCI_NOTIFY_DIR);
    root = realpath(b->o->root, NULL);
    if (root == NULL)
        return oci_error_sys(err, "NOTIFY_SOCKET: state root %s", b->o->root);
    add_notify_mount(b->spec, xasprintf("%s/%s/%s", root, b->o->id, OCI_NOTIFY_DIR));
    set_notify_env(b->spec->process);
    if (!with_fifo && oci_notify_bind(&b->notify, b->state_dir, b->o->notify_socket, err) < 0)
        return -1;
    return 0;
}

/* Everything up to an init that waits for start (fifo) or for our go (run). */
static int build_container(struct build *b, bool with_fifo, oci_err_t *err)
{
    bool cached = false;
    cleanup_close int fifo_fd = -1;
    struct oci_phases ph;

    oci_phases_start(&ph);
    if (oci_id_validate(b->o->id, err) < 0)
        return -1;
    if (resolve_paths(b, err) < 0 || check_console(b, err) < 0)
        return -1;
    oci_phase(&ph, "parse config");
    if (oci_state_create_dir(b->o->root, b->o->id, &b->state_dir, err) < 0)
        return -1;
    b->state_dir_made = true;
    if (with_fifo) {
        if (mkfifoat(b->state_dir, OCI_EXEC_FIFO, 0600) < 0)
            return oci_error_sys(err, "mkfifo %s/%s/%s", b->o->root, b->o->id, OCI_EXEC_FIFO);
        /* The init opens it for writing after dropping to the container's user, perhaps in a
         * user namespace and without CAP_DAC_OVERRIDE: let any uid write. The state directory
         * (0700, root) keeps everyone else on the host from reaching it. */
        if (fchmodat(b->state_dir, OCI_EXEC_FIFO, 0622, 0) < 0)
            return oci_error_sys(err, "chmod %s", OCI_EXEC_FIFO);
        fifo_fd = openat(b->state_dir, OCI_EXEC_FIFO, O_PATH | O_CLOEXEC);
        if (fifo_fd < 0)
            return oci_error_sys(err, "open %s", OCI_EXEC_FIFO);
    }
    if (prepare_notify(b, with_fifo, err) < 0)
        return -1;
    oci_phase(&ph, "state dir");
    if (oci_cgroup_plan(b->spec, b->o->id, b->o->systemd_cgroup, &b->cg, err) < 0 ||
        (b->o->rootless && oci_cgroup_rootless_filter(b->spec, &b->cg, err) < 0) ||
        save_creating_state(b, err) < 0)
        return -1;
    if (oci_cgroup_make(b->spec, &b->cg, err) < 0 || oci_cgroup_apply(b->spec, &b->cg, err) < 0)
        return -1;
    oci_phase(&ph, "cgroup");
    if (oci_ns_plan_build(b->spec, &b->plan, err) < 0)
        return -1;
    if (b->spec->linux_ && oci_seccomp_compile_cached(b->o->root, b->spec->linux_->seccomp, &b->seccomp, &cached,
                                                      err) < 0)
        return -1;
    oci_phase(&ph, cached ? "seccomp (cached)" : "seccomp compile");
    if (oci_sync_pair(b->sync, err) < 0)
        return -1;
    if (b->plan.need_fork && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return oci_error_sys(err, "prctl(PR_SET_CHILD_SUBREAPER)");
    if (prepare_rootfs_sources(b, err) < 0)
        return -1;

    b->listen_fds = oci_process_listen_fds();
    b->shared_init = init_may_share_memory(b, with_fifo);
    b->child = clone_init(b, fifo_fd, b->shared_init, err);
    if (b->child < 0) {
        b->child = 0;
        return -1;
    }
    close_fd(&b->sync[1]);
    oci_cgroup_placed(&b->cg);
    /* A shared init has run up to its exec (or failure) by now. */
    oci_phase(&ph, b->shared_init ? "clone+setup+exec" : "clone");
    if (b->plan.new_user) {
        if (oci_ns_write_id_maps(b->child, b->spec, err) < 0)
            return -1;
        if (oci_cgroup_has_v1(&b->cg) && oci_cgroup_enter_v1(&b->cg, b->child, err) < 0)
            return -1;
        if (send_bind_sources(b, err) < 0)
            return -1;
        if (oci_sync_send(b->sync[0], OCI_SYNC_GO, 0, NULL) < 0)
            return oci_error_set(err, 0, "container setup process exited unexpectedly");
        oci_phase(&ph, "id maps+v1 cgroups");
    }
    /* exec's configuration (never the bundle's again), while the init sets itself up; before
     * the state.json that lets exec in. */
    if (oci_state_save_config(b->state_dir, b->config_text, b->config_len, err) < 0)
        return -1;
    free(steal_pointer(&b->config_text));
    oci_phase(&ph, "save config");
    if (wait_ready(b, err) < 0)
        return -1;
    oci_phase(&ph, b->shared_init ? "setup report" : "container setup");
    if (save_state(b, err) < 0)
        return -1;
    oci_phase(&ph, "save state");
    oci_phases_log(&ph, "create");
    return 0;
}

int oci_container_create(const struct oci_create_opts *o, oci_err_t *err)
{
    struct build b;
    int ret;

    build_init(&b, o);
    ret = build_container(&b, true, err);
    /* Its pid is saved: the init may go on to wait for start, and outlive us. */
    if (ret == 0 && oci_sync_send(b.sync[0], OCI_SYNC_GO, 0, NULL) < 0)
        ret = oci_error_set(err, 0, "container setup process exited unexpectedly");
    build_finish(&b, ret < 0);
    return ret;
}

/* --- run --------------------------------------------------------------------------------- */

/* After go, the setup fd closes on a successful exec; a message means exec failed. */
static int wait_exec(struct build *b, oci_err_t *err)
{
    struct oci_sync_msg msg;
    oci_err_t eof = NULL;

    /* A shared init has exec'd (or failed) already; the other runs its startContainer hooks. */
    if (!b->shared_init) {
        int64_t bound = oci_wait_bound(OCI_SETUP_WAIT_MS,
                                       oci_hooks_timeout_ms(&b->spec->hooks, OCI_HOOK_START_CONTAINER));
        cleanup_free char *what = xasprintf("container \"%s\"", b->o->id);

        if (oci_wait_readable(b->sync[0], bound, what, "its init", "exec", b->init, err) < 0)
            return -1;
    }
    if (oci_sync_recv(b->sync[0], &msg, &eof) < 0) {
        oci_error_free(&eof);
        return 0;
    }
    if (msg.type == OCI_SYNC_ERROR) {
        int ret = oci_error_set(err, 0, "%s", msg.text);
        (*err)->errnum = msg.value;
        return ret;
    }
    return 0;
}

/* What is left in a cgroup the container made is killed; a cgroup that existed before it is
 * not its alone, and stays. */
static void remove_container(const char *root, const char *id, const struct oci_cgroup *cg, const char *rootfs,
                             uint64_t host_mnt_id)
{
    if (cg && cg->created) {
        if (cg->dirs[0].created && oci_cgroup_populated(cg))
            oci_cgroup_signal_all(cg, SIGKILL, NULL);
        oci_cgroup_remove(cg, NULL);
    }
    /* runc leaves the mounts of a container without a mount namespace in the caller's; we take
     * back the one bind we made (and everything below it). */
    oci_rootfs_unbind_host(rootfs, host_mnt_id);
    oci_state_remove_dir(root, id, NULL);
}

/* run --detach and start: the caller hears READY (MAINPID: the init) once the process says it,
 * or nothing if it exits first. */
static void notify_wait_init(struct oci_notify *n, pid_t init)
{
    cleanup_close int pidfd = (int) syscall(SYS_pidfd_open, init, 0);

    n->mainpid = init;
    if (pidfd >= 0)
        oci_notify_wait(n, pidfd);
    oci_notify_close(n);
}

int oci_container_run(const struct oci_create_opts *o, bool detach, bool keep, int *exit_status, oci_err_t *err)
{
    struct oci_tty_saved saved_tty = { .fd = -1 };
    sigset_t set, old;
    struct build b;
    int status = 0;
    int ret;

    build_init(&b, o);
    b.foreground = !detach;
    if (!detach && oci_relay_block_signals(&set, &old) < 0)
        return oci_error_sys(err, "sigprocmask");
    ret = build_container(&b, false, err);
    /* A shared init went on to exec without waiting (init_may_share_memory). */
    if (ret == 0 && !b.shared_init && oci_sync_send(b.sync[0], OCI_SYNC_GO, 0, NULL) < 0)
        ret = oci_error_set(err, 0, "container setup process exited unexpectedly");
    if (ret == 0) {
        struct oci_phases ph;
        oci_phases_start(&ph);
        ret = wait_exec(&b, err);
        oci_phase(&ph, "go to exec");
        if (!b.shared_init)
            oci_phases_log(&ph, "run");
    }
    if (ret == 0) {
        /* Drop the lock first: state/kill/exec work while the hooks and the process run. */
        close_fd(&b.state_dir);
        build_hooks_warn(&b, OCI_HOOK_POSTSTART);
    }
    if (ret == 0 && detach && b.notify.fd >= 0)
        notify_wait_init(&b.notify, b.init);
    if (ret < 0 || detach) {
        build_finish(&b, ret < 0);
        if (!detach)
            sigprocmask(SIG_SETMASK, &old, NULL);
        *exit_status = ret < 0 ? 1 : 0;
        return ret;
    }

    if (b.tty_master >= 0)
        oci_terminal_raw(&saved_tty);
    b.notify.mainpid = getpid();   /* we are what the caller waits for */
    ret = oci_relay_until_exit(b.init, &set, b.tty_master, &b.notify, &status, err);
    oci_terminal_restore(&saved_tty);
    sigprocmask(SIG_SETMASK, &old, NULL);
    *exit_status = ret < 0 ? 1 : oci_exit_code(status);
    b.child = 0;
    b.init = 0;
    if (!keep) {
        remove_container(o->root, o->id, &b.cg, b.rootfs, b.host_mnt_id);
        build_hooks_warn(&b, OCI_HOOK_POSTSTOP);
    }
    build_finish(&b, false);
    return ret;
}

/* --- start / state / kill / delete / list ------------------------------------------------ */

struct opened {
    int dir;
    struct oci_state *st;
    enum oci_status status;
};

static void opened_close(struct opened *c)
{
    close_fd(&c->dir);
    oci_state_free(c->st);
    c->st = NULL;
}

enum lock_mode { LOCK_NONE, LOCK_SHARED, LOCK_EXCLUSIVE };

static void cgroup_of(const struct oci_state *st, struct oci_cgroup *cg)
{
    oci_cgroup_from_map(&st->cgroup_paths, st->cgroup_created, &st->cgroup_preexisting, cg);
    if (st->systemd_cgroup)
        oci_cgroup_set_systemd(cg);
}

/* running, or paused when its cgroup is frozen. A state still being created while we hold the
 * directory's lock was left by a create that died (the one at work holds it until it is done). */
static enum oci_status status_of(int dir, const struct oci_state *st, bool locked)
{
    enum oci_status s = locked && st->creating ? OCI_STATUS_STOPPED : oci_state_status(dir, st);

    if (s == OCI_STATUS_RUNNING && st->cgroup_paths.len) {
        struct oci_cgroup cg;
        cgroup_of(st, &cg);
        if (oci_cgroup_frozen(&cg))
            s = OCI_STATUS_PAUSED;
        oci_cgroup_release(&cg);
    }
    return s;
}

static int open_container(const char *root, const char *id, enum lock_mode lock, struct opened *c, oci_err_t *err)
{
    int ret;

    c->dir = -1;
    c->st = NULL;
    if (lock == LOCK_NONE)
        ret = oci_state_open_dir_unlocked(root, id, &c->dir, err);
    else
        ret = oci_state_open_dir(root, id, lock == LOCK_EXCLUSIVE, &c->dir, err);
    if (ret < 0)
        return -1;
    if (oci_state_read(c->dir, id, &c->st, err) < 0) {
        opened_close(c);
        return -1;
    }
    c->status = status_of(c->dir, c->st, lock != LOCK_NONE);
    return 0;
}

/* exec's configuration: the one create saved. A container of an ocirun from before it was saved
 * has none (an ocirun that saves it writes it before the state.json that lets exec in): the
 * bundle's then, as that ocirun's exec read it. */
static int load_saved_config(const char *root, int dir, const struct oci_state *st, struct oci_spec **spec,
                             oci_err_t *err)
{
    cleanup_free char *config = NULL;

    if (oci_state_load_config(dir, spec, err) == 0)
        return 0;
    if (oci_error_errno(err) != ENOENT)
        return oci_error_wrap(err, "container \"%s\": its saved configuration (%s/%s/%s)", st->id, root, st->id,
                              OCI_CONFIG_FILE);
    oci_error_free(err);
    config = xasprintf("%s/config.json", st->bundle);
    oci_debug("container \"%s\": no %s in its state directory (created by an older ocirun): using %s", st->id,
              OCI_CONFIG_FILE, config);
    if (oci_spec_load(config, spec, err) < 0)
        return oci_error_wrap(err, "container \"%s\" has no saved configuration (%s/%s/%s; created by an older "
                              "ocirun?) and its bundle's cannot be used", st->id, root, st->id, OCI_CONFIG_FILE);
    return 0;
}

int oci_container_open_live(const char *root, const char *id, bool ignore_paused, struct oci_state **st,
                            struct oci_spec **spec, int *pidfd, oci_err_t *err)
{
    struct opened c;
    int ret = 0;

    *pidfd = -1;
    *spec = NULL;
    if (open_container(root, id, LOCK_NONE, &c, err) < 0)
        return -1;
    /* As runc: a created container (its init waiting for start) can be entered too. */
    if (c.status == OCI_STATUS_STOPPED || oci_state_open_pidfd(c.st, pidfd) < 0)
        ret = oci_error_set(err, 0, "cannot exec in a stopped container");
    else if (c.status == OCI_STATUS_PAUSED && !ignore_paused)
        ret = oci_error_set(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
    else
        ret = load_saved_config(root, c.dir, c.st, spec, err);
    if (ret < 0 && *pidfd >= 0) {
        close(*pidfd);
        *pidfd = -1;
    }
    if (ret == 0)
        *st = steal_pointer(&c.st);
    opened_close(&c);
    return ret;
}

/* The init did not confirm in time: it must not run later after all, when whatever held it
 * (a seccomp agent, a hung mount) lets it go and `start` has long reported a failure. */
static int start_timed_out(const struct oci_state *st, int pidfd, int64_t bound_ms, oci_err_t *err)
{
    cleanup_free char *why = oci_wait_stuck_text(st->pid);

    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    return oci_error_set_code(err, ETIMEDOUT, "cannot start container \"%s\": its init (pid %d) did not go on to "
                              "exec within %lld s%s; it was killed", st->id, st->pid, (long long) (bound_ms / 1000),
                              why);
}

/* Wait until the fifo says the init is going, or the init dies: at most OCI_START_WAIT_MS
 * on top of the startContainer hooks (which the init runs first). */
static int await_fifo(int fifo, int pidfd, const struct oci_state *st, oci_err_t *err)
{
    int64_t bound = oci_wait_bound(OCI_START_WAIT_MS, st->start_hooks_ms);
    uint64_t deadline = deadline_after_ms(bound);
    const char *id = st->id;

    for (;;) {
        struct pollfd pfd[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
        int r = poll(pfd, 2, deadline_ms_left(deadline));

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return oci_error_sys(err, "poll");
        }
        if (r == 0)
            return start_timed_out(st, pidfd, bound, err);
        if (pfd[0].revents & POLLIN) {
            int r = oci_exec_fifo_read(fifo, err);
            if (r != 0)
                return r > 0 ? 0 : oci_error_wrap(err, "cannot start container \"%s\"", id);
        }
        if (pfd[0].revents & (POLLIN | POLLHUP) || pfd[1].revents & POLLIN)
            return oci_error_set(err, 0, "cannot start container \"%s\": its init process exited", id);
    }
}

int oci_container_start(const char *root, const char *id, const char *notify_socket, oci_err_t *err)
{
    struct oci_notify notify = OCI_NOTIFY_INIT;
    struct opened c;
    cleanup_close int fifo = -1;
    cleanup_close int pidfd = -1;
    int ret;

    if (open_container(root, id, LOCK_EXCLUSIVE, &c, err) < 0)
        return -1;
    if (c.status != OCI_STATUS_CREATED) {
        ret = oci_error_set(err, 0, "cannot start container \"%s\": container is %s (not created)", id,
                            oci_status_name(c.status));
        goto out;
    }
    /* Bound before the process can run and send (runc's order; its error too when the container
     * was created without NOTIFY_SOCKET). */
    if (notify_socket && oci_notify_bind(&notify, c.dir, notify_socket, err) < 0) {
        ret = oci_error_wrap(err, "cannot start container \"%s\"", id);
        goto out;
    }
    fifo = openat(c.dir, OCI_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0) {
        ret = oci_error_sys(err, "cannot start container \"%s\": open %s", id, OCI_EXEC_FIFO);
        goto out;
    }
    /* Opened, it lets the init go: from here the container is started (or dies trying), also
     * if we are killed before we read what it says. */
    unlinkat(c.dir, OCI_EXEC_FIFO, 0);
    ret = oci_state_open_pidfd(c.st, &pidfd);
    if (ret < 0) {
        /* Opening the fifo lets the init go: a short program may have run and exited (and
         * been reaped) already. The byte it wrote says it was started. */
        ret = oci_exec_fifo_read(fifo, err);
        if (ret < 0)
            oci_error_wrap(err, "cannot start container \"%s\"", id);
        else
            ret = ret ? 0 : oci_error_set(err, 0, "cannot start container \"%s\": its init process exited", id);
    } else {
        ret = await_fifo(fifo, pidfd, c.st, err);
    }
    if (ret == 0) {
        struct oci_hooks hooks = { .poststart = c.st->poststart };
        struct oci_hook_exec x = oci_hook_exec_runtime(c.st->bundle);
        /* Unlocked: a hook may well ask us about the container. */
        close_fd(&c.dir);
        oci_hooks_run_warn(&hooks, OCI_HOOK_POSTSTART, c.st, &x);
        if (notify.fd >= 0 && pidfd >= 0) {
            notify.mainpid = c.st->pid;
            oci_notify_wait(&notify, pidfd);
        }
    }
out:
    oci_notify_close(&notify);
    opened_close(&c);
    return ret;
}

int oci_container_state_json(const char *root, const char *id, char **json, oci_err_t *err)
{
    struct opened c;

    if (open_container(root, id, LOCK_NONE, &c, err) < 0)
        return -1;
    *json = oci_state_to_json(c.st, c.status, true);
    opened_close(&c);
    return 0;
}

static int signal_init(const struct oci_state *st, int sig, oci_err_t *err)
{
    cleanup_close int pidfd = -1;
    int ret = oci_state_open_pidfd(st, &pidfd);

    if (ret < 0)
        return oci_error_set(err, 0, "cannot kill container \"%s\": container not running", st->id);
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return oci_error_sys(err, "cannot kill container \"%s\": pidfd_send_signal", st->id);
    return 0;
}

/* --all: every process left in the cgroup, whatever the status (runc 1.1 too: so an engine's
 * "kill --all" of a container that already stopped succeeds); a stopped container's cgroup
 * that is gone has nothing left to signal. */
static int signal_cgroup(const struct opened *c, int sig, oci_err_t *err)
{
    struct oci_cgroup cg;
    int ret;

    cgroup_of(c->st, &cg);
    ret = oci_cgroup_signal_all(&cg, sig, err);
    oci_cgroup_release(&cg);
    if (ret < 0 && c->status == OCI_STATUS_STOPPED && oci_error_errno(err) == ENOENT) {
        oci_error_free(err);
        ret = 0;
    }
    return ret;
}

/* --all without a cgroup (rootless): every process of the init's pid namespace (the init
 * alone when it shares ours), the init first by its pidfd. */
static int signal_pid_ns(const struct oci_state *st, int sig, oci_err_t *err)
{
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;

    if (signal_init(st, sig, err) < 0)
        return -1;
    if (oci_ns_pid_members(st->pid, &pids, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (pids[i] != st->pid && kill(pids[i], sig) < 0 && errno != ESRCH)
            return oci_error_sys(err, "cannot kill container \"%s\": kill %d", st->id, (int) pids[i]);
    return 0;
}

int oci_container_kill(const char *root, const char *id, int sig, bool all, oci_err_t *err)
{
    struct opened c;
    int ret = 0;

    if (open_container(root, id, LOCK_SHARED, &c, err) < 0)
        return -1;
    if (all && c.st->cgroup_paths.len)
        ret = signal_cgroup(&c, sig, err);   /* the init is in its cgroup too */
    else if (all && c.status != OCI_STATUS_STOPPED)
        ret = signal_pid_ns(c.st, sig, err);  /* no cgroup (rootless) */
    else if (c.status != OCI_STATUS_STOPPED)
        ret = signal_init(c.st, sig, err);
    else if (!all)
        ret = oci_error_set(err, 0, "cannot kill container \"%s\": container not running (status stopped)", id);
    opened_close(&c);
    return ret;
}

/* Is PID the first process of its pid namespace (NSpid's last entry 1)? Killing it then kills
 * every process of the namespace. */
static bool init_is_ns_root(pid_t pid)
{
    cleanup_free char *path = xasprintf("/proc/%d/status", pid);
    cleanup_free char *text = NULL;
    oci_err_t err = NULL;
    char *line, *end, *last;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &err) < 0) {
        oci_error_free(&err);
        return false;
    }
    if ((line = strstr(text, "\nNSpid:")) == NULL)
        return false;
    if ((end = strchr(line + 1, '\n')) != NULL)
        *end = '\0';
    last = strrchr(line, '\t');
    return last && strcmp(last + 1, "1") == 0;
}

/* SIGKILL the container and wait (bounded) until its init is gone. Every process of a cgroup
 * the container made goes; in one that existed before it (perhaps with others' processes), an
 * init that is the root of its own pid namespace takes the container's processes with it, so
 * only it is killed; without one, every process in the cgroup (as runc does either way). */
static int kill_and_wait(const struct oci_state *st, oci_err_t *err)
{
    cleanup_close int pidfd = -1;
    bool have_init = oci_state_open_pidfd(st, &pidfd) == 0;
    struct pollfd pfd;

    if (st->cgroup_paths.len) {
        struct oci_cgroup cg;
        cgroup_of(st, &cg);
        /* A half-built container's is emptied only if the create that died made it. */
        if (cg.dirs[0].created || (!st->creating && (!have_init || !init_is_ns_root(st->pid))))
            oci_cgroup_signal_all(&cg, SIGKILL, NULL);
        else if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
            oci_debug("kill container \"%s\": %s", st->id, strerror(errno));
        /* Frozen tasks die only once thawed (v1). */
        if (oci_cgroup_frozen(&cg))
            oci_cgroup_freeze(&cg, false, NULL);
        oci_cgroup_release(&cg);
    }
    if (!have_init)
        return 0;
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
        return oci_error_sys(err, "kill container \"%s\"", st->id);
    pfd.fd = pidfd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, OCI_KILL_WAIT_MS) <= 0) {
        cleanup_free char *why = oci_wait_stuck_text(st->pid);
        return oci_error_set_code(err, ETIMEDOUT, "container \"%s\": init %d did not exit within %d s of SIGKILL%s",
                                  st->id, st->pid, OCI_KILL_WAIT_MS / 1000, why);
    }
    return 0;
}

int oci_container_delete(const char *root, const char *id, bool force, oci_err_t *err)
{
    struct opened c;
    int ret;

    if (open_container(root, id, LOCK_EXCLUSIVE, &c, err) < 0) {
        /* runc: --force also clears a container whose state was never written; not one this
         * user may not touch (another's, EPERM; a directory it cannot open, EACCES). */
        int e = oci_error_errno(err);
        if (force && e != EPERM && e != EACCES && oci_id_validate(id, NULL) == 0) {
            oci_error_free(err);
            oci_state_remove_dir(root, id, NULL);
            return 0;
        }
        return -1;
    }
    /* A create that died half way (its state still says creating): its init may live on,
     * waiting for a runtime that is gone. */
    if (c.status != OCI_STATUS_STOPPED || c.st->creating) {
        if (!force && !c.st->creating) {
            ret = oci_error_set(err, 0, "cannot delete container \"%s\" that is not stopped (status %s; use --force)",
                                id, oci_status_name(c.status));
            goto out;
        }
        ret = kill_and_wait(c.st, err);
        if (ret < 0)
            goto out;
    }
    {
        struct oci_cgroup cg;
        struct oci_hooks hooks = { .poststop = c.st->poststop };
        struct oci_hook_exec x = oci_hook_exec_runtime(c.st->bundle);
        cgroup_of(c.st, &cg);
        remove_container(root, id, &cg, c.st->rootfs, c.st->host_rootfs_mount);
        oci_cgroup_release(&cg);
        close_fd(&c.dir);
        oci_hooks_run_warn(&hooks, OCI_HOOK_POSTSTOP, c.st, &x);
    }
    ret = 0;
out:
    opened_close(&c);
    return ret;
}

int oci_container_update(const char *root, const char *id, const struct oci_resources *r, oci_err_t *err)
{
    struct oci_cgroup cg;
    struct opened c;
    int ret;

    /* No lock: engines update running containers and must never wait behind a start, pause
     * or delete that holds it (runc takes none either). Each cgroup write stands alone; a
     * container deleted meanwhile makes them fail with ENOENT. */
    if (open_container(root, id, LOCK_NONE, &c, err) < 0)
        return -1;
    if (c.status == OCI_STATUS_STOPPED) {
        ret = oci_error_set(err, 0, "cannot update container \"%s\": container not running (status stopped)", id);
        goto out;
    }
    cgroup_of(c.st, &cg);
    ret = oci_cgroup_update(&cg, r, err);
    oci_cgroup_release(&cg);
    if (ret < 0)
        oci_error_wrap(err, "cannot update container \"%s\"", id);
out:
    opened_close(&c);
    return ret;
}

int oci_container_pids(const char *root, const char *id, pid_t **pids, size_t *n, oci_err_t *err)
{
    struct oci_cgroup cg;
    struct opened c;
    int ret;

    if (open_container(root, id, LOCK_NONE, &c, err) < 0)
        return -1;
    if (c.status == OCI_STATUS_STOPPED) {
        *pids = NULL;
        *n = 0;
        opened_close(&c);
        return 0;
    }
    cgroup_of(c.st, &cg);
    /* No cgroup (rootless without delegation): the processes of the init's pid namespace. */
    if (cg.n_dirs == 0)
        ret = oci_ns_pid_members(c.st->pid, pids, n, err);
    else
        ret = oci_cgroup_pids(&cg, pids, n, err);
    oci_cgroup_release(&cg);
    opened_close(&c);
    return ret;
}

int oci_container_open_cgroup(const char *root, const char *id, struct oci_cgroup *cg, int *pidfd, oci_err_t *err)
{
    struct opened c;
    int ret = 0;

    *pidfd = -1;
    if (open_container(root, id, LOCK_NONE, &c, err) < 0)
        return -1;
    if (c.status == OCI_STATUS_STOPPED || oci_state_open_pidfd(c.st, pidfd) < 0)
        ret = oci_error_set(err, 0, "container \"%s\" is not running (status stopped)", id);
    if (ret == 0)
        cgroup_of(c.st, cg);
    else if (*pidfd >= 0) {
        close(*pidfd);
        *pidfd = -1;
    }
    opened_close(&c);
    return ret;
}

/* pause (freeze=true) / resume */
int oci_container_freeze(const char *root, const char *id, bool freeze, oci_err_t *err)
{
    enum oci_status want = freeze ? OCI_STATUS_RUNNING : OCI_STATUS_PAUSED;
    struct oci_cgroup cg;
    struct opened c;
    int ret;

    if (open_container(root, id, LOCK_EXCLUSIVE, &c, err) < 0)
        return -1;
    if (c.status != want) {
        ret = oci_error_set(err, 0, "cannot %s container \"%s\": container not %s (status %s)",
                            freeze ? "pause" : "resume", id, oci_status_name(want), oci_status_name(c.status));
        goto out;
    }
    if (c.st->cgroup_paths.len == 0) {
        ret = oci_error_set(err, 0, "cannot %s container \"%s\": it has no cgroup", freeze ? "pause" : "resume", id);
        goto out;
    }
    cgroup_of(c.st, &cg);
    ret = oci_cgroup_freeze(&cg, freeze, err);
    oci_cgroup_release(&cg);
    if (ret < 0)
        oci_error_wrap(err, "cannot %s container \"%s\"", freeze ? "pause" : "resume", id);
out:
    opened_close(&c);
    return ret;
}

/* list's OWNER: the name of the state directory's owner, "#UID" without one (runc's). */
static char *dir_owner(int dir)
{
    struct stat st;
    struct passwd pw, *found = NULL;
    char buf[1024];

    if (fstat(dir, &st) < 0)
        return xstrdup("");
    if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &found) == 0 && found)
        return xstrdup(found->pw_name);
    return xasprintf("#%u", (unsigned) st.st_uid);
}

int oci_container_list(const char *root, struct oci_container_info **out, size_t *n, oci_err_t *err)
{
    cleanup_strv char **ids = NULL;
    struct oci_container_info *list;
    size_t count = 0, used = 0;

    if (oci_state_list_ids(root, &ids, &count, err) < 0)
        return -1;
    list = xzalloc((count + 1) * sizeof(*list));
    for (size_t i = 0; i < count; i++) {
        cleanup_close int dir = -1;
        oci_err_t e = NULL;
        struct oci_state *st = NULL;

        if (oci_state_open_dir_unlocked(root, ids[i], &dir, &e) < 0 || oci_state_read(dir, ids[i], &st, &e) < 0) {
            /* gone meanwhile, a create before its first state.json (not a container yet), or
             * another user's (not ours to list): silently; a state.json that cannot be read is
             * said (as runc does), the others still listed */
            if (oci_error_errno(&e) != ENOENT && oci_error_errno(&e) != EPERM)
                oci_warn("list: skipped: %s", e->msg);
            oci_error_free(&e);
            continue;
        }
        list[used].state = st;
        list[used].status = status_of(dir, st, false);
        free(st->owner);
        st->owner = dir_owner(dir);
        used++;
    }
    *out = list;
    *n = used;
    return 0;
}

void oci_container_list_free(struct oci_container_info *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        oci_state_free(list[i].state);
    free(list);
}

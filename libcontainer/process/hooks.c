/* hooks.c: runs OCI hooks: fork+execve with exactly their args and env, state JSON on stdin, output captured, timeout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include "ocirun/core/log.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/hooks.h"
#include "ocirun/process/signals.h"
#include "ocirun/security/seccomp.h"

/* How much of a hook's stdout and stderr goes into an error: the message has to fit the sync
 * socket and the exec fifo (one atomic write of at most PIPE_BUF) on its way to the CLI. */
#define HOOK_OUTPUT_MAX 1024

static const char *const kind_names[OCI_HOOK_KINDS] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
    return (unsigned) kind < OCI_HOOK_KINDS ? kind_names[kind] : "unknown";
}

enum oci_status oci_hook_status(enum oci_hook_kind kind)
{
    switch (kind) {
    case OCI_HOOK_START_CONTAINER:
        return OCI_STATUS_CREATED;
    case OCI_HOOK_POSTSTART:
        return OCI_STATUS_RUNNING;
    case OCI_HOOK_POSTSTOP:
        return OCI_STATUS_STOPPED;
    default:
        return OCI_STATUS_CREATING;
    }
}

const struct oci_hooks_list *oci_hooks_of(const struct oci_hooks *hooks, enum oci_hook_kind kind)
{
    switch (kind) {
    case OCI_HOOK_PRESTART:
        return &hooks->prestart;
    case OCI_HOOK_CREATE_RUNTIME:
        return &hooks->create_runtime;
    case OCI_HOOK_CREATE_CONTAINER:
        return &hooks->create_container;
    case OCI_HOOK_START_CONTAINER:
        return &hooks->start_container;
    case OCI_HOOK_POSTSTART:
        return &hooks->poststart;
    default:
        return &hooks->poststop;
    }
}

bool oci_hooks_has(const struct oci_hooks *hooks, enum oci_hook_kind kind)
{
    return oci_hooks_of(hooks, kind)->len > 0;
}

char **oci_hook_argv(const struct oci_hook *hook)
{
    size_t n = hook->args.len;
    char **argv = xzalloc((n ? n + 1 : 2) * sizeof(*argv));

    if (n == 0)
        argv[0] = hook->path;
    for (size_t i = 0; i < n; i++)
        argv[i] = hook->args.v[i];
    return argv;
}

char **oci_hook_envp(const struct oci_hook *hook, char *const *inherited)
{
    const struct oci_strv *env = &hook->env;
    size_t n = env->v ? env->len : strv_len(inherited);
    char **envp = xzalloc((n + 1) * sizeof(*envp));

    for (size_t i = 0; i < n; i++)
        envp[i] = env->v ? env->v[i] : inherited[i];
    return envp;
}

/* --- one hook ----------------------------------------------------------------------------- */

struct capture {
    int fd;
    char buf[HOOK_OUTPUT_MAX + 1];
    size_t len;
    bool truncated;
};

/* Read what is there; keep the first HOOK_OUTPUT_MAX bytes, drop the rest so the hook never
 * blocks on a full pipe. Closes the fd at EOF or on error. */
static void capture_read(struct capture *c)
{
    char scratch[4096];

    for (;;) {
        ssize_t n = read(c->fd, scratch, sizeof(scratch));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(c->fd);
            c->fd = -1;
            return;
        }
        size_t keep = HOOK_OUTPUT_MAX - c->len;
        if ((size_t) n > keep)
            c->truncated = true;
        else
            keep = (size_t) n;
        memcpy(c->buf + c->len, scratch, keep);
        c->len += keep;
    }
}

/* The captured text without trailing blanks, NUL-terminated in place. */
static const char *capture_text(struct capture *c)
{
    while (c->len > 0 && (c->buf[c->len - 1] == '\n' || c->buf[c->len - 1] == ' '))
        c->len--;
    c->buf[c->len] = '\0';
    return c->buf;
}

/* In the child: fds 0-2 become the pipes (moved above 2 first, so that no dup2 can clobber
 * another pipe end), everything else closes at exec; X's working directory, and X's seccomp
 * filter last, so that it applies to the hook alone and not to our set-up. Never returns. */
__attribute__((noreturn)) static void hook_child(const struct oci_hook *hook, const struct oci_hook_exec *x, int in,
                                                 int out, int errfd)
{
    char **argv = oci_hook_argv(hook);
    char **envp = oci_hook_envp(hook, x ? x->env : NULL);
    sigset_t none;
    int fds[3] = { in, out, errfd };

    /* The runtime blocks the signals it relays (run) and SIGPIPE while it feeds us: a hook
     * starts like any program, with a clean mask and default dispositions. */
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int i = 0; i < 3; i++) {
        fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (fds[i] < 0)
            _exit(127);
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(fds[i], i) < 0)
            _exit(127);
    }
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (x && x->cwd && chdir(x->cwd) < 0) {
        dprintf(2, "chdir %s: %s", x->cwd, strerror(errno));
        _exit(127);
    }
    if (x && x->seccomp) {
        oci_err_t err = NULL;
        int listener;

        if (oci_seccomp_load(x->seccomp, &listener, &err) < 0) {
            dprintf(2, "%s", err->msg);
            _exit(127);
        }
    }
    execve(hook->path, argv, envp);
    dprintf(2, "execve: %s", strerror(errno));
    _exit(127);
}

struct feed {
    int fd;
    const char *data;
    size_t len, done;
};

static void feed_write(struct feed *f)
{
    while (f->done < f->len) {
        ssize_t n = write(f->fd, f->data + f->done, f->len - f->done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0)
            break;   /* EPIPE: the hook does not read its stdin, which is its right */
        f->done += (size_t) n;
    }
    close(f->fd);
    f->fd = -1;
}

static int make_pipe(int p[2], oci_err_t *err)
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return oci_error_sys(err, "pipe");
    return 0;
}

static void close_pair(int p[2])
{
    close_fd(&p[0]);
    close_fd(&p[1]);
}

/* Feed stdin, collect stdout/stderr, until the hook exits (its pidfd is readable) or the
 * deadline passes. Without a pidfd (a seccomp profile may refuse pidfd_open to the init),
 * until both output pipes close. Returns false on timeout. */
static bool pump(int pidfd, struct feed *in, struct capture *out, struct capture *errc, uint64_t deadline)
{
    for (;;) {
        struct pollfd p[4] = {
            { .fd = pidfd, .events = POLLIN },
            { .fd = in->fd, .events = POLLOUT },
            { .fd = out->fd, .events = POLLIN },
            { .fd = errc->fd, .events = POLLIN },
        };
        int timeout = deadline_ms_left(deadline);

        if (timeout == 0)
            return false;
        if (pidfd < 0 && out->fd < 0 && errc->fd < 0)
            return true;
        if (poll(p, 4, timeout) < 0) {
            if (errno == EINTR)
                continue;
            return true;   /* cannot wait with a timeout any more: waitpid will */
        }
        if (p[1].revents)
            feed_write(in);
        if (p[2].revents)
            capture_read(out);
        if (p[3].revents)
            capture_read(errc);
        if (p[0].revents & POLLIN)
            return true;
    }
}

static void output_suffix(char *buf, size_t len, struct capture *out, struct capture *errc)
{
    const char *o = capture_text(out), *e = capture_text(errc);
    int n = 0;

    buf[0] = '\0';
    if (*o)
        n = snprintf(buf, len, ", stdout: %s%s", o, out->truncated ? "..." : "");
    if (*e && n >= 0 && (size_t) n < len)
        snprintf(buf + n, len - n, ", stderr: %s%s", e, errc->truncated ? "..." : "");
}

int oci_hook_run(const struct oci_hook *hook, const char *stdin_data, const struct oci_hook_exec *x, oci_err_t *err)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
    struct capture *co = NULL, *ce = NULL;
    struct feed feed = { .fd = -1, .data = stdin_data, .len = stdin_data ? strlen(stdin_data) : 0 };
    cleanup_close int pidfd = -1;
    sigset_t pipe_set, old_mask;
    uint64_t deadline = 0;
    bool in_time;
    int status, ret = -1;
    pid_t pid;

    if (make_pipe(in, err) < 0 || make_pipe(out, err) < 0 || make_pipe(errp, err) < 0)
        goto out;
    /* A hook that exits without reading its stdin must not kill us with SIGPIPE. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &old_mask);
    pid = fork();
    if (pid < 0) {
        ret = oci_error_sys(err, "fork");
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        goto out;
    }
    if (pid == 0)
        hook_child(hook, x, in[0], out[1], errp[1]);
    close(in[0]);
    close(out[1]);
    close(errp[1]);
    in[0] = out[1] = errp[1] = -1;

    co = xzalloc(sizeof(*co));
    ce = xzalloc(sizeof(*ce));
    feed.fd = steal_fd(&in[1]);
    co->fd = steal_fd(&out[0]);
    ce->fd = steal_fd(&errp[0]);
    fcntl(feed.fd, F_SETFL, O_NONBLOCK);
    fcntl(co->fd, F_SETFL, O_NONBLOCK);
    fcntl(ce->fd, F_SETFL, O_NONBLOCK);
    if (feed.len == 0) {
        close(feed.fd);
        feed.fd = -1;
    }
    if (hook->timeout.set)
        deadline = now_ns() + (uint64_t) hook->timeout.value * 1000000000ULL;
    pidfd = syscall(SYS_pidfd_open, pid, 0);
    in_time = pump(pidfd, &feed, co, ce, deadline);
    if (!in_time) {
        /* Bounded: a hook stuck in an uninterruptible sleep must not keep us too. */
        if (!oci_kill_reap(pid, 0))
            oci_warn("hook %s (pid %d) did not die within %d s of SIGKILL", hook->path, pid, OCI_KILL_WAIT_MS / 1000);
    } else {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    /* What the hook wrote just before it exited (a child it left behind may hold the pipes:
     * take what is there, do not wait for EOF). */
    if (co->fd >= 0)
        capture_read(co);
    if (ce->fd >= 0)
        capture_read(ce);
    if (feed.fd >= 0)
        close(feed.fd);
    {
        struct timespec zero = { 0, 0 };
        sigset_t pending;
        /* Drop the SIGPIPE a closed stdin raised while it was blocked, then unblock. */
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) && !sigismember(&old_mask, SIGPIPE))
            sigtimedwait(&pipe_set, NULL, &zero);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
    }

    char suffix[2 * HOOK_OUTPUT_MAX + 64];
    output_suffix(suffix, sizeof(suffix), co, ce);
    if (!in_time) {
        ret = oci_error_set(err, 0, "timed out after %lld s", (long long) hook->timeout.value);
        (*err)->errnum = ETIMEDOUT;
    }
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        ret = 0;
    else if (WIFEXITED(status))
        ret = oci_error_set(err, 0, "exited with status %d%s", WEXITSTATUS(status), suffix);
    else if (WIFSIGNALED(status))
        ret = oci_error_set(err, 0, "killed by signal %d (%s)%s", WTERMSIG(status),
                            strsignal(WTERMSIG(status)), suffix);
    else
        ret = oci_error_set(err, 0, "wait status 0x%x%s", status, suffix);
out:
    if (co && co->fd >= 0)
        close(co->fd);
    if (ce && ce->fd >= 0)
        close(ce->fd);
    free(co);
    free(ce);
    close_pair(in);
    close_pair(out);
    close_pair(errp);
    return ret;
}

/* --- lists -------------------------------------------------------------------------------- */

static int run_one(const struct oci_hooks_list *l, enum oci_hook_kind kind, size_t i, const char *json,
                   const struct oci_hook_exec *x, oci_err_t *err)
{
    const struct oci_hook *h = &l->items[i];
    uint64_t t0 = now_ns();
    int ret = oci_hook_run(h, json, x, err);

    oci_debug("hooks.%s[%zu] \"%s\": %s in %llu us", oci_hook_kind_name(kind), i, h->path,
              ret < 0 ? "failed" : "done", (unsigned long long) (now_ns() - t0) / 1000);
    if (ret < 0)
        return oci_error_wrap(err, "hooks.%s[%zu] \"%s\"", oci_hook_kind_name(kind), i, h->path);
    return 0;
}

int oci_hooks_run(const struct oci_hooks *hooks, enum oci_hook_kind kind, const struct oci_state *st,
                  const struct oci_hook_exec *x, oci_err_t *err)
{
    const struct oci_hooks_list *l = oci_hooks_of(hooks, kind);
    cleanup_free char *json = NULL;

    if (l->len == 0)
        return 0;
    json = oci_state_to_json(st, oci_hook_status(kind), false);
    for (size_t i = 0; i < l->len; i++) {
        if (run_one(l, kind, i, json, x, err) < 0)
            return -1;
    }
    return 0;
}

void oci_hooks_run_warn(const struct oci_hooks *hooks, enum oci_hook_kind kind, const struct oci_state *st,
                        const struct oci_hook_exec *x)
{
    const struct oci_hooks_list *l = oci_hooks_of(hooks, kind);
    cleanup_free char *json = NULL;

    if (l->len == 0)
        return;
    json = oci_state_to_json(st, oci_hook_status(kind), false);
    for (size_t i = 0; i < l->len; i++) {
        oci_err_t e = NULL;
        if (run_one(l, kind, i, json, x, &e) < 0)
            oci_warn("%s", e->msg);
        oci_error_free(&e);
    }
}

int64_t oci_hooks_timeout_ms(const struct oci_hooks *hooks, enum oci_hook_kind kind)
{
    const struct oci_hooks_list *l = oci_hooks_of(hooks, kind);
    int64_t total = 0;

    for (size_t i = 0; i < l->len; i++) {
        if (!l->items[i].timeout.set)
            return -1;
        total += l->items[i].timeout.value * 1000;
    }
    return total;
}

/* --- the init's handshake and the exec fifo ---------------------------------------------- */

bool oci_hooks_need_sync(const struct oci_hooks *hooks)
{
    return hooks->prestart.len || hooks->create_runtime.len || hooks->create_container.len ||
           hooks->start_container.len;
}

int oci_exec_fifo_read(int fifo, oci_err_t *err)
{
    char buf[PIPE_BUF + 1];
    ssize_t n;

    do
        n = read(fifo, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return 0;
    if (buf[0] == OCI_FIFO_STARTED)
        return 1;
    buf[n] = '\0';
    if (buf[0] == OCI_FIFO_FAILED)
        return oci_error_set(err, 0, "%s", buf + 1);
    return oci_error_set(err, 0, "unexpected data on the exec fifo");
}

/* --- runc's places for the runtime's hooks ------------------------------------------------ */

extern char **environ;

struct oci_hook_exec oci_hook_exec_runtime(const char *bundle)
{
    /* runc runs prestart, createRuntime, poststart and poststop in the bundle, and a hook
     * without "env" gets runc's environment (Go's exec.Cmd with a nil Env): hooks written for
     * it count on both (relative paths, PATH). */
    return (struct oci_hook_exec) { .cwd = bundle, .env = environ };
}

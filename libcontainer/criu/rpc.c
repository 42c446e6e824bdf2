/* rpc.c: `criu swrk` on a socketpair: the request packed with protobuf-c, notifications served, the answer read. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include "ocirun/core/log.h"
#include "core/fdpass.h"
#include "ocirun/core/utils.h"
#include "ocirun/process/clone.h"
#include "ocirun/process/signals.h"
#include "criu/rpc.h"

bool oci_criu_built_in(void)
{
#ifdef HAVE_CRIU
    return true;
#else
    return false;
#endif
}

/* The whole line of TEXT around P, without its newline, in a new string. */
static char *line_around(const char *text, const char *p)
{
    const char *e;

    while (p > text && p[-1] != '\n')
        p--;
    e = strchr(p, '\n');
    return xstrndup(p, e ? (size_t) (e - p) : strlen(p));
}

/* The last "Error (" of TEXT that starts before END (NULL: anywhere in TEXT). */
static const char *last_error_before(const char *text, const char *end)
{
    const char *last = NULL;

    for (const char *p = strstr(text, "Error ("); p && (end == NULL || p < end); p = strstr(p + 1, "Error ("))
        last = p;
    return last;
}

char *oci_criu_log_cause(const char *text, const char *answer)
{
    const char *err = answer ? strstr(answer, "Error (") : NULL;
    const char *at, *cause;

    /* Only for a step that ran a program: CRIU's answer then says no more than its status. */
    if (err == NULL || strstr(err, "exited, status=") == NULL)
        return NULL;
    at = strstr(text, err);
    if (at == NULL)
        return NULL;
    while (at > text && at[-1] != '\n')
        at--;
    cause = last_error_before(text, at);
    return cause ? line_around(text, cause) : NULL;
}

/* "...; CRIU's log: DIR/FILE (first error: ...)" appended to the error in ERR. The last line of
 * the log that says "Error (" is what made CRIU give up (the earlier ones are often its
 * feature probes). */
static int wrap_with_log(const struct criu_run *run, oci_err_t *err)
{
    cleanup_free char *last = NULL;
    cleanup_free char *path = NULL;
    cleanup_free char *text = NULL;
    cleanup_free char *cause = NULL;
    oci_err_t rerr = NULL;
    const char *p;

    if (run->log_dir == NULL)
        return -1;
    path = xasprintf("%s/%s", run->log_dir, run->log_file);
    if (access(path, F_OK) < 0)
        return -1;   /* criu failed before it wrote one */
    if (read_file_at(AT_FDCWD, path, &text, NULL, &rerr) == 0) {
        p = last_error_before(text, NULL);
        last = p ? line_around(text, p) : NULL;
        cause = oci_criu_log_cause(text, (*err)->msg);
    }
    oci_error_free(&rerr);
    if (last && strstr((*err)->msg, strstr(last, "Error (")))
        free(steal_pointer(&last));   /* CRIU's answer said it already */
    oci_error_set_code(err, oci_error_errno(err), "%s%s%s (CRIU's log: %s/%s%s%s)", (*err)->msg,
                       cause ? "; the error before it: " : "", cause ? cause : "", run->log_dir,
                       run->log_file, last ? "; its last error: " : "", last ? last : "");
    return -1;
}

#ifndef HAVE_CRIU

int criu_run(const struct criu_req *req, const struct criu_run *run, pid_t *restored_pid, oci_err_t *err)
{
    (void) req;
    (void) run;
    (void) restored_pid;
    (void) wrap_with_log;
    return oci_error_set_code(err, ENOTSUP, "%s", OCI_CRIU_NOT_BUILT);
}

#else

#include "rpc.pb-c.h"

static const char *kind_name(enum criu_req_kind k)
{
    switch (k) {
    case CRIU_KIND_DUMP: return "dump";
    case CRIU_KIND_PRE_DUMP: return "pre-dump";
    case CRIU_KIND_RESTORE: return "restore";
    }
    return "request";
}

static int images_fd_number(const struct criu_req *r);

/* ---- the request ------------------------------------------------------------------------ */

struct packed {
    CriuOpts opts;
    CriuPageServerInfo ps;
    ExtMountMap *ext_mnt;
    ExtMountMap **ext_mnt_p;
    JoinNamespace *join_ns;
    JoinNamespace **join_ns_p;
    InheritFd *inherit;
    InheritFd **inherit_p;
    CgroupRoot *cg_root;
    CgroupRoot **cg_root_p;
    char *ps_address;
};

static void packed_free(struct packed *p)
{
    free(p->ext_mnt);
    free(p->ext_mnt_p);
    free(p->join_ns);
    free(p->join_ns_p);
    free(p->inherit);
    free(p->inherit_p);
    free(p->cg_root);
    free(p->cg_root_p);
    free(p->ps_address);
}

static CriuCgMode cg_mode(enum oci_criu_cg_mode m)
{
    switch (m) {
    case OCI_CRIU_CG_SOFT: return CRIU_CG_MODE__SOFT;
    case OCI_CRIU_CG_FULL: return CRIU_CG_MODE__FULL;
    case OCI_CRIU_CG_STRICT: return CRIU_CG_MODE__STRICT;
    case OCI_CRIU_CG_IGNORE: return CRIU_CG_MODE__IGNORE;
    case OCI_CRIU_CG_DEFAULT: break;
    }
    return CRIU_CG_MODE__DEFAULT;
}

/* --page-server ADDRESS:PORT (the last colon splits, as an IPv6 address has colons). */
static int page_server(const char *s, struct packed *p, oci_err_t *err)
{
    const char *colon = strrchr(s, ':');
    int64_t port;

    if (colon == NULL || colon == s || parse_int64(colon + 1, &port) < 0 || port <= 0 || port > 65535)
        return oci_error_set_code(err, EINVAL, "--page-server \"%s\": use ADDRESS:PORT", s);
    p->ps_address = xstrndup(s, (size_t) (colon - s));
    if (p->ps_address[0] == '[' && p->ps_address[strlen(p->ps_address) - 1] == ']') {
        memmove(p->ps_address, p->ps_address + 1, strlen(p->ps_address));
        p->ps_address[strlen(p->ps_address) - 1] = '\0';
    }
    criu_page_server_info__init(&p->ps);
    p->ps.address = p->ps_address;
    p->ps.has_port = true;
    p->ps.port = (int32_t) port;
    p->opts.ps = &p->ps;
    return 0;
}

static void pack_lists(const struct criu_req *r, struct packed *p)
{
    CriuOpts *c = &p->opts;

    p->ext_mnt = xzalloc((r->n_ext_mnt + 1) * sizeof(*p->ext_mnt));
    p->ext_mnt_p = xzalloc((r->n_ext_mnt + 1) * sizeof(*p->ext_mnt_p));
    for (size_t i = 0; i < r->n_ext_mnt; i++) {
        ext_mount_map__init(&p->ext_mnt[i]);
        p->ext_mnt[i].key = r->ext_mnt[i].key;
        p->ext_mnt[i].val = r->ext_mnt[i].val;
        p->ext_mnt_p[i] = &p->ext_mnt[i];
    }
    c->n_ext_mnt = r->n_ext_mnt;
    c->ext_mnt = p->ext_mnt_p;
    p->join_ns = xzalloc((r->n_join_ns + 1) * sizeof(*p->join_ns));
    p->join_ns_p = xzalloc((r->n_join_ns + 1) * sizeof(*p->join_ns_p));
    for (size_t i = 0; i < r->n_join_ns; i++) {
        join_namespace__init(&p->join_ns[i]);
        p->join_ns[i].ns = r->join_ns[i].key;
        p->join_ns[i].ns_file = r->join_ns[i].val;
        p->join_ns_p[i] = &p->join_ns[i];
    }
    c->n_join_ns = r->n_join_ns;
    c->join_ns = p->join_ns_p;
    p->inherit = xzalloc((r->n_inherit + 1) * sizeof(*p->inherit));
    p->inherit_p = xzalloc((r->n_inherit + 1) * sizeof(*p->inherit_p));
    for (size_t i = 0; i < r->n_inherit; i++) {
        inherit_fd__init(&p->inherit[i]);
        p->inherit[i].key = r->inherit[i].key;
        /* stdio stays where it is; the others follow the socket (3) in order */
        p->inherit[i].fd = r->inherit[i].fd <= 2 ? r->inherit[i].fd : (int32_t) (4 + i);
        p->inherit_p[i] = &p->inherit[i];
    }
    c->n_inherit_fd = r->n_inherit;
    c->inherit_fd = p->inherit_p;
    p->cg_root = xzalloc((r->n_cg_root + 1) * sizeof(*p->cg_root));
    p->cg_root_p = xzalloc((r->n_cg_root + 1) * sizeof(*p->cg_root_p));
    for (size_t i = 0; i < r->n_cg_root; i++) {
        cgroup_root__init(&p->cg_root[i]);
        p->cg_root[i].ctrl = r->cg_root[i].ctrl;
        p->cg_root[i].path = r->cg_root[i].path;
        p->cg_root_p[i] = &p->cg_root[i];
    }
    c->n_cg_root = r->n_cg_root;
    c->cg_root = p->cg_root_p;
    c->n_external = r->n_external;
    c->external = r->external;
}

#define SET(field, value) do { c->has_##field = true; c->field = (value); } while (0)

static int pack_opts(const struct criu_req *r, struct packed *p, oci_err_t *err)
{
    const struct oci_criu_opts *o = r->o;
    CriuOpts *c = &p->opts;
    bool restore = r->kind == CRIU_KIND_RESTORE;

    criu_opts__init(c);
    c->images_dir_fd = images_fd_number(r);   /* criu's own (see spawn_criu) */
    if (o->work_path)
        SET(work_dir_fd, images_fd_number(r) + 1);
    SET(log_level, 4);
    c->log_file = (char *) (restore ? CRIU_RESTORE_LOG : CRIU_DUMP_LOG);
    c->root = r->root;
    c->config_file = r->config_file;
    SET(manage_cgroups, true);
    SET(manage_cgroups_mode, cg_mode(o->cg_mode));
    SET(notify_scripts, true);
    SET(shell_job, o->shell_job);
    SET(tcp_established, o->tcp_established);
    SET(ext_unix_sk, o->ext_unix_sk);
    SET(file_locks, o->file_locks);
    SET(empty_ns, o->empty_ns);
    SET(orphan_pts_master, true);
    SET(auto_dedup, o->auto_dedup);
    SET(lazy_pages, o->lazy_pages);
    if (restore) {
        SET(rst_sibling, true);
        SET(evasive_devices, true);
        c->lsm_profile = (char *) o->lsm_profile;
        c->lsm_mount_context = (char *) o->lsm_mount_context;
    } else {
        SET(pid, r->pid);
        SET(leave_running, o->leave_running || o->pre_dump);
        c->freeze_cgroup = r->freeze_cgroup;
        c->parent_img = (char *) o->parent_path;
        if (r->track_mem)
            SET(track_mem, true);
        if (o->page_server && page_server(o->page_server, p, err) < 0)
            return -1;
    }
    pack_lists(r, p);
    return 0;
}

static int send_req(int sock, CriuReq *req, oci_err_t *err)
{
    size_t len = criu_req__get_packed_size(req);
    cleanup_free uint8_t *buf = xmalloc(len ? len : 1);

    criu_req__pack(req, buf);
    if (send(sock, buf, len, MSG_NOSIGNAL) != (ssize_t) len)
        return oci_error_sys(err, "send the request to criu");
    return 0;
}

/* ---- the criu process ------------------------------------------------------------------- */

/*
 * CRIU opens images_dir_fd and work_dir_fd as /proc/PEER/fd/N, PEER being the process that made
 * its socketpair (SO_PEERCRED). A directory opened in another mount namespace than criu's
 * would give it a cwd it cannot mount on (its cgroup yard, EINVAL): so the child makes the
 * socketpair and opens the directories itself, in criu's namespace, at fixed numbers after the
 * inherited fds, and sends us our end of the socket over a control socket before its exec.
 */
static int images_fd_number(const struct criu_req *r)
{
    return 4 + (int) r->n_inherit;
}

struct child {
    const struct criu_req *req;
    const struct criu_run *run;
    int ctl;                    /* the child's end of the control socket */
};

/* Put FROM at TO (FROM is above every target number). */
static int place_fd(int from, int to)
{
    if (from == to)
        return fcntl(to, F_SETFD, 0);
    return dup2(from, to) < 0 ? -1 : 0;
}

/* Everything first above every target number, then into place: the socket at 3, the
 * inherited fds from 4, the image and work directories after them. */
static int child_fds(struct child *ch, int sock, oci_err_t *err)
{
    const struct criu_req *r = ch->req;
    size_t n = r->n_inherit;
    int base = images_fd_number(r) + 2 + 64;
    int moved[n + 3];

    for (size_t i = 0; i < n; i++) {
        int fd = r->inherit[i].fd;
        moved[i] = fd <= 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, base);
        if (moved[i] < 0)
            return oci_error_sys(err, "dup inherited fd %d (%s)", fd, r->inherit[i].key);
    }
    moved[n] = fcntl(sock, F_DUPFD_CLOEXEC, base);
    moved[n + 1] = open(r->o->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    moved[n + 2] = r->o->work_path ? open(r->o->work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -2;
    if (moved[n] < 0)
        return oci_error_sys(err, "dup the criu socket");
    if (moved[n + 1] < 0 || (moved[n + 1] = fcntl(moved[n + 1], F_DUPFD_CLOEXEC, base)) < 0)
        return oci_error_sys(err, "--image-path \"%s\"", r->o->image_path);
    if (moved[n + 2] == -1 || (moved[n + 2] >= 0 && (moved[n + 2] = fcntl(moved[n + 2], F_DUPFD_CLOEXEC, base)) < 0))
        return oci_error_sys(err, "--work-path \"%s\"", r->o->work_path);
    if (place_fd(moved[n], 3) < 0)
        return oci_error_sys(err, "dup2 the criu socket");
    for (size_t i = 0; i < n; i++)
        if (moved[i] > 2 && place_fd(moved[i], (int) (4 + i)) < 0)
            return oci_error_sys(err, "dup2 inherited fd %s", r->inherit[i].key);
    if (place_fd(moved[n + 1], images_fd_number(r)) < 0 ||
        (moved[n + 2] >= 0 && place_fd(moved[n + 2], images_fd_number(r) + 1) < 0))
        return oci_error_sys(err, "dup2 the image directories");
    return 0;
}

static int child_main(void *arg)
{
    struct child *ch = arg;
    oci_err_t err = NULL;
    char *argv[] = { "criu", "swrk", "3", NULL };
    int sp[2];

    signal(SIGPIPE, SIG_DFL);
    /* out of the way of the numbers child_fds fills */
    ch->ctl = fcntl(ch->ctl, F_DUPFD_CLOEXEC, images_fd_number(ch->req) + 2 + 128);
    if (ch->ctl < 0)
        _exit(125);
    if (ch->run->new_mount_ns && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        oci_error_sys(&err, "make the mounts of criu's mount namespace private");
    if (err == NULL && ch->run->prepare)
        ch->run->prepare(ch->run->prepare_arg, &err);
    if (err == NULL && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        oci_error_sys(&err, "socketpair for criu");
    if (err == NULL && child_fds(ch, sp[1], &err) == 0) {
        sigset_t none;
        if (oci_send_with_fd(ch->ctl, "S", 1, sp[0]) < 0)
            _exit(126);
        close(sp[0]);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(argv[0], argv);
        oci_error_sys(&err, "exec criu (is the criu package installed?)");
    }
    if (send(ch->ctl, err->msg, strlen(err->msg), MSG_NOSIGNAL) < 0)
        _exit(126);
    _exit(127);
}

/* Until the control socket's EOF (criu's exec): our end of criu's socket, or the child's error. */
static int read_child(int ctl, int *sock, oci_err_t *err)
{
    for (;;) {
        char buf[4096];
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        ssize_t n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return oci_error_sys(err, "read from the criu child");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                memcpy(sock, CMSG_DATA(c), sizeof(int));
        if (n == 0)
            return *sock >= 0 ? 0 : oci_error_set_code(err, EPIPE, "the criu child exited before its exec");
        if (*sock < 0 || n != 1) {
            buf[n] = '\0';
            return oci_error_set(err, 0, "%s", buf);
        }
    }
}

static pid_t spawn_criu(const struct criu_req *req, const struct criu_run *run, int *sock, oci_err_t *err)
{
    struct clone_args args = { .exit_signal = SIGCHLD };
    struct child ch = { .req = req, .run = run };
    int ctl[2];
    pid_t pid;

    *sock = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
        return oci_error_sys(err, "socketpair");
    ch.ctl = ctl[1];
    if (run->new_mount_ns)
        args.flags |= CLONE_NEWNS;
    if (run->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t) run->cgroup_fd;
    }
    pid = oci_clone_run(&args, false, NULL, child_main, &ch);
    close(ctl[1]);
    if (pid < 0) {
        oci_error_sys(err, "clone3 for criu");
        close(ctl[0]);
        return -1;
    }
    if (read_child(ctl[0], sock, err) < 0) {
        close(ctl[0]);
        close_fd(sock);
        waitpid(pid, NULL, 0);
        return -1;
    }
    close(ctl[0]);
    return pid;
}

/* ---- the conversation ------------------------------------------------------------------- */

static int recv_resp(int sock, CriuResp **resp, int *fd, oci_err_t *err)
{
    static uint8_t buf[64 * 1024];
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
    struct pollfd pfd = { .fd = sock, .events = POLLIN };
    ssize_t n;
    int r;

    *fd = -1;
    do
        r = poll(&pfd, 1, CRIU_MSG_WAIT_MS);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return oci_error_set_code(err, ETIMEDOUT, "criu sent nothing for %d s", CRIU_MSG_WAIT_MS / 1000);
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return oci_error_sys(err, "read from criu");
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    if (n == 0)
        return oci_error_set_code(err, EPIPE, "criu exited without an answer");
    if (mh.msg_flags & MSG_TRUNC)
        return oci_error_set_code(err, EMSGSIZE, "criu's answer is larger than %zu bytes", sizeof(buf));
    *resp = criu_resp__unpack(NULL, (size_t) n, buf);
    if (*resp == NULL)
        return oci_error_set_code(err, EPROTO, "criu's answer cannot be decoded");
    return 0;
}

static int reply_notify(int sock, bool ok, oci_err_t *err)
{
    CriuReq req = CRIU_REQ__INIT;

    req.type = CRIU_REQ_TYPE__NOTIFY;
    req.has_notify_success = true;
    req.notify_success = ok;
    return send_req(sock, &req, err);
}

/* Serve notifications until the answer to our request. A notification our side fails makes
 * CRIU abort; its error is the one reported. */
static int converse(int sock, const struct criu_req *req, const struct criu_run *run, pid_t *restored_pid,
                    oci_err_t *err)
{
    oci_err_t notify_err = NULL;

    for (;;) {
        CriuResp *resp = NULL;
        int fd = -1;

        if (recv_resp(sock, &resp, &fd, err) < 0) {
            if (notify_err) {
                oci_error_free(err);
                *err = notify_err;
            }
            return -1;
        }
        if (resp->type == CRIU_REQ_TYPE__NOTIFY && resp->notify) {
            const char *script = resp->notify->script ? resp->notify->script : "";
            pid_t pid = resp->notify->has_pid ? resp->notify->pid : 0;
            int r = 0;

            oci_debug("criu %s: notify %s (pid %d)", kind_name(req->kind), script, pid);
            if (run->notify && notify_err == NULL)
                r = run->notify(run->arg, script, pid, fd, &notify_err);
            else if (fd >= 0)
                close(fd);
            criu_resp__free_unpacked(resp, NULL);
            if (reply_notify(sock, r == 0, err) < 0)
                return -1;
            continue;
        }
        if (fd >= 0)
            close(fd);
        if (notify_err) {
            criu_resp__free_unpacked(resp, NULL);
            *err = notify_err;
            return -1;
        }
        if (!resp->success) {
            int e = resp->has_cr_errno ? resp->cr_errno : 0;
            oci_error_set_code(err, e, "criu %s failed%s%s%s%s", kind_name(req->kind),
                          resp->cr_errmsg ? ": " : "", resp->cr_errmsg ? resp->cr_errmsg : "",
                          e ? ": " : "", e ? strerror(e) : "");
            criu_resp__free_unpacked(resp, NULL);
            return -1;
        }
        if (restored_pid && resp->restore)
            *restored_pid = resp->restore->pid;
        criu_resp__free_unpacked(resp, NULL);
        return 0;
    }
}

/* criu exits once it answered (its restored tasks are our children, not its): bounded. */
static int reap_criu(pid_t pid, bool failed, oci_err_t *err)
{
    uint64_t deadline = deadline_after_ms(CRIU_EXIT_WAIT_MS);
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return failed ? -1 : oci_error_sys(err, "wait for criu");
        if (deadline_ms_left(deadline) == 0) {
            oci_kill_reap(pid, 0);
            return failed ? -1 : oci_error_set_code(err, ETIMEDOUT, "criu did not exit within %d s of its answer",
                                               CRIU_EXIT_WAIT_MS / 1000);
        }
        usleep(2000);
    }
    if (!failed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        oci_debug("criu exited with status 0x%x after its answer", status);
    return failed ? -1 : 0;
}

int criu_run(const struct criu_req *req, const struct criu_run *run, pid_t *restored_pid, oci_err_t *err)
{
    CriuReq r = CRIU_REQ__INIT;
    struct packed p = { 0 };
    cleanup_close int sock = -1;
    pid_t pid;
    int ret;

    if (pack_opts(req, &p, err) < 0) {
        packed_free(&p);
        return -1;
    }
    r.type = req->kind == CRIU_KIND_RESTORE ? CRIU_REQ_TYPE__RESTORE
             : req->kind == CRIU_KIND_PRE_DUMP ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
    r.opts = &p.opts;
    pid = spawn_criu(req, run, &sock, err);
    if (pid < 0) {
        packed_free(&p);
        return oci_error_wrap(err, "criu %s", kind_name(req->kind));
    }
    ret = run->started ? run->started(run->arg, pid, err) : 0;
    if (ret == 0)
        ret = send_req(sock, &r, err);
    packed_free(&p);
    if (ret == 0)
        ret = converse(sock, req, run, restored_pid, err);
    else
        kill(pid, SIGKILL);
    close_fd(&sock);   /* EOF for a criu that still waits (a failure on our side) */
    ret = reap_criu(pid, ret < 0, err);
    if (ret < 0)
        return wrap_with_log(run, err);
    return 0;
}

#endif

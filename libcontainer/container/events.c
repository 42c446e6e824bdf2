/* events.c: `events`: stats every interval and OOM kills as they happen, until the container exits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include "ocirun/cgroups/stats.h"
#include "ocirun/container/container.h"
#include "ocirun/core/alloc.h"
#include "ocirun/core/utils.h"

/* Once the container has exited, how long a slow reader gets for the rest of a line. */
#define DRAIN_MS 1000
/* After an OOM notice, how long the kill it announces may take to be counted (v1 notifies
 * before the OOM killer picks its victim). */
#define OOM_SETTLE_MS 2000

/* Where events go: our stdout, written without ever blocking in write(2), so that a reader
 * that stops reading cannot keep us past the container's end. */
struct sink {
    int fd;
    int pidfd;          /* the container's init */
    bool ended;         /* it has exited */
};

static int sink_gone(oci_err_t *err)
{
    return oci_error_set_code(err, EPIPE, "write event: standard output was closed by its reader");
}

/* One whole line: poll for room, then at most PIPE_BUF bytes (what a pipe with room takes at
 * once). Returns -1 when the reader is gone, or when the container has exited and the reader
 * took nothing for DRAIN_MS. */
static int emit(struct sink *o, const char *text, size_t len, oci_err_t *err)
{
    uint64_t deadline = o->ended ? deadline_after_ms(DRAIN_MS) : 0;
    size_t done = 0;

    while (done < len) {
        struct pollfd p[2] = { { .fd = o->fd, .events = POLLOUT }, { .fd = o->pidfd, .events = POLLIN } };
        int r = poll(p, o->ended ? 1 : 2, deadline_ms_left(deadline));
        ssize_t n;

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return oci_error_sys(err, "poll");
        if (r == 0)
            return oci_error_set_code(err, ETIMEDOUT, "write event: the container exited and standard output "
                                      "took nothing for %d ms", DRAIN_MS);
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
            return sink_gone(err);
        if (!o->ended && (p[1].revents & POLLIN)) {
            o->ended = true;
            deadline = deadline_after_ms(DRAIN_MS);
        }
        if (!(p[0].revents & POLLOUT))
            continue;
        n = write(o->fd, text + done, len - done > PIPE_BUF ? PIPE_BUF : len - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return errno == EPIPE ? sink_gone(err) : oci_error_sys(err, "write event");
        done += (size_t) n;
    }
    return 0;
}

static int print_event(struct sink *o, const char *type, const char *id, const struct oci_cgroup *cg, oci_err_t *err)
{
    struct oci_cgroup_stats s;
    cleanup_free char *json = NULL;
    cleanup_free char *line = NULL;

    if (cg && cg->n_dirs) {   /* without a cgroup (rootless) the events carry no stats */
        oci_cgroup_stats(cg, &s);
        json = oci_event_json(type, id, &s);
        oci_cgroup_stats_free(&s);
    } else {
        json = oci_event_json(type, id, NULL);
    }
    line = xasprintf("%s\n", json);
    return emit(o, line, strlen(line), err);
}

/* An fd that wakes up when the kernel counts an OOM: inotify on v2's memory.events, the v1
 * oom_control eventfd otherwise. -1 when neither can be had (the interval tick still checks). */
static int oom_watch_fd(const struct oci_cgroup *cg)
{
    bool v1;
    const char *dir = oci_cgroup_oom_watch_file(cg, &v1);
    cleanup_free char *file = NULL;

    if (dir == NULL)
        return -1;
    if (!v1) {
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        file = xasprintf("%s/memory.events", dir);
        if (fd >= 0 && inotify_add_watch(fd, file, IN_MODIFY) < 0) {
            close(fd);
            fd = -1;
        }
        return fd;
    }
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    cleanup_close int ofd = -1;
    cleanup_free char *ctl = xasprintf("%s/cgroup.event_control", dir);
    char buf[32];
    oci_err_t err = NULL;

    file = xasprintf("%s/memory.oom_control", dir);
    ofd = open(file, O_RDONLY | O_CLOEXEC);
    if (efd < 0 || ofd < 0)
        goto fail;
    snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
    if (write_file_at(AT_FDCWD, ctl, buf, strlen(buf), 0, &err) < 0)
        goto fail;
    return efd;
fail:
    oci_error_free(&err);
    if (efd >= 0)
        close(efd);
    return -1;
}

static int interval_timer(uint64_t interval_ms, oci_err_t *err)
{
    struct itimerspec its = { 0 };
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

    if (fd < 0)
        return oci_error_sys(err, "timerfd_create");
    its.it_interval.tv_sec = (time_t) (interval_ms / 1000);
    its.it_interval.tv_nsec = (long) (interval_ms % 1000) * 1000000;
    its.it_value = its.it_interval;
    if (timerfd_settime(fd, 0, &its, NULL) < 0) {
        close(fd);
        return oci_error_sys(err, "timerfd_settime");
    }
    return fd;
}

static void drain(int fd)
{
    char buf[4096];

    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static int report_new_ooms(struct sink *o, const char *id, const struct oci_cgroup *cg, uint64_t *seen,
                           oci_err_t *err)
{
    uint64_t n = oci_cgroup_oom_kills(cg);

    for (; *seen < n; (*seen)++)
        if (print_event(o, "oom", id, NULL, err) < 0)
            return -1;
    return 0;
}

/* The poll timeout: none, or short steps while an OOM notice waits for its kill to be counted. */
static int oom_check_ms(uint64_t settle_until)
{
    int left = deadline_ms_left(settle_until);

    return left < 0 ? -1 : left < 10 ? left : 10;
}

/* Until the init exits (its pidfd), our stdout goes away, or a signal ends us. */
static int watch(struct sink *o, const char *id, const struct oci_cgroup *cg, uint64_t interval_ms, oci_err_t *err)
{
    cleanup_close int timer = interval_timer(interval_ms, err);
    cleanup_close int oomfd = oom_watch_fd(cg);
    uint64_t seen = oci_cgroup_oom_kills(cg);
    uint64_t settle_until = 0;

    if (timer < 0)
        return -1;
    for (;;) {
        /* stdout with no events: poll still reports a reader that went away (POLLERR, POLLHUP). */
        struct pollfd p[4] = { { .fd = o->pidfd, .events = POLLIN }, { .fd = timer, .events = POLLIN },
                               { .fd = o->fd, .events = 0 }, { .fd = oomfd, .events = POLLIN } };
        int r = poll(p, oomfd >= 0 ? 4 : 3, oom_check_ms(settle_until));
        uint64_t before = seen;

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return oci_error_sys(err, "poll");
        if (p[2].revents & (POLLERR | POLLHUP | POLLNVAL))
            return sink_gone(err);
        if (p[0].revents & POLLIN)
            o->ended = true;
        if (p[3].revents & POLLIN) {
            drain(oomfd);
            settle_until = deadline_after_ms(OOM_SETTLE_MS);
        }
        if (p[1].revents & POLLIN)
            drain(timer);
        if (report_new_ooms(o, id, cg, &seen, err) < 0)
            return -1;
        if (seen != before || deadline_ms_left(settle_until) == 0)
            settle_until = 0;
        if ((p[1].revents & POLLIN) && print_event(o, "stats", id, cg, err) < 0)
            return -1;
        if (o->ended)
            return 0;
    }
}

/* We run until the container exits; a caller ends us earlier with SIGINT or SIGTERM, or by
 * closing our stdout (SIGPIPE). Started with those ignored or blocked (a shell's background
 * job ignores SIGINT), we could only be killed with SIGKILL. */
static void die_on_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGPIPE };
    sigset_t set;

    sigemptyset(&set);
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        signal(sigs[i], SIG_DFL);
        sigaddset(&set, sigs[i]);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int oci_container_events(const char *root, const char *id, bool stats_once, uint64_t interval_ms, FILE *out,
                         oci_err_t *err)
{
    struct oci_cgroup cg;
    cleanup_close int pidfd = -1;
    struct sink o;
    int ret;

    die_on_signals();
    if (oci_container_open_cgroup(root, id, &cg, &pidfd, err) < 0)
        return -1;
    fflush(out);
    o = (struct sink) { .fd = fileno(out), .pidfd = pidfd };
    if (stats_once)
        ret = print_event(&o, "stats", id, &cg, err);
    else
        ret = watch(&o, id, &cg, interval_ms ? interval_ms : 5000, err);
    oci_cgroup_release(&cg);
    return ret;
}

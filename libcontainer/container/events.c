/* events.c: `events`: stats every interval and OOM kills as they happen, until the container exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include "ocirun/cgroups/stats.h"
#include "ocirun/container/container.h"
#include "ocirun/core/utils.h"

static int print_event(FILE *out, const char *type, const char *id, const struct oci_cgroup *cg)
{
    struct oci_cgroup_stats s;
    cleanup_free char *json = NULL;

    if (cg) {
        oci_cgroup_stats(cg, &s);
        json = oci_event_json(type, id, &s);
        oci_cgroup_stats_free(&s);
    } else {
        json = oci_event_json(type, id, NULL);
    }
    fprintf(out, "%s\n", json);
    return fflush(out) == 0 ? 0 : -1;
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

static int report_new_ooms(FILE *out, const char *id, const struct oci_cgroup *cg, uint64_t *seen)
{
    uint64_t n = oci_cgroup_oom_kills(cg);

    for (; *seen < n; (*seen)++)
        if (print_event(out, "oom", id, NULL) < 0)
            return -1;
    return 0;
}

static int watch(FILE *out, const char *id, const struct oci_cgroup *cg, int pidfd, uint64_t interval_ms,
                 oci_err_t *err)
{
    cleanup_close int timer = interval_timer(interval_ms, err);
    cleanup_close int oomfd = oom_watch_fd(cg);
    uint64_t seen = oci_cgroup_oom_kills(cg);

    if (timer < 0)
        return -1;
    for (;;) {
        struct pollfd p[3] = { { .fd = pidfd, .events = POLLIN }, { .fd = timer, .events = POLLIN },
                               { .fd = oomfd, .events = POLLIN } };
        int r = poll(p, oomfd >= 0 ? 3 : 2, -1);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return oci_error_sys(err, "poll");
        if (p[2].revents & POLLIN)
            drain(oomfd);
        if (p[1].revents & POLLIN)
            drain(timer);
        if (report_new_ooms(out, id, cg, &seen) < 0)
            return oci_error_sys(err, "write event");
        if ((p[1].revents & POLLIN) && print_event(out, "stats", id, cg) < 0)
            return oci_error_sys(err, "write event");
        if (p[0].revents & POLLIN)
            return 0;
    }
}

int oci_container_events(const char *root, const char *id, bool stats_once, uint64_t interval_ms, FILE *out,
                         oci_err_t *err)
{
    struct oci_cgroup cg;
    cleanup_close int pidfd = -1;
    int ret;

    if (oci_container_open_cgroup(root, id, &cg, &pidfd, err) < 0)
        return -1;
    if (stats_once)
        ret = print_event(out, "stats", id, &cg) < 0 ? oci_error_sys(err, "write event") : 0;
    else
        ret = watch(out, id, &cg, pidfd, interval_ms ? interval_ms : 5000, err);
    oci_cgroup_release(&cg);
    return ret;
}

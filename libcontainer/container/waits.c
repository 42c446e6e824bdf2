/* waits.c: the lifecycle's bounded waits for the setup process, and why a process is stuck. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "ocirun/core/utils.h"
#include "ocirun/security/seccomp.h"
#include "ocirun/state/state.h"
#include "container/waits.h"

char *oci_wait_stuck_text(pid_t pid)
{
    cleanup_free char *name = NULL;
    char wchan[128];
    long nr;

    if (pid <= 0 || oci_proc_wait_info(pid, wchan, sizeof(wchan), &nr) < 0)
        return xstrdup("");
    name = oci_seccomp_syscall_name(nr);
    if (strstr(wchan, "seccomp"))
        return xasprintf("; it is in %s, waiting for the linux.seccomp agent (listenerPath) to answer",
                         name ? name : "a syscall");
    if (name && wchan[0])
        return xasprintf("; it is in %s, waiting in %s", name, wchan);
    if (name || wchan[0])
        return xasprintf("; it is in %s", name ? name : wchan);
    return xstrdup("");
}

int oci_wait_readable(int fd, int64_t bound_ms, const char *what, const char *process, const char *goal, pid_t pid,
                      oci_err_t *err)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint64_t deadline = deadline_after_ms(bound_ms);

    for (;;) {
        int r = poll(&p, 1, deadline_ms_left(deadline));
        cleanup_free char *why = NULL;

        if (r > 0)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return oci_error_sys(err, "%s: poll", what);
        why = oci_wait_stuck_text(pid);
        return oci_error_set_code(err, ETIMEDOUT, "%s: %s (pid %d) did not %s within %lld s%s", what, process,
                                  (int) pid, goal, (long long) (bound_ms / 1000), why);
    }
}

int64_t oci_wait_bound(int64_t base_ms, int64_t hooks_ms)
{
    return hooks_ms < 0 ? -1 : base_ms + hooks_ms;
}

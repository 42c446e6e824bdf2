/* relay.c: a foreground runtime (run, exec) relaying signals to its process and taking its exit status. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "ocirun/relay.h"
#include "ocirun/utils.h"

int oci_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

int oci_block_relayed_signals(sigset_t *set, sigset_t *old)
{
    sigfillset(set);
    sigdelset(set, SIGCHLD);
    sigdelset(set, SIGKILL);
    sigdelset(set, SIGSTOP);
    sigdelset(set, SIGSEGV);
    sigdelset(set, SIGBUS);
    sigdelset(set, SIGILL);
    sigdelset(set, SIGFPE);
    sigdelset(set, SIGTTIN);
    sigdelset(set, SIGTTOU);
    sigdelset(set, SIGTSTP);
    return sigprocmask(SIG_BLOCK, set, old);
}

int oci_relay_until_exit(pid_t pid, const sigset_t *set, int *status, oci_err_t *err)
{
    cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
    cleanup_close int pidfd = syscall(SYS_pidfd_open, pid, 0);

    if (sfd < 0)
        return oci_error_sys(err, "signalfd");
    if (pidfd < 0)
        return oci_error_sys(err, "pidfd_open %d", pid);
    for (;;) {
        struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
        struct signalfd_siginfo si;

        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return oci_error_sys(err, "poll");
        }
        if (pfd[1].revents & POLLIN && read(sfd, &si, sizeof(si)) == sizeof(si))
            kill(pid, si.ssi_signo);
        if (pfd[0].revents & POLLIN)
            break;
    }
    while (waitpid(pid, status, __WALL) < 0) {
        if (errno != EINTR)
            return oci_error_sys(err, "waitpid %d", pid);
    }
    return 0;
}

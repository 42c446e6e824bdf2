/* relay.c: a foreground command waits for its process: signals forwarded, terminal relayed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "ocirun/core/utils.h"
#include "process/notify.h"
#include "process/relay.h"
#include "process/terminal.h"

int oci_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

int oci_relay_block_signals(sigset_t *set, sigset_t *old)
{
    static const int kept[] = { SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
                                SIGTTIN, SIGTTOU, SIGTSTP };

    sigfillset(set);
    for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
        sigdelset(set, kept[i]);
    return sigprocmask(SIG_BLOCK, set, old);
}

/* Copy what is readable on FROM to TO; false once FROM has nothing more to give (EOF, EIO
 * from a terminal whose other side closed) or TO is gone. */
static bool pump(int from, int to)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    return write_all(to, buf, (size_t) n) >= 0;
}

/* After the process exited: what it wrote last may still be on its way through the terminal
 * (the tty layer hands it over asynchronously). Read until the terminal reports its other side
 * gone (EIO), or briefly idle when something outside the container still holds it open. */
#define DRAIN_IDLE_MS 100

static void drain(int master)
{
    struct pollfd pfd = { .fd = master, .events = POLLIN };

    while (poll(&pfd, 1, DRAIN_IDLE_MS) == 1 && pump(master, STDOUT_FILENO))
        ;
}

enum { R_PID, R_SIG, R_TTY, R_STDIN, R_NOTIFY };

int oci_relay_until_exit(pid_t pid, const sigset_t *set, int tty_master, struct oci_notify *notify, int *status,
                         oci_err_t *err)
{
    cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
    cleanup_close int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    struct pollfd pfd[5] = {
        [R_PID] = { .fd = pidfd, .events = POLLIN },
        [R_SIG] = { .fd = sfd, .events = POLLIN },
        [R_TTY] = { .fd = tty_master, .events = POLLIN },
        [R_STDIN] = { .fd = tty_master >= 0 ? STDIN_FILENO : -1, .events = POLLIN },
        [R_NOTIFY] = { .fd = notify ? notify->fd : -1, .events = POLLIN },
    };

    if (sfd < 0)
        return oci_error_sys(err, "signalfd");
    if (pidfd < 0)
        return oci_error_sys(err, "pidfd_open %d", pid);
    for (;;) {
        struct signalfd_siginfo si;

        if (poll(pfd, ARRAY_SIZE(pfd), -1) < 0) {
            if (errno == EINTR)
                continue;
            return oci_error_sys(err, "poll");
        }
        if (pfd[R_SIG].revents & POLLIN && read(sfd, &si, sizeof(si)) == sizeof(si)) {
            if (si.ssi_signo == SIGWINCH && tty_master >= 0)
                oci_terminal_copy_winsize(tty_master);
            else
                kill(pid, (int) si.ssi_signo);
        }
        if (pfd[R_TTY].revents & (POLLIN | POLLHUP | POLLERR) && !pump(tty_master, STDOUT_FILENO))
            pfd[R_TTY].fd = -1;
        /* Our stdin ended: the terminal stays open for the process's output. */
        if (pfd[R_STDIN].revents & (POLLIN | POLLHUP | POLLERR) && !pump(STDIN_FILENO, tty_master))
            pfd[R_STDIN].fd = -1;
        if (pfd[R_NOTIFY].revents) {
            oci_notify_handle(notify);
            pfd[R_NOTIFY].fd = notify->fd;   /* -1 once READY went on */
        }
        if (pfd[R_PID].revents & POLLIN)
            break;
    }
    if (pfd[R_TTY].fd >= 0)
        drain(tty_master);
    while (waitpid(pid, status, __WALL) < 0) {
        if (errno != EINTR)
            return oci_error_sys(err, "waitpid %d", pid);
    }
    return 0;
}
